//! SIE 4, the Swedish accounting exchange format: its vouchers and their
//! `#TRANS` rows, read into the format-neutral rows the booker takes. A SIE
//! file is read whole (it is a few megabytes at most); CSV is streamed.

use rust_decimal::Decimal;

use super::{Booker, Fingerprint, Pass, Place, ROWS_SHOWN, Row, Where, parse_date, too_large};
use crate::model::Date;
use crate::money;
use crate::rules::Code;

/// The top-level items of a SIE text with their byte offsets: a line
/// starting with `#` together with the `{ … }` block that follows it (a
/// voucher and its rows). A `#VER` inside an unclosed block starts a new
/// item, so that one missing `}` does not make the rest of the file one
/// item.
pub(super) fn sie_items(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    let mut at = 0;
    let mut depth = 0usize;
    std::iter::from_fn(move || {
        while at < text.len() {
            let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
            let line = text[at..end].trim_start();
            let new_item = line.starts_with('#')
                && (depth == 0
                    || line
                        .get(..4)
                        .is_some_and(|l| l.eq_ignore_ascii_case("#VER")));
            if new_item && at > start {
                let item = (start, &text[start..at]);
                start = at;
                depth = 0;
                return Some(item);
            }
            if new_item {
                depth = 0;
            }
            if line.starts_with('{') {
                depth += 1;
            } else if line.starts_with('}') {
                depth = depth.saturating_sub(1);
            }
            at = end;
        }
        (start < text.len()).then(|| {
            let item = (start, &text[start..]);
            start = text.len();
            item
        })
    })
}

/// A SIE row as read, owning its fields (SIE files are read whole).
pub(super) struct SieOwnedRow {
    date: Date,
    amount: Decimal,
    account: Option<String>,
    responsibility: Option<String>,
    project: Option<String>,
    text: Option<String>,
    voucher: String,
    raw: String,
    balance: bool,
    hash: u64,
}

impl SieOwnedRow {
    pub(super) fn view(&self) -> Row<'_> {
        Row {
            date: self.date,
            amount: self.amount,
            account: self.account.as_deref(),
            responsibility: self.responsibility.as_deref(),
            activity: None,
            project: self.project.as_deref(),
            text: self.text.as_deref(),
            balance: self.balance,
            hash: self.hash,
            fingerprint: Fingerprint::Sie {
                voucher: &self.voucher,
                text: &self.raw,
            },
        }
    }
}

pub(super) enum SieRow {
    Row(SieOwnedRow, Place<'static>),
    Malformed(Place<'static>, String, &'static str),
}

/// The rows of one SIE item (see [`sie_items`]) at `offset` in the file.
/// The parser's errors are reported in the first pass only.
pub(super) fn sie_rows(
    booker: &mut Booker<'_>,
    text: &str,
    offset: usize,
    pass: Pass,
) -> Vec<SieRow> {
    let Where::Sources(sources, file) = booker.at else {
        return Vec::new();
    };
    let line_of = |at: usize| sources.get(file).line_col(at).0;
    let output = sie_parser::parse(text);
    let mut rows = Vec::new();
    for d in output
        .diagnostics
        .iter()
        .filter(|d| pass == Pass::Book && matches!(d.severity, sie_parser::Severity::Error))
    {
        let range = offset + d.span.byte_offset..offset + d.span.byte_offset + d.span.byte_len;
        let place = Place {
            line: line_of(range.start),
            range,
            text: None,
        };
        // Not a row: reported, not counted.
        let message = format!(
            "row on line {} of ledger `{}`: SIE: {}",
            place.line, booker.ledger.id.value, d.message
        );
        let diagnostic = booker
            .diag(Code::LedgerMalformedRow, message, &place)
            .label("cannot be read")
            .help("check the file against the SIE 4 format, or export it again");
        booker.malformed_seen += 1;
        if booker.malformed_seen <= ROWS_SHOWN {
            booker.diagnostics.push(diagnostic);
        }
    }
    for ver in output
        .items
        .iter()
        .filter(|i| i.label.eq_ignore_ascii_case("#VER"))
    {
        let field = |item: &sie_parser::Item, n: usize| {
            item.fields
                .get(n)
                .and_then(|f| f.value.as_str())
                .map(str::to_owned)
        };
        let series = field(ver, 0).unwrap_or_default();
        let number = field(ver, 1).unwrap_or_default();
        let voucher = format!("{series} {number}").trim().to_owned();
        let ver_date = field(ver, 2).and_then(|d| parse_date(&d).ok());
        let ver_text = field(ver, 3);
        for trans in ver
            .children
            .iter()
            .filter(|i| i.label.eq_ignore_ascii_case("#TRANS"))
        {
            let local = trans.span.byte_offset..trans.span.byte_offset + trans.span.byte_len;
            let range = offset + local.start..offset + local.end;
            let place = Place {
                line: line_of(range.start),
                range,
                text: None,
            };
            let objects: Vec<String> = match trans.fields.get(1).map(|f| &f.value) {
                Some(sie_parser::FieldValue::ObjectList { tokens }) => tokens.clone(),
                _ => Vec::new(),
            };
            let object = |dim: &str| {
                objects
                    .chunks(2)
                    .find(|c| c.first().map(String::as_str) == Some(dim))
                    .and_then(|c| c.get(1))
                    .cloned()
            };
            let amount_text = field(trans, 2).unwrap_or_default();
            let trans_date = field(trans, 3)
                .filter(|d| !d.is_empty())
                .and_then(|d| parse_date(&d).ok());
            let Some(date) = trans_date.or(ver_date) else {
                rows.push(SieRow::Malformed(
                    place,
                    "the voucher has no readable date".to_owned(),
                    "SIE dates are written 20190331",
                ));
                continue;
            };
            let amount = match money::parse_decimal_text(&amount_text) {
                Ok(a) if money::decimals(a) <= 2 && money::within_limit(a) => a,
                Ok(a) if money::decimals(a) <= 2 => {
                    rows.push(SieRow::Malformed(
                        place,
                        too_large(&amount_text),
                        "a misread column is the usual cause: check the #TRANS rows",
                    ));
                    continue;
                }
                _ => {
                    rows.push(SieRow::Malformed(
                        place,
                        format!("amount `{amount_text}` is not a SIE amount"),
                        "SIE amounts have a decimal point and at most two decimals: -1234.50",
                    ));
                    continue;
                }
            };
            let account = field(trans, 0);
            let balance = account
                .as_deref()
                .is_some_and(|a| a.starts_with(['1', '2']));
            let raw = text[local].to_owned();
            let hash = Fingerprint::Sie {
                voucher: &voucher,
                text: &raw,
            }
            .hash();
            rows.push(SieRow::Row(
                SieOwnedRow {
                    date,
                    amount,
                    account,
                    responsibility: object("1"),
                    project: object("6"),
                    text: field(trans, 4)
                        .filter(|t| !t.is_empty())
                        .or_else(|| ver_text.clone()),
                    voucher: voucher.clone(),
                    raw,
                    balance,
                    hash,
                },
                place,
            ));
        }
    }
    rows
}
