//! The booking of a ledger export's rows: each row classified by the
//! profile's rules (mapped, unmapped, excluded, ambiguous, duplicate,
//! malformed, received, skipped), booked per budget line and day, and the
//! diagnostics and control totals that follow. Format-neutral: CSV and SIE
//! rows arrive here as the same `Row`.

use super::*;

/// Where the rows are, for locating diagnostics.
#[derive(Clone, Copy)]
pub(super) enum Where<'a> {
    /// Text held in the run's sources.
    Sources(&'a SourceSet, FileId),
    /// A file read as a stream, shown under this path.
    // Only a file on disk is streamed.
    #[cfg_attr(not(feature = "fs"), allow(dead_code))]
    Streamed(&'a Path),
}

/// Where a row is in its file.
#[derive(Debug, Clone)]
pub(super) struct Place<'t> {
    /// One-based line.
    pub(super) line: usize,
    /// Bytes of the row's first line.
    pub(super) range: Range<usize>,
    /// Their bytes, for a streamed file (made text only for a diagnostic).
    pub(super) text: Option<&'t [u8]>,
}

impl Place<'_> {
    /// The start of the file, for what concerns no one row.
    pub(super) const FILE_START: Place<'static> = Place {
        line: 1,
        range: 0..0,
        text: None,
    };
}

/// What identifies a row as a copy of another: every field as read.
pub(super) enum Fingerprint<'r> {
    Fields(&'r csv::StringRecord),
    Sie { voucher: &'r str, text: &'r str },
}

impl Fingerprint<'_> {
    pub(super) fn feed(&self, sink: &mut impl FnMut(&[u8])) {
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
    pub(super) fn hash(&self) -> u64 {
        match self {
            Fingerprint::Fields(record) => xxhash_rust::xxh3::xxh3_64(record.as_slice().as_bytes()),
            Fingerprint::Sie { .. } => xxhash_rust::xxh3::xxh3_64(&self.bytes()),
        }
    }

    pub(super) fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.feed(&mut |bytes| out.extend_from_slice(bytes));
        out
    }
}

/// One readable row of an export, whatever its format.
pub(super) struct Row<'r> {
    pub(super) date: Date,
    pub(super) amount: Decimal,
    pub(super) account: Option<&'r str>,
    pub(super) responsibility: Option<&'r str>,
    pub(super) activity: Option<&'r str>,
    pub(super) project: Option<&'r str>,
    pub(super) text: Option<&'r str>,
    /// A balance-sheet row of a SIE voucher.
    pub(super) balance: bool,
    /// [`Fingerprint::hash`] of the row.
    pub(super) hash: u64,
    /// Every field as read, compared on the second reading.
    pub(super) fingerprint: Fingerprint<'r>,
}

/// The two readings of an export: the first books every row and hashes
/// it; the second, only when hashes repeat, finds the duplicates among the
/// rows with those hashes and takes them back out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pass {
    Book,
    Deduplicate,
}

/// Where a row goes.
pub(super) enum Class {
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
pub(super) struct AmbiguousRows {
    /// The first matching rule of each line, as [`Class::Ambiguous`].
    pub(super) rules: Vec<usize>,
    pub(super) rows: usize,
    pub(super) sum: OreSum,
    pub(super) first_date: Date,
    pub(super) last_date: Date,
    /// The first such row: the byte where it starts orders the groups
    /// whatever the parts the file was read in.
    pub(super) first_byte: usize,
    pub(super) first_line: usize,
    pub(super) first: Location,
    pub(super) excerpt: Option<Excerpt>,
}

/// Groups of ambiguous rows tracked; rows of further groups are counted
/// but not grouped, so that rules hostile enough to make every row a group
/// of its own cannot take memory without bound.
pub(super) const AMBIGUOUS_GROUPS_KEPT: usize = 4096;

/// A budget line that rules map rows to.
pub(super) struct LineState<'a> {
    pub(super) rule: &'a MappingRule,
    pub(super) rule_index: usize,
    pub(super) rows: usize,
}

/// The first of a set of identical rows, met on the second reading.
pub(super) struct FirstRow {
    pub(super) fingerprint: Vec<u8>,
    pub(super) location: Location,
    /// Kept once a copy of the row is reported.
    pub(super) excerpt: Option<Excerpt>,
}

/// The summary's sums while rows are booked.
#[derive(Debug, Default)]
pub(super) struct Sums {
    pub(super) read: OreSum,
    pub(super) unmapped: OreSum,
    pub(super) excluded: OreSum,
    pub(super) ambiguous: OreSum,
    pub(super) duplicate: OreSum,
    pub(super) balance: OreSum,
}

impl Sums {
    pub(super) fn absorb(&mut self, other: &Sums) {
        self.read.add_sum(other.read);
        self.unmapped.add_sum(other.unmapped);
        self.excluded.add_sum(other.excluded);
        self.ambiguous.add_sum(other.ambiguous);
        self.duplicate.add_sum(other.duplicate);
        self.balance.add_sum(other.balance);
    }

    pub(super) fn fill(&self, summary: &mut ImportSummary) {
        summary.sum_read = self.read.to_decimal();
        summary.sum_unmapped = self.unmapped.to_decimal();
        summary.sum_excluded = self.excluded.to_decimal();
        summary.sum_ambiguous = self.ambiguous.to_decimal();
        summary.sum_duplicate = self.duplicate.to_decimal();
        summary.sum_balance = self.balance.to_decimal();
    }
}

/// Books rows as they come: counts, sums per line and day, diagnostics.
pub(super) struct Booker<'a> {
    pub(super) ledger: &'a Ledger,
    /// The run's files: the plan files, and the export when it is held.
    pub(super) sources: &'a SourceSet,
    pub(super) at: Where<'a>,
    /// Rules with an exact project code, by code; the others (prefix or no
    /// project) are tried on every row.
    pub(super) by_project: IdMap<&'a str, Vec<usize>>,
    pub(super) general: Vec<usize>,
    /// Line index of each rule.
    pub(super) line_of_rule: Vec<usize>,
    /// The index of each receipt rule's source among the receipt sources,
    /// whose day totals follow the lines' in `days`.
    pub(super) receipt_of_rule: Vec<usize>,
    /// Each receipt source's first rule.
    pub(super) receipt_sources: Vec<usize>,
    pub(super) lines: Vec<LineState<'a>>,
    /// Sum and rows per (line index, day).
    pub(super) days: DayTotals,
    /// The summary's sums, exact in öre until the import finishes.
    pub(super) sums: Sums,
    /// Line indexes in the order they were first booked.
    pub(super) booked_order: Vec<usize>,
    pub(super) summary: ImportSummary,
    pub(super) hashes: RowHashes,
    pub(super) repeated: HashSet<u64>,
    pub(super) firsts: HashMap<u64, Vec<FirstRow>>,
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) excerpts: Vec<Excerpt>,
    pub(super) malformed_seen: usize,
    pub(super) duplicate_seen: usize,
    /// Ambiguous rows by the lines they match, in the order first met.
    pub(super) ambiguous: Vec<AmbiguousRows>,
    pub(super) ambiguous_index: HashMap<Vec<usize>, usize>,
}

impl<'a> Booker<'a> {
    pub(super) fn new(ledger: &'a Ledger, sources: &'a SourceSet, at: Where<'a>) -> Self {
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
    pub(super) fn locate(&mut self, place: &Place<'_>) -> Location {
        let (location, excerpt) = self.location_of(place);
        self.excerpts.extend(excerpt);
        location
    }

    /// The location of a place and, for a streamed file, the excerpt that
    /// shows it, to keep only if a diagnostic is made.
    pub(super) fn location_of(&self, place: &Place<'_>) -> (Location, Option<Excerpt>) {
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

    pub(super) fn diag(
        &mut self,
        code: Code,
        message: impl Into<String>,
        place: &Place<'_>,
    ) -> Diagnostic {
        let location = self.locate(place);
        Diagnostic::new(code, message)
            .at(location)
            .key_path(self.ledger.key_path.clone())
    }

    pub(super) fn malformed(&mut self, pass: Pass, place: &Place<'_>, what: String, help: &str) {
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
    pub(super) fn skipped(&mut self, pass: Pass) {
        if pass == Pass::Book {
            self.summary.rows_read += 1;
            self.summary.rows_skipped += 1;
        }
    }

    pub(super) fn classify(&self, row: &Row<'_>) -> Class {
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

    pub(super) fn take(&mut self, pass: Pass, row: &Row<'_>, place: &Place<'_>) {
        match pass {
            Pass::Book => self.book(row, place),
            Pass::Deduplicate => self.deduplicate(row, place),
        }
    }

    pub(super) fn book(&mut self, row: &Row<'_>, place: &Place<'_>) {
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
    pub(super) fn lines_of(&self, rules: &[usize]) -> Vec<usize> {
        rules.iter().map(|&r| self.line_of_rule[r]).collect()
    }

    /// One diagnostic for each group of ambiguous rows, the first in the
    /// file first, and one for the rows of the groups beyond those shown.
    pub(super) fn report_ambiguous(&mut self) {
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
    pub(super) fn absorb(&mut self, later: Booker<'a>) {
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
    pub(super) fn start_deduplicating(&mut self) -> bool {
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

    pub(super) fn deduplicate(&mut self, row: &Row<'_>, place: &Place<'_>) {
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
    pub(super) fn more_not_shown(&mut self, code: Code, seen: usize, what: &str, help: &str) {
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

    pub(super) fn finish(mut self) -> Import {
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
