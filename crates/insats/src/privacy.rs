//! Public-document hygiene: personal data that does not belong in a plan.
//!
//! Plans are public documents under the Swedish principle of public access.
//! Every string in a file is scanned for what looks like a personal identity
//! number (with a valid control digit, to keep false alarms down) and for
//! e-mail addresses at webmail providers. Organisational addresses
//! (`namn.efternamn@orebro.se`) are not reported: officials' work addresses
//! are published as a matter of course.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;
use toml::Spanned;
use toml::de::DeValue;

use crate::rules::Code;

/// Domains of webmail providers whose addresses are private.
const PRIVATE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "hotmail.com",
    "hotmail.se",
    "outlook.com",
    "outlook.se",
    "live.com",
    "live.se",
    "msn.com",
    "yahoo.com",
    "yahoo.se",
    "icloud.com",
    "me.com",
    "mac.com",
    "telia.com",
    "spray.se",
    "passagen.se",
    "bredband.net",
    "comhem.se",
    "tele2.se",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.net",
];

fn personnummer() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?:^|[^0-9])((?:19|20)?([0-9]{2})([0-9]{2})([0-9]{2})[-+]?([0-9]{4}))(?:[^0-9]|$)",
        )
        .expect("static regex")
    })
}

fn email() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)").expect("static regex")
    })
}

/// Scans every string in a document, calling `report` with a code, a
/// message and the span of the string for each finding.
pub fn scan(root: &Spanned<DeValue<'_>>, report: &mut dyn FnMut(Code, String, Range<usize>)) {
    match root.get_ref() {
        DeValue::String(s) => scan_text(s, root.span(), report),
        DeValue::Array(items) => items.iter().for_each(|i| scan(i, report)),
        DeValue::Table(table) => table.values().for_each(|v| scan(v, report)),
        _ => {}
    }
}

fn scan_text(text: &str, range: Range<usize>, report: &mut dyn FnMut(Code, String, Range<usize>)) {
    // Most strings hold neither ten digits nor an `@`: skip the regexes.
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    if digits >= 10 {
        scan_identity_numbers(text, &range, report);
    }
    if text.contains('@') {
        scan_mail(text, &range, report);
    }
}

fn scan_identity_numbers(
    text: &str,
    range: &Range<usize>,
    report: &mut dyn FnMut(Code, String, Range<usize>),
) {
    for caps in personnummer().captures_iter(text) {
        let (Some(yy), Some(mm), Some(dd), Some(nnnn)) =
            (caps.get(2), caps.get(3), caps.get(4), caps.get(5))
        else {
            continue;
        };
        let month: u32 = mm.as_str().parse().unwrap_or(0);
        // Day + 60 marks a coordination number (samordningsnummer).
        let day: u32 = dd.as_str().parse().unwrap_or(0) % 60;
        let digits = format!(
            "{}{}{}{}",
            yy.as_str(),
            mm.as_str(),
            dd.as_str(),
            nnnn.as_str()
        );
        if (1..=12).contains(&month) && (1..=31).contains(&day) && luhn_valid(&digits) {
            report(
                Code::PersonalIdentityNumber,
                "this text contains what looks like a personal identity number".to_owned(),
                range.clone(),
            );
        }
    }
}

fn scan_mail(text: &str, range: &Range<usize>, report: &mut dyn FnMut(Code, String, Range<usize>)) {
    for caps in email().captures_iter(text) {
        let domain = caps
            .get(1)
            .map(|m| m.as_str().to_lowercase())
            .unwrap_or_default();
        if PRIVATE_MAIL_DOMAINS.contains(&domain.as_str()) {
            report(
                Code::PrivateEmail,
                format!("this text contains a private e-mail address at {domain}"),
                range.clone(),
            );
        }
    }
}

/// The Luhn check over ten digits, as used for Swedish identity numbers.
fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .chars()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let x = d * 2;
                x / 10 + x % 10
            } else {
                d
            }
        })
        .sum();
    digits.len() == 10 && sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(text: &str) -> Vec<Code> {
        let mut out = Vec::new();
        scan_text(text, 0..0, &mut |c, _, _| out.push(c));
        out
    }

    #[test]
    fn finds_valid_identity_numbers_only() {
        // 811218-9876 is the Tax Agency's published test number.
        assert_eq!(
            findings("kontakt 811218-9876"),
            [Code::PersonalIdentityNumber]
        );
        assert_eq!(
            findings("kontakt 19811218-9876"),
            [Code::PersonalIdentityNumber]
        );
        assert!(findings("811218-9875").is_empty(), "bad control digit");
        assert!(findings("belopp 8800000").is_empty());
        assert!(findings("dnr 2019-04-23").is_empty());
    }

    #[test]
    fn finds_private_mail_but_not_work_mail() {
        assert_eq!(findings("a.b@gmail.com"), [Code::PrivateEmail]);
        assert!(findings("katarina.arkehag@orebro.se").is_empty());
    }
}
