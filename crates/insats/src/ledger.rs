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
//! A CSV export is read as a stream and summed per budget line and day as
//! it is read ([`crate::model::ImportedCosts`]): memory does not grow with
//! the number of rows, except for one 64-bit hash per row, which is how
//! duplicates are found (rows whose hashes repeat are compared in full on a
//! second reading of the file, which happens only when some do). Only the
//! rows that diagnostics point at are kept, as excerpts. The first reading
//! uses two threads, one parsing rows and one booking them in file order,
//! so the result is the same as on one. A SIE file, which a parser reads
//! whole, is held in memory while it is imported.
//!
//! Amounts in CSV follow the profile: decimal comma or point; thousands
//! separated by spaces (also no-break spaces) or dots, or not at all; a
//! minus sign as `-` or `−` (U+2212). Dates are `2019-03-31` or `20190331`;
//! both forms are unambiguous and both are accepted. SIE amounts have a
//! decimal point and dates the form `20190331`, as the format prescribes.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::Serialize;

use crate::diagnostic::{Diagnostic, Location};
use crate::keys::did_you_mean;
use crate::model::{Date, DayTotal, ImportedCosts};
use crate::money;
use crate::rules::Code;
use crate::schema::{
    DecimalMark, LedgerEncoding, LedgerFormat, ThousandsSeparator, TomlLedgerColumns,
};
use crate::source::{Excerpt, FileId, Located, SourceSet, Span};

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
    fn matches(&self, row: &Row<'_>) -> bool {
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
    /// Rows and sum booked per line, in the order the lines were first
    /// booked.
    pub per_line: Vec<LineTotal>,
    /// The first unmapped rows, at most [`UNMAPPED_KEPT`]; `rows_unmapped`
    /// counts them all.
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
    /// The costs booked, per line and day.
    pub costs: Vec<ImportedCosts>,
    /// Its control totals.
    pub summary: ImportSummary,
    /// Problems found.
    pub diagnostics: Vec<Diagnostic>,
    /// For a streamed file: the rows the diagnostics point at (see
    /// [`crate::SourceFile::streamed`]).
    pub excerpts: Vec<Excerpt>,
}

/// Why a streamed import produced nothing.
#[derive(Debug, Clone)]
pub struct ImportFailed {
    /// What went wrong (the encoding, or reading the file).
    pub diagnostic: Box<Diagnostic>,
    /// The row it points at.
    pub excerpts: Vec<Excerpt>,
}

/// Unmapped rows kept in [`ImportSummary::unmapped`].
pub const UNMAPPED_KEPT: usize = 1000;
/// Rows of each kind (malformed, ambiguous, duplicate) reported one by
/// one; beyond this many they are counted in one more diagnostic.
const ROWS_SHOWN: usize = 50;
/// Unmapped rows listed in the warning's notes.
const UNMAPPED_LISTED: usize = 20;

/// Decodes a ledger file's bytes to text as its profile says. Returns the
/// text, or the byte offset of the first byte that is not valid in the
/// expected encoding (UTF-8 only; the single-byte encodings decode every
/// byte).
pub fn decode(ledger: &Ledger, bytes: &[u8]) -> Result<String, usize> {
    let bytes = strip_bom(bytes);
    match encoding_of(ledger, bytes) {
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

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(bytes)
}

fn encoding_of(ledger: &Ledger, start: &[u8]) -> LedgerEncoding {
    ledger.encoding.unwrap_or(match ledger.format {
        LedgerFormat::Sie => match sie_parser::detect_encoding(start) {
            sie_parser::Encoding::Cp437 => LedgerEncoding::Cp437,
            sie_parser::Encoding::Utf8 => LedgerEncoding::Utf8,
        },
        LedgerFormat::Csv => LedgerEncoding::Utf8,
    })
}

/// Imports the decoded ledger text held in `sources` as `file`: a SIE
/// file, or a CSV export already in memory.
pub fn import(ledger: &Ledger, sources: &SourceSet, file: FileId) -> Import {
    let text = &sources.get(file).text;
    let at = Where::Sources(sources, file);
    match ledger.format {
        LedgerFormat::Csv => {
            let open = || Ok(text.as_bytes());
            // Text in memory is UTF-8 already: no fatal encoding error.
            import_csv(ledger, sources, at, &open).unwrap_or_else(|failed| Import {
                diagnostics: vec![*failed.diagnostic],
                ..Import::default()
            })
        }
        LedgerFormat::Sie => {
            let mut booker = Booker::new(ledger, sources, at);
            let rows = sie_rows(&mut booker, text);
            for pass in [Pass::Book, Pass::Deduplicate] {
                if pass == Pass::Deduplicate && !booker.start_deduplicating() {
                    break;
                }
                for row in &rows {
                    match row {
                        SieRow::Row(row, place) => booker.take(pass, &row.view(), place),
                        SieRow::Malformed(place, what, help) => {
                            booker.malformed(pass, place, what.clone(), help)
                        }
                    }
                }
            }
            booker.finish()
        }
    }
}

/// Imports a CSV export by streaming it from `path` (the file as found,
/// inside the portfolio): the file is never held whole. `sources` are the
/// run's plan files, where the ledger is declared. Returns the import, or
/// why the file could not be imported at all.
pub fn import_file(
    ledger: &Ledger,
    sources: &SourceSet,
    path: &Path,
) -> Result<Import, ImportFailed> {
    let shown = ledger.path.as_path();
    let open = || -> std::io::Result<Box<dyn Read + Send>> {
        let mut file = std::fs::File::open(path)?;
        // The byte order mark is not part of the text (as in `decode`).
        let mut start = Vec::with_capacity(3);
        (&mut file).take(3).read_to_end(&mut start)?;
        let start = if start == b"\xEF\xBB\xBF" {
            Vec::new()
        } else {
            start
        };
        let raw = std::io::Cursor::new(start).chain(file);
        Ok(match encoding_of(ledger, &[]) {
            LedgerEncoding::Utf8 => Box::new(raw),
            LedgerEncoding::Windows1252 => Box::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .encoding(Some(encoding_rs::WINDOWS_1252))
                    .bom_sniffing(false)
                    .build(raw),
            ),
            LedgerEncoding::Cp437 => {
                // No streaming decoder for code page 437: CSV in it is rare.
                let mut bytes = Vec::new();
                let mut raw = raw;
                raw.read_to_end(&mut bytes)?;
                Box::new(std::io::Cursor::new(
                    sie_parser::decode_cp437(&bytes).into_bytes(),
                ))
            }
        })
    };
    import_csv(ledger, sources, Where::Streamed(shown), &open)
}

/// A map looked up once per row: a fast hash. Its keys are few and
/// bounded (the project codes of the plan's own rules; pairs of a line and
/// a valid date), so a crafted export cannot flood it.
type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<rustc_hash::FxHasher>>;

/// Where the rows are, for locating diagnostics.
#[derive(Clone, Copy)]
enum Where<'a> {
    /// Text held in the run's sources.
    Sources(&'a SourceSet, FileId),
    /// A file read as a stream, shown under this path.
    Streamed(&'a Path),
}

/// Where a row is in its file.
#[derive(Debug, Clone)]
struct Place<'t> {
    /// One-based line.
    line: usize,
    /// Bytes of the row's first line.
    range: Range<usize>,
    /// Their bytes, for a streamed file (made text only for a diagnostic).
    text: Option<&'t [u8]>,
}

impl Place<'_> {
    /// The start of the file, for what concerns no one row.
    const FILE_START: Place<'static> = Place {
        line: 1,
        range: 0..0,
        text: None,
    };
}

/// What identifies a row as a copy of another: every field as read.
enum Fingerprint<'r> {
    Fields(&'r csv::StringRecord),
    Sie { voucher: &'r str, text: &'r str },
}

impl Fingerprint<'_> {
    fn feed(&self, sink: &mut impl FnMut(&[u8])) {
        match self {
            Fingerprint::Fields(record) => {
                for field in record.iter() {
                    sink(field.as_bytes());
                    sink(b"\x1f");
                }
            }
            Fingerprint::Sie { voucher, text } => {
                sink(voucher.as_bytes());
                sink(b"\x1f");
                sink(text.as_bytes());
            }
        }
    }

    /// Equal for identical rows; rows that differ only in where their
    /// fields split hash alike, and the full comparison in the second
    /// reading tells them apart.
    fn hash(&self) -> u64 {
        match self {
            Fingerprint::Fields(record) => xxhash_rust::xxh3::xxh3_64(record.as_slice().as_bytes()),
            Fingerprint::Sie { .. } => xxhash_rust::xxh3::xxh3_64(&self.bytes()),
        }
    }

    fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.feed(&mut |bytes| out.extend_from_slice(bytes));
        out
    }
}

/// One readable row of an export, whatever its format.
struct Row<'r> {
    date: Date,
    amount: Decimal,
    account: Option<&'r str>,
    responsibility: Option<&'r str>,
    activity: Option<&'r str>,
    project: Option<&'r str>,
    text: Option<&'r str>,
    /// A balance-sheet row of a SIE voucher.
    balance: bool,
    /// [`Fingerprint::hash`] of the row.
    hash: u64,
    /// Every field as read: needed on the second reading only, so rows
    /// handed over from the reading thread on the first come without.
    fingerprint: Option<Fingerprint<'r>>,
}

/// The two readings of an export: the first books every row and hashes
/// it; the second, only when hashes repeat, finds the duplicates among the
/// rows with those hashes and takes them back out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    Book,
    Deduplicate,
}

/// Where a row goes.
enum Class {
    Mapped(usize),
    Unmapped,
    Excluded,
    Ambiguous(Vec<usize>),
}

/// A budget line that rules map rows to.
struct LineState<'a> {
    rule: &'a MappingRule,
    rule_index: usize,
    rows: usize,
}

/// The first of a set of identical rows, met on the second reading.
struct FirstRow {
    fingerprint: Vec<u8>,
    location: Location,
    /// Kept once a copy of the row is reported.
    excerpt: Option<Excerpt>,
}

/// Books rows as they come: counts, sums per line and day, diagnostics.
struct Booker<'a> {
    ledger: &'a Ledger,
    /// The run's files: the plan files, and the export when it is held.
    sources: &'a SourceSet,
    at: Where<'a>,
    /// Rules with an exact project code, by code; the others (prefix or no
    /// project) are tried on every row.
    by_project: FastMap<&'a str, Vec<usize>>,
    general: Vec<usize>,
    /// Line index of each rule.
    line_of_rule: Vec<usize>,
    lines: Vec<LineState<'a>>,
    /// Sum and rows per (line index, day): one table for all lines, as a
    /// hash table, since rows come in no order and a tree would miss the
    /// cache at every level.
    days: FastMap<(u32, Date), (Decimal, u32)>,
    /// Line indexes in the order they were first booked.
    booked_order: Vec<usize>,
    summary: ImportSummary,
    hashes: Vec<u64>,
    repeated: HashSet<u64>,
    firsts: HashMap<u64, Vec<FirstRow>>,
    diagnostics: Vec<Diagnostic>,
    excerpts: Vec<Excerpt>,
    malformed_seen: usize,
    ambiguous_seen: usize,
    duplicate_seen: usize,
    /// The diagnostic of each reported ambiguous row, by the row's line, so
    /// that a duplicate's can be taken back.
    ambiguous_reported: HashMap<usize, usize>,
    withdrawn: HashSet<usize>,
}

impl<'a> Booker<'a> {
    fn new(ledger: &'a Ledger, sources: &'a SourceSet, at: Where<'a>) -> Self {
        let mut by_project: FastMap<&str, Vec<usize>> = FastMap::default();
        let mut general = Vec::new();
        let mut line_index: HashMap<&str, usize> = HashMap::new();
        let mut lines: Vec<LineState<'a>> = Vec::new();
        let mut line_of_rule = Vec::new();
        for (i, rule) in ledger.rules.iter().enumerate() {
            match &rule.codes.project {
                Some(CodePattern(p)) if !p.ends_with('*') => {
                    by_project.entry(p.as_str()).or_default().push(i)
                }
                _ => general.push(i),
            }
            let index = *line_index.entry(&rule.line.value).or_insert_with(|| {
                lines.push(LineState {
                    rule,
                    rule_index: i,
                    rows: 0,
                });
                lines.len() - 1
            });
            line_of_rule.push(index);
        }
        let file = match at {
            Where::Sources(sources, id) => sources.get(id).path.clone(),
            Where::Streamed(path) => path.to_path_buf(),
        };
        Booker {
            ledger,
            sources,
            at,
            by_project,
            general,
            line_of_rule,
            lines,
            days: FastMap::default(),
            booked_order: Vec::new(),
            summary: ImportSummary {
                ledger: ledger.id.value.clone(),
                file,
                ..ImportSummary::default()
            },
            hashes: Vec::new(),
            repeated: HashSet::new(),
            firsts: HashMap::new(),
            diagnostics: Vec::new(),
            excerpts: Vec::new(),
            malformed_seen: 0,
            ambiguous_seen: 0,
            duplicate_seen: 0,
            ambiguous_reported: HashMap::new(),
            withdrawn: HashSet::new(),
        }
    }

    /// The location of a place, keeping its text as an excerpt when the
    /// file is not kept.
    fn locate(&mut self, place: &Place<'_>) -> Location {
        let (location, excerpt) = self.location_of(place);
        self.excerpts.extend(excerpt);
        location
    }

    /// The location of a place and, for a streamed file, the excerpt that
    /// shows it, to keep only if a diagnostic is made.
    fn location_of(&self, place: &Place<'_>) -> (Location, Option<Excerpt>) {
        match self.at {
            Where::Sources(sources, file) => (
                Diagnostic::resolve(sources, &Span::new(file, place.range.clone())),
                None,
            ),
            Where::Streamed(path) => {
                let text = place.text.map(String::from_utf8_lossy).unwrap_or_default();
                let location = Location {
                    file: path.to_path_buf(),
                    line: place.line,
                    column: 1,
                    end_line: place.line,
                    end_column: text.chars().count() + 1,
                    byte_start: place.range.start,
                    byte_end: place.range.end,
                };
                let excerpt = (!text.is_empty()).then(|| Excerpt {
                    line: place.line,
                    byte_start: place.range.start,
                    text: text.into_owned(),
                });
                (location, excerpt)
            }
        }
    }

    fn diag(&mut self, code: Code, message: impl Into<String>, place: &Place<'_>) -> Diagnostic {
        let location = self.locate(place);
        Diagnostic::new(code, message)
            .at(location)
            .key_path(self.ledger.key_path.clone())
    }

    fn malformed(&mut self, pass: Pass, place: &Place<'_>, what: String, help: &str) {
        if pass == Pass::Deduplicate {
            return;
        }
        self.summary.rows_read += 1;
        self.summary.rows_malformed += 1;
        self.malformed_seen += 1;
        if self.malformed_seen <= ROWS_SHOWN {
            let d = self
                .diag(
                    Code::LedgerMalformedRow,
                    format!(
                        "row on line {} of ledger `{}`: {what}",
                        place.line, self.ledger.id.value
                    ),
                    place,
                )
                .label("cannot be read")
                .help(help.to_owned());
            self.diagnostics.push(d);
        }
    }

    fn classify(&self, row: &Row<'_>) -> Class {
        let indexed = row
            .project
            .and_then(|p| self.by_project.get(p))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut found: Option<usize> = None;
        let mut more: Vec<usize> = Vec::new();
        for &rule in indexed.iter().chain(self.general.iter()) {
            if !self.ledger.rules[rule].codes.matches(row) {
                continue;
            }
            let line = self.line_of_rule[rule];
            match found {
                None => found = Some(line),
                Some(first) if first != line && !more.contains(&line) => more.push(line),
                Some(_) => {}
            }
        }
        match found {
            None if self.ledger.exclusions.iter().any(|r| r.codes.matches(row)) => Class::Excluded,
            None => Class::Unmapped,
            Some(line) if more.is_empty() => Class::Mapped(line),
            Some(line) => {
                more.insert(0, line);
                Class::Ambiguous(more)
            }
        }
    }

    fn take(&mut self, pass: Pass, row: &Row<'_>, place: &Place<'_>) {
        match pass {
            Pass::Book => self.book(row, place),
            Pass::Deduplicate => self.deduplicate(row, place),
        }
    }

    fn book(&mut self, row: &Row<'_>, place: &Place<'_>) {
        let amount = row.amount;
        self.summary.rows_read += 1;
        if row.balance {
            self.summary.rows_balance += 1;
            self.summary.sum_balance += amount;
            return;
        }
        self.summary.sum_read += amount;
        self.hashes.push(row.hash);
        match self.classify(row) {
            Class::Mapped(line) => {
                self.summary.rows_mapped += 1;
                let state = &mut self.lines[line];
                if state.rows == 0 {
                    self.booked_order.push(line);
                }
                state.rows += 1;
                let day = self.days.entry((line as u32, row.date)).or_default();
                day.0 += amount;
                day.1 += 1;
            }
            Class::Excluded => {
                self.summary.rows_excluded += 1;
                self.summary.sum_excluded += amount;
            }
            Class::Unmapped => {
                self.summary.rows_unmapped += 1;
                self.summary.sum_unmapped += amount;
                if self.summary.unmapped.len() < UNMAPPED_KEPT {
                    self.summary.unmapped.push(ListedRow {
                        line: place.line,
                        amount,
                        text: row.text.map(str::to_owned),
                    });
                }
            }
            Class::Ambiguous(lines) => {
                self.summary.rows_ambiguous += 1;
                self.summary.sum_ambiguous += amount;
                self.ambiguous_seen += 1;
                if self.ambiguous_seen <= ROWS_SHOWN {
                    let names: Vec<String> = lines
                        .iter()
                        .map(|&l| format!("`{}`", self.lines[l].rule.line.value))
                        .collect();
                    let d = self
                        .diag(
                            Code::LedgerAmbiguousRow,
                            format!(
                                "the row on line {} of ledger `{}` matches rules for {}",
                                place.line,
                                self.ledger.id.value,
                                names.join(" and ")
                            ),
                            place,
                        )
                        .label("which line?")
                        .help("make the mapping rules exclusive (add an account or project to one of them); insats will not guess");
                    self.ambiguous_reported
                        .insert(place.line, self.diagnostics.len());
                    self.diagnostics.push(d);
                }
            }
        }
    }

    /// After the first reading: finds the hashes met more than once. True
    /// when there are any, and so a second reading is needed.
    fn start_deduplicating(&mut self) -> bool {
        let mut hashes = std::mem::take(&mut self.hashes);
        hashes.sort_unstable();
        self.repeated = hashes
            .windows(2)
            .filter(|pair| pair[0] == pair[1])
            .map(|pair| pair[0])
            .collect();
        !self.repeated.is_empty()
    }

    fn deduplicate(&mut self, row: &Row<'_>, place: &Place<'_>) {
        if row.balance {
            return;
        }
        let hash = row.hash;
        if !self.repeated.contains(&hash) {
            return;
        }
        let Some(fingerprint) = row.fingerprint.as_ref().map(Fingerprint::bytes) else {
            return;
        };
        let reporting = self.duplicate_seen < ROWS_SHOWN;
        let first = self
            .firsts
            .get_mut(&hash)
            .and_then(|rows| rows.iter_mut().find(|f| f.fingerprint == fingerprint))
            .map(|f| {
                let excerpt = if reporting { f.excerpt.take() } else { None };
                (f.location.clone(), excerpt)
            });
        let Some((first, first_excerpt)) = first else {
            let (location, excerpt) = self.location_of(place);
            self.firsts.entry(hash).or_default().push(FirstRow {
                fingerprint,
                location,
                excerpt,
            });
            return;
        };
        self.excerpts.extend(first_excerpt);
        // A copy: take back what the first reading did with it.
        let amount = row.amount;
        match self.classify(row) {
            Class::Mapped(line) => {
                self.summary.rows_mapped -= 1;
                let state = &mut self.lines[line];
                state.rows -= 1;
                let key = (line as u32, row.date);
                if let Some(day) = self.days.get_mut(&key) {
                    day.0 -= amount;
                    day.1 -= 1;
                    if day.1 == 0 {
                        self.days.remove(&key);
                    }
                }
            }
            Class::Excluded => {
                self.summary.rows_excluded -= 1;
                self.summary.sum_excluded -= amount;
            }
            Class::Unmapped => {
                self.summary.rows_unmapped -= 1;
                self.summary.sum_unmapped -= amount;
                self.summary.unmapped.retain(|r| r.line != place.line);
            }
            Class::Ambiguous(_) => {
                self.summary.rows_ambiguous -= 1;
                self.summary.sum_ambiguous -= amount;
                if let Some(index) = self.ambiguous_reported.get(&place.line) {
                    self.withdrawn.insert(*index);
                }
            }
        }
        self.summary.rows_duplicate += 1;
        self.summary.sum_duplicate += amount;
        self.duplicate_seen += 1;
        if self.duplicate_seen <= ROWS_SHOWN {
            let d = self
                .diag(
                    Code::LedgerDuplicateRow,
                    format!(
                        "the row on line {} of ledger `{}` repeats line {} exactly; it is not booked twice",
                        place.line, self.ledger.id.value, first.line
                    ),
                    place,
                )
                .label("same as an earlier row")
                .related(first, "first here")
                .help("if both are real costs, the export should tell them apart (a voucher number); otherwise export again without the copy");
            self.diagnostics.push(d);
        }
    }

    /// One diagnostic for the rows of a kind beyond those shown.
    fn more_not_shown(&mut self, code: Code, seen: usize, what: &str, help: &str) {
        if seen > ROWS_SHOWN {
            let place = Place::FILE_START;
            let d = self
                .diag(
                    code,
                    format!(
                        "{} more {what} rows in ledger `{}` are not shown",
                        seen - ROWS_SHOWN,
                        self.ledger.id.value
                    ),
                    &place,
                )
                .help(help.to_owned());
            self.diagnostics.push(d);
        }
    }

    fn finish(mut self) -> Import {
        let ledger = self.ledger;
        let mut diagnostics: Vec<Diagnostic> = std::mem::take(&mut self.diagnostics)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !self.withdrawn.contains(i))
            .map(|(_, d)| d)
            .collect();
        std::mem::swap(&mut self.diagnostics, &mut diagnostics);
        self.more_not_shown(
            Code::LedgerMalformedRow,
            self.malformed_seen,
            "malformed",
            "fix the profile first: most malformed rows have one cause",
        );
        self.more_not_shown(
            Code::LedgerAmbiguousRow,
            self.ambiguous_seen,
            "ambiguous",
            "make the mapping rules exclusive",
        );
        self.more_not_shown(
            Code::LedgerDuplicateRow,
            self.duplicate_seen,
            "duplicate",
            "export again without the copies",
        );
        let s = &mut self.summary;
        if s.rows_unmapped > 0 {
            let n = s.rows_unmapped;
            let mut d = Diagnostic::new(
                Code::LedgerUnmappedRows,
                format!(
                    "{} of ledger `{}` ({}) {} no mapping rule and {} not booked",
                    if n == 1 {
                        "1 row".to_owned()
                    } else {
                        format!("{n} rows")
                    },
                    ledger.id.value,
                    money::format_kr(s.sum_unmapped),
                    if n == 1 { "matches" } else { "match" },
                    if n == 1 { "is" } else { "are" },
                ),
            );
            d = d
                .at(Diagnostic::resolve(self.sources, &ledger.id.span))
                .key_path(format!("{}.map", ledger.key_path))
                .label("declared here")
                .help("add `[[ledger.map]]` rules for rows that belong to a budget line; rows of other projects can stay unmapped");
            for r in s.unmapped.iter().take(UNMAPPED_LISTED) {
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
            if n > UNMAPPED_LISTED {
                d = d.note(format!("and {} more rows", n - UNMAPPED_LISTED));
            }
            self.diagnostics.push(d);
        }
        // The sums booked per line, and in all, are the sums of the day
        // totals: added once here rather than three times a row.
        let mut by_line: Vec<Vec<DayTotal>> = vec![Vec::new(); self.lines.len()];
        let mut line_sums = vec![Decimal::ZERO; self.lines.len()];
        for ((line, date), (amount, rows)) in std::mem::take(&mut self.days) {
            by_line[line as usize].push(DayTotal { date, amount, rows });
            line_sums[line as usize] += amount;
        }
        self.summary.sum_mapped = line_sums.iter().sum();
        let summary_lines: Vec<LineTotal> = self
            .booked_order
            .iter()
            .filter(|&&l| self.lines[l].rows > 0)
            .map(|&l| LineTotal {
                line: self.lines[l].rule.line.value.clone(),
                rows: self.lines[l].rows,
                sum: line_sums[l],
            })
            .collect();
        let costs = self
            .booked_order
            .iter()
            .filter_map(|&l| {
                let mut days = std::mem::take(&mut by_line[l]);
                if days.is_empty() {
                    return None;
                }
                days.sort_unstable_by_key(|d| d.date);
                let rule = self.lines[l].rule;
                Some(ImportedCosts {
                    ledger: ledger.id.value.clone(),
                    line: rule.line.clone(),
                    key_path: format!("{}.map[{}].line", ledger.key_path, self.lines[l].rule_index),
                    days,
                })
            })
            .collect();
        self.summary.per_line = summary_lines;
        Import {
            costs,
            summary: self.summary,
            diagnostics: self.diagnostics,
            excerpts: self.excerpts,
        }
    }
}

/// The bytes read so far from a streamed export, kept back to the row
/// being read (and a little more), with the count of lines before them:
/// what gives a row its line number and its text for an excerpt.
struct Recent {
    /// Offset of `bytes[0]` in the stream.
    base: usize,
    bytes: Vec<u8>,
    /// Offset up to which newlines have been counted, and how many.
    counted: usize,
    newlines: usize,
}

impl Recent {
    /// Kept when trimming: more than any row, less than any export.
    const KEEP: usize = 1 << 20;

    /// One-based line of `offset`; offsets must not go backwards.
    fn line_of(&mut self, offset: usize) -> usize {
        if offset > self.counted {
            let from = self.counted.saturating_sub(self.base);
            let to = (offset - self.base).min(self.bytes.len());
            self.newlines += memchr::memchr_iter(b'\n', &self.bytes[from.min(to)..to]).count();
            self.counted = offset;
        }
        self.newlines + 1
    }

    /// The row starting at `offset` (after any line breaks there): its
    /// first line's byte range.
    fn row(&self, offset: usize) -> Range<usize> {
        let local = offset.saturating_sub(self.base).min(self.bytes.len());
        let rest = &self.bytes[local..];
        let skip = rest
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        let rest = &rest[skip..];
        let len = memchr::memchr2(b'\r', b'\n', rest).unwrap_or(rest.len());
        let start = self.base + local + skip;
        start..start + len
    }

    /// The bytes of `range`, which must still be held.
    fn bytes_of(&self, range: &Range<usize>) -> &[u8] {
        let start = range.start.saturating_sub(self.base).min(self.bytes.len());
        let end = range
            .end
            .saturating_sub(self.base)
            .clamp(start, self.bytes.len());
        &self.bytes[start..end]
    }

    /// Drops what lies well before `offset`, which has been counted.
    fn trim(&mut self, offset: usize) {
        let keep_from = offset.saturating_sub(Self::KEEP).min(self.counted);
        if keep_from > self.base + Self::KEEP {
            let drop = keep_from - self.base;
            self.bytes.drain(..drop);
            self.base += drop;
        }
    }
}

/// Passes bytes through to the CSV reader and keeps them in [`Recent`].
struct Tee<R> {
    inner: R,
    recent: SharedRecent,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        lock(&self.recent).bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

/// Where a streamed export stops being UTF-8.
struct Utf8Failure {
    /// One-based line.
    line: usize,
    /// Offset of the first byte that is not UTF-8.
    at: usize,
    /// Offset where its line starts.
    line_start: usize,
    /// The line, with the bad bytes replaced.
    text: String,
}

impl Recent {
    /// The first byte that is not UTF-8 at or after `from`.
    fn utf8_failure(&self, from: usize) -> Utf8Failure {
        let local = from.saturating_sub(self.base).min(self.bytes.len());
        let bad = match std::str::from_utf8(&self.bytes[local..]) {
            Ok(_) => self.bytes.len(),
            Err(e) => local + e.valid_up_to(),
        };
        let line_start = self.bytes[..bad]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line_end =
            memchr::memchr2(b'\n', b'\r', &self.bytes[bad..]).map_or(self.bytes.len(), |i| bad + i);
        let counted = self.counted.saturating_sub(self.base).min(bad);
        Utf8Failure {
            line: self.newlines + memchr::memchr_iter(b'\n', &self.bytes[counted..bad]).count() + 1,
            at: self.base + bad,
            line_start: self.base + line_start,
            text: String::from_utf8_lossy(&self.bytes[line_start..line_end]).into_owned(),
        }
    }
}

/// Why the rows of a CSV export could not be read on.
enum Stop {
    NotUtf8(Utf8Failure),
    Io(String),
}

/// The column of each field the profile names.
struct Columns {
    count: usize,
    date: usize,
    amount: Option<usize>,
    debit: Option<usize>,
    credit: Option<usize>,
    account: Option<usize>,
    responsibility: Option<usize>,
    activity: Option<usize>,
    project: Option<usize>,
    text: Option<usize>,
}

fn import_csv<'a, R: Read + Send>(
    ledger: &'a Ledger,
    sources: &'a SourceSet,
    at: Where<'a>,
    open: &dyn Fn() -> std::io::Result<R>,
) -> Result<Import, ImportFailed> {
    let mut booker = Booker::new(ledger, sources, at);
    for pass in [Pass::Book, Pass::Deduplicate] {
        if pass == Pass::Deduplicate && !booker.start_deduplicating() {
            break;
        }
        let input = match open() {
            Ok(input) => input,
            Err(e) => return Err(booker.unreadable(&e.to_string())),
        };
        if !csv_pass(&mut booker, pass, input)? {
            break;
        }
    }
    Ok(booker.finish())
}

impl Booker<'_> {
    fn unreadable(&mut self, why: &str) -> ImportFailed {
        let place = Place::FILE_START;
        let d = self
            .diag(
                Code::LedgerUnreadable,
                format!("ledger `{}` cannot be read: {why}", self.ledger.id.value),
                &place,
            )
            .help("export the file again");
        ImportFailed {
            diagnostic: Box::new(d),
            excerpts: std::mem::take(&mut self.excerpts),
        }
    }

    fn not_utf8(&mut self, failure: Utf8Failure) -> ImportFailed {
        let Utf8Failure {
            line,
            at,
            line_start,
            text,
        } = failure;
        let place = Place {
            line,
            range: at..at + '\u{fffd}'.len_utf8(),
            text: None,
        };
        let mut location = self.locate(&place);
        if let Where::Streamed(_) = self.at {
            location.column = text[..text
                .char_indices()
                .map(|(i, _)| i)
                .find(|&i| line_start + i >= at)
                .unwrap_or(text.len())]
                .chars()
                .count()
                + 1;
            location.end_column = location.column + 1;
            self.excerpts.push(Excerpt {
                line,
                byte_start: line_start,
                text,
            });
        }
        let d = Diagnostic::new(
            Code::LedgerEncoding,
            format!("ledger `{}` is not valid UTF-8", self.ledger.id.value),
        )
        .at(location)
        .key_path(format!("{}.encoding", self.ledger.key_path))
        .label("first byte that is not UTF-8")
        .help("set `encoding = \"windows-1252\"` (older Windows exports) or `\"cp437\"` (SIE PC8) in the ledger's profile");
        ImportFailed {
            diagnostic: Box::new(d),
            excerpts: std::mem::take(&mut self.excerpts),
        }
    }
}

/// Reads a CSV amount as the profile says, without allocating (`scratch`
/// is reused from row to row).
fn parse_amount(ledger: &Ledger, scratch: &mut String, text: &str) -> Result<Decimal, String> {
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
    let value = match plain_decimal(scratch) {
        Some(value) => value,
        None => money::parse_decimal_text(scratch)
            .map_err(|_| format!("amount `{text}` is not a number"))?,
    };
    if value.scale() > 2 && money::decimals(value) > 2 {
        return Err(format!("amount `{text}` has more than two decimals"));
    }
    Ok(value)
}

/// Shared between the CSV reader (through [`Tee`]) and the row loop, which
/// may run on another thread than the one that read the header.
type SharedRecent = std::sync::Arc<std::sync::Mutex<Recent>>;

fn lock(recent: &SharedRecent) -> std::sync::MutexGuard<'_, Recent> {
    // A panic elsewhere cannot leave `Recent` half changed in a way that
    // matters here: its worst is a wrong excerpt.
    recent
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One reading of a CSV export. Returns false when the header does not
/// fit the profile (reported; there is nothing to read), and an error when
/// the file cannot be read on.
///
/// The first reading runs on two threads: one reads and parses the rows
/// (the CSV reader, dates, amounts, hashes) and hands them over in
/// batches, in order; this one books them. The second reading, rare, runs
/// on this thread alone, as it needs every field of a row.
fn csv_pass<R: Read + Send>(
    booker: &mut Booker<'_>,
    pass: Pass,
    input: R,
) -> Result<bool, ImportFailed> {
    let ledger = booker.ledger;
    // load guarantees columns for a CSV ledger.
    let Some(columns) = &ledger.columns else {
        return Ok(false);
    };
    let recent: SharedRecent = std::sync::Arc::new(std::sync::Mutex::new(Recent {
        base: 0,
        bytes: Vec::new(),
        counted: 0,
        newlines: 0,
    }));
    let tee = Tee {
        inner: input,
        recent: std::sync::Arc::clone(&recent),
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(ledger.delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(tee);
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            if let csv::ErrorKind::Utf8 { .. } = e.kind() {
                let failure = lock(&recent).utf8_failure(0);
                return Err(booker.not_utf8(failure));
            }
            if pass == Pass::Book {
                let place = Place::FILE_START;
                let d = booker
                    .diag(
                        Code::LedgerColumns,
                        format!(
                            "the header of ledger `{}` cannot be read: {e}",
                            ledger.id.value
                        ),
                        &place,
                    )
                    .help("the first row must name the columns");
                booker.diagnostics.push(d);
            }
            return Ok(false);
        }
    };
    let names: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
    let columns = {
        let recent = lock(&recent);
        let header = recent.row(0);
        let header_place = Place {
            line: 1,
            range: header.clone(),
            text: Some(recent.bytes_of(&header)),
        };
        match find_columns(booker, pass, columns, &names, &header_place) {
            Some(c) => c,
            None => return Ok(false),
        }
    };

    let stopped = match pass {
        Pass::Deduplicate => read_rows(
            &mut reader,
            &recent,
            &columns,
            ledger,
            &mut Direct { booker, pass },
        ),
        Pass::Book => std::thread::scope(|scope| {
            let (send, receive) = std::sync::mpsc::sync_channel::<Batch>(4);
            let columns = &columns;
            let recent = &recent;
            let producer = scope.spawn(move || {
                let mut batches = Batches {
                    send,
                    batch: Batch::default(),
                };
                let result = read_rows(&mut reader, recent, columns, ledger, &mut batches);
                batches.flush();
                result
            });
            for batch in receive {
                batch.replay(booker);
            }
            producer
                .join()
                .unwrap_or_else(|_| Err(Stop::Io("the reading thread failed".to_owned())))
        }),
    };
    match stopped {
        Ok(()) => Ok(true),
        Err(Stop::NotUtf8(failure)) => Err(booker.not_utf8(failure)),
        Err(Stop::Io(why)) => Err(booker.unreadable(&why)),
    }
}

/// What the row loop hands each row to.
trait RowSink {
    fn row(&mut self, row: &Row<'_>, place: &Place<'_>);
    fn malformed(&mut self, place: &Place<'_>, what: String, help: &'static str);
}

/// Straight to the booker, on this thread.
struct Direct<'b, 'a> {
    booker: &'b mut Booker<'a>,
    pass: Pass,
}

impl RowSink for Direct<'_, '_> {
    fn row(&mut self, row: &Row<'_>, place: &Place<'_>) {
        self.booker.take(self.pass, row, place);
    }

    fn malformed(&mut self, place: &Place<'_>, what: String, help: &'static str) {
        self.booker.malformed(self.pass, place, what, help);
    }
}

/// Rows parsed on the reading thread, owned, to be booked on the other.
#[derive(Default)]
struct Batch {
    /// The fields the rules read, one after the other.
    fields: String,
    /// The rows' bytes, for excerpts.
    raw: Vec<u8>,
    events: Vec<BatchEvent>,
}

enum BatchEvent {
    Row {
        line: usize,
        range: Range<usize>,
        raw: Range<usize>,
        date: Date,
        amount: Decimal,
        /// Account, responsibility, activity, project, text in `fields`;
        /// an empty range for a missing field.
        codes: [Range<usize>; 5],
        hash: u64,
    },
    Malformed {
        line: usize,
        range: Range<usize>,
        raw: Range<usize>,
        what: String,
        help: &'static str,
    },
}

impl Batch {
    /// Rows per batch: enough to make handing over cheap, few enough to
    /// keep the two threads busy together.
    const ROWS: usize = 4096;

    fn replay(&self, booker: &mut Booker<'_>) {
        let field = |r: &Range<usize>| (!r.is_empty()).then(|| &self.fields[r.clone()]);
        for event in &self.events {
            match event {
                BatchEvent::Row {
                    line,
                    range,
                    raw,
                    date,
                    amount,
                    codes,
                    hash,
                } => {
                    let row = Row {
                        date: *date,
                        amount: *amount,
                        account: field(&codes[0]),
                        responsibility: field(&codes[1]),
                        activity: field(&codes[2]),
                        project: field(&codes[3]),
                        text: field(&codes[4]),
                        balance: false,
                        hash: *hash,
                        fingerprint: None,
                    };
                    let place = Place {
                        line: *line,
                        range: range.clone(),
                        text: Some(&self.raw[raw.clone()]),
                    };
                    booker.take(Pass::Book, &row, &place);
                }
                BatchEvent::Malformed {
                    line,
                    range,
                    raw,
                    what,
                    help,
                } => {
                    let place = Place {
                        line: *line,
                        range: range.clone(),
                        text: Some(&self.raw[raw.clone()]),
                    };
                    booker.malformed(Pass::Book, &place, what.clone(), help);
                }
            }
        }
    }
}

/// Collects rows into batches and sends them to the booking thread.
struct Batches {
    send: std::sync::mpsc::SyncSender<Batch>,
    batch: Batch,
}

impl Batches {
    fn raw(&mut self, place: &Place<'_>) -> Range<usize> {
        let start = self.batch.raw.len();
        self.batch
            .raw
            .extend_from_slice(place.text.unwrap_or_default());
        start..self.batch.raw.len()
    }

    fn field(&mut self, value: Option<&str>) -> Range<usize> {
        let start = self.batch.fields.len();
        self.batch.fields.push_str(value.unwrap_or_default());
        start..self.batch.fields.len()
    }

    fn flush(&mut self) {
        let full = std::mem::take(&mut self.batch);
        if !full.events.is_empty() {
            // The booking thread stops receiving only when it is done.
            let _ = self.send.send(full);
        }
    }

    fn push(&mut self, event: BatchEvent) {
        self.batch.events.push(event);
        if self.batch.events.len() >= Batch::ROWS {
            self.flush();
        }
    }
}

impl RowSink for Batches {
    fn row(&mut self, row: &Row<'_>, place: &Place<'_>) {
        let raw = self.raw(place);
        let codes = [
            self.field(row.account),
            self.field(row.responsibility),
            self.field(row.activity),
            self.field(row.project),
            self.field(row.text),
        ];
        self.push(BatchEvent::Row {
            line: place.line,
            range: place.range.clone(),
            raw,
            date: row.date,
            amount: row.amount,
            codes,
            hash: row.hash,
        });
    }

    fn malformed(&mut self, place: &Place<'_>, what: String, help: &'static str) {
        let raw = self.raw(place);
        self.push(BatchEvent::Malformed {
            line: place.line,
            range: place.range.clone(),
            raw,
            what,
            help,
        });
    }
}

/// Reads every row after the header and hands it to `sink`.
fn read_rows<R: Read>(
    reader: &mut csv::Reader<Tee<R>>,
    recent: &SharedRecent,
    columns: &Columns,
    ledger: &Ledger,
    sink: &mut impl RowSink,
) -> Result<(), Stop> {
    let mut record = csv::StringRecord::new();
    let mut scratch = String::new();
    loop {
        let start = reader.position().byte() as usize;
        let read = reader.read_record(&mut record);
        let mut recent = lock(recent);
        match read {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                if let csv::ErrorKind::Utf8 { .. } = e.kind() {
                    return Err(Stop::NotUtf8(recent.utf8_failure(start)));
                }
                if let csv::ErrorKind::Io(io) = e.kind() {
                    return Err(Stop::Io(io.to_string()));
                }
                let range = recent.row(start);
                let line = recent.line_of(range.start);
                let place = Place {
                    line,
                    range: range.clone(),
                    text: Some(recent.bytes_of(&range)),
                };
                sink.malformed(&place, format!("{e}"), "check the quoting of this row");
                continue;
            }
        }
        let offset = record.position().map_or(start, |p| p.byte() as usize);
        // The reader's position can sit on the previous row's line end
        // (with CRLF); the row starts after it.
        let range = recent.row(offset);
        let line = recent.line_of(range.start);
        recent.trim(range.start);
        let place = Place {
            line,
            range: range.clone(),
            text: Some(recent.bytes_of(&range)),
        };
        // All fields empty: the concatenation of the fields is blank.
        if record.as_slice().trim().is_empty() {
            continue;
        }
        if record.len() != columns.count {
            sink.malformed(
                &place,
                format!(
                    "{} fields where the header has {}",
                    record.len(),
                    columns.count
                ),
                "every row needs as many fields as the header: look for a stray or missing separator",
            );
            continue;
        }
        let get = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .map(trimmed)
                .filter(|v| !v.is_empty())
        };
        let date_text = get(Some(columns.date)).unwrap_or_default();
        let Ok(date) = parse_date(date_text) else {
            sink.malformed(
                &place,
                format!("date `{date_text}` is not a date"),
                "dates are written 2019-03-31 or 20190331",
            );
            continue;
        };
        let amount = match columns.amount {
            Some(i) => parse_amount(ledger, &mut scratch, record.get(i).unwrap_or_default()),
            None => {
                let mut part = |i: Option<usize>| match i.and_then(|i| record.get(i)).map(str::trim)
                {
                    None | Some("") => Ok(Decimal::ZERO),
                    Some(v) => parse_amount(ledger, &mut scratch, v),
                };
                part(columns.debit).and_then(|d| part(columns.credit).map(|c| d - c))
            }
        };
        let amount = match amount {
            Ok(a) => a,
            Err(why) => {
                sink.malformed(
                    &place,
                    why,
                    "set `decimal` and `thousands` in the ledger's profile to match the file",
                );
                continue;
            }
        };
        let fingerprint = Fingerprint::Fields(&record);
        let row = Row {
            date,
            amount,
            account: get(columns.account),
            responsibility: get(columns.responsibility),
            activity: get(columns.activity),
            project: get(columns.project),
            text: get(columns.text),
            balance: false,
            hash: fingerprint.hash(),
            fingerprint: Some(fingerprint),
        };
        sink.row(&row, &place);
    }
    Ok(())
}

/// Finds the profile's columns in the header, or reports what is missing.
fn find_columns(
    booker: &mut Booker<'_>,
    pass: Pass,
    columns: &TomlLedgerColumns,
    names: &[String],
    header: &Place<'_>,
) -> Option<Columns> {
    let ledger = booker.ledger;
    let mut missing = Vec::new();
    let mut index = |name: &Option<String>| -> Option<usize> {
        let name = name.as_ref()?;
        let found = names.iter().position(|n| n.eq_ignore_ascii_case(name));
        if found.is_none() {
            missing.push(name.clone());
        }
        found
    };
    let found = Columns {
        count: names.len(),
        date: index(&Some(columns.date.clone())).unwrap_or_default(),
        amount: index(&columns.amount),
        debit: index(&columns.debit),
        credit: index(&columns.credit),
        account: index(&columns.account),
        responsibility: index(&columns.responsibility),
        activity: index(&columns.activity),
        project: index(&columns.project),
        text: index(&columns.text),
    };
    // The voucher column is checked like the others, though no rule reads
    // it: a profile naming a column the file lacks is wrong.
    index(&columns.voucher);
    if pass == Pass::Deduplicate {
        return missing.is_empty().then_some(found);
    }
    if !missing.is_empty() {
        for name in missing {
            let mut d = booker
                .diag(
                    Code::LedgerColumns,
                    format!("ledger `{}` has no column `{name}`", ledger.id.value),
                    header,
                )
                .label("the header row")
                .note(format!("its columns are: {}", names.join(", ")));
            d = match did_you_mean(&name, names.iter().map(String::as_str)) {
                Some(s) => d.help(format!(
                    "did you mean `{s}`? set it in the ledger's `columns`"
                )),
                None => d.help("set the ledger's `columns` to the header names of this file"),
            };
            booker.diagnostics.push(d);
        }
        return None;
    }
    let header_text = String::from_utf8_lossy(header.text.unwrap_or_default());
    if delimiter_looks_wrong(names, &header_text, ledger.delimiter) {
        let d = booker
            .diag(
                Code::LedgerColumns,
                format!(
                    "ledger `{}` seems to use another separator than `{}`",
                    ledger.id.value, ledger.delimiter as char
                ),
                header,
            )
            .label("one column only")
            .help("set `delimiter` in the ledger's profile (`;` is usual in Swedish exports, `,` elsewhere)");
        booker.diagnostics.push(d);
        return None;
    }
    Some(found)
}

/// A SIE row as read, owning its fields (SIE files are read whole).
struct SieOwnedRow {
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
    fn view(&self) -> Row<'_> {
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
            fingerprint: Some(Fingerprint::Sie {
                voucher: &self.voucher,
                text: &self.raw,
            }),
        }
    }
}

enum SieRow {
    Row(SieOwnedRow, Place<'static>),
    Malformed(Place<'static>, String, &'static str),
}

fn sie_rows(booker: &mut Booker<'_>, text: &str) -> Vec<SieRow> {
    let Where::Sources(sources, file) = booker.at else {
        return Vec::new();
    };
    let line_of = |offset: usize| sources.get(file).line_col(offset).0;
    let output = sie_parser::parse(text);
    let mut rows = Vec::new();
    for d in output
        .diagnostics
        .iter()
        .filter(|d| matches!(d.severity, sie_parser::Severity::Error))
    {
        let range = d.span.byte_offset..d.span.byte_offset + d.span.byte_len;
        let place = Place {
            line: line_of(d.span.byte_offset),
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
            let range = trans.span.byte_offset..trans.span.byte_offset + trans.span.byte_len;
            let place = Place {
                line: line_of(trans.span.byte_offset),
                range: range.clone(),
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
                Ok(a) if money::decimals(a) <= 2 => a,
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
            let raw = text[range].to_owned();
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

/// A header read as a single column although it contains another common
/// separator suggests the profile's delimiter is wrong.
fn delimiter_looks_wrong(names: &[String], header: &str, delimiter: u8) -> bool {
    names.len() == 1
        && [b';', b',', b'\t']
            .iter()
            .any(|d| *d != delimiter && header.contains(*d as char))
}

/// `text` without surrounding white space; most fields have none, and
/// checking the two ends is much cheaper than `trim`'s Unicode search.
fn trimmed(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

/// The common case of an amount, `-12345.67`: an optional minus, digits
/// and at most one point, read without allocating. Anything else (or more
/// digits than a `Decimal` holds) is left to the general reader, which
/// also explains what is wrong.
fn plain_decimal(text: &str) -> Option<Decimal> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut mantissa: i128 = 0;
    let mut scale: Option<u32> = None;
    let mut count = 0;
    for b in digits.bytes() {
        match b {
            b'0'..=b'9' => {
                count += 1;
                if count > 28 {
                    // More than a Decimal holds: the general reader says so.
                    return None;
                }
                mantissa = mantissa * 10 + i128::from(b - b'0');
                if let Some(s) = scale.as_mut() {
                    *s += 1;
                }
            }
            b'.' if scale.is_none() => scale = Some(0),
            _ => return None,
        }
    }
    if count == 0 || scale == Some(0) {
        return None;
    }
    let value = Decimal::try_from_i128_with_scale(mantissa, scale.unwrap_or(0)).ok()?;
    Some(if negative { -value } else { value })
}

/// `2019-03-31` or `20190331`.
fn parse_date(text: &str) -> Result<Date, ()> {
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
    fn plain_amounts_are_read_exactly_and_long_ones_are_left_to_the_general_reader() {
        assert_eq!(plain_decimal("-12345.67"), Some(Decimal::new(-1234567, 2)));
        assert_eq!(plain_decimal("100"), Some(Decimal::from(100)));
        assert_eq!(plain_decimal("1."), None);
        assert_eq!(plain_decimal("1.2.3"), None);
        assert_eq!(plain_decimal(""), None);
        // Found by fuzzing: forty digits overflowed the mantissa before the
        // length was checked (a panic with overflow checks on).
        assert_eq!(plain_decimal(&"9".repeat(40)), None);
        assert_eq!(plain_decimal(&"9".repeat(28)).map(|d| d.scale()), Some(0));
    }

    #[test]
    fn both_date_forms_are_read() {
        assert_eq!(parse_date("2019-03-31"), Ok(jiff::civil::date(2019, 3, 31)));
        assert_eq!(parse_date("20190331"), Ok(jiff::civil::date(2019, 3, 31)));
        assert!(parse_date("31/03/2019").is_err());
        assert!(parse_date("20190231").is_err());
    }
}
