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

// This file holds the entry points (decode, import a held text or a file).
// The stages, each in its own file: the declared profile, reading CSV rows
// (or SIE vouchers) into format-neutral rows, booking them, and the sums and
// summary they leave.
mod booking;
mod cells;
mod csv_export;
mod hashes;
mod profile;
mod recent;
mod sie;
mod summary;
mod tally;

// The stages share their types within the ledger module (`pub(super)`).
use booking::*;
use csv_export::*;

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
