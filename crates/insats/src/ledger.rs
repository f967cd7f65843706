//! Import spending from ledger exports: CSV files from municipal finance
//! systems and SIE 4 files.
//!
//! A `[[ledger]]` table declares a file, how to read it (its import
//! profile) and which rows belong to which budget line. [`import`] is a
//! pure function over the decoded text: it turns every row into exactly one
//! of
//!
//! * **mapped**: booked on the budget line of the one rule it matches;
//! * **unmapped**: matching no rule (listed, with row numbers, in a
//!   warning: an export often holds more than one project);
//! * **excluded**: matching no mapping rule but an exclusion rule, which
//!   says the rows belong elsewhere and why (counted, not warned about);
//! * **ambiguous**: matching rules of two different lines (an error: insats
//!   will not guess);
//! * **duplicate**: identical in every field to an earlier row (listed in a
//!   warning and not booked a second time);
//! * **malformed**: a row whose date or amount cannot be read, or with the
//!   wrong number of fields (an error, located at the row).
//!
//! The [`ImportSummary`] carries the control totals, which reconcile
//! exactly: the sum read is the sum mapped plus the sums unmapped,
//! excluded, ambiguous and duplicated; malformed rows have no amount to add. In a
//! SIE file every voucher balances, so each cost row has counter-rows on
//! balance-sheet accounts (Kommun-Bas classes 1 and 2: bank, suppliers);
//! those are counted apart as balance rows, not as costs.
//!
//! Amounts in CSV follow the profile: decimal comma or point; thousands
//! separated by spaces (also no-break spaces) or dots, or not at all; a
//! minus sign as `-` or `−` (U+2212). Dates are `2019-03-31` or `20190331`;
//! both forms are unambiguous and both are accepted. SIE amounts have a
//! decimal point and dates the form `20190331`, as the format prescribes.

use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::keys::did_you_mean;
use crate::model::{Date, Spending};
use crate::money;
use crate::rules::Code;
use crate::schema::{
    DecimalMark, LedgerEncoding, LedgerFormat, ThousandsSeparator, TomlLedgerColumns,
};
use crate::source::{FileId, Located, SourceSet, Span};

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
    fn matches(&self, row: &Row) -> bool {
        let field = |p: &Option<CodePattern>, v: &Option<String>| match p {
            None => true,
            Some(p) => v.as_deref().is_some_and(|v| p.matches(v)),
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
}

/// Rows that knowingly belong elsewhere.
#[derive(Debug, Clone, Serialize)]
pub struct ExclusionRule {
    /// Why.
    pub reason: String,
    /// The codes.
    pub codes: CodePatterns,
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
    /// CSV columns (none for SIE).
    #[serde(skip)]
    pub columns: Option<TomlLedgerColumns>,
    /// Mapping rules, in order.
    pub rules: Vec<MappingRule>,
    /// Exclusion rules.
    pub exclusions: Vec<ExclusionRule>,
    /// The TOML key path of the declaration.
    #[serde(skip)]
    pub key_path: String,
}

/// One row of an export, whatever its format.
#[derive(Debug, Clone, Default)]
struct Row {
    /// One-based line in the file, for messages.
    line: usize,
    range: Range<usize>,
    date: Option<Date>,
    amount: Option<Decimal>,
    account: Option<String>,
    responsibility: Option<String>,
    activity: Option<String>,
    project: Option<String>,
    text: Option<String>,
    voucher: Option<String>,
    /// Every field as read, to recognise duplicates.
    fingerprint: String,
    /// A balance-sheet row of a SIE voucher.
    balance: bool,
}

/// A row listed in a summary.
#[derive(Debug, Clone, Serialize)]
pub struct ListedRow {
    /// One-based line in the file.
    pub line: usize,
    /// Its amount.
    pub amount: Decimal,
    /// Its text.
    pub text: Option<String>,
}

/// Control totals of one import; they reconcile exactly.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    /// The ledger id.
    pub ledger: String,
    /// The file read.
    pub file: PathBuf,
    /// Rows read (all data rows, malformed ones included).
    pub rows_read: usize,
    /// Rows booked on a line.
    pub rows_mapped: usize,
    /// Rows matching no rule.
    pub rows_unmapped: usize,
    /// Rows matching an exclusion rule (belonging elsewhere).
    pub rows_excluded: usize,
    /// Rows matching rules of two lines.
    pub rows_ambiguous: usize,
    /// Rows identical to an earlier row.
    pub rows_duplicate: usize,
    /// Rows that could not be read.
    pub rows_malformed: usize,
    /// SIE rows on balance-sheet accounts (classes 1 and 2: bank,
    /// suppliers), the counter-entries of costs, which are not costs.
    pub rows_balance: usize,
    /// The sum of every row whose amount could be read.
    pub sum_read: Decimal,
    /// The sum booked.
    pub sum_mapped: Decimal,
    /// The sum of unmapped rows.
    pub sum_unmapped: Decimal,
    /// The sum of excluded rows.
    pub sum_excluded: Decimal,
    /// The sum of ambiguous rows.
    pub sum_ambiguous: Decimal,
    /// The sum of duplicate rows.
    pub sum_duplicate: Decimal,
    /// The sum of balance-sheet rows (not part of the sum read).
    pub sum_balance: Decimal,
    /// Rows and sum booked per line, in rule order.
    pub per_line: Vec<LineTotal>,
    /// The unmapped rows.
    pub unmapped: Vec<ListedRow>,
}

impl ImportSummary {
    /// True when the sums reconcile: read = mapped + unmapped + excluded +
    /// ambiguous + duplicate, and every row read is counted once.
    pub fn reconciles(&self) -> bool {
        self.sum_read
            == self.sum_mapped
                + self.sum_unmapped
                + self.sum_excluded
                + self.sum_ambiguous
                + self.sum_duplicate
            && self.rows_read
                == self.rows_mapped
                    + self.rows_unmapped
                    + self.rows_excluded
                    + self.rows_ambiguous
                    + self.rows_duplicate
                    + self.rows_malformed
                    + self.rows_balance
    }
}

/// Rows and sum booked on one line.
#[derive(Debug, Clone, Serialize)]
pub struct LineTotal {
    /// The line id.
    pub line: String,
    /// Rows booked.
    pub rows: usize,
    /// Their sum.
    pub sum: Decimal,
}

/// What an import produced.
#[derive(Debug, Clone, Default)]
pub struct Import {
    /// The spending booked.
    pub spending: Vec<Spending>,
    /// Its control totals.
    pub summary: ImportSummary,
    /// Problems found.
    pub diagnostics: Vec<Diagnostic>,
}

/// Decodes a ledger file's bytes to text as its profile says. Returns the
/// text, or the byte offset of the first byte that is not valid in the
/// expected encoding (UTF-8 only; the single-byte encodings decode every
/// byte).
pub fn decode(ledger: &Ledger, bytes: &[u8]) -> Result<String, usize> {
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(bytes);
    let encoding = ledger.encoding.unwrap_or(match ledger.format {
        LedgerFormat::Sie => match sie_parser::detect_encoding(bytes) {
            sie_parser::Encoding::Cp437 => LedgerEncoding::Cp437,
            sie_parser::Encoding::Utf8 => LedgerEncoding::Utf8,
        },
        LedgerFormat::Csv => LedgerEncoding::Utf8,
    });
    match encoding {
        LedgerEncoding::Utf8 => {
            String::from_utf8(bytes.to_vec()).map_err(|e| e.utf8_error().valid_up_to())
        }
        LedgerEncoding::Windows1252 => Ok(encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()),
        LedgerEncoding::Cp437 => Ok(sie_parser::decode_cp437(bytes)),
    }
}

/// Imports the decoded ledger text held in `sources` as `file`.
pub fn import(ledger: &Ledger, sources: &SourceSet, file: FileId) -> Import {
    let text = &sources.get(file).text;
    let mut ctx = ImportCtx {
        ledger,
        sources,
        file,
        diagnostics: Vec::new(),
        malformed: 0,
    };
    let rows = match ledger.format {
        LedgerFormat::Csv => ctx.csv_rows(text),
        LedgerFormat::Sie => ctx.sie_rows(text),
    };
    ctx.book(rows)
}

/// Malformed rows beyond this many are counted but not each reported.
const MALFORMED_SHOWN: usize = 50;
/// Unmapped rows listed in the warning's notes.
const UNMAPPED_LISTED: usize = 20;

struct ImportCtx<'a> {
    ledger: &'a Ledger,
    sources: &'a SourceSet,
    file: FileId,
    diagnostics: Vec<Diagnostic>,
    malformed: usize,
}

impl ImportCtx<'_> {
    fn diag(&self, code: Code, message: impl Into<String>, range: Range<usize>) -> Diagnostic {
        Diagnostic::new(code, message)
            .at(Diagnostic::resolve(
                self.sources,
                &Span::new(self.file, range),
            ))
            .key_path(self.ledger.key_path.clone())
    }

    fn malformed(&mut self, line: usize, range: Range<usize>, what: String, help: &str) {
        self.malformed += 1;
        if self.malformed <= MALFORMED_SHOWN {
            let d = self
                .diag(
                    Code::LedgerMalformedRow,
                    format!(
                        "row on line {line} of ledger `{}`: {what}",
                        self.ledger.id.value
                    ),
                    range,
                )
                .label("cannot be read")
                .help(help.to_owned());
            self.diagnostics.push(d);
        }
    }

    fn parse_amount(&self, text: &str) -> Result<Decimal, String> {
        let t = text.trim().replace('\u{2212}', "-");
        let t = match self.ledger.thousands {
            ThousandsSeparator::Space => t.replace([' ', '\u{a0}', '\u{202f}'], ""),
            ThousandsSeparator::Dot => t.replace('.', ""),
            ThousandsSeparator::None => t,
        };
        let t = match self.ledger.decimal {
            DecimalMark::Comma => {
                if t.contains('.') {
                    return Err(format!(
                        "amount `{text}` has a point, but the profile says the decimal mark is a comma"
                    ));
                }
                t.replace(',', ".")
            }
            DecimalMark::Point => {
                if t.contains(',') {
                    return Err(format!(
                        "amount `{text}` has a comma, but the profile says the decimal mark is a point"
                    ));
                }
                t
            }
        };
        let value = money::parse_decimal_text(&t)
            .map_err(|_| format!("amount `{text}` is not a number"))?;
        if money::decimals(value) > 2 {
            return Err(format!("amount `{text}` has more than two decimals"));
        }
        Ok(value)
    }

    fn csv_rows(&mut self, text: &str) -> Vec<Row> {
        // load guarantees columns for a CSV ledger.
        let Some(columns) = &self.ledger.columns else {
            return Vec::new();
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.ledger.delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(text.as_bytes());
        let header = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                let d = self
                    .diag(
                        Code::LedgerColumns,
                        format!(
                            "the header of ledger `{}` cannot be read: {e}",
                            self.ledger.id.value
                        ),
                        0..0,
                    )
                    .help("the first row must name the columns");
                self.diagnostics.push(d);
                return Vec::new();
            }
        };
        let names: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
        let header_end = text.find('\n').unwrap_or(text.len());
        let mut missing = Vec::new();
        let mut index = |name: &Option<String>| -> Option<usize> {
            let name = name.as_ref()?;
            let found = names.iter().position(|n| n.eq_ignore_ascii_case(name));
            if found.is_none() {
                missing.push(name.clone());
            }
            found
        };
        let date_i = index(&Some(columns.date.clone()));
        let amount_i = index(&columns.amount);
        let debit_i = index(&columns.debit);
        let credit_i = index(&columns.credit);
        let account_i = index(&columns.account);
        let resp_i = index(&columns.responsibility);
        let activity_i = index(&columns.activity);
        let project_i = index(&columns.project);
        let text_i = index(&columns.text);
        let voucher_i = index(&columns.voucher);
        if !missing.is_empty() {
            for name in missing {
                let mut d = self
                    .diag(
                        Code::LedgerColumns,
                        format!("ledger `{}` has no column `{name}`", self.ledger.id.value),
                        0..header_end,
                    )
                    .label("the header row")
                    .note(format!("its columns are: {}", names.join(", ")));
                d = match did_you_mean(&name, names.iter().map(String::as_str)) {
                    Some(s) => d.help(format!(
                        "did you mean `{s}`? set it in the ledger's `columns`"
                    )),
                    None => d.help("set the ledger's `columns` to the header names of this file"),
                };
                self.diagnostics.push(d);
            }
            return Vec::new();
        }
        if delimiter_looks_wrong(&names, text, self.ledger.delimiter) {
            let d = self
                .diag(Code::LedgerColumns, format!("ledger `{}` seems to use another separator than `{}`", self.ledger.id.value, self.ledger.delimiter as char), 0..header_end)
                .label("one column only")
                .help("set `delimiter` in the ledger's profile (`;` is usual in Swedish exports, `,` elsewhere)");
            self.diagnostics.push(d);
            return Vec::new();
        }

        let mut rows = Vec::new();
        let mut record = csv::StringRecord::new();
        loop {
            let start = reader.position().clone();
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let offset = row_start(text, start.byte() as usize);
                    let line = self.sources.get(self.file).line_col(offset).0;
                    self.malformed(
                        line,
                        offset..line_end(text, offset),
                        format!("{e}"),
                        "check the quoting of this row",
                    );
                    rows.push(Row {
                        line,
                        range: offset..line_end(text, offset),
                        ..Row::default()
                    });
                    continue;
                }
            }
            let pos = record.position().cloned().unwrap_or(start);
            // The reader's position can sit on the previous row's line end
            // (with CRLF); the row starts after it.
            let offset = row_start(text, pos.byte() as usize);
            let line = self.sources.get(self.file).line_col(offset).0;
            let range = offset..line_end(text, offset);
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let mut row = Row {
                line,
                range: range.clone(),
                fingerprint: record.iter().collect::<Vec<_>>().join("\u{1f}"),
                ..Row::default()
            };
            if record.len() != names.len() {
                self.malformed(line, range, format!("{} fields where the header has {}", record.len(), names.len()), "every row needs as many fields as the header: look for a stray or missing separator");
                rows.push(row);
                continue;
            }
            let get = |i: Option<usize>| {
                i.and_then(|i| record.get(i))
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty())
            };
            row.account = get(account_i);
            row.responsibility = get(resp_i);
            row.activity = get(activity_i);
            row.project = get(project_i);
            row.text = get(text_i);
            row.voucher = get(voucher_i);
            match get(date_i).as_deref().map(parse_date) {
                Some(Ok(d)) => row.date = Some(d),
                Some(Err(())) | None => {
                    let v = get(date_i).unwrap_or_default();
                    self.malformed(
                        line,
                        range,
                        format!("date `{v}` is not a date"),
                        "dates are written 2019-03-31 or 20190331",
                    );
                    rows.push(row);
                    continue;
                }
            }
            let amount = if let Some(i) = amount_i {
                self.parse_amount(record.get(i).unwrap_or_default())
            } else {
                let part = |i: Option<usize>| match i.and_then(|i| record.get(i)).map(str::trim) {
                    None | Some("") => Ok(Decimal::ZERO),
                    Some(v) => self.parse_amount(v),
                };
                part(debit_i).and_then(|d| part(credit_i).map(|c| d - c))
            };
            match amount {
                Ok(a) => row.amount = Some(a),
                Err(why) => {
                    self.malformed(
                        line,
                        range,
                        why,
                        "set `decimal` and `thousands` in the ledger's profile to match the file",
                    );
                    rows.push(row);
                    continue;
                }
            }
            rows.push(row);
        }
        rows
    }

    fn sie_rows(&mut self, text: &str) -> Vec<Row> {
        let output = sie_parser::parse(text);
        for d in output
            .diagnostics
            .iter()
            .filter(|d| matches!(d.severity, sie_parser::Severity::Error))
        {
            let range = d.span.byte_offset..d.span.byte_offset + d.span.byte_len;
            let line = self.sources.get(self.file).line_col(d.span.byte_offset).0;
            self.malformed(
                line,
                range,
                format!("SIE: {}", d.message),
                "check the file against the SIE 4 format, or export it again",
            );
        }
        let mut rows = Vec::new();
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
                let range = trans.span.byte_offset..trans.span.byte_offset + trans.span.byte_len;
                let line = self
                    .sources
                    .get(self.file)
                    .line_col(trans.span.byte_offset)
                    .0;
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
                let mut row = Row {
                    line,
                    range: range.clone(),
                    date: trans_date.or(ver_date),
                    account: field(trans, 0),
                    responsibility: object("1"),
                    project: object("6"),
                    text: field(trans, 4)
                        .filter(|t| !t.is_empty())
                        .or_else(|| ver_text.clone()),
                    voucher: Some(voucher.clone()),
                    fingerprint: format!("{voucher}\u{1f}{}", &text[range.clone()]),
                    ..Row::default()
                };
                row.balance = row
                    .account
                    .as_deref()
                    .is_some_and(|a| a.starts_with(['1', '2']));
                if row.date.is_none() {
                    self.malformed(
                        line,
                        range,
                        "the voucher has no readable date".to_owned(),
                        "SIE dates are written 20190331",
                    );
                    rows.push(row);
                    continue;
                }
                match money::parse_decimal_text(&amount_text) {
                    Ok(a) if money::decimals(a) <= 2 => row.amount = Some(a),
                    _ => {
                        self.malformed(
                            line,
                            range,
                            format!("amount `{amount_text}` is not a SIE amount"),
                            "SIE amounts have a decimal point and at most two decimals: -1234.50",
                        );
                        rows.push(row);
                        continue;
                    }
                }
                rows.push(row);
            }
        }
        rows
    }

    fn book(mut self, rows: Vec<Row>) -> Import {
        let ledger = self.ledger;
        let mut s = ImportSummary {
            ledger: ledger.id.value.clone(),
            file: self.sources.get(self.file).path.clone(),
            rows_read: rows.len(),
            ..ImportSummary::default()
        };
        // Rules with an exact project code are found by a lookup; the
        // others (prefix or no project) are tried on every row.
        let mut by_project: HashMap<&str, Vec<&MappingRule>> = HashMap::new();
        let mut general: Vec<&MappingRule> = Vec::new();
        for rule in &ledger.rules {
            match &rule.codes.project {
                Some(CodePattern(p)) if !p.ends_with('*') => {
                    by_project.entry(p.as_str()).or_default().push(rule)
                }
                _ => general.push(rule),
            }
        }
        let mut line_totals: HashMap<&str, usize> = HashMap::new();
        let mut per_line: Vec<LineTotal> = Vec::new();
        let mut spending = Vec::new();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut unmapped_rows = Vec::new();
        for (index, row) in rows.iter().enumerate() {
            let (Some(amount), Some(date)) = (row.amount, row.date) else {
                s.rows_malformed += 1;
                continue;
            };
            if row.balance {
                s.rows_balance += 1;
                s.sum_balance += amount;
                continue;
            }
            s.sum_read += amount;
            if let Some(first) = seen.get(row.fingerprint.as_str()) {
                s.rows_duplicate += 1;
                s.sum_duplicate += amount;
                let first_loc = Diagnostic::resolve(
                    self.sources,
                    &Span::new(self.file, rows[*first].range.clone()),
                );
                let d = self
                    .diag(Code::LedgerDuplicateRow, format!("the row on line {} of ledger `{}` repeats line {} exactly; it is not booked twice", row.line, ledger.id.value, rows[*first].line), row.range.clone())
                    .label("same as an earlier row")
                    .related(first_loc, "first here")
                    .help("if both are real costs, the export should tell them apart (a voucher number); otherwise export again without the copy");
                self.diagnostics.push(d);
                continue;
            }
            seen.insert(&row.fingerprint, index);
            let mut lines: Vec<&Located<String>> = Vec::new();
            let indexed = row
                .project
                .as_deref()
                .and_then(|p| by_project.get(p))
                .map(Vec::as_slice)
                .unwrap_or_default();
            for rule in indexed
                .iter()
                .chain(general.iter())
                .filter(|r| r.codes.matches(row))
            {
                if !lines.iter().any(|l| l.value == rule.line.value) {
                    lines.push(&rule.line);
                }
            }
            match lines.as_slice() {
                [] if ledger.exclusions.iter().any(|r| r.codes.matches(row)) => {
                    s.rows_excluded += 1;
                    s.sum_excluded += amount;
                }
                [] => {
                    s.rows_unmapped += 1;
                    s.sum_unmapped += amount;
                    unmapped_rows.push(ListedRow {
                        line: row.line,
                        amount,
                        text: row.text.clone(),
                    });
                }
                [line] => {
                    s.rows_mapped += 1;
                    s.sum_mapped += amount;
                    match line_totals.get(line.value.as_str()) {
                        Some(&i) => {
                            per_line[i].rows += 1;
                            per_line[i].sum += amount;
                        }
                        None => {
                            line_totals.insert(&line.value, per_line.len());
                            per_line.push(LineTotal {
                                line: line.value.clone(),
                                rows: 1,
                                sum: amount,
                            });
                        }
                    }
                    let span = Span::new(self.file, row.range.clone());
                    spending.push(Spending {
                        line: Located::new(line.value.clone(), line.span.clone()),
                        date: Located::new(date, span),
                        amount,
                        text: row.text.clone(),
                        voucher: row.voucher.clone(),
                        key_path: format!("{} line {}", ledger.key_path, row.line),
                    });
                }
                several => {
                    s.rows_ambiguous += 1;
                    s.sum_ambiguous += amount;
                    let names: Vec<String> =
                        several.iter().map(|l| format!("`{}`", l.value)).collect();
                    let d = self
                        .diag(Code::LedgerAmbiguousRow, format!("the row on line {} of ledger `{}` matches rules for {}", row.line, ledger.id.value, names.join(" and ")), row.range.clone())
                        .label("which line?")
                        .help("make the mapping rules exclusive (add an account or project to one of them); insats will not guess");
                    self.diagnostics.push(d);
                }
            }
        }
        if self.malformed > MALFORMED_SHOWN {
            let d = self
                .diag(
                    Code::LedgerMalformedRow,
                    format!(
                        "{} more malformed rows in ledger `{}` are not shown",
                        self.malformed - MALFORMED_SHOWN,
                        ledger.id.value
                    ),
                    0..0,
                )
                .help("fix the profile first: most malformed rows have one cause");
            self.diagnostics.push(d);
        }
        if !unmapped_rows.is_empty() {
            let mut d = Diagnostic::new(
                Code::LedgerUnmappedRows,
                format!(
                    "{} of ledger `{}` ({}) {} no mapping rule and {} not booked",
                    if unmapped_rows.len() == 1 { "1 row".to_owned() } else { format!("{} rows", unmapped_rows.len()) },
                    ledger.id.value,
                    money::format_kr(s.sum_unmapped),
                    if unmapped_rows.len() == 1 { "matches" } else { "match" },
                    if unmapped_rows.len() == 1 { "is" } else { "are" },
                ),
            )
            .at(Diagnostic::resolve(self.sources, &ledger.id.span))
            .key_path(format!("{}.map", ledger.key_path))
            .label("declared here")
            .help("add `[[ledger.map]]` rules for rows that belong to a budget line; rows of other projects can stay unmapped");
            for r in unmapped_rows.iter().take(UNMAPPED_LISTED) {
                d = d.note(format!(
                    "line {}: {}{}",
                    r.line,
                    money::format_kr(r.amount),
                    r.text
                        .as_ref()
                        .map(|t| format!(", {t}"))
                        .unwrap_or_default()
                ));
            }
            if unmapped_rows.len() > UNMAPPED_LISTED {
                d = d.note(format!(
                    "and {} more rows",
                    unmapped_rows.len() - UNMAPPED_LISTED
                ));
            }
            self.diagnostics.push(d);
        }
        s.per_line = per_line;
        s.unmapped = unmapped_rows;
        Import {
            spending,
            summary: s,
            diagnostics: self.diagnostics,
        }
    }
}

fn row_start(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    offset + text[offset..].len() - text[offset..].trim_start_matches(['\r', '\n']).len()
}

fn line_end(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text[offset..]
        .find(['\r', '\n'])
        .map_or(text.len(), |i| offset + i)
}

/// A header read as a single column although it contains another common
/// separator suggests the profile's delimiter is wrong.
fn delimiter_looks_wrong(names: &[String], text: &str, delimiter: u8) -> bool {
    let header = text.lines().next().unwrap_or_default();
    names.len() == 1
        && [b';', b',', b'\t']
            .iter()
            .any(|d| *d != delimiter && header.contains(*d as char))
}

/// `2019-03-31` or `20190331`.
fn parse_date(text: &str) -> Result<Date, ()> {
    let t = text.trim();
    let compact = t.len() == 8 && t.chars().all(|c| c.is_ascii_digit());
    let iso = if compact {
        format!("{}-{}-{}", &t[..4], &t[4..6], &t[6..])
    } else {
        t.to_owned()
    };
    iso.parse::<Date>().map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_exactly_or_by_prefix() {
        assert!(CodePattern("54*".into()).matches("5410"));
        assert!(!CodePattern("54*".into()).matches("5510"));
        assert!(CodePattern("4711".into()).matches("4711"));
        assert!(!CodePattern("4711".into()).matches("47110"));
    }

    #[test]
    fn both_date_forms_are_read() {
        assert_eq!(parse_date("2019-03-31"), Ok(jiff::civil::date(2019, 3, 31)));
        assert_eq!(parse_date("20190331"), Ok(jiff::civil::date(2019, 3, 31)));
        assert!(parse_date("31/03/2019").is_err());
        assert!(parse_date("20190231").is_err());
    }
}
