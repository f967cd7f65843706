//! Broken, odd and hostile input: each case asserts the exact diagnostic
//! (code, line, column) or the exact outcome, never just "no panic".
//! Together with the one-per-code fixtures in tests/fixtures/diagnostics
//! this is the bad-input corpus (docs/format.md, "Limits and bad input").

use std::path::{Path, PathBuf};
use std::process::Command;

use insats::{Code, SourceFile, SourceSet};
use rust_decimal::Decimal;

/// The clean plan every case starts from.
fn base() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/diagnostics/INS302-funding-unallocated/plan.toml"),
    )
    .unwrap()
    .replace("amount = 80_000\nserves", "amount = 100_000\nserves")
}

fn diagnostics(text: &str) -> Vec<(Code, usize, usize)> {
    let mut sources = SourceSet::new();
    sources.add(SourceFile::new("plan.toml", text));
    insats::validate(&sources)
        .diagnostics
        .iter()
        .map(|d| {
            let l = d.location.as_ref();
            (d.code, l.map_or(0, |l| l.line), l.map_or(0, |l| l.column))
        })
        .collect()
}

/// Line and column of the first occurrence of `needle`.
fn at(text: &str, needle: &str) -> (usize, usize) {
    let i = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the case"));
    let line = text[..i].matches('\n').count() + 1;
    let column = text[text[..i].rfind('\n').map_or(0, |n| n + 1)..i]
        .chars()
        .count()
        + 1;
    (line, column)
}

fn case(edit: (&str, &str)) -> String {
    let text = base();
    assert!(text.contains(edit.0), "{:?}", edit.0);
    text.replacen(edit.0, edit.1, 1)
}

#[test]
fn the_base_case_is_clean() {
    assert_eq!(diagnostics(&base()), []);
}

#[test]
fn a_truncated_file_is_a_syntax_error_where_it_ends() {
    let text = base();
    let cut = &text[..text.find("serves = [\"goal\"]").unwrap() + 10];
    assert_eq!(
        diagnostics(cut),
        [(Code::TomlSyntax, at(cut, "serves").0, 11)]
    );
}

#[test]
fn binary_data_in_valid_utf8_is_a_syntax_error() {
    let text = "\u{0}\u{1}\u{7f}binary";
    assert_eq!(diagnostics(text)[0].0, Code::TomlSyntax);
}

#[test]
fn duplicate_keys_and_tables_are_syntax_errors_at_the_second() {
    let text = case((
        "amount = 100_000\nserves",
        "amount = 100_000\namount = 1\nserves",
    ));
    let second = text.find("amount = 1\n").unwrap();
    let (line, _) = at(&text[second..], "amount");
    let line = text[..second].matches('\n').count() + line;
    assert_eq!(diagnostics(&text), [(Code::TomlSyntax, line, 1)]);

    // A second [initiative]: the parser reports the table header and the
    // key it repeats, both syntax errors, the first at the header.
    let text = format!("{}\n[initiative]\nid = \"again\"\n", base());
    let d = diagnostics(&text);
    assert!(d.iter().all(|d| d.0 == Code::TomlSyntax), "{d:?}");
    assert_eq!((d[0].1, d[0].2), (text.lines().count() - 1, 2));
}

/// Regression: `0x10` was quoted as `10`, `1_0.5e3` as `10.5e3`, and
/// `1e400` had no help line. Numbers are quoted as written.
#[test]
fn a_refused_number_is_quoted_as_written_with_help() {
    for (written, code) in [
        ("0x10", Code::InvalidAmount),
        ("0o17", Code::InvalidAmount),
        ("1_0.5e3", Code::InvalidAmount),
        ("1e400", Code::WrongType),
    ] {
        let text = case(("amount = 100_000\n\n", &format!("amount = {written}\n\n")));
        let mut sources = SourceSet::new();
        sources.add(SourceFile::new("plan.toml", text.as_str()));
        let v = insats::validate(&sources);
        let d = &v.diagnostics[0];
        assert_eq!(d.code, code, "{written}");
        if code == Code::InvalidAmount {
            assert!(
                d.message.starts_with(&format!("`{written}` ")),
                "{}",
                d.message
            );
        }
        assert!(
            d.help
                .as_deref()
                .is_some_and(|h| h.starts_with("write an exact decimal")),
            "{written}"
        );
    }
}

#[test]
fn numbers_beyond_exact_decimals_are_refused() {
    let text = case((
        "amount = 100_000\n\n",
        "amount = \"100000000000000000000000000000000\"\n\n",
    ));
    assert_eq!(
        diagnostics(&text),
        [(
            Code::InvalidAmount,
            at(&text, "\"1000000000000").0,
            at(&text, "\"1000000000000").1
        )]
    );
}

#[test]
fn numbers_up_to_ten_to_the_fifteenth_are_taken_and_larger_refused() {
    let limit = "1_000_000_000_000_000";
    let text = base().replace("amount = 100_000", &format!("amount = {limit}"));
    assert_eq!(diagnostics(&text), []);
    let text = base().replace("amount = 100_000", "amount = 1_000_000_000_000_001");
    let first = at(&text, "1_000_000_000_000_001");
    let codes = diagnostics(&text);
    assert_eq!(codes.len(), 2, "{codes:?}");
    assert_eq!(codes[0], (Code::InvalidAmount, first.0, first.1));
    assert_eq!(codes[1].0, Code::InvalidAmount);
}

/// Regression: a line of 7 * 10^28 kr paid by a source with a maximum
/// share made the co-financing check multiply past `Decimal`'s range and
/// panic. Such an amount is now refused where it is written, and at the
/// largest amount taken the check computes.
#[test]
fn a_maximum_share_of_huge_amounts_is_refused_or_computed_never_a_panic() {
    let huge = base()
        .replace(
            "amount = 100_000",
            "amount = 70_000_000_000_000_000_000_000_000_000",
        )
        .replace(
            "kind = \"municipal-budget\"",
            "kind = \"state-grant\"\nmax_share_percent = 90",
        );
    assert_eq!(
        diagnostics(&huge).iter().map(|d| d.0).collect::<Vec<_>>(),
        [Code::InvalidAmount, Code::InvalidAmount]
    );
    let largest = huge.replace(
        "70_000_000_000_000_000_000_000_000_000",
        "1_000_000_000_000_000",
    );
    assert_eq!(
        diagnostics(&largest)
            .iter()
            .map(|d| d.0)
            .collect::<Vec<_>>(),
        [Code::MaxShareExceeded]
    );
}

/// Regression: an improvement of 10^-25 made the cost per improvement
/// divide past `Decimal`'s range and panic in `insats report`.
#[test]
fn an_improvement_too_small_to_divide_by_is_reported_as_none() {
    let text = format!(
        "{}\n[[spending]]\nline = \"team\"\ndate = 2024-03-31\namount = 100_000\n\n\
         [[measurement]]\ntarget = \"goal\"\ndate = 2024-03-31\nvalue = \"50.0000000000000000000000001\"\n",
        base()
    );
    let mut sources = SourceSet::new();
    sources.add(SourceFile::new("plan.toml", text));
    let validation = insats::validate(&sources);
    assert_eq!(
        validation.diagnostics.len(),
        0,
        "{:#?}",
        validation.diagnostics
    );
    let options = insats::report::ReportOptions::as_of("2024-12-31".parse().unwrap());
    let report = insats::report::report(&validation.portfolio, &options);
    assert!(matches!(
        report.targets[0].cost_per_change,
        insats::report::CostPerChange::NoImprovement
    ));
}

#[test]
fn negative_zero_is_zero_not_negative() {
    let text = case(("amount = 100_000\nserves", "amount = -0.0\nserves"));
    // Zero is allowed; the source is then unallocated.
    assert_eq!(
        diagnostics(&text).iter().map(|d| d.0).collect::<Vec<_>>(),
        [Code::FundingUnallocated]
    );
}

/// Regression: `amount = -0` on a cost was read by the one-pass reader as
/// a negative zero, and the report wrote `"-0"` for the money spent.
#[test]
fn a_cost_of_minus_zero_is_reported_as_zero() {
    let text = format!(
        "{}\n[[spending]]\nline = \"team\"\ndate = 2024-03-01\namount = -0\n",
        base()
    );
    let mut sources = SourceSet::new();
    sources.add(SourceFile::new("plan.toml", text));
    let validation = insats::validate(&sources);
    let options = insats::report::ReportOptions::as_of("2024-12-31".parse().unwrap());
    let report = insats::report::report(&validation.portfolio, &options);
    assert_eq!(report.portfolio.spent_to_date.to_string(), "0");
}

#[test]
fn impossible_dates_and_years_are_refused() {
    let text = case(("end = 2024-12-31", "end = 2023-02-30"));
    assert_eq!(diagnostics(&text)[0].0, Code::TomlSyntax);
    for year in ["0000", "9999"] {
        let text = case(("end = 2024-12-31", &format!("end = {year}-12-31")));
        assert_eq!(
            diagnostics(&text),
            [(Code::InvalidDate, at(&text, year).0, at(&text, year).1)],
            "{year}"
        );
    }
}

#[test]
fn ids_with_unicode_look_alikes_are_refused() {
    // A Cyrillic о (U+043E) where the Latin o would be.
    let text = case(("id = \"team\"", "id = \"t\u{43e}am\""));
    assert_eq!(
        diagnostics(&text),
        [(
            Code::InvalidId,
            at(&text, "\"t\u{43e}am\"").0,
            at(&text, "\"t\u{43e}am\"").1
        )]
    );
}

#[test]
fn references_to_themselves_do_not_resolve() {
    let text = case(("funded_by = \"budget\"", "funded_by = \"team\""));
    assert_eq!(
        diagnostics(&text),
        [(
            Code::UnknownReference,
            at(&text, "\"team\"\namount").0,
            at(&text, "\"team\"\namount").1
        )]
    );
    let text = case(("indicator = \"share\"", "indicator = \"goal\""));
    assert_eq!(
        diagnostics(&text),
        [(
            Code::UnknownReference,
            at(&text, "\"goal\"\nscope").0,
            at(&text, "\"goal\"\nscope").1
        )]
    );
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("insats-hardening-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn codes_in(dir: &Path) -> Vec<(Code, String)> {
    let (_, v) = insats::validate_paths(&[dir.to_path_buf()]).unwrap();
    v.diagnostics
        .iter()
        .map(|d| {
            (
                d.code,
                d.location
                    .as_ref()
                    .map(|l| {
                        format!(
                            "{}:{}:{}",
                            l.file.file_name().unwrap().to_string_lossy(),
                            l.line,
                            l.column
                        )
                    })
                    .unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn a_50_mb_string_and_a_million_lines_are_refused_by_the_size_limit() {
    let dir = scratch("huge");
    let huge = format!("{}\nnote = \"{}\"\n", base(), "x".repeat(50 * 1024 * 1024));
    std::fs::write(dir.join("string.toml"), huge).unwrap();
    let mut lines = base();
    for i in 0..1_000_000 {
        lines.push_str(&format!("\n[[line]]\nid = \"l{i}\"\nname = \"L\"\ncategory = \"other\"\nfunded_by = \"budget\"\namount = 1\nserves = [\"goal\"]\n"));
    }
    std::fs::write(dir.join("lines.toml"), lines).unwrap();
    assert_eq!(
        codes_in(&dir),
        [
            (Code::FileTooLarge, "lines.toml:1:1".to_owned()),
            (Code::FileTooLarge, "string.toml:1:1".to_owned())
        ]
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// Regression: a `.toml` link to a device that never ends (its size says
/// 0) was read until memory ran out. It is now refused before it is
/// opened, as a link out of the portfolio (and a device is not a regular
/// file); reading also stops one byte past the limit, for a file that grows
/// while it is read.
#[cfg(unix)]
#[test]
fn a_link_to_an_endless_device_is_refused_not_read_forever() {
    let dir = scratch("endless");
    std::fs::write(dir.join("plan.toml"), base()).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.toml")).unwrap();
    assert_eq!(
        codes_in(&dir),
        [(Code::UnreadableFile, "zero.toml:1:1".to_owned())]
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// A portfolio whose ledger export is `csv` (UTF-8).
fn with_export(name: &str, csv: &str) -> PathBuf {
    let dir = scratch(name);
    let plan = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/ledger/csv-utf8/plan.toml"),
    )
    .unwrap();
    std::fs::write(dir.join("plan.toml"), plan).unwrap();
    std::fs::write(dir.join("huvudbok.csv"), csv).unwrap();
    dir
}

const HEADER: &str = "Datum;Konto;Ansvar;Projekt;Debet;Kredit;Text;Verifikation\n";

#[test]
fn a_ragged_csv_row_is_malformed_at_its_line() {
    let dir = with_export(
        "ragged",
        &format!(
            "{HEADER}2024-01-31;5010;3200;4711;100,00;;Lön;L 1\n2024-02-29;5010;3200;4711;100,00;Lön\n"
        ),
    );
    assert_eq!(
        codes_in(&dir),
        [(Code::LedgerMalformedRow, "huvudbok.csv:3:1".to_owned())]
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_unterminated_quote_is_malformed_not_swallowed_silently() {
    let dir = with_export(
        "quote",
        &format!(
            "{HEADER}2024-01-31;5010;3200;4711;100,00;;\"Lön;L 1\n2024-02-29;5010;3200;4711;100,00;;Lön;L 2\n"
        ),
    );
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    assert_eq!(
        v.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
        [Code::LedgerMalformedRow]
    );
    assert!(v.imports[0].reconciles());
    assert_eq!(v.imports[0].rows_malformed, 1);
    // The message names the quote, not only the count of fields.
    assert!(
        v.diagnostics[0]
            .message
            .contains("a `\"` opens a quoted field that this line does not close"),
        "{}",
        v.diagnostics[0].message
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_formula_in_a_text_cell_is_neutralised_in_csv_output() {
    let dir = scratch("formula");
    std::fs::write(
        dir.join("plan.toml"),
        case(("name = \"Team\"", "name = \"=HYPERLINK(\\\"http://x\\\")\"")),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_insats"))
        .args(["report", "--as-of", "2024-06-30", "--format", "csv"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    // Quoted by the CSV writer because of the quotes, and neutralised.
    assert!(
        text.contains(";\"'=HYPERLINK(\"\"http://x\"\")\";"),
        "{text}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

fn run(args: &[&str], threads: &str) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_insats"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .env("RAYON_NUM_THREADS", threads)
        .args(args)
        .output()
        .unwrap();
    out.stdout
}

#[test]
fn output_is_byte_identical_across_runs_and_thread_counts() {
    for args in [
        &["validate", "--format", "json", "tests/fixtures/diagnostics"][..],
        &["report", "--as-of", "2021-12-31", "--format", "json"][..],
        &[
            "validate",
            "--format",
            "sarif",
            "tests/fixtures/diagnostics",
        ][..],
    ] {
        let one = run(args, "1");
        assert!(!one.is_empty());
        for threads in ["2", "4", "1"] {
            assert!(
                run(args, threads) == one,
                "{args:?} differs with {threads} threads"
            );
        }
    }
}

#[test]
fn json_amounts_survive_a_round_trip_exactly() {
    let (_, v) =
        insats::validate_paths(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("../../initiatives")])
            .unwrap();
    let options = insats::report::ReportOptions::as_of("2021-12-31".parse().unwrap());
    let report = insats::report::report(&v.portfolio, &options);
    let json: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(&report).unwrap()).unwrap();
    for (i, initiative) in report.initiatives.iter().enumerate() {
        for (j, line) in initiative.lines.iter().enumerate() {
            let field = |name: &str| -> Decimal {
                let v = &json["initiatives"][i]["lines"][j][name];
                assert!(v.is_string(), "{name} must be a string, not {v}");
                v.as_str().unwrap().parse().unwrap()
            };
            assert_eq!(field("budget"), line.money.budget);
            assert_eq!(field("planned_to_date"), line.money.planned_to_date);
            assert_eq!(field("spent_to_date"), line.money.spent_to_date);
            assert_eq!(field("forecast"), line.money.forecast);
            assert_eq!(field("variance"), line.money.variance);
        }
    }
    // The model too: every funding amount as written.
    let model: serde_json::Value = serde_json::to_value(&v.portfolio).unwrap();
    for (i, f) in v.portfolio.funding.iter().enumerate() {
        assert_eq!(
            model["funding"][i]["amount"]
                .as_str()
                .unwrap()
                .parse::<Decimal>()
                .unwrap(),
            f.amount.value
        );
    }
}

/// Regression: a header with two `Debet` columns was read from the first,
/// silently; money could come from the wrong column.
#[test]
fn a_profile_column_named_twice_in_the_header_is_an_error() {
    let dir = with_export(
        "twice",
        "Datum;Konto;Ansvar;Projekt;Debet;Kredit;Text;Verifikation;debet\n2024-01-31;5010;3200;4711;100,00;;Lön;L 1;900,00\n",
    );
    assert_eq!(
        codes_in(&dir),
        [(Code::LedgerColumns, "huvudbok.csv:1:1".to_owned())]
    );
    let (_, validation) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let d = &validation.diagnostics[0];
    assert!(
        d.message
            .contains("2 columns named `Debet` (columns 5 and 9)"),
        "{}",
        d.message
    );
    // Nothing was booked from either column.
    assert!(validation.portfolio.imported.is_empty());
    // A column the profile does not name may repeat.
    let dir2 = with_export(
        "twice-unused",
        "Datum;Konto;Ansvar;Projekt;Debet;Kredit;Text;Verifikation;Extra;Extra\n2024-01-31;5010;3200;4711;100,00;;Lön;L 1;a;b\n",
    );
    assert_eq!(codes_in(&dir2), []);
    std::fs::remove_dir_all(dir).unwrap();
    std::fs::remove_dir_all(dir2).unwrap();
}

/// Regression: diagnostics of one file took time in the square of their
/// number (10 000 unknown keys 5 s; a `phasing` of 10^5 keys did not end).
/// Each code is now shown 100 times per file and the rest counted in one
/// more diagnostic where the first of them is; docs/performance.md has the
/// timings and the benchmark.
#[test]
fn thousands_of_one_mistake_are_shown_a_hundred_times_and_counted() {
    let keys: String = (0..20_000)
        .map(|i| format!("unknown_key_{i} = 1\n"))
        .collect();
    let text = base().replacen("[initiative]\n", &format!("[initiative]\n{keys}"), 1);
    let mut sources = SourceSet::new();
    sources.add(SourceFile::new("plan.toml", text.as_str()));
    let v = insats::validate(&sources);
    assert_eq!(v.diagnostics.len(), insats::SHOWN_PER_FILE_AND_CODE + 1);
    assert!(v.diagnostics.iter().all(|d| d.code == Code::UnknownKey));
    let count = &v.diagnostics[insats::SHOWN_PER_FILE_AND_CODE];
    assert!(
        count.message.starts_with("19900 more `INS101` problems"),
        "{}",
        count.message
    );
    // Where the first one not shown is: `unknown_key_100`.
    let first_hidden = at(&text, "unknown_key_100 ");
    let l = count.location.as_ref().unwrap();
    assert_eq!((l.line, l.column), first_hidden);

    // A phasing of many bad years on one line: the columns far into the
    // line are right, and the count follows.
    let years: Vec<String> = (0..5_000)
        .map(|i| format!("\"{}x{i}\" = 1", 2000 + i % 200))
        .collect();
    let text = base().replacen(
        "amount = 100_000\nserves",
        &format!("phasing = {{ {} }}\nserves", years.join(", ")),
        1,
    );
    let mut sources = SourceSet::new();
    sources.add(SourceFile::new("plan.toml", text.as_str()));
    let v = insats::validate(&sources);
    let bad: Vec<_> = v
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::InvalidDate)
        .collect();
    assert_eq!(bad.len(), insats::SHOWN_PER_FILE_AND_CODE + 1);
    // The keys are reported in the order the table sorts them; each one's
    // column is where it stands on the line.
    for d in &bad[..insats::SHOWN_PER_FILE_AND_CODE] {
        let key = d.message.split('`').nth(1).unwrap();
        let l = d.location.as_ref().unwrap();
        assert_eq!(
            (l.line, l.column),
            at(&text, &format!("\"{key}\"")),
            "{key}"
        );
    }
    assert!(
        bad[insats::SHOWN_PER_FILE_AND_CODE]
            .message
            .starts_with("4900 more `INS401` problems")
    );
}

/// A SIE file is held whole while it is read, so it has a limit of its
/// own, below the CSV one; the size is told in bytes where MiB would show
/// the file and the limit as equal. (A sparse file: no disk is used.)
#[test]
fn a_sie_file_over_its_limit_is_refused_before_it_is_read() {
    let dir = scratch("sie-limit");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/ledger/sie-pc8");
    std::fs::copy(fixture.join("plan.toml"), dir.join("plan.toml")).unwrap();
    let file = std::fs::File::create(dir.join("bokforing.se")).unwrap();
    file.set_len(insats::fs::MAX_SIE_FILE_BYTES + 1).unwrap();
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let d = v
        .diagnostics
        .iter()
        .find(|d| d.code == Code::LedgerUnreadable)
        .unwrap_or_else(|| panic!("{:?}", v.diagnostics));
    assert!(
        d.message.contains(
            "it is 67108865 bytes, more than the 67108864 bytes insats reads of a SIE file"
        ),
        "{}",
        d.message
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// Regression: one malformed row of a 1 GiB export was read whole (17 GB
/// and 84 s in the release build); a 10 MB field was kept and printed in
/// full. A row longer than 1 MiB now stops the import at its first line.
#[test]
fn a_row_longer_than_a_mebibyte_stops_the_import_at_its_line() {
    let long = "y".repeat(insats::ledger::MAX_ROW_BYTES + 10);
    let dir = with_export(
        "long-line",
        &format!(
            "{HEADER}2024-01-31;5010;3200;4711;100,00;;Lön;L 1\n2024-01-31;5010;3200;4711;100,00;;{long};L 2\n"
        ),
    );
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let messages: Vec<_> = v
        .diagnostics
        .iter()
        .map(|d| (d.code, d.message.as_str()))
        .collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0].0, Code::LedgerUnreadable);
    assert!(
        messages[0]
            .1
            .contains("the row starting on line 3 is longer than 1 MiB"),
        "{}",
        messages[0].1
    );
    std::fs::remove_dir_all(dir).unwrap();

    // The same over many short lines: a quoted field never closed (or
    // closed a megabyte later) holds them all, and the reader buffered
    // them all (300 MB took 1.1 GB and was booked as one row).
    let lines = "x".repeat(99) + "\n";
    let dir = with_export(
        "long-quoted",
        &format!(
            "{HEADER}2024-01-31;5010;3200;4711;100,00;;Lön;L 1\n2024-01-31;5010;3200;4711;100,00;;\"{}\";L 2\n",
            lines.repeat(11_000)
        ),
    );
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    assert_eq!(v.diagnostics.len(), 1, "{:?}", v.diagnostics);
    assert!(
        v.diagnostics[0]
            .message
            .contains("the row starting on line 3 is longer than 1 MiB"),
        "{}",
        v.diagnostics[0].message
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// What a diagnostic keeps of a row is bounded: an unmapped row's text is
/// listed shortened to 200 characters, and a malformed row's excerpt to
/// 2 000, whatever the row holds.
#[test]
fn long_row_texts_are_shortened_in_notes_and_excerpts() {
    let text = "ö".repeat(500_000);
    let dir = with_export(
        "long-text",
        &format!(
            "{HEADER}2024-01-31;9999;3200;1;100,00;;{text};L 1\n2024-01-31;5010;3200;4711;x;;{text};L 2\n"
        ),
    );
    let (sources, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let unmapped = v
        .diagnostics
        .iter()
        .find(|d| d.code == Code::LedgerUnmappedRows)
        .unwrap();
    let note = &unmapped.notes[0];
    assert_eq!(note.chars().filter(|&c| c == 'ö').count(), 200, "{note}");
    assert!(note.ends_with('…'), "{note}");
    let export = sources
        .iter()
        .find(|(_, f)| f.path.ends_with("huvudbok.csv"))
        .unwrap()
        .1;
    assert!(!export.excerpts.is_empty());
    for e in &export.excerpts {
        assert!(e.text.chars().count() <= 2001, "{}", e.text.len());
    }
    std::fs::remove_dir_all(dir).unwrap();
}
