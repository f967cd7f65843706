//! A ledger export as a plan declares it, validated: where the file is,
//! how to read it (format, encoding, number and date style, columns), and
//! the rules that say which rows are costs of which line, payments from
//! which funder, rows of elsewhere, or not rows at all.

use std::path::PathBuf;

use serde::Serialize;

use super::{Row, trimmed};
use crate::model::Date;
use crate::source::Located;
use crate::vocabulary::{
    DateFormat, DecimalMark, LedgerEncoding, LedgerFormat, ThousandsSeparator,
};

/// A code pattern in a mapping rule: exact, or a prefix when it ends in `*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodePattern(pub String);

impl CodePattern {
    /// True when `code` matches.
    pub fn matches(&self, code: &str) -> bool {
        match self.0.strip_suffix('*') {
            Some(prefix) => code.starts_with(prefix),
            None => code == self.0,
        }
    }
}

/// The codes a rule matches: every code it gives must match the row's.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CodePatterns {
    /// Account pattern.
    pub account: Option<CodePattern>,
    /// Responsibility pattern (SIE: dimension 1).
    pub responsibility: Option<CodePattern>,
    /// Activity pattern.
    pub activity: Option<CodePattern>,
    /// Project pattern (SIE: dimension 6).
    pub project: Option<CodePattern>,
}

impl CodePatterns {
    pub(super) fn matches(&self, row: &Row<'_>) -> bool {
        let field = |p: &Option<CodePattern>, v: &Option<&str>| match p {
            None => true,
            Some(p) => v.is_some_and(|v| p.matches(v)),
        };
        field(&self.account, &row.account)
            && field(&self.responsibility, &row.responsibility)
            && field(&self.activity, &row.activity)
            && field(&self.project, &row.project)
    }
}

/// Rows that belong to a budget line.
#[derive(Debug, Clone, Serialize)]
pub struct MappingRule {
    /// The budget line.
    pub line: Located<String>,
    /// The codes.
    pub codes: CodePatterns,
    /// The first day of the rows it takes, if it is limited.
    pub from: Option<Date>,
    /// The last day of the rows it takes, if it is limited.
    pub until: Option<Date>,
}

impl MappingRule {
    /// Whether the rule takes `row`: every code it gives matches, and the
    /// row is booked within its dates.
    pub(super) fn matches(&self, row: &Row<'_>) -> bool {
        takes(&self.codes, self.from, self.until, row)
    }
}

/// The header names of a CSV export's columns, as the profile gives them:
/// which holds the date, the amount (or the debit and the credit), the
/// codes the rules match and the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnNames {
    /// The booking date.
    pub date: String,
    /// The signed amount, when the export has one.
    pub amount: Option<String>,
    /// Debit amounts (costs), with `credit` instead of `amount`.
    pub debit: Option<String>,
    /// Credit amounts (reductions of cost).
    pub credit: Option<String>,
    /// The account (konto).
    pub account: Option<String>,
    /// The responsibility code (ansvar).
    pub responsibility: Option<String>,
    /// The activity code (verksamhet).
    pub activity: Option<String>,
    /// The project code (projekt).
    pub project: Option<String>,
    /// The booking text.
    pub text: Option<String>,
    /// The voucher number (verifikationsnummer), which tells copies apart.
    pub voucher: Option<String>,
}

/// Whether a rule with `codes`, `from` and `until` takes `row`: every code
/// it gives matches, and the row is booked within its dates.
fn takes(codes: &CodePatterns, from: Option<Date>, until: Option<Date>, row: &Row<'_>) -> bool {
    from.is_none_or(|from| row.date >= from)
        && until.is_none_or(|until| row.date <= until)
        && codes.matches(row)
}

/// Rows that are payments from a funder.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptRule {
    /// The funding source.
    pub funding: Located<String>,
    /// The codes.
    pub codes: CodePatterns,
    /// The first day of the rows it takes, if it is limited.
    pub from: Option<Date>,
    /// The last day of the rows it takes, if it is limited.
    pub until: Option<Date>,
}

impl ReceiptRule {
    pub(super) fn matches(&self, row: &Row<'_>) -> bool {
        takes(&self.codes, self.from, self.until, row)
    }
}

/// Rows that knowingly belong elsewhere.
#[derive(Debug, Clone, Serialize)]
pub struct ExclusionRule {
    /// Why.
    pub reason: String,
    /// The codes.
    pub codes: CodePatterns,
}

/// Rows that are not costs (a sum row at the end of an export): a row is
/// skipped when the field in `column` matches `value`, whatever its case.
#[derive(Debug, Clone, Serialize)]
pub struct SkipRule {
    /// The header name of the column looked at.
    pub column: String,
    /// The text that marks a row to skip: exact, or a prefix when it ends
    /// in `*`; empty for an empty field.
    pub value: CodePattern,
    /// Why, as the plan says.
    pub reason: Option<String>,
}

impl SkipRule {
    pub(super) fn matches(&self, field: &str) -> bool {
        let field = trimmed(field);
        match self.value.0.strip_suffix('*') {
            Some(prefix) => field
                .get(..prefix.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(prefix)),
            None => field.eq_ignore_ascii_case(&self.value.0),
        }
    }
}

/// A declared ledger export with its import profile.
#[derive(Debug, Clone, Serialize)]
pub struct Ledger {
    /// Unique id.
    pub id: Located<String>,
    /// The file as written in the declaration.
    pub file: Located<String>,
    /// The file's path, resolved against the declaring file's directory.
    pub path: PathBuf,
    /// Format.
    pub format: LedgerFormat,
    /// Encoding, when set; otherwise UTF-8 for CSV and detected for SIE.
    pub encoding: Option<LedgerEncoding>,
    /// CSV field separator.
    pub delimiter: u8,
    /// CSV decimal mark.
    pub decimal: DecimalMark,
    /// CSV thousands separator.
    pub thousands: ThousandsSeparator,
    /// CSV: how dates are written.
    pub date_format: DateFormat,
    /// CSV: the lines before the header (title lines), skipped.
    pub title_lines: usize,
    /// CSV columns (none for SIE).
    pub columns: Option<ColumnNames>,
    /// Mapping rules, in order.
    pub rules: Vec<MappingRule>,
    /// Exclusion rules.
    pub exclusions: Vec<ExclusionRule>,
    /// CSV: rules for rows that are not costs.
    pub skip_rules: Vec<SkipRule>,
    /// Rules for rows that are payments from a funder.
    pub receipt_rules: Vec<ReceiptRule>,
    /// The TOML key path of the declaration.
    #[serde(skip)]
    pub key_path: String,
}
