//! How numbers are written: one style for every writer and message.
//!
//! Display rounding (docs/report.md): an amount is rounded half away from
//! zero to whole kronor (`kr`), whole thousands (`tkr`) or tenths of
//! millions (`mnkr`). A non-zero amount never shows as zero: it gets the
//! decimals it needs, down to the öre (an overspend of 0,40 kr reads
//! `-0,40 kr`, not `0 kr`). Shares are shown to a tenth of a percent and
//! indicator values with their own digits: the report has rounded both
//! once already, so every output shows the same figure.

use insats::model::IndicatorUnit;
use insats::money::group_digits;
use rust_decimal::{Decimal, RoundingStrategy};

/// Language of labels and number style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Lang {
    /// Swedish: `8 800 000 kr`, decimal comma.
    Sv,
    /// English: `8,800,000 SEK`, decimal point.
    En,
}

/// The unit amounts are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Scale {
    /// Kronor.
    Kr,
    /// Thousands of kronor (tkr).
    Tkr,
    /// Millions of kronor (mnkr).
    Mnkr,
}

impl Scale {
    /// Kronor per unit of the scale.
    pub fn divisor(self) -> Decimal {
        match self {
            Scale::Kr => Decimal::ONE,
            Scale::Tkr => Decimal::from(1_000),
            Scale::Mnkr => Decimal::from(1_000_000),
        }
    }

    /// Decimals shown in the scale.
    pub fn decimals(self) -> u32 {
        match self {
            Scale::Kr | Scale::Tkr => 0,
            Scale::Mnkr => 1,
        }
    }

    /// Decimals of the scale that hold one öre: the most an amount is
    /// ever shown with.
    fn ore_decimals(self) -> u32 {
        match self {
            Scale::Kr => 2,
            Scale::Tkr => 5,
            Scale::Mnkr => 8,
        }
    }
}

/// How numbers are written: language, scale and currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberStyle {
    /// Language.
    pub lang: Lang,
    /// Scale of amounts.
    pub scale: Scale,
    /// The portfolio currency (ISO 4217).
    pub currency: String,
}

/// The no-break space between digit groups, and between a number and its
/// unit: a terminal table, a browser or a word processor never breaks
/// `8 800 000 kr` across lines.
pub const GROUP_SPACE: char = '\u{a0}';

impl NumberStyle {
    /// Swedish or English, in kronor, in SEK.
    pub fn new(lang: Lang) -> Self {
        NumberStyle {
            lang,
            scale: Scale::Kr,
            currency: "SEK".to_owned(),
        }
    }

    /// `value` rounded half away from zero to `decimals`, grouped by
    /// thousands in the language's style, with a minus sign only when the
    /// rounded value is not zero.
    pub fn number(&self, value: Decimal, decimals: u32) -> String {
        let rounded =
            value.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
        let text = format!("{:.*}", decimals as usize, rounded.abs());
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let (sep, point) = match self.lang {
            Lang::Sv => (GROUP_SPACE, ','),
            Lang::En => (',', '.'),
        };
        let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
            "-"
        } else {
            ""
        };
        if frac.is_empty() {
            format!("{sign}{}", group_digits(int, sep))
        } else {
            format!("{sign}{}{point}{frac}", group_digits(int, sep))
        }
    }

    /// The unit of amounts: `kr`, `tkr`, `mnkr`, `SEK`, `kEUR`.
    pub fn money_unit(&self) -> String {
        match (self.lang, self.currency.as_str(), self.scale) {
            (Lang::Sv, "SEK", Scale::Kr) => "kr".to_owned(),
            (Lang::Sv, "SEK", Scale::Tkr) => "tkr".to_owned(),
            (Lang::Sv, "SEK", Scale::Mnkr) => "mnkr".to_owned(),
            (Lang::En, "SEK", Scale::Kr) => "SEK".to_owned(),
            (Lang::En, "SEK", Scale::Tkr) => "kSEK".to_owned(),
            (Lang::En, "SEK", Scale::Mnkr) => "MSEK".to_owned(),
            // Another currency: its code, with the scale's prefix.
            (_, code, Scale::Kr) => code.to_owned(),
            (_, code, Scale::Tkr) => format!("k{code}"),
            (_, code, Scale::Mnkr) => format!("M{code}"),
        }
    }

    /// An amount in the chosen scale, without its unit. A non-zero amount
    /// that would round to zero gets the decimals it needs, to the öre.
    pub fn money_number(&self, value: Decimal) -> String {
        let scaled = value / self.scale.divisor();
        let mut decimals = self.scale.decimals();
        // Kronor get their öre at once: `0,40 kr`, never `0,4 kr`.
        let step = if self.scale == Scale::Kr { 2 } else { 1 };
        while decimals < self.scale.ore_decimals()
            && !value.is_zero()
            && scaled
                .round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero)
                .is_zero()
        {
            decimals += step;
        }
        self.number(scaled, decimals)
    }

    /// An amount in the chosen scale with its unit: `8 800 000 kr`,
    /// `8 800 tkr`, `8,8 mnkr`, `8,800,000 SEK`.
    pub fn money(&self, value: Decimal) -> String {
        format!("{}\u{a0}{}", self.money_number(value), self.money_unit())
    }

    /// An amount to the öre with its unit, whatever the scale: control
    /// totals must match the ledger they were read from.
    pub fn exact_money(&self, value: Decimal) -> String {
        format!(
            "{}\u{a0}{}",
            self.number(value, 2),
            self.unit_of_whole_amounts()
        )
    }

    /// The unit of an amount shown whole, whatever the scale: `kr`, `SEK`,
    /// `EUR`.
    pub fn unit_of_whole_amounts(&self) -> String {
        NumberStyle {
            scale: Scale::Kr,
            ..self.clone()
        }
        .money_unit()
    }

    /// A share (0-1) as a percentage with one decimal: `45,2 %`; `–` for
    /// none.
    pub fn share(&self, value: Option<Decimal>) -> String {
        value.map_or_else(
            || "–".to_owned(),
            |v| format!("{}\u{a0}%", self.number(v * Decimal::ONE_HUNDRED, 1)),
        )
    }

    /// An indicator value with the digits it has (a value insats computes
    /// is already rounded, docs/report.md), and `%` for a percentage.
    pub fn indicator(&self, value: Decimal, unit: IndicatorUnit) -> String {
        let digits = self.number(value, value.scale());
        match unit {
            IndicatorUnit::Percent => format!("{digits}\u{a0}%"),
            _ => digits,
        }
    }

    /// A plain exact decimal for CSV: no grouping, the language's decimal
    /// mark, so that a spreadsheet reads it as a number.
    pub fn plain(&self, value: Decimal) -> String {
        let text = value.normalize().to_string();
        match self.lang {
            Lang::Sv => text.replace('.', ","),
            Lang::En => text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn amounts_group_with_a_no_break_space_in_swedish() {
        let sv = NumberStyle::new(Lang::Sv);
        assert_eq!(sv.money(d("8800000")), "8\u{a0}800\u{a0}000\u{a0}kr");
        assert_eq!(sv.money(d("-1234.5")), "-1\u{a0}235\u{a0}kr");
        let en = NumberStyle::new(Lang::En);
        assert_eq!(en.money(d("8800000")), "8,800,000\u{a0}SEK");
    }

    #[test]
    fn a_non_zero_amount_never_shows_as_zero() {
        let sv = NumberStyle::new(Lang::Sv);
        assert_eq!(sv.money(d("-0.40")), "-0,40\u{a0}kr");
        assert_eq!(sv.money(d("0.4")), "0,40\u{a0}kr");
        assert_eq!(sv.money(d("0.005")), "0,01\u{a0}kr");
        assert_eq!(sv.money(d("0")), "0\u{a0}kr");
        assert_eq!(sv.money(d("0.50")), "1\u{a0}kr");
        let mnkr = NumberStyle {
            scale: Scale::Mnkr,
            ..sv.clone()
        };
        assert_eq!(mnkr.money(d("8800000")), "8,8\u{a0}mnkr");
        assert_eq!(mnkr.money(d("-400")), "-0,0004\u{a0}mnkr");
        assert_eq!(mnkr.money(d("0.01")), "0,00000001\u{a0}mnkr");
        let tkr = NumberStyle {
            scale: Scale::Tkr,
            ..sv
        };
        assert_eq!(tkr.money(d("499")), "0,5\u{a0}tkr");
        assert_eq!(tkr.money(d("500")), "1\u{a0}tkr");
    }

    #[test]
    fn other_currencies_keep_their_code() {
        let eur = NumberStyle {
            lang: Lang::Sv,
            scale: Scale::Tkr,
            currency: "EUR".to_owned(),
        };
        assert_eq!(eur.money(d("12000")), "12\u{a0}kEUR");
        assert_eq!(eur.exact_money(d("12000")), "12\u{a0}000,00\u{a0}EUR");
    }

    #[test]
    fn shares_and_indicators() {
        let sv = NumberStyle::new(Lang::Sv);
        assert_eq!(sv.share(Some(d("0.45249"))), "45,2\u{a0}%");
        assert_eq!(sv.share(Some(d("0.45250"))), "45,3\u{a0}%");
        assert_eq!(sv.share(None), "–");
        assert_eq!(sv.indicator(d("12"), IndicatorUnit::Days), "12");
        assert_eq!(
            sv.indicator(d("89.15"), IndicatorUnit::Percent),
            "89,15\u{a0}%"
        );
        assert_eq!(sv.indicator(d("-1.5"), IndicatorUnit::Score), "-1,5");
        assert_eq!(sv.plain(d("1234.50")), "1234,5");
    }
}
