//! One field of a row read as what it holds: an amount in the profile's
//! number style, exactly, or a date in its date style. The readers of the
//! usual forms take no allocation; anything unusual goes to the general
//! reader, which a property test holds to the same results.

use std::ops::Range;

use rust_decimal::Decimal;

use super::{Ledger, MAX_ROW_AMOUNT};
use crate::model::Date;
use crate::money;
use crate::vocabulary::{DecimalMark, ThousandsSeparator};

/// Reads a CSV amount as the profile says, without allocating (`scratch`
/// is reused from row to row).
pub(super) fn parse_amount(
    ledger: &Ledger,
    scratch: &mut String,
    text: &str,
) -> Result<Decimal, String> {
    let value = match profile_decimal(ledger, trimmed(text)) {
        Some(value) => value,
        None => parse_amount_generally(ledger, scratch, text)?,
    };
    if value.scale() > 2 && money::decimals(value) > 2 {
        return Err(format!("amount `{text}` has more than two decimals"));
    }
    if !money::within_limit(value) {
        return Err(too_large(text));
    }
    Ok(value)
}

/// An amount written plainly as the profile says (a sign, digits with
/// the profile's thousands separators, the profile's decimal mark), read
/// in one pass over its bytes; `None` for anything else, which
/// [`parse_amount_generally`] reads or explains. Where this reads a value,
/// that reader reads the same (a property test checks it): this is only
/// faster, and most amounts of an export take this way.
pub(super) fn profile_decimal(ledger: &Ledger, text: &str) -> Option<Decimal> {
    let mark = match ledger.decimal {
        DecimalMark::Comma => b',',
        DecimalMark::Point => b'.',
    };
    let bytes = text.as_bytes();
    let (negative, mut rest) = match bytes {
        [b'-', rest @ ..] | [0xE2, 0x88, 0x92, rest @ ..] => (true, rest),
        _ => (false, bytes),
    };
    let mut read = money::DecimalDigits::default();
    while let [b, tail @ ..] = rest {
        rest = tail;
        match (*b, ledger.thousands) {
            (b'0'..=b'9', _) => read.digit(*b)?,
            // Separators before the mark, as in the general reader (a
            // profile may name the point for both).
            (b' ', ThousandsSeparator::Space) => {}
            (b'.', ThousandsSeparator::Dot) => {}
            // A no-break space (U+00A0) or narrow no-break space (U+202F).
            (0xC2, ThousandsSeparator::Space) if rest.first() == Some(&0xA0) => rest = &rest[1..],
            (0xE2, ThousandsSeparator::Space) if rest.starts_with(&[0x80, 0xAF]) => {
                rest = &rest[2..]
            }
            (b, _) if b == mark => read.point()?,
            _ => return None,
        }
    }
    read.finish(negative)
}

/// Reads an amount in any form the profile allows, or says why it cannot.
pub(super) fn parse_amount_generally(
    ledger: &Ledger,
    scratch: &mut String,
    text: &str,
) -> Result<Decimal, String> {
    let mark = match ledger.decimal {
        DecimalMark::Comma => ',',
        DecimalMark::Point => '.',
    };
    let other = if mark == ',' { '.' } else { ',' };
    scratch.clear();
    for c in trimmed(text).chars() {
        match c {
            '\u{2212}' => scratch.push('-'),
            ' ' | '\u{a0}' | '\u{202f}' if ledger.thousands == ThousandsSeparator::Space => {}
            '.' if ledger.thousands == ThousandsSeparator::Dot => {}
            c if c == mark => scratch.push('.'),
            c if c == other => {
                let name = if mark == ',' { "a point" } else { "a comma" };
                let expected = if mark == ',' { "a comma" } else { "a point" };
                return Err(format!(
                    "amount `{text}` has {name}, but the profile says the decimal mark is {expected}"
                ));
            }
            c => scratch.push(c),
        }
    }
    // A bare fraction (`,5` read as `.5`) is an amount in an export.
    match money::plain_decimal(scratch, true) {
        Some(value) => Ok(value),
        None => money::parse_decimal_text(scratch)
            .map_err(|_| format!("amount `{text}` is not a number")),
    }
}

pub(super) fn too_large(text: &str) -> String {
    format!(
        "amount `{text}` is larger than a ledger row can be (at most {})",
        money::format_kr(Decimal::from(MAX_ROW_AMOUNT))
    )
}

/// `text` without surrounding white space; most fields have none, and
/// checking the two ends is much cheaper than `trim`'s Unicode search.
pub(super) fn trimmed(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

/// `2019-03-31` or `20190331`.
pub(super) fn parse_date(text: &str) -> Result<Date, ()> {
    let t = text.trim().as_bytes();
    let digits = |range: Range<usize>| -> Option<i16> {
        t.get(range)?.iter().try_fold(0i16, |acc, b| {
            b.is_ascii_digit().then(|| acc * 10 + i16::from(b - b'0'))
        })
    };
    let (year, month, day) = match t.len() {
        10 if t[4] == b'-' && t[7] == b'-' => (digits(0..4), digits(5..7), digits(8..10)),
        8 => (digits(0..4), digits(4..6), digits(6..8)),
        _ => return Err(()),
    };
    match (year, month, day) {
        (Some(y), Some(m), Some(d)) => Date::new(
            y,
            i8::try_from(m).map_err(|_| ())?,
            i8::try_from(d).map_err(|_| ())?,
        )
        .map_err(|_| ()),
        _ => Err(()),
    }
}

/// `31.03.2019`, `31/03/2019` or `31-03-2019`: a day, a month and a
/// four-digit year, the day and month of one or two digits, one kind of
/// separator.
pub(super) fn parse_day_month_year(text: &str) -> Result<Date, ()> {
    let t = text.trim();
    let separator = t.chars().find(|c| matches!(c, '.' | '/' | '-')).ok_or(())?;
    let parts: Vec<&str> = t.split(separator).collect();
    let [day, month, year] = parts.as_slice() else {
        return Err(());
    };
    let number = |s: &str, most: usize| -> Result<i16, ()> {
        if s.is_empty() || s.len() > most || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(());
        }
        s.parse().map_err(|_| ())
    };
    if year.len() != 4 {
        return Err(());
    }
    let (d, m, y) = (number(day, 2)?, number(month, 2)?, number(year, 4)?);
    Date::new(
        y,
        i8::try_from(m).map_err(|_| ())?,
        i8::try_from(d).map_err(|_| ())?,
    )
    .map_err(|_| ())
}
