//! Reading an export in parts, on several threads, gives what reading it
//! whole on one gives: the same totals, days, diagnostics (the first rows
//! of each kind, with their line numbers) and excerpts, whatever the rows
//! hold and wherever the parts fall: inside quoted fields that span lines,
//! on CRLF line ends, among duplicates and blank lines.

use proptest::prelude::*;

use super::*;
use crate::{SourceFile, validate};

const PLAN: &str = r#"
[initiative]
id = "parts"
name = "Parts"
organisation = "Exempel kommun"
period = { start = 2024-01-01, end = 2025-12-31 }

[[funding]]
id = "budget"
kind = "municipal-budget"
amount = 1_000_000

[[line]]
id = "team"
name = "Team"
category = "personnel"
funded_by = "budget"
amount = 600_000
serves = ["goal"]

[[line]]
id = "material"
name = "Material"
category = "equipment-premises"
funded_by = "budget"
amount = 400_000
serves = ["goal"]

[[indicator]]
id = "share"
name = "Share of pupils"
unit = "percent"
direction = "higher-is-better"

[[target]]
id = "goal"
indicator = "share"
scope = { level = "municipality", name = "Exempel kommun" }
baseline = { value = 50, year = 2023 }
target = { value = 55, year = 2025 }

[[ledger]]
id = "huvudbok"
file = "huvudbok.csv"
format = "csv"
columns = { date = "Datum", amount = "Belopp", account = "Konto", responsibility = "Ansvar", project = "Projekt", text = "Text" }

[[ledger.map]]
line = "team"
project = "4711"
account = "50*"

[[ledger.map]]
line = "material"
project = "4711"
account = "54*"

# With the rule above, rows of account 54* and responsibility 900 are
# ambiguous.
[[ledger.map]]
line = "team"
responsibility = "900"

[[ledger.exclude]]
project = "4700"
reason = "Another project."

[[ledger.skip]]
column = "Datum"
value = "Summa*"

# Project 1234 of responsibility 100: payments received.
[[ledger.receipt]]
funding = "budget"
project = "1234"
responsibility = "100"
"#;

const HEADER: &str = "Datum;Konto;Ansvar;Projekt;Belopp;Text";

/// A row of an export, as the strategy makes them.
#[derive(Debug, Clone)]
enum TestRow {
    Cost {
        day: u32,
        account: &'static str,
        responsibility: &'static str,
        project: &'static str,
        ore: i64,
        text: &'static str,
    },
    /// The row `n` rows back, again.
    Copy(usize),
    BadDate,
    BadAmount,
    FieldMissing,
    Blank,
    /// A subtotal row, a field short, which the skip rule takes.
    Sum,
}

fn row_strategy() -> impl Strategy<Value = TestRow> {
    let cost = (
        0u32..730,
        prop::sample::select(vec!["5010", "5410", "6000"]),
        prop::sample::select(vec!["100", "900"]),
        prop::sample::select(vec!["4711", "4700", "1234"]),
        -500_000_i64..5_000_000,
        prop::sample::select(vec![
            "Lön",
            "\"Material; böcker\"",
            "\"två\nrader\"",
            "\"tre\r\nrader, \"\"citat\"\"\nslut\"",
            "",
        ]),
    )
        .prop_map(
            |(day, account, responsibility, project, ore, text)| TestRow::Cost {
                day,
                account,
                responsibility,
                project,
                ore,
                text,
            },
        );
    prop_oneof![
        12 => cost,
        3 => (1usize..20).prop_map(TestRow::Copy),
        1 => Just(TestRow::BadDate),
        1 => Just(TestRow::BadAmount),
        1 => Just(TestRow::FieldMissing),
        1 => Just(TestRow::Blank),
        1 => Just(TestRow::Sum),
    ]
}

fn amount(ore: i64) -> String {
    let sign = if ore < 0 { "-" } else { "" };
    let kronor = (ore.abs() / 100).to_string();
    // Thousands separated by spaces, as Swedish exports do.
    let mut grouped = String::new();
    for (i, c) in kronor.chars().enumerate() {
        if i > 0 && (kronor.len() - i).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{:02}", ore.abs() % 100)
}

fn export_text(rows: &[TestRow], crlf: bool) -> String {
    let end = if crlf { "\r\n" } else { "\n" };
    let mut lines: Vec<String> = vec![HEADER.to_owned()];
    for row in rows {
        let line = match row {
            TestRow::Cost {
                day,
                account,
                responsibility,
                project,
                ore,
                text,
            } => {
                let date = jiff::civil::date(2024, 1, 1) + jiff::Span::new().days(i64::from(*day));
                format!(
                    "{date};{account};{responsibility};{project};{};{text}",
                    amount(*ore)
                )
            }
            TestRow::Copy(back) => lines[lines
                .len()
                .saturating_sub(*back)
                .max(1)
                .min(lines.len() - 1)]
            .clone(),
            TestRow::BadDate => "2024-13-01;5010;100;4711;1,00;Fel".to_owned(),
            TestRow::BadAmount => "2024-02-01;5010;100;4711;1.00;Fel".to_owned(),
            TestRow::FieldMissing => "2024-02-01;5010;100;4711;1,00".to_owned(),
            TestRow::Blank => String::new(),
            TestRow::Sum => "Summa;;;;123 456,00".to_owned(),
        };
        lines.push(line);
    }
    let mut text = lines.join(end);
    text.push_str(end);
    text
}

/// The ledger of the test plan.
pub(super) fn test_ledger() -> Ledger {
    let (sources, _) = sources_with("");
    validate(&sources).portfolio.ledgers.remove(0)
}

fn sources_with(text: &str) -> (SourceSet, FileId) {
    let mut sources = SourceSet::new();
    sources.add(SourceFile::new("plan.toml", PLAN));
    let id = sources.add(SourceFile::new("huvudbok.csv", text));
    (sources, id)
}

/// Everything an import gives, as text, to compare.
fn shown(import: &Import) -> String {
    format!("{import:#?}")
}

/// Where two texts first differ, for a short failure message.
fn first_difference(a: &str, b: &str) -> Option<String> {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    (0..a.len().max(b.len()))
        .find(|&i| a.get(i) != b.get(i))
        .map(|i| {
            let from = i.saturating_sub(8);
            format!(
                "line {i}:\n{}\n---- versus ----\n{}",
                a[from.min(a.len())..(i + 3).min(a.len())].join("\n"),
                b[from.min(b.len())..(i + 3).min(b.len())].join("\n")
            )
        })
}

fn assert_same(a: &str, b: &str, what: &str) {
    if let Some(difference) = first_difference(a, b) {
        panic!("{what}: {difference}");
    }
}

fn held(text: &str, parts: usize, part_bytes: u64) -> String {
    let (sources, id) = sources_with(text);
    let validation = validate(&sources);
    let ledger = &validation.portfolio.ledgers[0];
    let import = import_held(ledger, &sources, id, parts, part_bytes);
    assert!(import.summary.reconciles(), "{:#?}", import.summary);
    shown(&import)
}

// Streaming reads a file: the `fs` feature.
#[cfg(feature = "fs")]
fn streamed(text: &str, parts: usize, part_bytes: u64) -> String {
    streamed_bytes(text.as_bytes(), parts, part_bytes)
}

#[cfg(feature = "fs")]
fn streamed_bytes(bytes: &[u8], parts: usize, part_bytes: u64) -> String {
    let (sources, _) = sources_with("");
    let validation = validate(&sources);
    let ledger = &validation.portfolio.ledgers[0];
    let mut file = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut file, bytes).unwrap();
    match import_file_in_parts(ledger, &sources, file.path(), parts, part_bytes) {
        Ok(import) => shown(&import),
        Err(failed) => format!("{failed:#?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn parts_give_what_one_reading_gives(
        rows in prop::collection::vec(row_strategy(), 0..400),
        crlf in any::<bool>(),
        parts in 2usize..6,
    ) {
        let text = export_text(&rows, crlf);
        let whole = held(&text, 1, u64::MAX);
        let difference = first_difference(&held(&text, parts, 1), &whole);
        prop_assert!(difference.is_none(), "held: {}", difference.unwrap_or_default());
        #[cfg(feature = "fs")]
        {
            let whole = streamed(&text, 1, u64::MAX);
            let difference = first_difference(&streamed(&text, parts, 1), &whole);
            prop_assert!(difference.is_none(), "streamed: {}", difference.unwrap_or_default());
        }
    }
}

/// Rows of one kind beyond those shown, spread over the parts: the first
/// fifty in the file are shown, the rest counted, as on one reading.
#[test]
fn the_rows_shown_are_the_first_in_the_file_whatever_the_parts() {
    let rows: Vec<TestRow> = (0..300)
        .map(|i| {
            if i % 3 == 0 {
                TestRow::BadDate
            } else {
                TestRow::Cost {
                    day: i,
                    account: "5410",
                    responsibility: "900",
                    project: "4711",
                    ore: 100,
                    text: "",
                }
            }
        })
        .collect();
    let text = export_text(&rows, false);
    let whole = held(&text, 1, u64::MAX);
    assert!(whole.contains("50 more malformed rows"), "{whole}");
    // The 200 ambiguous rows match the same two rules: one diagnostic
    // counts them (1 kr each) and gives their first and last day (days
    // 1 to 299 of 2024 counted from 0: 2 January to 26 October).
    assert!(
        whole.contains("200 rows of ledger `huvudbok` (200 kr) booked from 2024-01-02 to 2024-10-26 match rules for `team` and `material`; the first is on line 3"),
        "{whole}"
    );
    assert!(!whole.contains("more ambiguous"), "{whole}");
    for parts in [2, 3, 7] {
        assert_same(&held(&text, parts, 1), &whole, "held");
        #[cfg(feature = "fs")]
        assert_same(
            &streamed(&text, parts, 1),
            &streamed(&text, 1, u64::MAX),
            "streamed",
        );
    }
}

/// A part that would start inside a quoted field spanning many lines: the
/// reading of the part before finds the row running on, and the export is
/// read again whole.
#[test]
fn a_part_starting_inside_a_quoted_field_is_read_again_whole() {
    let long_text = format!("\"{}\"", "rad\n".repeat(200));
    let text = format!(
        "{HEADER}\n2024-01-02;5010;100;4711;1,00;a\n2024-01-03;5010;100;4711;2,00;{long_text}\n2024-01-04;5010;100;4711;4,00;c\n2024-13-01;5010;100;4711;1,00;fel\n"
    );
    let whole = held(&text, 1, u64::MAX);
    assert!(
        whole.contains("row on line 205"),
        "the bad date is on line 205: {whole}"
    );
    assert_same(&held(&text, 2, 1), &whole, "held");
    #[cfg(feature = "fs")]
    assert_same(
        &streamed(&text, 4, 1),
        &streamed(&text, 1, u64::MAX),
        "streamed",
    );
}

/// A byte that is not UTF-8 in a later part stops the import where one
/// reading would, with the same line and excerpt.
#[test]
#[cfg(feature = "fs")]
fn a_byte_that_is_not_utf8_in_a_later_part_is_reported_as_by_one_reading() {
    let rows: Vec<TestRow> = (0..200)
        .map(|i| TestRow::Cost {
            day: i,
            account: "5010",
            responsibility: "100",
            project: "4711",
            ore: 100,
            text: "Lön",
        })
        .collect();
    let mut bytes = export_text(&rows, true).into_bytes();
    let at = bytes.len() * 3 / 4;
    let at = at + bytes[at..].iter().position(|&b| b == b';').unwrap() + 1;
    bytes.insert(at, 0xFF);
    let whole = streamed_bytes(&bytes, 1, u64::MAX);
    assert!(whole.contains("is not valid UTF-8"), "{whole}");
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    assert!(whole.contains(&format!("line: {line},")), "{whole}");
    for parts in [2, 3, 5] {
        assert_same(&streamed_bytes(&bytes, parts, 1), &whole, "streamed");
    }
}

/// Line numbers count physical lines, with CRLF line ends and quoted
/// line breaks, in every part.
#[test]
#[cfg(feature = "fs")]
fn line_numbers_are_those_of_the_file_with_crlf_and_quoted_line_breaks() {
    let text = format!(
        "{HEADER}\r\n2024-01-02;5010;100;4711;1,00;\"a\r\nb\"\r\n\r\n2024-13-01;5010;100;4711;1,00;fel\r\n2024-01-04;5010;100;4711;4,00;c\r\n2024-01-05;5010;100;4711;1.00;fel\r\n"
    );
    for parts in [1, 2, 3] {
        let got = streamed(&text, parts, 1);
        assert!(
            got.contains("row on line 5 of ledger `huvudbok`: date"),
            "{got}"
        );
        assert!(
            got.contains("row on line 7 of ledger `huvudbok`: amount"),
            "{got}"
        );
    }
}

/// Regression: two rows of some 10^26 kronor each summed to more than
/// `Decimal` holds at two decimals, and its addition then silently drops
/// the decimals (found 2026-11-22 while moving sums to öre). Amounts above
/// the row limit are now malformed rows; up to it, sums are exact.
#[test]
fn amounts_up_to_the_limit_sum_exactly_and_larger_ones_are_malformed() {
    let text = format!(
        "{HEADER}\n2024-01-02;5010;100;4711;999 999 999 999 999,99;a\n2024-01-02;5010;100;4711;999 999 999 999 999,99;b\n2024-01-02;5010;100;4711;0,01;c\n2024-01-03;5010;100;4711;1 000 000 000 000 000,01;d\n"
    );
    let (sources, id) = sources_with(&text);
    let validation = validate(&sources);
    let import = import(&validation.portfolio.ledgers[0], &sources, id);
    let summary = &import.summary;
    assert_eq!(summary.rows_mapped, 3);
    assert_eq!(summary.rows_malformed, 1);
    assert_eq!(
        summary.sum_mapped,
        "1999999999999999.99".parse::<Decimal>().unwrap()
    );
    assert!(summary.reconciles());
    assert!(
        import.diagnostics[0]
            .message
            .contains("is larger than a ledger row can be (at most 1 000 000 000 000 000 kr)"),
        "{:?}",
        import.diagnostics
    );
}
