//! Exact decimal arithmetic for money.
//!
//! Every amount is a [`Decimal`] read from the characters of the file, never
//! through a binary float. Rounding is always to whole öre (two decimals),
//! half away from zero, which is how Swedish accounting rounds, and always
//! once, on the exact value:
//!
//! * a staffing cost, per calendar year, before the years are added up, and
//!   a flat-rate (indirect) cost on the line total ([`round_ore`], on exact
//!   products);
//! * the report's quotients: planned to date, run rate, co-financing
//!   required, cost per improvement ([`Exact::round_ore`], on an exact
//!   fraction, so that a 28-digit approximation cannot fall on the wrong side
//!   of a half öre).
//!
//! Splitting an amount over payers or targets ([`split_exact`]) never
//! rounds the total: the parts are whole öre and always add up to the amount.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

mod exact;
pub use exact::Exact;

/// Why a piece of text is not an exact decimal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecimalTextError {
    /// Not a decimal number at all.
    #[error("`{0}` is not a decimal number")]
    NotANumber(String),
    /// Uses an exponent, which hides the number of decimals.
    #[error("`{0}` uses an exponent; write the number out in full")]
    Exponent(String),
    /// A hexadecimal, octal or binary integer.
    #[error("`{0}` is not a decimal (base-10) number")]
    NotBaseTen(String),
    /// A decimal comma, as Swedish text writes it.
    #[error("`{0}` uses a decimal comma; TOML needs a decimal point")]
    DecimalComma(String),
    /// Too large, or too many decimals, to hold exactly.
    #[error("`{0}` is too large or too precise to hold exactly")]
    OutOfRange(String),
}

impl DecimalTextError {
    /// The same error quoting `text`: the number as the user wrote it
    /// (`1_0.5e3`) rather than as TOML read it (`10.5e3`).
    pub fn quoting(self, text: &str) -> Self {
        let text = text.to_owned();
        match self {
            DecimalTextError::NotANumber(_) => DecimalTextError::NotANumber(text),
            DecimalTextError::Exponent(_) => DecimalTextError::Exponent(text),
            DecimalTextError::NotBaseTen(_) => DecimalTextError::NotBaseTen(text),
            DecimalTextError::DecimalComma(_) => DecimalTextError::DecimalComma(text),
            DecimalTextError::OutOfRange(_) => DecimalTextError::OutOfRange(text),
        }
    }
}

/// Parses the text of a TOML integer, TOML float or decimal string exactly.
///
/// Accepts an optional sign, digits with `_` between digit groups (as TOML
/// allows) and an optional fractional part after a point: `8_800_000`,
/// `8800000.50`, `-12.5`, `+7`. Refuses exponents, `inf`, `nan`,
/// non-decimal bases, spaces and decimal commas, each with its own error.
pub fn parse_decimal_text(text: &str) -> Result<Decimal, DecimalTextError> {
    let raw = text.trim();
    // Most amounts are plain (`8800000`, `-12.5`): read in one pass without
    // allocating (this was a twentieth of `insats validate` on a national
    // portfolio). The rest take the checks below, which explain what is
    // wrong; a property test checks that both read plain text alike.
    if let Some(value) = plain_decimal(raw, false) {
        return Ok(value);
    }
    parse_decimal_generally(raw)
}

/// [`parse_decimal_text`] without its fast path.
fn parse_decimal_generally(raw: &str) -> Result<Decimal, DecimalTextError> {
    let unsigned = raw.trim_start_matches(['+', '-']);
    if unsigned.starts_with("0x") || unsigned.starts_with("0o") || unsigned.starts_with("0b") {
        return Err(DecimalTextError::NotBaseTen(raw.to_owned()));
    }
    if unsigned.contains(['e', 'E']) && unsigned.chars().any(|c| c.is_ascii_digit()) {
        return Err(DecimalTextError::Exponent(raw.to_owned()));
    }
    if unsigned.contains(',') && !unsigned.contains('.') {
        return Err(DecimalTextError::DecimalComma(raw.to_owned()));
    }
    let sign_len = raw.len() - unsigned.len();
    if sign_len > 1 || !well_formed(unsigned) {
        return Err(DecimalTextError::NotANumber(raw.to_owned()));
    }
    let cleaned: String = raw.chars().filter(|&c| c != '_' && c != '+').collect();
    Decimal::from_str_exact(&cleaned)
        .or_else(|_| {
            Decimal::from_str(&cleaned).and_then(|d| {
                // from_str_exact refuses some exact forms (a long run of trailing
                // zeros); accept those only when nothing was rounded away.
                if d.normalize().to_string() == normalize_text(&cleaned) {
                    Ok(d)
                } else {
                    Err(rust_decimal::Error::Underflow)
                }
            })
        })
        .map_err(|_| DecimalTextError::OutOfRange(raw.to_owned()))
}

/// The common case of an amount, `-12345.67`: an optional minus, digits
/// and at most one point with digits after it (and before it, unless
/// `bare_fraction`), read without allocating. Anything else, or more digits
/// than a `Decimal` holds, is `None`, left to a general reader, which also
/// explains what is wrong.
pub(crate) fn plain_decimal(text: &str, bare_fraction: bool) -> Option<Decimal> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut read = DecimalDigits::default();
    for b in digits.bytes() {
        match b {
            b'0'..=b'9' => read.digit(b)?,
            b'.' if read.digits > 0 || bare_fraction => read.point()?,
            _ => return None,
        }
    }
    read.finish(negative)
}

/// The digits of a decimal read one byte at a time, without allocating:
/// what [`plain_decimal`] and the ledger import's reader of amounts in an
/// export's own form share. Each step is `None` where the text is not a
/// plain decimal (or holds more digits than a `Decimal`), for a general
/// reader to read or explain.
#[derive(Debug, Default)]
pub(crate) struct DecimalDigits {
    /// The digits' magnitude; the sign is applied once, in `finish`.
    mantissa: u128,
    /// Digits after the point, once a point is read.
    scale: Option<u32>,
    digits: u32,
}

impl DecimalDigits {
    /// An ASCII digit.
    pub(crate) fn digit(&mut self, b: u8) -> Option<()> {
        self.digits += 1;
        if self.digits > 28 {
            return None;
        }
        self.mantissa = self.mantissa * 10 + u128::from(b - b'0');
        if let Some(s) = self.scale.as_mut() {
            *s += 1;
        }
        Some(())
    }

    /// The decimal mark; a second one is not a number.
    pub(crate) fn point(&mut self) -> Option<()> {
        match self.scale {
            None => {
                self.scale = Some(0);
                Some(())
            }
            Some(_) => None,
        }
    }

    /// The value: at least one digit, and one after a point.
    pub(crate) fn finish(self, negative: bool) -> Option<Decimal> {
        if self.digits == 0 || self.scale == Some(0) {
            return None;
        }
        let mut value = Decimal::try_from_i128_with_scale(
            i128::try_from(self.mantissa).ok()?,
            self.scale.unwrap_or(0),
        )
        .ok()?;
        // `-0` is zero, as the general reader (`Decimal`'s parser) reads it:
        // negating would keep a negative zero, which prints as `-0`.
        value.set_sign_negative(negative && !value.is_zero());
        Some(value)
    }
}

/// Digits, `_` only between digits, at most one point with digits both sides.
fn well_formed(unsigned: &str) -> bool {
    let mut parts = unsigned.split('.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    if parts.next().is_some() {
        return false;
    }
    let group_ok = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| c.is_ascii_digit() || c == '_')
            && !s.starts_with('_')
            && !s.ends_with('_')
            && !s.contains("__")
    };
    group_ok(int) && frac.is_none_or(group_ok)
}

/// The canonical text of a plain decimal: no leading zeros, no trailing
/// fractional zeros.
fn normalize_text(text: &str) -> String {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let body = if frac.is_empty() {
        int.to_owned()
    } else {
        format!("{int}.{frac}")
    };
    if body == "0" {
        body
    } else {
        format!("{sign}{body}")
    }
}

/// The largest number, either way, insats reads from a plan file or a
/// ledger row: 10^15, for money a thousand times the Swedish state budget.
/// Anything larger is a misplaced digit group or a misread column. Keeping
/// every number below it keeps what insats computes from them (sums over a
/// whole portfolio, shares, rates, costs per improvement) far inside the
/// range a [`Decimal`] holds exactly, so that arithmetic cannot overflow.
pub const MAX_NUMBER: i64 = 1_000_000_000_000_000;

/// True when `value` is at most [`MAX_NUMBER`] either way.
pub fn within_limit(value: Decimal) -> bool {
    // In integers, |mantissa| <= MAX * 10^scale: a `Decimal` comparison was
    // a few per cent of a ledger import, which checks every row. Past
    // 10^23 the bound outgrows u128, and then any mantissa (at most 2^96)
    // is within it.
    let bound = 10u128
        .checked_pow(value.scale())
        .and_then(|power| power.checked_mul(MAX_NUMBER as u128));
    bound.is_none_or(|bound| value.mantissa().unsigned_abs() <= bound)
}

/// Number of decimals an amount really has (`1.50` has one, `1.505` three).
pub fn decimals(amount: Decimal) -> u32 {
    amount.normalize().scale()
}

/// Rounds to whole öre, half away from zero.
pub fn round_ore(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Adds amounts, or `None` if the sum cannot be held exactly.
pub fn checked_sum(amounts: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    amounts
        .into_iter()
        .try_fold(Decimal::ZERO, |acc, a| acc.checked_add(a))
}

/// Splits `total` (whole öre) into parts proportional to `weights`, each
/// part whole öre, the parts adding up to exactly `total`.
///
/// Uses the largest-remainder method: every part's exact share is first
/// rounded down to the öre, and the öre left over go one each to the parts
/// whose exact shares lost the most; on a tie (equal remainders, compared
/// exactly) the earlier part wins. Returns `None` when the weights are
/// empty, negative or all zero.
pub fn split_exact(total: Decimal, weights: &[Decimal]) -> Option<Vec<Decimal>> {
    if weights.is_empty() || weights.iter().any(|w| w.is_sign_negative() && !w.is_zero()) {
        return None;
    }
    if weights.iter().all(|w| w.is_zero()) {
        return None;
    }
    // Normalised, as the amounts they are split from are written: a line
    // of 1 000 000 paid 90/10 puts 900 000 on the first payer, not 900 000,00.
    let parts = split_in_ore(total, weights).or_else(|| split_exactly(total, weights))?;
    Some(parts.into_iter().map(|p| p.normalize()).collect())
}

/// [`split_exact`] in integers, for the usual split (a total in whole öre,
/// weights that fit 128 bits at a common scale): every exact share has the
/// same denominator, the sum of the weights, so the remainders compare as
/// integers. `None` otherwise.
fn split_in_ore(total: Decimal, weights: &[Decimal]) -> Option<Vec<Decimal>> {
    if total.scale() > 2 {
        return None;
    }
    let total_ore = total.mantissa() * 10i128.pow(2 - total.scale());
    let scale = weights.iter().map(|w| w.scale()).max().unwrap_or(0);
    let scaled: Vec<i128> = weights
        .iter()
        .map(|w| {
            w.mantissa()
                .checked_mul(10i128.checked_pow(scale - w.scale())?)
        })
        .collect::<Option<_>>()?;
    let sum = scaled
        .iter()
        .try_fold(0i128, |acc, w| acc.checked_add(*w))?;
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (i, w) in scaled.iter().enumerate() {
        let product = total_ore.checked_mul(*w)?;
        parts.push(product.div_euclid(sum));
        remainders.push((product.rem_euclid(sum), i));
    }
    let left = usize::try_from(total_ore - parts.iter().sum::<i128>()).ok()?;
    for i in largest_remainders(remainders, left) {
        parts[i] += 1;
    }
    parts
        .into_iter()
        .map(|ore| Decimal::try_from_i128_with_scale(ore, 2).ok())
        .collect()
}

/// [`split_exact`] over exact fractions: any total and weights.
fn split_exactly(total: Decimal, weights: &[Decimal]) -> Option<Vec<Decimal>> {
    let weight_sum: Exact = weights.iter().map(|w| Exact::from(*w)).sum();
    let total_exact = Exact::from(total);
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let exact = (&total_exact * &Exact::from(*w)).checked_div(&weight_sum)?;
        let (floored, remainder) = exact.floor_ore()?;
        remainders.push((remainder, i));
        parts.push(floored);
    }
    let assigned = checked_sum(parts.iter().copied())?;
    // A total finer than the öre (never one insats computes) is split as
    // if rounded to the öre, by the one rounding rule.
    let left = ((total - assigned) / Decimal::new(1, 2))
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    let left = usize::try_from(i64::try_from(left).ok()?).ok()?;
    for i in largest_remainders(remainders, left) {
        parts[i] += Decimal::new(1, 2);
    }
    Some(parts)
}

/// The parts that get one of the `left` öre over: those whose exact shares
/// lost the most when rounded down, and on equal losses the earlier part
/// (the sort is stable). `remainders` pairs each loss with its part.
fn largest_remainders<R: Ord>(mut remainders: Vec<(R, usize)>, left: usize) -> Vec<usize> {
    remainders.sort_by(|a, b| b.0.cmp(&a.0));
    remainders.into_iter().take(left).map(|(_, i)| i).collect()
}

/// Formats an amount for a message: exact, with a space between thousands,
/// as Swedish text writes it, and the unit (`8 800 000 kr`, `1 234,50 kr`).
pub fn format_kr(amount: rust_decimal::Decimal) -> String {
    format!("{} kr", format_amount(amount))
}

/// A number in a message, in the one style every message uses: digits
/// grouped by spaces and a decimal comma, as amounts are (`93,31`, `2,5`,
/// `1 234`), with the digits it has.
pub fn format_number(value: rust_decimal::Decimal) -> String {
    let text = value.normalize().to_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let grouped = group_digits(int, ' ');
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

/// The digits `int` in groups of three from the right, `sep` between:
/// the one grouping every message and output uses.
pub fn group_digits(int: &str, sep: char) -> String {
    let mut grouped = String::with_capacity(int.len() + int.len() / 3 * sep.len_utf8());
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            grouped.push(sep);
        }
        grouped.push(c);
    }
    grouped
}

/// [`format_kr`] without the unit: `8 800 000`, `1 234,50`.
pub fn format_amount(amount: rust_decimal::Decimal) -> String {
    let text = amount.normalize().to_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let grouped = group_digits(int, ' ');
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac:0<2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_holds_at_every_scale() {
        let d = |t: &str| t.parse::<Decimal>().unwrap();
        for within in [
            "1000000000000000",
            "-1000000000000000",
            "1000000000000000.00",
            "999999999999999.9999999999",
            "0.0000000000000000000000000001",
            "0",
        ] {
            assert!(within_limit(d(within)), "{within}");
        }
        for beyond in [
            "1000000000000000.01",
            "-1000000000000001",
            "1000000000000000.0000000001",
            "79228162514264337593543950335",
        ] {
            assert!(!within_limit(d(beyond)), "{beyond}");
        }
    }

    #[test]
    fn plain_amounts_are_read_exactly_and_long_ones_are_left_to_the_general_reader() {
        assert_eq!(
            plain_decimal("-12345.67", false),
            Some(Decimal::new(-1234567, 2))
        );
        assert_eq!(plain_decimal("100", false), Some(Decimal::from(100)));
        assert_eq!(plain_decimal("1.", true), None);
        assert_eq!(plain_decimal("1.2.3", true), None);
        assert_eq!(plain_decimal("", true), None);
        assert_eq!(plain_decimal(".5", true), Some(Decimal::new(5, 1)));
        assert_eq!(plain_decimal(".5", false), None);
        // Found by the property test below: the fast path kept the sign of
        // a negative zero, which the general one drops.
        assert!(plain_decimal("-0", false).is_some_and(|d| !d.is_sign_negative()));
        assert!(plain_decimal("-0.00", false).is_some_and(|d| !d.is_sign_negative()));
        // Found by fuzzing: forty digits overflowed the mantissa before the
        // length was checked (a panic with overflow checks on).
        assert_eq!(plain_decimal(&"9".repeat(40), true), None);
        assert_eq!(
            plain_decimal(&"9".repeat(28), true).map(|d| d.scale()),
            Some(0)
        );
    }

    proptest::proptest! {
        /// Where the one-pass reader reads a number, the general one reads
        /// the same, to the scale and the sign.
        #[test]
        fn the_fast_path_agrees_with_the_general_reader(text in "[-+]?[0-9_.]{0,32}") {
            if let Some(fast) = plain_decimal(&text, false) {
                let general = parse_decimal_generally(&text);
                proptest::prop_assert_eq!(
                    general.map(|v| (v.mantissa(), v.scale(), v.is_sign_negative())),
                    Ok((fast.mantissa(), fast.scale(), fast.is_sign_negative())),
                    "{}", text
                );
            }
        }
    }
    use rust_decimal_macros_free::dec;

    mod rust_decimal_macros_free {
        /// Test helper: a decimal from text.
        pub fn dec(text: &str) -> rust_decimal::Decimal {
            text.parse().unwrap()
        }
    }

    proptest::proptest! {
        /// The integer split gives what the exact fractions give, ties
        /// included (small weights make many equal remainders).
        #[test]
        fn the_integer_split_agrees_with_the_exact_one(
            total in -10_000_000i64..10_000_000,
            weights in proptest::collection::vec((0i64..1_000, 0u32..4), 1..6),
        ) {
            let total = Decimal::new(total, 2);
            let weights: Vec<Decimal> = weights.iter().map(|&(m, s)| Decimal::new(m, s)).collect();
            proptest::prop_assume!(weights.iter().any(|w| !w.is_zero()));
            let fast = split_in_ore(total, &weights);
            proptest::prop_assert!(fast.is_some());
            proptest::prop_assert_eq!(&fast, &split_exactly(total, &weights));
            let parts = fast.unwrap();
            proptest::prop_assert_eq!(parts.iter().copied().sum::<Decimal>(), total);
        }
    }

    #[test]
    fn kronor_are_grouped_with_spaces_and_a_decimal_comma() {
        assert_eq!(format_kr(dec("8800000")), "8 800 000 kr");
        assert_eq!(format_kr(dec("1234.5")), "1 234,50 kr");
        assert_eq!(format_kr(dec("-950")), "-950 kr");
        assert_eq!(format_kr(dec("100")), "100 kr");
        // Every number in a message in the same style as the amounts.
        assert_eq!(format_number(dec("93.31")), "93,31");
        assert_eq!(format_number(dec("2.50")), "2,5");
        assert_eq!(format_number(dec("-1234567.5")), "-1 234 567,5");
        assert_eq!(format_number(dec("90")), "90");
    }

    #[test]
    fn reads_every_toml_number_form_exactly() {
        assert_eq!(parse_decimal_text("8_800_000"), Ok(dec("8800000")));
        assert_eq!(parse_decimal_text("8_800_000.50"), Ok(dec("8800000.50")));
        assert_eq!(parse_decimal_text("+7"), Ok(dec("7")));
        assert_eq!(parse_decimal_text("-12.5"), Ok(dec("-12.5")));
        // A float that f64 cannot hold: every digit survives.
        assert_eq!(
            parse_decimal_text("1234567890123456.78")
                .unwrap()
                .to_string(),
            "1234567890123456.78"
        );
    }

    #[test]
    fn refuses_forms_that_hide_or_lose_digits() {
        assert!(matches!(
            parse_decimal_text("8.8e6"),
            Err(DecimalTextError::Exponent(_))
        ));
        assert!(matches!(
            parse_decimal_text("0x10"),
            Err(DecimalTextError::NotBaseTen(_))
        ));
        assert!(matches!(
            parse_decimal_text("1,5"),
            Err(DecimalTextError::DecimalComma(_))
        ));
        assert!(matches!(
            parse_decimal_text("inf"),
            Err(DecimalTextError::NotANumber(_))
        ));
        assert!(matches!(
            parse_decimal_text("nan"),
            Err(DecimalTextError::NotANumber(_))
        ));
        assert!(matches!(
            parse_decimal_text("1 000"),
            Err(DecimalTextError::NotANumber(_))
        ));
        assert!(matches!(
            parse_decimal_text("1__0"),
            Err(DecimalTextError::NotANumber(_))
        ));
        assert!(matches!(
            parse_decimal_text("99999999999999999999999999999999"),
            Err(DecimalTextError::OutOfRange(_))
        ));
    }

    #[test]
    fn every_other_base_is_refused_with_its_own_error() {
        for text in ["0x10", "0o17", "0b101", "-0b1", "+0o7"] {
            assert!(
                matches!(
                    parse_decimal_text(text),
                    Err(DecimalTextError::NotBaseTen(_))
                ),
                "{text}"
            );
        }
    }

    #[test]
    fn more_decimals_than_a_decimal_holds_are_read_only_when_they_are_zeros() {
        // 30 decimals: beyond what `from_str_exact` takes. Zeros lose
        // nothing, so the number is read; any other digit would be rounded
        // away, so it is refused.
        let zeros = format!("1.{}", "0".repeat(30));
        assert_eq!(parse_decimal_text(&zeros), Ok(dec("1")));
        let one_at_the_end = format!("1.{}1", "0".repeat(29));
        assert!(matches!(
            parse_decimal_text(&one_at_the_end),
            Err(DecimalTextError::OutOfRange(_))
        ));
        // Digit groups in such a number are read as digits, not kept as
        // text: `1_0` is ten.
        let grouped = format!("1_0.{}", "0".repeat(30));
        assert_eq!(parse_decimal_text(&grouped), Ok(dec("10")));
        let signed = format!("+1_0.{}", "0".repeat(30));
        assert_eq!(parse_decimal_text(&signed), Ok(dec("10")));
        // The sign is kept, and a negative zero is zero.
        let negative = format!("-1.{}", "0".repeat(30));
        assert_eq!(parse_decimal_text(&negative), Ok(dec("-1")));
        let negative_zero = format!("-0.{}", "0".repeat(30));
        assert_eq!(parse_decimal_text(&negative_zero), Ok(dec("0")));
    }

    #[test]
    fn counts_real_decimals() {
        assert_eq!(decimals(dec("1.50")), 1);
        assert_eq!(decimals(dec("1.505")), 3);
        assert_eq!(decimals(dec("100")), 0);
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round_ore(dec("0.005")), dec("0.01"));
        assert_eq!(round_ore(dec("-0.005")), dec("-0.01"));
        assert_eq!(round_ore(dec("0.0049")), dec("0.00"));
    }

    #[test]
    fn splits_add_up_to_the_ore() {
        let parts = split_exact(dec("100.00"), &[dec("1"), dec("1"), dec("1")]).unwrap();
        assert_eq!(parts, vec![dec("33.34"), dec("33.33"), dec("33.33")]);
        let parts = split_exact(dec("1000000"), &[dec("90"), dec("10")]).unwrap();
        assert_eq!(parts, vec![dec("900000"), dec("100000")]);
        assert_eq!(split_exact(dec("1"), &[]), None);
        // Equal remainders (exactly a third of an öre each): the earlier
        // part wins, not whichever 28-digit quotient happened to be larger.
        let parts = split_exact(dec("30.20"), &[dec("400"), dec("100"), dec("100")]).unwrap();
        assert_eq!(parts, vec![dec("20.14"), dec("5.03"), dec("5.03")]);
        let parts = split_exact(dec("30.20"), &[dec("100"), dec("100"), dec("400")]).unwrap();
        assert_eq!(parts, vec![dec("5.04"), dec("5.03"), dec("20.13")]);
        // Negative weights are refused, and so are weights that are all zero.
        assert_eq!(split_exact(dec("1"), &[dec("-1"), dec("2")]), None);
        assert_eq!(split_exact(dec("1"), &[dec("0"), dec("0")]), None);
        // A total finer than the öre splits as if rounded to the öre, half
        // away from zero (1,005 -> 1,01), by the exact path.
        let parts = split_exact(dec("1.005"), &[dec("1"), dec("1")]).unwrap();
        assert_eq!(parts, vec![dec("0.51"), dec("0.5")]);
        // A negative total (a correction) splits the same way.
        let parts = split_exact(dec("-100.00"), &[dec("1"), dec("1"), dec("1")]).unwrap();
        assert_eq!(parts, vec![dec("-33.33"), dec("-33.33"), dec("-33.34")]);
        assert_eq!(split_exact(dec("1"), &[dec("0")]), None);
    }
}
