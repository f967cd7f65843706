//! Reading a CSV export's rows: finding the profile's columns in the
//! header, reading rows from held text or a file stream, and reading a
//! large file in parts (one per core) that are merged in file order.

use super::*;

/// Why the rows of a CSV export could not be read on.
pub(super) enum Stop {
    NotUtf8(Utf8Failure),
    Io(String),
}

/// The column of each field the profile names.
pub(super) struct Columns {
    pub(super) count: usize,
    pub(super) date: usize,
    pub(super) amount: Option<usize>,
    pub(super) debit: Option<usize>,
    pub(super) credit: Option<usize>,
    pub(super) account: Option<usize>,
    pub(super) responsibility: Option<usize>,
    pub(super) activity: Option<usize>,
    pub(super) project: Option<usize>,
    pub(super) text: Option<usize>,
    /// The column of each skip rule, in the rules' order.
    pub(super) skip: Vec<usize>,
}

/// How to read an export's text: from its start, or from any byte offset
/// when that can be done cheaply, so that it can be read in parts.
pub(super) struct Export<'f> {
    /// Opens the text at a byte offset (of the text, not the file: a byte
    /// order mark is not counted).
    pub(super) open: &'f (dyn Fn(u64) -> std::io::Result<Box<dyn Read + Send + 'f>> + Sync),
    /// The text's length, when it can be opened at any offset: its bytes
    /// are its text (UTF-8). Otherwise it is read from the start only.
    pub(super) len: Option<u64>,
    /// Parts to read it in at most (one per core).
    pub(super) parts: usize,
    /// Bytes a part has at least: below this, a thread costs more than it
    /// saves.
    pub(super) part_bytes: u64,
}

impl Export<'_> {
    /// A part is worth a thread from a mebibyte on.
    pub(super) const PART_BYTES: u64 = 1 << 20;

    pub(super) fn cores() -> usize {
        std::thread::available_parallelism().map_or(1, usize::from)
    }

    pub(super) fn open(&self, offset: usize) -> Result<Box<dyn Read + Send + '_>, Stop> {
        (self.open)(offset as u64).map_err(|e| Stop::Io(e.to_string()))
    }

    /// Where the parts after the first start: each just after a line
    /// break near an even share of the text. That a line break there ends
    /// a row (rather than sitting inside a quoted field) is a guess, which
    /// the reading of the part before checks.
    pub(super) fn part_starts(&self) -> Result<Vec<usize>, Stop> {
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
    pub(super) fn line_break_after(&self, from: usize) -> Result<Option<usize>, Stop> {
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
    pub(super) fn line_breaks_before(&self, end: usize) -> Result<usize, Stop> {
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

pub(super) fn read_some(input: &mut impl Read, buffer: &mut [u8]) -> Result<usize, Stop> {
    loop {
        match input.read(buffer) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return other.map_err(|e| Stop::Io(e.to_string())),
        }
    }
}

pub(super) fn import_csv<'a>(
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
    pub(super) fn unreadable(&mut self, why: &str) -> ImportFailed {
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

    pub(super) fn not_utf8(&mut self, failure: Utf8Failure) -> ImportFailed {
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

pub(super) fn csv_reader<R: Read>(ledger: &Ledger, input: R, header: bool) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(ledger.delimiter)
        .flexible(true)
        .has_headers(header)
        .from_reader(input)
}

/// How the reading of a part ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PartEnd {
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
pub(super) fn csv_pass(
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
pub(super) fn read_in_parts<R: Read>(
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
pub(super) fn skip_lines(input: &mut impl Read, lines: usize) -> std::io::Result<usize> {
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
pub(super) fn read_part(
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
pub(super) fn read_rows<R: Read>(
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
pub(super) fn find_columns(
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
pub(super) fn delimiter_looks_wrong(names: &[String], header: &str, delimiter: u8) -> bool {
    names.len() == 1
        && [b';', b',', b'\t']
            .iter()
            .any(|d| *d != delimiter && header.contains(*d as char))
}
