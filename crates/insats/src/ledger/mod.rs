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
//!   wrong number of fields (an error, located at the row);
//! * **received**: a payment from a funder, taken by a receipt rule;
//! * **skipped**: a row a skip rule marks as not a cost (a sum row).
//!
//! The [`ImportSummary`] carries the control totals, which reconcile
//! exactly: the sum read is the sum mapped plus the sums received,
//! unmapped, excluded, ambiguous and duplicated; malformed and skipped
//! rows have no amount to add. In a
//! SIE file every voucher balances, so each cost row has counter-rows on
//! balance-sheet accounts (Kommun-Bas classes 1 and 2: bank, suppliers);
//! those are counted apart as balance rows, not as costs.
//!
//! A CSV export is read as a stream and summed per budget line and day as
//! it is read ([`crate::model::ImportedCosts`]), in öre, exactly. Memory
//! does not grow with the number of rows: the one thing kept per row, a
//! 64-bit hash to find duplicates by, goes to a temporary file past a
//! million rows (rows whose hashes repeat are compared in full on a second
//! reading of the file, which happens only when some do). Only the rows
//! that diagnostics point at are kept, as excerpts. A large export is read
//! in parts, one per core, each from its own offset and into its own sums;
//! the parts are merged in file order, so the result (totals,
//! diagnostics, line numbers) is the one a single reading gives. A part
//! starts after a line break, and the reading of the part before checks
//! that a row starts there; when one does not (a line break inside a
//! quoted field), the export is read again whole. A SIE file, which a
//! parser reads whole, is held in memory while it is imported.
//!
//! A row's amount may be at most [`MAX_ROW_AMOUNT`] kronor either way:
//! larger is a misread column, and the limit keeps every sum exact.
//!
//! The parts: `profile` (the declared profile and its rules), `summary`
//! (what an import gives), `cells` (an amount or a date read from a
//! field), `sie` (SIE vouchers into rows), `recent` (the bytes of a
//! streamed export kept back to the row being read), `hashes` and `tally`
//! (duplicate hashes and exact sums); this file streams CSV, reads it in
//! parts, and books the rows.
//!
//! Amounts in CSV follow the profile: decimal comma or point; thousands
//! separated by spaces (also no-break spaces) or dots, or not at all; a
//! minus sign as `-` or `−` (U+2212). Dates are `2019-03-31` or `20190331`;
//! both forms are unambiguous and both are accepted. SIE amounts have a
//! decimal point and dates the form `20190331`, as the format prescribes.

use std::collections::{HashMap, HashSet};
use std::io::Read;
#[cfg(feature = "fs")]
use std::io::Seek;
use std::ops::Range;
use std::path::Path;

use rust_decimal::Decimal;

use crate::diagnostic::{Diagnostic, Location};
use crate::hash::IdMap;
use crate::keys::did_you_mean;
use crate::model::{Date, DayTotal, ImportedCosts};
use crate::money;
use crate::rules::Code;
use crate::source::{Excerpt, FileId, SourceSet, Span};
use crate::vocabulary::{DateFormat, LedgerEncoding, LedgerFormat};

mod cells;
mod hashes;
mod profile;
mod recent;
mod sie;
mod summary;
mod tally;

use cells::{parse_amount, parse_date, parse_day_month_year, too_large, trimmed};
use hashes::RowHashes;
pub use profile::{
    CodePattern, CodePatterns, ColumnNames, ExclusionRule, Ledger, MappingRule, ReceiptRule,
    SkipRule,
};
pub use recent::MAX_ROW_BYTES;
use recent::{Recent, SharedRecent, Tee, Utf8Failure};
use sie::{SieRow, sie_items, sie_rows};
pub use summary::{
    Import, ImportFailed, ImportSummary, ImportedReceipts, LineTotal, ListedRow, UNMAPPED_KEPT,
};
pub use tally::MAX_ROW_AMOUNT;
use tally::{DayTotals, OreSum};

/// Rows of each kind (malformed, ambiguous, duplicate) reported one by
/// one; beyond this many they are counted in one more diagnostic.
const ROWS_SHOWN: usize = 50;
/// Unmapped rows listed in the warning's notes.
const UNMAPPED_LISTED: usize = 20;
/// Characters kept of a row's text (an unmapped row's, listed in a note).
const TEXT_KEPT: usize = 200;
/// Characters kept of a row shown in a diagnostic's excerpt.
const EXCERPT_KEPT: usize = 2000;

/// `text`, or its first `chars` characters and `…`: what a diagnostic
/// keeps and shows of a row is bounded, whatever the row holds.
fn shortened(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

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
    import_held(ledger, sources, file, Export::cores(), Export::PART_BYTES)
}

/// [`import`], reading a CSV export in at most `parts` parts of at least
/// `part_bytes` bytes.
fn import_held(
    ledger: &Ledger,
    sources: &SourceSet,
    file: FileId,
    parts: usize,
    part_bytes: u64,
) -> Import {
    let text = &sources.get(file).text;
    let at = Where::Sources(sources, file);
    match ledger.format {
        LedgerFormat::Csv => {
            let open = |offset: u64| -> std::io::Result<Box<dyn Read + Send + '_>> {
                let bytes = text.as_bytes();
                Ok(Box::new(&bytes[(offset as usize).min(bytes.len())..]))
            };
            let export = Export {
                open: &open,
                len: Some(text.len() as u64),
                parts,
                part_bytes,
            };
            // Text in memory is UTF-8 already: no fatal encoding error.
            import_csv(ledger, sources, at, &export).unwrap_or_else(|failed| Import {
                diagnostics: vec![*failed.diagnostic],
                ..Import::default()
            })
        }
        LedgerFormat::Sie => {
            let mut booker = Booker::new(ledger, sources, at);
            // One voucher at a time, read again for the second pass: the
            // rows of a large file are never all held (a 128 MiB file once
            // took 3.7 GB as one parse tree and a list of rows).
            for pass in [Pass::Book, Pass::Deduplicate] {
                if pass == Pass::Deduplicate && !booker.start_deduplicating() {
                    break;
                }
                for (offset, item) in sie_items(text) {
                    for row in sie_rows(&mut booker, item, offset, pass) {
                        match row {
                            SieRow::Row(row, place) => booker.take(pass, &row.view(), &place),
                            SieRow::Malformed(place, what, help) => {
                                booker.malformed(pass, &place, what, help)
                            }
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
#[cfg(feature = "fs")]
pub fn import_file(
    ledger: &Ledger,
    sources: &SourceSet,
    path: &Path,
) -> Result<Import, ImportFailed> {
    import_file_in_parts(ledger, sources, path, Export::cores(), Export::PART_BYTES)
}

/// [`import_file`], reading the export in at most `parts` parts of at
/// least `part_bytes` bytes.
#[cfg(feature = "fs")]
fn import_file_in_parts(
    ledger: &Ledger,
    sources: &SourceSet,
    path: &Path,
    parts: usize,
    part_bytes: u64,
) -> Result<Import, ImportFailed> {
    let shown = ledger.path.as_path();
    let at = Where::Streamed(shown);
    // The byte order mark is not part of the text (as in `decode`).
    let bom = crate::fs::open_regular(path).and_then(|mut file| {
        let mut start = Vec::with_capacity(3);
        (&mut file).take(3).read_to_end(&mut start)?;
        Ok(if start == b"\xEF\xBB\xBF" { 3u64 } else { 0 })
    });
    let (bom, len) = match bom.and_then(|bom| Ok((bom, std::fs::metadata(path)?.len()))) {
        Ok(found) => found,
        Err(e) => {
            let mut booker = Booker::new(ledger, sources, at);
            return Err(booker.unreadable(&e.to_string()));
        }
    };
    let encoding = encoding_of(ledger, &[]);
    let open = |offset: u64| -> std::io::Result<Box<dyn Read + Send + '_>> {
        let mut file = crate::fs::open_regular(path)?;
        file.seek(std::io::SeekFrom::Start(bom + offset))?;
        Ok(match encoding {
            LedgerEncoding::Utf8 => Box::new(file),
            LedgerEncoding::Windows1252 => Box::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .encoding(Some(encoding_rs::WINDOWS_1252))
                    .bom_sniffing(false)
                    .build(file),
            ),
            LedgerEncoding::Cp437 => {
                // No streaming decoder for code page 437: CSV in it is rare.
                let mut bytes = Vec::new();
                file.read_to_end(&mut bytes)?;
                Box::new(std::io::Cursor::new(
                    sie_parser::decode_cp437(&bytes).into_bytes(),
                ))
            }
        })
    };
    let export = Export {
        open: &open,
        // Decoded text has other offsets than the file: read from the start.
        len: (encoding == LedgerEncoding::Utf8).then(|| len.saturating_sub(bom)),
        parts,
        part_bytes,
    };
    import_csv(ledger, sources, at, &export)
}

/// Where the rows are, for locating diagnostics.
#[derive(Clone, Copy)]
enum Where<'a> {
    /// Text held in the run's sources.
    Sources(&'a SourceSet, FileId),
    /// A file read as a stream, shown under this path.
    // Only a file on disk is streamed.
    #[cfg_attr(not(feature = "fs"), allow(dead_code))]
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
    /// Every field as read, compared on the second reading.
    fingerprint: Fingerprint<'r>,
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
    /// A payment from a funder: the index of its source among the
    /// ledger's receipt sources.
    Received(usize),
    Unmapped,
    Excluded,
    /// The first rule matched for each of two or more lines, in the order
    /// of the lines.
    Ambiguous(Vec<usize>),
}

/// The rows that match the rules of the same lines: one diagnostic for
/// them all, as a mistake in the rules is one mistake however many rows it
/// catches.
struct AmbiguousRows {
    /// The first matching rule of each line, as [`Class::Ambiguous`].
    rules: Vec<usize>,
    rows: usize,
    sum: OreSum,
    first_date: Date,
    last_date: Date,
    /// The first such row: the byte where it starts orders the groups
    /// whatever the parts the file was read in.
    first_byte: usize,
    first_line: usize,
    first: Location,
    excerpt: Option<Excerpt>,
}

/// Groups of ambiguous rows tracked; rows of further groups are counted
/// but not grouped, so that rules hostile enough to make every row a group
/// of its own cannot take memory without bound.
const AMBIGUOUS_GROUPS_KEPT: usize = 4096;

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

/// The summary's sums while rows are booked.
#[derive(Debug, Default)]
struct Sums {
    read: OreSum,
    unmapped: OreSum,
    excluded: OreSum,
    ambiguous: OreSum,
    duplicate: OreSum,
    balance: OreSum,
}

impl Sums {
    fn absorb(&mut self, other: &Sums) {
        self.read.add_sum(other.read);
        self.unmapped.add_sum(other.unmapped);
        self.excluded.add_sum(other.excluded);
        self.ambiguous.add_sum(other.ambiguous);
        self.duplicate.add_sum(other.duplicate);
        self.balance.add_sum(other.balance);
    }

    fn fill(&self, summary: &mut ImportSummary) {
        summary.sum_read = self.read.to_decimal();
        summary.sum_unmapped = self.unmapped.to_decimal();
        summary.sum_excluded = self.excluded.to_decimal();
        summary.sum_ambiguous = self.ambiguous.to_decimal();
        summary.sum_duplicate = self.duplicate.to_decimal();
        summary.sum_balance = self.balance.to_decimal();
    }
}

/// Books rows as they come: counts, sums per line and day, diagnostics.
struct Booker<'a> {
    ledger: &'a Ledger,
    /// The run's files: the plan files, and the export when it is held.
    sources: &'a SourceSet,
    at: Where<'a>,
    /// Rules with an exact project code, by code; the others (prefix or no
    /// project) are tried on every row.
    by_project: IdMap<&'a str, Vec<usize>>,
    general: Vec<usize>,
    /// Line index of each rule.
    line_of_rule: Vec<usize>,
    /// The index of each receipt rule's source among the receipt sources,
    /// whose day totals follow the lines' in `days`.
    receipt_of_rule: Vec<usize>,
    /// Each receipt source's first rule.
    receipt_sources: Vec<usize>,
    lines: Vec<LineState<'a>>,
    /// Sum and rows per (line index, day).
    days: DayTotals,
    /// The summary's sums, exact in öre until the import finishes.
    sums: Sums,
    /// Line indexes in the order they were first booked.
    booked_order: Vec<usize>,
    summary: ImportSummary,
    hashes: RowHashes,
    repeated: HashSet<u64>,
    firsts: HashMap<u64, Vec<FirstRow>>,
    diagnostics: Vec<Diagnostic>,
    excerpts: Vec<Excerpt>,
    malformed_seen: usize,
    duplicate_seen: usize,
    /// Ambiguous rows by the lines they match, in the order first met.
    ambiguous: Vec<AmbiguousRows>,
    ambiguous_index: HashMap<Vec<usize>, usize>,
}

impl<'a> Booker<'a> {
    fn new(ledger: &'a Ledger, sources: &'a SourceSet, at: Where<'a>) -> Self {
        let mut by_project: IdMap<&str, Vec<usize>> = IdMap::default();
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
        let mut receipt_of_rule = Vec::new();
        let mut receipt_sources: Vec<usize> = Vec::new();
        for (i, rule) in ledger.receipt_rules.iter().enumerate() {
            let known = receipt_sources
                .iter()
                .position(|&r| ledger.receipt_rules[r].funding.value == rule.funding.value);
            receipt_of_rule.push(known.unwrap_or_else(|| {
                receipt_sources.push(i);
                receipt_sources.len() - 1
            }));
        }
        let line_count = lines.len() + receipt_sources.len();
        Booker {
            ledger,
            sources,
            at,
            by_project,
            general,
            line_of_rule,
            receipt_of_rule,
            receipt_sources,
            lines,
            days: DayTotals::new(line_count),
            sums: Sums::default(),
            booked_order: Vec::new(),
            summary: ImportSummary {
                ledger: ledger.id.value.clone(),
                file,
                ..ImportSummary::default()
            },
            hashes: RowHashes::default(),
            repeated: HashSet::new(),
            firsts: HashMap::new(),
            diagnostics: Vec::new(),
            excerpts: Vec::new(),
            malformed_seen: 0,
            duplicate_seen: 0,
            ambiguous: Vec::new(),
            ambiguous_index: HashMap::new(),
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
                    text: shortened(&text, EXCERPT_KEPT),
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

    /// A row a skip rule marks as not a cost: counted, once.
    fn skipped(&mut self, pass: Pass) {
        if pass == Pass::Book {
            self.summary.rows_read += 1;
            self.summary.rows_skipped += 1;
        }
    }

    fn classify(&self, row: &Row<'_>) -> Class {
        let indexed = row
            .project
            .and_then(|p| self.by_project.get(p))
            .map(Vec::as_slice)
            .unwrap_or_default();
        // (line, its first matching rule)
        let mut found: Option<(usize, usize)> = None;
        let mut more: Vec<(usize, usize)> = Vec::new();
        for &rule in indexed.iter().chain(self.general.iter()) {
            if !self.ledger.rules[rule].matches(row) {
                continue;
            }
            let line = self.line_of_rule[rule];
            match found {
                None => found = Some((line, rule)),
                Some((first, first_rule)) if first == line => {
                    found = Some((line, first_rule.min(rule)));
                }
                Some(_) => match more.iter_mut().find(|(l, _)| *l == line) {
                    Some(known) => known.1 = known.1.min(rule),
                    None => more.push((line, rule)),
                },
            }
        }
        match found {
            None if !self.ledger.receipt_rules.is_empty()
                && let Some(rule) = self
                    .ledger
                    .receipt_rules
                    .iter()
                    .position(|r| r.matches(row)) =>
            {
                Class::Received(self.receipt_of_rule[rule])
            }
            None if self.ledger.exclusions.iter().any(|r| r.codes.matches(row)) => Class::Excluded,
            None => Class::Unmapped,
            Some((line, _)) if more.is_empty() => Class::Mapped(line),
            Some(first) => {
                more.push(first);
                more.sort_unstable();
                Class::Ambiguous(more.into_iter().map(|(_, rule)| rule).collect())
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
            self.sums.balance.add(amount);
            return;
        }
        self.sums.read.add(amount);
        self.hashes.push(row.hash);
        match self.classify(row) {
            Class::Mapped(line) => {
                self.summary.rows_mapped += 1;
                let state = &mut self.lines[line];
                if state.rows == 0 {
                    self.booked_order.push(line);
                }
                state.rows += 1;
                self.days.add(line, row.date, amount, 1);
            }
            Class::Received(source) => {
                self.summary.rows_received += 1;
                self.days
                    .add(self.lines.len() + source, row.date, amount, 1);
            }
            Class::Excluded => {
                self.summary.rows_excluded += 1;
                self.sums.excluded.add(amount);
            }
            Class::Unmapped => {
                self.summary.rows_unmapped += 1;
                self.sums.unmapped.add(amount);
                if self.summary.unmapped.len() < UNMAPPED_KEPT {
                    self.summary.unmapped.push(ListedRow {
                        line: place.line,
                        amount,
                        text: row.text.map(|t| shortened(t, TEXT_KEPT)),
                    });
                }
            }
            Class::Ambiguous(rules) => {
                self.summary.rows_ambiguous += 1;
                self.sums.ambiguous.add(amount);
                let key = self.lines_of(&rules);
                if let Some(&group) = self.ambiguous_index.get(&key) {
                    let group = &mut self.ambiguous[group];
                    group.rows += 1;
                    group.sum.add(amount);
                    group.first_date = group.first_date.min(row.date);
                    group.last_date = group.last_date.max(row.date);
                } else if self.ambiguous.len() < AMBIGUOUS_GROUPS_KEPT {
                    let (first, excerpt) = self.location_of(place);
                    let mut sum = OreSum::default();
                    sum.add(amount);
                    self.ambiguous_index.insert(key, self.ambiguous.len());
                    self.ambiguous.push(AmbiguousRows {
                        rules,
                        rows: 1,
                        sum,
                        first_date: row.date,
                        last_date: row.date,
                        first_byte: place.range.start,
                        first_line: place.line,
                        first,
                        excerpt,
                    });
                }
            }
        }
    }

    /// The lines of the rules of an ambiguous row: the key of its group.
    fn lines_of(&self, rules: &[usize]) -> Vec<usize> {
        rules.iter().map(|&r| self.line_of_rule[r]).collect()
    }

    /// One diagnostic for each group of ambiguous rows, the first in the
    /// file first, and one for the rows of the groups beyond those shown.
    fn report_ambiguous(&mut self) {
        let mut groups = std::mem::take(&mut self.ambiguous);
        groups.sort_by_key(|g| g.first_byte);
        let mut shown_rows = 0;
        for group in groups.into_iter().take(ROWS_SHOWN) {
            shown_rows += group.rows;
            let names: Vec<String> = group
                .rules
                .iter()
                .map(|&r| format!("`{}`", self.ledger.rules[r].line.value))
                .collect();
            let ledger = &self.ledger.id.value;
            let names = names.join(" and ");
            let message = if group.rows == 1 {
                format!(
                    "the row on line {} of ledger `{ledger}` ({}, {}) matches rules for {names}",
                    group.first_line,
                    money::format_kr(group.sum.to_decimal()),
                    group.first_date,
                )
            } else {
                let when = if group.first_date == group.last_date {
                    format!("on {}", group.first_date)
                } else {
                    format!("from {} to {}", group.first_date, group.last_date)
                };
                format!(
                    "{} rows of ledger `{ledger}` ({}) booked {when} match rules for {names}; the first is on line {}",
                    group.rows,
                    money::format_kr(group.sum.to_decimal()),
                    group.first_line,
                )
            };
            let mut d = Diagnostic::new(Code::LedgerAmbiguousRow, message)
                .at(group.first)
                .key_path(self.ledger.key_path.clone())
                .label(if group.rows == 1 {
                    "which line?"
                } else {
                    "the first of them: which line?"
                })
                .help("make the mapping rules exclusive: give one of them an account or project, or give each the dates it covers (`from`, `until`); insats will not guess");
            for &rule in &group.rules {
                let line = &self.ledger.rules[rule].line;
                d = d.related(
                    Diagnostic::resolve(self.sources, &line.span),
                    format!("a rule for `{}`", line.value),
                );
            }
            self.excerpts.extend(group.excerpt);
            self.diagnostics.push(d);
        }
        let more = self.summary.rows_ambiguous - shown_rows;
        if more > 0 {
            let place = Place::FILE_START;
            let d = self
                .diag(
                    Code::LedgerAmbiguousRow,
                    format!(
                        "{more} more ambiguous {} in ledger `{}` {} not shown, matching rules of other lines",
                        if more == 1 { "row" } else { "rows" },
                        self.ledger.id.value,
                        if more == 1 { "is" } else { "are" },
                    ),
                    &place,
                )
                .help("make the mapping rules exclusive");
            self.diagnostics.push(d);
        }
    }

    /// Adds what `later` booked, which read the part of the file right
    /// after the rows this booker read, as if this one had read them.
    /// Only for the first reading.
    fn absorb(&mut self, later: Booker<'a>) {
        let s = &mut self.summary;
        let t = later.summary;
        s.rows_read += t.rows_read;
        s.rows_mapped += t.rows_mapped;
        s.rows_unmapped += t.rows_unmapped;
        s.rows_excluded += t.rows_excluded;
        s.rows_ambiguous += t.rows_ambiguous;
        s.rows_malformed += t.rows_malformed;
        s.rows_skipped += t.rows_skipped;
        s.rows_received += t.rows_received;
        // Duplicates are found by the second reading, after the parts are
        // merged, and balance rows are SIE rows, never read in parts: a
        // part has none of either to add.
        debug_assert_eq!((t.rows_duplicate, t.rows_balance), (0, 0));
        s.unmapped.extend(t.unmapped);
        s.unmapped.truncate(UNMAPPED_KEPT);
        self.sums.absorb(&later.sums);
        self.days.absorb(later.days);
        for &line in &later.booked_order {
            if self.lines[line].rows == 0 {
                self.booked_order.push(line);
            }
        }
        for (mine, theirs) in self.lines.iter_mut().zip(&later.lines) {
            mine.rows += theirs.rows;
        }
        self.hashes.absorb(later.hashes);
        // The first rows of each kind are shown: this booker's, then as
        // many of the later ones' as are still to be shown.
        let mut malformed_shown = self.malformed_seen.min(ROWS_SHOWN);
        for group in later.ambiguous {
            let key: Vec<usize> = group.rules.iter().map(|&r| self.line_of_rule[r]).collect();
            if let Some(&mine) = self.ambiguous_index.get(&key) {
                let mine = &mut self.ambiguous[mine];
                mine.rows += group.rows;
                mine.sum.add_sum(group.sum);
                mine.first_date = mine.first_date.min(group.first_date);
                mine.last_date = mine.last_date.max(group.last_date);
            } else if self.ambiguous.len() < AMBIGUOUS_GROUPS_KEPT {
                self.ambiguous_index.insert(key, self.ambiguous.len());
                self.ambiguous.push(group);
            }
        }
        // Rows not shown need no excerpt (a row has one diagnostic at most
        // on the first reading).
        let mut not_shown: HashSet<usize> = HashSet::new();
        for d in later.diagnostics {
            let shown = match d.code {
                Code::LedgerMalformedRow => &mut malformed_shown,
                _ => &mut 0,
            };
            if *shown >= ROWS_SHOWN {
                not_shown.extend(d.location.as_ref().map(|l| l.byte_start));
                continue;
            }
            *shown += 1;
            self.diagnostics.push(d);
        }
        self.excerpts.extend(
            later
                .excerpts
                .into_iter()
                .filter(|e| !not_shown.contains(&e.byte_start)),
        );
        self.malformed_seen += later.malformed_seen;
    }

    /// After the first reading: finds the hashes met more than once. True
    /// when there are any, and so a second reading is needed.
    fn start_deduplicating(&mut self) -> bool {
        match std::mem::take(&mut self.hashes).repeated() {
            Ok(repeated) => self.repeated = repeated,
            Err(e) => {
                let place = Place::FILE_START;
                let d = self
                    .diag(
                        Code::LedgerUnreadable,
                        format!(
                            "duplicate rows in ledger `{}` could not be looked for: the temporary file of row hashes could not be read back ({e})",
                            self.ledger.id.value
                        ),
                        &place,
                    )
                    .help("check the space and permissions of the temporary directory (TMPDIR), and run again");
                self.diagnostics.push(d);
            }
        }
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
        let fingerprint = row.fingerprint.bytes();
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
                self.days.add(line, row.date, -amount, -1);
            }
            Class::Received(source) => {
                self.summary.rows_received -= 1;
                self.days
                    .add(self.lines.len() + source, row.date, -amount, -1);
            }
            Class::Excluded => {
                self.summary.rows_excluded -= 1;
                self.sums.excluded.sub(amount);
            }
            Class::Unmapped => {
                self.summary.rows_unmapped -= 1;
                self.sums.unmapped.sub(amount);
                self.summary.unmapped.retain(|r| r.line != place.line);
            }
            Class::Ambiguous(rules) => {
                self.summary.rows_ambiguous -= 1;
                self.sums.ambiguous.sub(amount);
                // A copy has the date of the row it copies, met before it:
                // the group's dates stay as they are.
                if let Some(&group) = self.ambiguous_index.get(&self.lines_of(&rules)) {
                    let group = &mut self.ambiguous[group];
                    group.rows -= 1;
                    group.sum.sub(amount);
                }
            }
        }
        self.summary.rows_duplicate += 1;
        self.sums.duplicate.add(amount);
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
        self.sums.fill(&mut self.summary);
        self.report_ambiguous();
        self.more_not_shown(
            Code::LedgerMalformedRow,
            self.malformed_seen,
            "malformed",
            "fix the profile first: most malformed rows have one cause",
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
        let (mut by_line, line_sums): (Vec<Vec<DayTotal>>, Vec<OreSum>) =
            std::mem::take(&mut self.days)
                .into_lines()
                .into_iter()
                .unzip();
        let mut mapped = OreSum::default();
        let (line_sums, receipt_sums) = line_sums.split_at(self.lines.len());
        line_sums.iter().for_each(|sum| mapped.add_sum(*sum));
        self.summary.sum_mapped = mapped.to_decimal();
        let mut received = OreSum::default();
        receipt_sums.iter().for_each(|sum| received.add_sum(*sum));
        self.summary.sum_received = received.to_decimal();
        let receipts = self
            .receipt_sources
            .iter()
            .enumerate()
            .filter_map(|(source, &rule)| {
                let days = std::mem::take(&mut by_line[self.lines.len() + source]);
                (!days.is_empty()).then(|| ImportedReceipts {
                    ledger: ledger.id.value.clone(),
                    funding: ledger.receipt_rules[rule].funding.clone(),
                    key_path: format!("{}.receipt[{rule}].funding", ledger.key_path),
                    days,
                })
            })
            .collect();
        let summary_lines: Vec<LineTotal> = self
            .booked_order
            .iter()
            .filter(|&&l| self.lines[l].rows != 0)
            .map(|&l| LineTotal {
                line: self.lines[l].rule.line.value.clone(),
                rows: self.lines[l].rows,
                sum: line_sums[l].to_decimal(),
            })
            .collect();
        let costs = self
            .booked_order
            .iter()
            .filter_map(|&l| {
                let days = std::mem::take(&mut by_line[l]);
                if days.is_empty() {
                    return None;
                }
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
            receipts,
            summary: self.summary,
            diagnostics: self.diagnostics,
            excerpts: self.excerpts,
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
    /// The column of each skip rule, in the rules' order.
    skip: Vec<usize>,
}

/// How to read an export's text: from its start, or from any byte offset
/// when that can be done cheaply, so that it can be read in parts.
struct Export<'f> {
    /// Opens the text at a byte offset (of the text, not the file: a byte
    /// order mark is not counted).
    open: &'f (dyn Fn(u64) -> std::io::Result<Box<dyn Read + Send + 'f>> + Sync),
    /// The text's length, when it can be opened at any offset: its bytes
    /// are its text (UTF-8). Otherwise it is read from the start only.
    len: Option<u64>,
    /// Parts to read it in at most (one per core).
    parts: usize,
    /// Bytes a part has at least: below this, a thread costs more than it
    /// saves.
    part_bytes: u64,
}

impl Export<'_> {
    /// A part is worth a thread from a mebibyte on.
    const PART_BYTES: u64 = 1 << 20;

    fn cores() -> usize {
        std::thread::available_parallelism().map_or(1, usize::from)
    }

    fn open(&self, offset: usize) -> Result<Box<dyn Read + Send + '_>, Stop> {
        (self.open)(offset as u64).map_err(|e| Stop::Io(e.to_string()))
    }

    /// Where the parts after the first start: each just after a line
    /// break near an even share of the text. That a line break there ends
    /// a row (rather than sitting inside a quoted field) is a guess, which
    /// the reading of the part before checks.
    fn part_starts(&self) -> Result<Vec<usize>, Stop> {
        let Some(len) = self.len else {
            return Ok(Vec::new());
        };
        let parts = self
            .parts
            .min(usize::try_from(len / self.part_bytes.max(1)).unwrap_or(usize::MAX));
        let mut starts: Vec<usize> = Vec::new();
        for i in 1..parts {
            let share = (len as u128 * i as u128 / parts as u128) as usize;
            let from = share.max(starts.last().copied().unwrap_or(0));
            match self.line_break_after(from)? {
                Some(start) if (start as u64) < len => starts.push(start),
                _ => break,
            }
        }
        starts.dedup();
        Ok(starts)
    }

    /// The offset just after the first line break at or after `from`.
    fn line_break_after(&self, from: usize) -> Result<Option<usize>, Stop> {
        let mut input = self.open(from)?;
        let mut buffer = vec![0; 1 << 16];
        let mut offset = from;
        loop {
            let n = read_some(&mut input, &mut buffer)?;
            if n == 0 {
                return Ok(None);
            }
            if let Some(i) = memchr::memchr(b'\n', &buffer[..n]) {
                return Ok(Some(offset + i + 1));
            }
            offset += n;
        }
    }

    /// Line breaks in the text before `end`: the line number a part
    /// starting there begins on, less one.
    fn line_breaks_before(&self, end: usize) -> Result<usize, Stop> {
        let mut input = self.open(0)?.take(end as u64);
        let mut buffer = vec![0; 1 << 18];
        let mut count = 0;
        loop {
            let n = read_some(&mut input, &mut buffer)?;
            if n == 0 {
                return Ok(count);
            }
            count += memchr::memchr_iter(b'\n', &buffer[..n]).count();
        }
    }
}

fn read_some(input: &mut impl Read, buffer: &mut [u8]) -> Result<usize, Stop> {
    loop {
        match input.read(buffer) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return other.map_err(|e| Stop::Io(e.to_string())),
        }
    }
}

fn import_csv<'a>(
    ledger: &'a Ledger,
    sources: &'a SourceSet,
    at: Where<'a>,
    export: &Export<'_>,
) -> Result<Import, ImportFailed> {
    let mut booker = Booker::new(ledger, sources, at);
    for pass in [Pass::Book, Pass::Deduplicate] {
        if pass == Pass::Deduplicate && !booker.start_deduplicating() {
            break;
        }
        if !csv_pass(&mut booker, pass, export)? {
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

fn csv_reader<R: Read>(ledger: &Ledger, input: R, header: bool) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(ledger.delimiter)
        .flexible(true)
        .has_headers(header)
        .from_reader(input)
}

/// How the reading of a part ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PartEnd {
    /// At the end of the text.
    Text,
    /// At the row where the next part starts.
    NextPart,
    /// A row ran on past where the next part was to start, which so was
    /// inside it (a line break in a quoted field).
    Overrun,
}

/// One reading of a CSV export. Returns false when the header does not
/// fit the profile (reported; there is nothing to read), and an error when
/// the file cannot be read on.
///
/// The first reading of a large export reads it in parts, one per core;
/// the second, rare, reads it whole on this thread.
fn csv_pass(
    booker: &mut Booker<'_>,
    pass: Pass,
    export: &Export<'_>,
) -> Result<bool, ImportFailed> {
    let ledger = booker.ledger;
    // load guarantees columns for a CSV ledger.
    let Some(columns) = &ledger.columns else {
        return Ok(false);
    };
    let input = match (export.open)(0) {
        Ok(input) => input,
        Err(e) => return Err(booker.unreadable(&e.to_string())),
    };
    let recent = Recent::shared(0, 0);
    let mut tee = Tee::new(input, &recent);
    // Title lines before the header are read past, and counted, so that
    // every later line keeps its number in the file.
    let origin = match skip_lines(&mut tee, ledger.title_lines) {
        Ok(n) => n,
        Err(e) => return Err(booker.unreadable(&e.to_string())),
    };
    let origin_lines = ledger.title_lines;
    let mut reader = csv_reader(ledger, tee, true);
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            if let csv::ErrorKind::Utf8 { .. } = e.kind() {
                let failure = recent.borrow().utf8_failure(0);
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
        let recent = recent.borrow();
        let header = recent.row(origin);
        let header_place = Place {
            line: origin_lines + 1,
            range: header.clone(),
            text: Some(recent.bytes_of(&header)),
        };
        match find_columns(booker, pass, columns, &names, &header_place) {
            Some(c) => c,
            None => return Ok(false),
        }
    };

    let starts = match pass {
        Pass::Book => export.part_starts(),
        Pass::Deduplicate => Ok(Vec::new()),
    };
    let read = starts.and_then(|starts| {
        // A part must not start in the title lines or at the header.
        let starts: Vec<usize> = starts.into_iter().filter(|&s| s > origin).collect();
        if starts.is_empty() {
            read_rows(
                &mut reader,
                &recent,
                origin,
                origin_lines,
                None,
                &columns,
                booker,
                pass,
            )
            .map(|_| true)
        } else {
            read_in_parts(
                booker,
                reader,
                (&recent, origin, origin_lines),
                &columns,
                export,
                &starts,
            )
        }
    });
    match read {
        Ok(true) => Ok(true),
        Ok(false) => {
            // A part did not start at a row: read the text again, whole.
            *booker = Booker::new(ledger, booker.sources, booker.at);
            let whole = Export {
                len: None,
                ..*export
            };
            csv_pass(booker, pass, &whole)
        }
        Err(Stop::NotUtf8(failure)) => Err(booker.not_utf8(failure)),
        Err(Stop::Io(why)) => Err(booker.unreadable(&why)),
    }
}

/// Reads the rows in parts, each on its own thread (the first on this
/// one, with the reader that read the header) and into its own booker,
/// then merges the bookers in file order: the result is the one a single
/// reading gives (the unit tests compare the two). False when a part's
/// start, a guess, turned out to lie inside a row.
fn read_in_parts<R: Read>(
    booker: &mut Booker<'_>,
    mut reader: csv::Reader<Tee<R>>,
    (recent, origin, origin_lines): (&SharedRecent, usize, usize),
    columns: &Columns,
    export: &Export<'_>,
    starts: &[usize],
) -> Result<bool, Stop> {
    let (ledger, sources, at) = (booker.ledger, booker.sources, booker.at);
    std::thread::scope(|scope| {
        let later: Vec<_> = starts
            .iter()
            .enumerate()
            .map(|(i, &start)| {
                let end = starts.get(i + 1).copied();
                scope.spawn(move || {
                    let mut part = Booker::new(ledger, sources, at);
                    let read = read_part(&mut part, columns, export, start, end);
                    (part, read)
                })
            })
            .collect();
        let first = read_rows(
            &mut reader,
            recent,
            origin,
            origin_lines,
            starts.first().copied(),
            columns,
            booker,
            Pass::Book,
        );
        // Every thread is joined before any result is looked at.
        let later: Vec<_> = later.into_iter().map(|part| part.join()).collect();
        let mut end = first?;
        for part in later {
            if end != PartEnd::NextPart {
                return Ok(false);
            }
            let Ok((part, read)) = part else {
                return Err(Stop::Io("a reading thread failed".to_owned()));
            };
            end = read?;
            booker.absorb(part);
        }
        Ok(end == PartEnd::Text)
    })
}

/// Reads past `lines` lines of `input` (each up to and including its line
/// break), and returns how many bytes they took.
fn skip_lines(input: &mut impl Read, lines: usize) -> std::io::Result<usize> {
    let (mut read, mut seen) = (0, 0);
    let mut byte = [0u8; 1];
    while seen < lines {
        if input.read(&mut byte)? == 0 {
            break;
        }
        read += 1;
        if byte[0] == b'\n' {
            seen += 1;
        }
    }
    Ok(read)
}

/// Reads the rows from `start` to the row at `end` into `part`.
fn read_part(
    part: &mut Booker<'_>,
    columns: &Columns,
    export: &Export<'_>,
    start: usize,
    end: Option<usize>,
) -> Result<PartEnd, Stop> {
    let lines = export.line_breaks_before(start)?;
    let recent = Recent::shared(start, lines);
    let tee = Tee::new(export.open(start)?, &recent);
    let mut reader = csv_reader(part.ledger, tee, false);
    read_rows(
        &mut reader,
        &recent,
        start,
        lines,
        end,
        columns,
        part,
        Pass::Book,
    )
}

/// Reads the rows of a part, up to the row at `end` (when given), and
/// hands each to the booker. `origin` is where the reader started in the
/// text, after `origin_lines` line breaks.
#[allow(clippy::too_many_arguments)]
fn read_rows<R: Read>(
    reader: &mut csv::Reader<Tee<R>>,
    recent: &SharedRecent,
    origin: usize,
    origin_lines: usize,
    end: Option<usize>,
    columns: &Columns,
    booker: &mut Booker<'_>,
    pass: Pass,
) -> Result<PartEnd, Stop> {
    let ledger = booker.ledger;
    let mut record = csv::StringRecord::new();
    let mut scratch = String::new();
    // Whether a row at `range` belongs to the next part: a row starting
    // at or after `end` does, and then the row before must have ended by
    // `end` (`offset`, where the reader took the row to start, can sit on
    // the line break before it).
    let past_end = |offset: usize, range: &Range<usize>| match end {
        Some(end) if range.start >= end => Some(if offset <= end {
            PartEnd::NextPart
        } else {
            PartEnd::Overrun
        }),
        _ => None,
    };
    loop {
        let start = origin + reader.position().byte() as usize;
        let read = reader.read_record(&mut record);
        let mut recent = recent.borrow_mut();
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
                if let Some(part_end) = past_end(start, &range) {
                    return Ok(part_end);
                }
                let line = recent.line_of(range.start);
                let place = Place {
                    line,
                    range: range.clone(),
                    text: Some(recent.bytes_of(&range)),
                };
                booker.malformed(
                    pass,
                    &place,
                    format!("{e}"),
                    "check the quoting of this row",
                );
                continue;
            }
        }
        let position = record.position();
        let offset = position.map_or(start, |p| origin + p.byte() as usize);
        // The reader's position can sit on the previous row's line end
        // (with CRLF); the row starts after it.
        let range = recent.row(offset);
        if let Some(part_end) = past_end(offset, &range) {
            return Ok(part_end);
        }
        // The reader counts lines as it goes: cheaper than counting again.
        let line = match position {
            Some(p) => {
                origin_lines + p.line() as usize + recent.line_breaks_in(offset..range.start)
            }
            None => recent.line_of(range.start),
        };
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
        // Before the fields are counted: a sum row often has fewer.
        if ledger
            .skip_rules
            .iter()
            .zip(&columns.skip)
            .any(|(rule, &i)| record.get(i).is_some_and(|f| rule.matches(f)))
        {
            booker.skipped(pass);
            continue;
        }
        if record.len() != columns.count {
            // An odd number of quotes on the row's first line: a quoted
            // field opened and not closed there, so the reader took the
            // lines after it into that field.
            let unclosed = place
                .text
                .is_some_and(|t| t.iter().filter(|&&b| b == b'"').count() % 2 == 1);
            let mut what = format!(
                "{} fields where the header has {}",
                record.len(),
                columns.count
            );
            let help = if unclosed {
                what.push_str(": a `\"` opens a quoted field that this line does not close, so the lines after it were read into that field");
                "close the quote, or remove the stray `\"`; a quote inside a quoted field is written twice (`\"\"`)"
            } else {
                "every row needs as many fields as the header: look for a stray or missing separator"
            };
            booker.malformed(pass, &place, what, help);
            continue;
        }
        let get = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .map(trimmed)
                .filter(|v| !v.is_empty())
        };
        let date_text = get(Some(columns.date)).unwrap_or_default();
        let parsed = match ledger.date_format {
            DateFormat::Iso => parse_date(date_text),
            DateFormat::DayMonthYear => parse_day_month_year(date_text),
        };
        let Ok(date) = parsed else {
            booker.malformed(
                pass,
                &place,
                format!("date `{date_text}` is not a date"),
                match ledger.date_format {
                    DateFormat::Iso => {
                        "dates are written 2019-03-31 or 20190331; for 31.03.2019 set the ledger's `date_format = \"day-month-year\"`"
                    }
                    DateFormat::DayMonthYear => {
                        "with `date_format = \"day-month-year\"` dates are written 31.03.2019, 31/03/2019 or 31-03-2019"
                    }
                },
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
                booker.malformed(
                    pass,
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
            fingerprint,
        };
        booker.take(pass, &row, &place);
    }
    Ok(PartEnd::Text)
}

/// Finds the profile's columns in the header, or reports what is missing.
fn find_columns(
    booker: &mut Booker<'_>,
    pass: Pass,
    columns: &ColumnNames,
    names: &[String],
    header: &Place<'_>,
) -> Option<Columns> {
    let ledger = booker.ledger;
    let mut missing = Vec::new();
    // A column the profile names that the header has twice: reading the
    // first would be a guess, and money could come from the wrong one.
    let mut twice: Vec<(String, Vec<usize>)> = Vec::new();
    let mut index = |name: &Option<String>| -> Option<usize> {
        let name = name.as_ref()?;
        let at: Vec<usize> = names
            .iter()
            .enumerate()
            .filter(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(i, _)| i)
            .collect();
        if at.is_empty() {
            missing.push(name.clone());
        } else if at.len() > 1 && !twice.iter().any(|(n, _)| n == name) {
            twice.push((name.clone(), at.clone()));
        }
        at.first().copied()
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
        skip: ledger
            .skip_rules
            .iter()
            .map(|rule| index(&Some(rule.column.clone())).unwrap_or_default())
            .collect(),
    };
    // The voucher column is checked like the others, though no rule reads
    // it: a profile naming a column the file lacks is wrong.
    index(&columns.voucher);
    if pass == Pass::Deduplicate {
        return (missing.is_empty() && twice.is_empty()).then_some(found);
    }
    if !twice.is_empty() {
        for (name, at) in twice {
            let positions: Vec<String> = at.iter().map(|i| (i + 1).to_string()).collect();
            let d = booker
                .diag(
                    Code::LedgerColumns,
                    format!(
                        "ledger `{}` has {} columns named `{name}` (columns {})",
                        ledger.id.value,
                        at.len(),
                        positions.join(" and ")
                    ),
                    header,
                )
                .label("the header row")
                .help("rename all but one of them in the export, so that it is clear which one the profile means");
            booker.diagnostics.push(d);
        }
        return None;
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

/// A header read as a single column although it contains another common
/// separator suggests the profile's delimiter is wrong.
fn delimiter_looks_wrong(names: &[String], header: &str, delimiter: u8) -> bool {
    names.len() == 1
        && [b';', b',', b'\t']
            .iter()
            .any(|d| *d != delimiter && header.contains(*d as char))
}

#[cfg(test)]
mod parts_tests;

#[cfg(test)]
mod tests {
    use super::cells::{parse_amount_generally, profile_decimal};
    use super::*;
    use crate::vocabulary::{DecimalMark, ThousandsSeparator};

    fn ledger_with(comma: bool, thousands: ThousandsSeparator) -> Ledger {
        let mut ledger = parts_tests::test_ledger();
        ledger.decimal = if comma {
            DecimalMark::Comma
        } else {
            DecimalMark::Point
        };
        ledger.thousands = thousands;
        ledger
    }

    /// The items a SIE file is read in: every line belongs to exactly one,
    /// in order, a voucher with its block; an unclosed block ends at the
    /// next `#VER`.
    #[test]
    fn sie_items_are_vouchers_with_their_blocks() {
        let text = "#FLAGGA 0\r\n#SIETYP 4\r\n#VER A 1 20240131 \"x\"\r\n{\r\n#TRANS 5010 {} 1.00\r\n#TRANS 1930 {} -1.00\r\n}\r\n#VER A 2 20240131\r\n{\r\n#TRANS 5010 {} 2.00\r\n#VER A 3 20240131\r\n{\r\n}\r\n#KONTO 1930 \"Bank\"";
        let items: Vec<(usize, &str)> = sie_items(text).collect();
        let joined: String = items.iter().map(|(_, t)| *t).collect();
        assert_eq!(joined, text);
        for (offset, item) in &items {
            assert_eq!(&text[*offset..*offset + item.len()], *item);
        }
        let firsts: Vec<&str> = items
            .iter()
            .map(|(_, t)| t.lines().next().unwrap())
            .collect();
        assert_eq!(
            firsts,
            [
                "#FLAGGA 0",
                "#SIETYP 4",
                "#VER A 1 20240131 \"x\"",
                "#VER A 2 20240131",
                "#VER A 3 20240131",
                "#KONTO 1930 \"Bank\""
            ]
        );
        assert_eq!(items[2].1.matches("#TRANS").count(), 2);
        assert_eq!(sie_items("").count(), 0);
    }

    #[test]
    fn patterns_match_exactly_or_by_prefix() {
        assert!(CodePattern("54*".into()).matches("5410"));
        assert!(!CodePattern("54*".into()).matches("5510"));
        assert!(CodePattern("4711".into()).matches("4711"));
        assert!(!CodePattern("4711".into()).matches("47110"));
    }

    proptest::proptest! {
        /// Where the fast reader reads an amount, the general one reads
        /// the same value, to the scale and the sign.
        #[test]
        fn the_fast_amount_reader_agrees_with_the_general_one(
            // Any mix of the characters that matter, and amounts shaped
            // as exports write them, which the mix rarely makes.
            text in proptest::prop_oneof![
                "[-−]?[0-9 .,\u{a0}\u{202f}x+]{0,14}",
                "[-−]?[0-9]{1,4}([ .,\u{a0}][0-9]{1,3}){0,3}",
            ],
            comma in proptest::bool::ANY,
            thousands in proptest::sample::select(vec![
                ThousandsSeparator::Space,
                ThousandsSeparator::Dot,
                ThousandsSeparator::None,
            ]),
        ) {
            let ledger = ledger_with(comma, thousands);
            if let Some(fast) = profile_decimal(&ledger, &text) {
                let general = parse_amount_generally(&ledger, &mut String::new(), &text);
                proptest::prop_assert_eq!(
                    general.map(|v| (v.mantissa(), v.scale(), v.is_sign_negative())),
                    Ok((fast.mantissa(), fast.scale(), fast.is_sign_negative())),
                    "{}", text
                );
            }
        }
    }

    #[test]
    fn the_fast_amount_reader_takes_the_usual_forms() {
        let ledger = ledger_with(true, ThousandsSeparator::Space);
        for (text, value) in [
            ("1 234,50", "1234.50"),
            ("−12,05", "-12.05"),
            ("1\u{a0}000", "1000"),
            ("1\u{202f}000,5", "1000.5"),
        ] {
            assert_eq!(
                profile_decimal(&ledger, text),
                Some(value.parse().unwrap()),
                "{text}"
            );
        }
        for text in ["1.5", "12,", "+1", "1-2", "", "-"] {
            assert_eq!(profile_decimal(&ledger, text), None, "{text}");
        }
        // Regression: with the point named for both, the general reader
        // takes it as a thousands separator, and so must the fast one.
        let both = ledger_with(false, ThousandsSeparator::Dot);
        assert_eq!(profile_decimal(&both, "1.5"), Some(Decimal::from(15)));
    }

    #[test]
    fn both_date_forms_are_read() {
        assert_eq!(parse_date("2019-03-31"), Ok(jiff::civil::date(2019, 3, 31)));
        assert_eq!(parse_date("20190331"), Ok(jiff::civil::date(2019, 3, 31)));
        assert!(parse_date("31/03/2019").is_err());
        assert!(parse_date("20190231").is_err());
        let dmy = |t: &str| parse_day_month_year(t).ok();
        let day = Some(jiff::civil::date(2019, 3, 31));
        assert_eq!(dmy("31.03.2019"), day);
        assert_eq!(dmy("31/03/2019"), day);
        assert_eq!(dmy("31-03-2019"), day);
        assert_eq!(dmy(" 31.3.2019 "), day);
        assert_eq!(dmy("1.2.2019"), Some(jiff::civil::date(2019, 2, 1)));
        // Not a date, or not this format.
        for bad in [
            "2019-03-31",
            "31.03.19",
            "31.03-2019",
            "31.13.2019",
            "29.02.2019",
            "31..2019",
            "311.03.2019",
            "+1.03.2019",
            "",
            "31.03.2019.1",
        ] {
            assert_eq!(dmy(bad), None, "{bad}");
        }
    }
}
