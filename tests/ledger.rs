//! Ledger imports: every row accounted for, control totals that reconcile,
//! and Swedish number and text conventions that survive each encoding.

use std::path::{Path, PathBuf};

use insats::ledger::ImportSummary;
use rust_decimal::Decimal;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/ledger")
        .join(name)
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn import(name: &str) -> (insats::Validation, ImportSummary) {
    let (_, v) = insats::validate_paths(&[fixture(name)]).unwrap();
    let summary = v.imports.first().cloned().expect("one import");
    (v, summary)
}

#[test]
fn a_utf8_csv_with_debit_and_credit_columns_imports_exactly() {
    let (v, s) = import("csv-utf8");
    assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
    assert_eq!(
        (
            s.rows_read,
            s.rows_mapped,
            s.rows_unmapped,
            s.rows_malformed
        ),
        (6, 6, 0, 0)
    );
    // 50 000 + 50 000 (no-break space) - 1 234,50 (credit) + 12 345,67
    // - 500 (U+2212 minus) + 1 000.
    assert_eq!(s.sum_read, dec("111611.17"));
    assert_eq!(s.sum_mapped, dec("111611.17"));
    assert!(s.reconciles());
    let per_line: Vec<(&str, usize, Decimal)> = s
        .per_line
        .iter()
        .map(|t| (t.line.as_str(), t.rows, t.sum))
        .collect();
    assert_eq!(
        per_line,
        [("team", 2, dec("100000")), ("material", 4, dec("11611.17"))]
    );

    // Booked per line and day: the two rows of 2024-03-15 are one day's
    // total (12 345,67 - 1 234,50), and the compact date 20240229 is read.
    assert_eq!(
        days(&v, "team"),
        ["2024-01-31: 50000.00 (1)", "2024-02-29: 50000.00 (1)"]
    );
    assert_eq!(
        days(&v, "material"),
        [
            "2024-03-15: 11111.17 (2)",
            "2024-03-16: -500.00 (1)",
            "2024-03-17: 1000.00 (1)"
        ]
    );

    // Texts survive, quoting included: with no rule matching, every row is
    // listed as unmapped with its text.
    let csv = std::fs::read(fixture("csv-utf8").join("huvudbok.csv")).unwrap();
    let texts = unmapped_texts(
        "columns = { date = \"Datum\", debit = \"Debet\", credit = \"Kredit\", project = \"Projekt\", text = \"Text\" }",
        &csv,
        "utf8-texts",
    );
    assert!(
        texts.contains(&"Förbrukningsinventarier åäö".to_owned()),
        "{texts:?}"
    );
    assert!(texts.contains(&"Text med \"citat\" och ; semikolon".to_owned()));
}

/// The day totals booked on `line`: `date: sum (rows)`.
fn days(v: &insats::Validation, line: &str) -> Vec<String> {
    v.portfolio
        .imported
        .iter()
        .filter(|c| c.line.value == line)
        .flat_map(|c| c.days.iter())
        .map(|d| format!("{}: {} ({})", d.date, d.amount, d.rows))
        .collect()
}

/// Imports `csv` with `profile` and a rule for project 4711, after moving
/// every row to project 9999, and returns the unmapped rows' texts.
fn unmapped_texts(profile: &str, csv: &[u8], tag: &str) -> Vec<String> {
    let moved: Vec<u8> = csv
        .windows(6)
        .position(|w| w == b";4711;")
        .map(|_| {
            let text = csv.to_vec();
            let mut out = Vec::with_capacity(text.len());
            let mut i = 0;
            while i < text.len() {
                if text[i..].starts_with(b";4711;") {
                    out.extend_from_slice(b";9999;");
                    i += 6;
                } else {
                    out.push(text[i]);
                    i += 1;
                }
            }
            out
        })
        .unwrap_or_else(|| csv.to_vec());
    let dir = portfolio_with(profile, &moved, tag);
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let s = &v.imports[0];
    assert_eq!(s.rows_mapped, 0, "{s:#?}");
    s.unmapped.iter().filter_map(|r| r.text.clone()).collect()
}

#[test]
fn a_windows_1252_csv_keeps_its_swedish_letters() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/diagnostics/INS707-ledger-unmapped-rows");
    let (_, v) = insats::validate_paths(&[dir]).unwrap();
    let s = &v.imports[0];
    assert_eq!((s.rows_read, s.rows_mapped, s.rows_unmapped), (5, 4, 1));
    // 50 000 + 50 000 - 1 234,50 + 12 345,67 mapped, 2 000 unmapped.
    assert_eq!(
        (s.sum_read, s.sum_mapped, s.sum_unmapped),
        (dec("113111.17"), dec("111111.17"), dec("2000"))
    );
    assert!(s.reconciles());
    assert_eq!(s.unmapped.len(), 1);
    assert_eq!(s.unmapped[0].line, 6);
    let csv = std::fs::read(dir_of("INS707-ledger-unmapped-rows").join("huvudbok.csv")).unwrap();
    let texts = unmapped_texts(
        "encoding = \"windows-1252\"\ncolumns = { date = \"Datum\", amount = \"Belopp\", project = \"Projekt\", text = \"Text\" }",
        &csv,
        "windows-1252",
    );
    assert!(texts.contains(&"Lön januari".to_owned()), "{texts:?}");
    assert!(texts.contains(&"Kreditnota förbrukningsmaterial".to_owned()));
}

fn dir_of(fixture: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/diagnostics")
        .join(fixture)
}

#[test]
fn a_sie_file_in_code_page_437_imports_its_cost_rows() {
    let (v, s) = import("sie-pc8");
    // Eight #TRANS rows: three costs of project 4711, one of another
    // project, and four counter-entries on bank and supplier accounts.
    assert_eq!(s.rows_read, 8);
    assert_eq!((s.rows_mapped, s.rows_unmapped, s.rows_balance), (3, 1, 4));
    assert_eq!(s.sum_mapped, dec("112345.67"));
    assert_eq!(s.sum_unmapped, dec("2000"));
    assert_eq!(s.sum_balance, dec("-114345.67"));
    assert!(s.reconciles());
    assert_eq!(
        days(&v, "team"),
        ["2024-01-31: 50000.00 (1)", "2024-02-29: 50000.00 (1)"]
    );
    assert_eq!(days(&v, "material"), ["2024-03-15: 12345.67 (1)"]);
    // Code page 437 decoded: the voucher text of the unmapped row.
    assert_eq!(s.unmapped[0].text.as_deref(), Some("Annat projekt"));
    assert_eq!(s.unmapped[0].line, 32);
    // Exactly the one unmapped row is reported.
    let codes: Vec<&str> = v.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["INS707"]);
}

#[test]
fn excluded_rows_are_counted_but_not_warned_about() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../initiatives");
    let (_, v) = insats::validate_paths(&[dir]).unwrap();
    assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
    let sie = v
        .imports
        .iter()
        .find(|s| s.ledger == "borlange-sie-2018")
        .unwrap();
    assert_eq!(
        (sie.rows_excluded, sie.sum_excluded, sie.rows_unmapped),
        (1, dec("45000"), 0)
    );
    assert!(sie.reconciles());
    // Four quarters of two teams' salaries and five cooperation invoices.
    assert_eq!(sie.rows_mapped, 13);
    assert_eq!(
        sie.sum_mapped,
        dec("7860000") + dec("856889") + dec("530000")
    );
}

#[test]
fn imported_spending_reaches_the_report() {
    let (v, _) = import("sie-pc8");
    let options = insats::report::ReportOptions::as_of("2024-12-31".parse().unwrap());
    let r = insats::report::report(&v.portfolio, &options);
    let spent: Vec<(&str, Decimal)> = r.initiatives[0]
        .lines
        .iter()
        .map(|l| (l.id.as_str(), l.money.spent_to_date))
        .collect();
    assert_eq!(
        spent,
        [("team", dec("100000")), ("material", dec("12345.67"))]
    );
}

/// Each kind of row that goes wrong is counted as that kind, with its sum,
/// and nothing else moves: `reconciles()` alone would hold even if a
/// malformed row were counted as unmapped, or an ambiguous one as mapped.
#[test]
fn every_row_is_accounted_for_when_rows_go_wrong() {
    // (fixture, read, mapped, sum mapped, malformed, ambiguous, sum
    // ambiguous, duplicate, sum duplicate). The export's rows: 50 000,
    // 50 000, -1 234,50 and 12 345,67 (together 111 111,17), and then one
    // more row that goes wrong.
    let cases = [
        // "50.000,00" is not in the export's number style: malformed.
        (
            "INS704-ledger-malformed-row",
            5,
            4,
            "111111.17",
            1,
            0,
            "0",
            0,
            "0",
        ),
        // The two 5460 rows match rules for two lines (5* and 54*).
        (
            "INS705-ledger-ambiguous-row",
            4,
            2,
            "100000.00",
            0,
            2,
            "11111.17",
            0,
            "0",
        ),
        // L 1 booked twice: the copy is a duplicate.
        (
            "INS706-ledger-duplicate-row",
            5,
            4,
            "111111.17",
            0,
            0,
            "0",
            1,
            "50000.00",
        ),
    ];
    for (
        name,
        read,
        mapped,
        sum_mapped,
        malformed,
        ambiguous,
        sum_ambiguous,
        duplicate,
        sum_duplicate,
    ) in cases
    {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/diagnostics")
            .join(name);
        let (_, v) = insats::validate_paths(&[dir]).unwrap();
        let s = &v.imports[0];
        let got = (
            s.rows_read,
            s.rows_mapped,
            s.sum_mapped,
            s.rows_malformed,
            s.rows_ambiguous,
            s.sum_ambiguous,
            s.rows_duplicate,
            s.sum_duplicate,
            s.rows_unmapped,
            s.rows_excluded,
        );
        let expected = (
            read,
            mapped,
            dec(sum_mapped),
            malformed,
            ambiguous,
            dec(sum_ambiguous),
            duplicate,
            dec(sum_duplicate),
            0,
            0,
        );
        assert_eq!(got, expected, "{name}");
        assert!(s.reconciles(), "{name}: {s:#?}");
    }
}

/// The control totals an auditor reads, on the shipped portfolio where
/// rows are excluded and an SIE file has balance rows: each label beside
/// its own figures, in both languages and in Markdown.
#[test]
fn control_totals_label_every_kind_of_row() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_insats"))
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
            .args(["--color", "never", "ledger"])
            .args(args)
            .arg("initiatives")
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    // Each table row of one import, without the ledger and file columns,
    // with the no-break spaces between digit groups read as spaces.
    let rows_of = |text: &str, ledger: &str, sep: &[char]| -> Vec<String> {
        text.lines()
            .filter(|l| l.contains(ledger))
            .map(|l| {
                let cells: Vec<&str> = l
                    .split(sep)
                    .map(|c| c.trim())
                    .filter(|c| !c.is_empty())
                    .collect();
                cells[2..].join(" | ").replace('\u{a0}', " ")
            })
            .collect()
    };
    let expected_sv = [
        "lästa | 28 | 9 291 889,00 kr",
        "bokförda på budgetpost | 13 | 9 246 889,00 kr",
        "inbetalningar från finansiär | 0 | 0,00 kr",
        "utan regel | 0 | 0,00 kr",
        "undantagna | 1 | 45 000,00 kr",
        "tvetydiga | 0 | 0,00 kr",
        "dubbletter | 0 | 0,00 kr",
        "felaktiga | 0 | –",
        "balansrader (SIE) | 14 | -9 291 889,00 kr",
        "överhoppade enligt regel | 0 | –",
    ];
    let table = run(&[]);
    let control = &table[..table.find("Per budgetpost").unwrap()];
    assert_eq!(
        rows_of(control, "borlange-sie-2018", &['│', '┆']),
        expected_sv,
        "{table}"
    );
    let english = run(&["--lang", "en"]);
    let control = &english[..english.find("Per budget line").unwrap()];
    let english_rows = rows_of(control, "borlange-sie-2018", &['│', '┆']);
    assert_eq!(english_rows[4], "excluded | 1 | 45,000.00 SEK");
    assert_eq!(
        english_rows[8],
        "balance rows (SIE) | 14 | -9,291,889.00 SEK"
    );
    assert_eq!(english_rows[9], "skipped by a rule | 0 | –");
    assert_eq!(english_rows[2], "payments from a funder | 0 | 0.00 SEK");

    let markdown = run(&["--format", "markdown"]);
    let control = &markdown[..markdown.find("Per budgetpost").unwrap()];
    assert_eq!(
        rows_of(control, "borlange-sie-2018", &['|']),
        expected_sv,
        "{markdown}"
    );
    // Read as CommonMark with tables: the control totals and the lines
    // are two tables, not one swallowing the other.
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let events: Vec<Event> = Parser::new_ext(&markdown, Options::ENABLE_TABLES).collect();
    let count = |wanted: fn(&Tag) -> bool| {
        events
            .iter()
            .filter(|e| matches!(e, Event::Start(tag) if wanted(tag)))
            .count()
    };
    assert_eq!(count(|t| matches!(t, Tag::Table(_))), 2, "{markdown}");

    // CSV: exact sums, one row per kind of row, label beside its figures.
    let csv = run(&["--format", "csv"]);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["Reskontra", "Fil", "Slag av rader", "Rader", "Summa"]
    );
    let borlange: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect::<Vec<_>>())
        .filter(|r| r[0] == "borlange-sie-2018")
        .map(|r| r[2..].to_vec())
        .collect();
    assert_eq!(
        borlange,
        [
            ["lästa", "28", "9291889"],
            ["bokförda på budgetpost", "13", "9246889"],
            ["inbetalningar från finansiär", "0", "0"],
            ["utan regel", "0", "0"],
            ["undantagna", "1", "45000"],
            ["tvetydiga", "0", "0"],
            ["dubbletter", "0", "0"],
            ["felaktiga", "0", ""],
            ["balansrader (SIE)", "14", "-9291889"],
            ["överhoppade enligt regel", "0", ""],
        ]
    );
}

#[test]
fn a_ledger_outside_the_portfolio_is_refused() {
    let dir = std::env::temp_dir().join(format!("insats-escape-{}", std::process::id()));
    let plans = dir.join("plans");
    std::fs::create_dir_all(&plans).unwrap();
    std::fs::write(dir.join("secret.csv"), "Datum;Belopp\n2024-01-01;1\n").unwrap();
    let plan = std::fs::read_to_string(fixture("csv-utf8").join("plan.toml"))
        .unwrap()
        .replace("\"huvudbok.csv\"", "\"../secret.csv\"");
    std::fs::write(plans.join("plan.toml"), plan).unwrap();
    let (_, v) = insats::validate_paths(&[plans]).unwrap();
    let d = v
        .diagnostics
        .iter()
        .find(|d| d.code.as_str() == "INS701")
        .expect("INS701");
    assert!(d.message.contains("outside the portfolio"), "{}", d.message);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn control_totals_as_a_table() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_insats"))
        .current_dir(fixture(""))
        .args(["--color", "never", "ledger", "csv-utf8"])
        .output()
        .unwrap();
    assert!(out.status.success());
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

/// Writes a copy of the csv-utf8 plan with another profile and export.
fn portfolio_with(profile: &str, csv: &[u8], tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("insats-style-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plan = std::fs::read_to_string(fixture("csv-utf8").join("plan.toml")).unwrap();
    let head = &plan[..plan.find("[[ledger]]").unwrap()];
    let plan = format!(
        "{head}[[ledger]]\nid = \"export\"\nfile = \"export.csv\"\nformat = \"csv\"\n{profile}\n\n[[ledger.map]]\nline = \"team\"\nproject = \"4711\"\n"
    );
    std::fs::write(dir.join("plan.toml"), plan).unwrap();
    std::fs::write(dir.join("export.csv"), csv).unwrap();
    dir
}

#[test]
fn each_number_style_reads_the_same_amounts() {
    let styles: [(&str, &str, &[u8]); 3] = [
        (
            "dot",
            "thousands = \"dot\"\ncolumns = { date = \"Datum\", amount = \"Belopp\", project = \"Projekt\" }",
            "Datum;Projekt;Belopp\n2024-01-31;4711;1.234,50\n2024-02-29;4711;-12.000,00\n2024-03-31;4711;100.000\n".as_bytes(),
        ),
        (
            "point",
            "delimiter = \",\"\ndecimal = \"point\"\nthousands = \"none\"\ncolumns = { date = \"date\", amount = \"amount\", project = \"project\" }",
            b"date,project,amount\n20240131,4711,1234.50\n20240229,4711,-12000.00\n20240331,4711,100000\n",
        ),
        (
            "space-utf8-no-bom",
            "columns = { date = \"Datum\", amount = \"Belopp\", project = \"Projekt\" }",
            "Datum;Projekt;Belopp\n2024-01-31;4711;1 234,50\n2024-02-29;4711;\u{2212}12 000,00\n2024-03-31;4711;100\u{202f}000\n".as_bytes(),
        ),
    ];
    for (tag, profile, csv) in styles {
        let dir = portfolio_with(profile, csv, tag);
        let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
        assert!(v.diagnostics.is_empty(), "{tag}: {:#?}", v.diagnostics);
        let s = &v.imports[0];
        assert_eq!((s.rows_mapped, s.sum_mapped), (3, dec("89234.50")), "{tag}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}

const PLAIN_PROFILE: &str =
    "columns = { date = \"Datum\", amount = \"Belopp\", project = \"Projekt\", text = \"Text\" }";

/// An export of `rows` rows of 100,00 kr on project 4711 (the `team` line),
/// each with its own text, with `edit` applied to the rows.
fn export(rows: usize, edit: impl Fn(usize, String) -> String) -> Vec<u8> {
    let mut csv = String::from("Datum;Projekt;Belopp;Text\n");
    for i in 0..rows {
        let row = format!(
            "2024-{:02}-{:02};4711;100,00;Rad {i}",
            i % 12 + 1,
            i % 28 + 1
        );
        csv.push_str(&edit(i, row));
        csv.push('\n');
    }
    csv.into_bytes()
}

#[test]
fn a_large_export_streams_with_exact_lines_and_excerpts() {
    // About 2.6 MB, more than the importer keeps of recent text, with a
    // malformed row deep inside and a copy of an early row at the end.
    let rows = 60_000;
    let csv = export(rows, |i, row| match i {
        49_999 => "2024-05-05;4711;1.000,00;Fel".to_owned(),
        59_999 => "2024-10-10;4711;100,00;Rad 9".to_owned(),
        _ => row,
    });
    let dir = portfolio_with(PLAIN_PROFILE, &csv, "large");
    let (sources, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let s = &v.imports[0];
    assert!(s.reconciles(), "{s:#?}");
    assert_eq!(
        (
            s.rows_read,
            s.rows_mapped,
            s.rows_malformed,
            s.rows_duplicate
        ),
        (rows, rows - 2, 1, 1)
    );
    assert_eq!(s.sum_mapped, Decimal::from(100) * Decimal::from(rows - 2));

    // The header is line 1, so row i is on line i + 2.
    let found: Vec<(&str, usize)> = v
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.location.as_ref().unwrap().line))
        .collect();
    assert_eq!(found, [("INS704", 50_001), ("INS706", 60_001)]);
    // The whole row is marked: from column 1 to just after its last
    // character ("2024-05-05;4711;1.000,00;Fel" is 28).
    let malformed = v.diagnostics[0].location.as_ref().unwrap();
    assert_eq!((malformed.column, malformed.end_column), (1, 29));
    let duplicate = &v.diagnostics[1];
    assert_eq!(duplicate.related[0].location.line, 11);

    // The export is not kept, only the rows the diagnostics show.
    let file = sources
        .iter()
        .map(|(_, f)| f)
        .find(|f| f.path.ends_with("export.csv"))
        .unwrap();
    assert!(file.text.is_empty());
    let excerpts: Vec<(usize, &str)> = file
        .excerpts
        .iter()
        .map(|e| (e.line, e.text.as_str()))
        .collect();
    assert_eq!(
        excerpts,
        [
            (11, "2024-10-10;4711;100,00;Rad 9"),
            (50_001, "2024-05-05;4711;1.000,00;Fel"),
            (60_001, "2024-10-10;4711;100,00;Rad 9"),
        ]
    );
    // Each excerpt starts at its row's byte offset in the file.
    for e in &file.excerpts {
        assert_eq!(
            &csv[e.byte_start..e.byte_start + e.text.len()],
            e.text.as_bytes()
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_windows_line_ending_export_has_the_same_lines() {
    let csv =
        b"Datum;Projekt;Belopp;Text\r\n2024-01-31;4711;100,00;A\r\n2024-02-30;4711;100,00;B\r\n";
    let dir = portfolio_with(PLAIN_PROFILE, csv, "crlf");
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let d = &v.diagnostics[0];
    assert_eq!(d.code.as_str(), "INS704");
    let at = d.location.as_ref().unwrap();
    let third_row = "Datum;Projekt;Belopp;Text\r\n2024-01-31;4711;100,00;A\r\n".len();
    assert_eq!((at.line, at.column, at.byte_start), (3, 1, third_row));
    assert_eq!(
        at.byte_end - at.byte_start,
        "2024-02-30;4711;100,00;B".len()
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn rows_of_a_kind_beyond_fifty_are_counted_in_one_more_diagnostic() {
    // Rows 0-59 repeat rows 60-119: sixty duplicates.
    let csv = export(120, |i, _| {
        format!("2024-01-{:02};4711;100,00;Rad {}", i % 60 % 28 + 1, i % 60)
    });
    let dir = portfolio_with(PLAIN_PROFILE, &csv, "many-duplicates");
    let (sources, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let s = &v.imports[0];
    assert_eq!((s.rows_mapped, s.rows_duplicate), (60, 60));
    assert!(s.reconciles());
    // A copy is taken back from what it was first booked as: the line
    // keeps 60 rows of 100,00, in its control totals and in its spending.
    let per_line: Vec<(&str, usize, Decimal)> = s
        .per_line
        .iter()
        .map(|t| (t.line.as_str(), t.rows, t.sum))
        .collect();
    assert_eq!(per_line, [("team", 60, dec("6000"))]);
    let (rows, spent) = v
        .portfolio
        .imported
        .iter()
        .flat_map(|c| &c.days)
        .fold((0, Decimal::ZERO), |(n, sum), d| {
            (n + d.rows, sum + d.amount)
        });
    assert_eq!((rows, spent), (60, dec("6000")));
    let duplicates: Vec<&str> = v
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "INS706")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(duplicates.len(), 51);
    assert!(
        duplicates
            .iter()
            .any(|m| m.starts_with("10 more duplicate rows")),
        "{duplicates:?}"
    );
    // Only the rows shown are kept: each reported copy and its first.
    let kept = sources
        .iter()
        .map(|(_, f)| f)
        .find(|f| f.path.ends_with("export.csv"))
        .map_or(0, |f| f.excerpts.len());
    assert_eq!(kept, 100);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_copy_of_an_unmapped_row_is_counted_once_as_unmapped() {
    let csv = b"Datum;Projekt;Belopp;Text\n2024-01-31;9999;100,00;Annat\n2024-01-31;4711;50,00;Team\n2024-01-31;9999;100,00;Annat\n";
    let dir = portfolio_with(PLAIN_PROFILE, csv, "unmapped-copy");
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let s = &v.imports[0];
    assert!(s.reconciles(), "{s:#?}");
    assert_eq!(
        (s.rows_unmapped, s.rows_duplicate, s.rows_mapped),
        (1, 1, 1)
    );
    assert_eq!((s.sum_unmapped, s.sum_duplicate), (dec("100"), dec("100")));
    assert_eq!(s.unmapped.len(), 1);
    assert_eq!(s.unmapped[0].line, 2);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn imported_costs_outside_a_window_are_reported_once_at_the_mapping_rule() {
    let csv = b"Datum;Projekt;Belopp;Text\n2024-06-30;4711;100,00;In\n2024-07-01;4711;200,00;Ut\n2024-08-15;4711;300,00;Ut\n";
    let dir = portfolio_with(PLAIN_PROFILE, csv, "window");
    let plan = std::fs::read_to_string(dir.join("plan.toml"))
        .unwrap()
        .replace(
            "amount = 1_000_000\n",
            "amount = 1_000_000\nwindow = { start = 2024-01-01, end = 2024-06-30 }\n",
        );
    std::fs::write(dir.join("plan.toml"), &plan).unwrap();
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let found: Vec<&insats::Diagnostic> = v
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "INS406")
        .collect();
    assert_eq!(found.len(), 1, "{:#?}", v.diagnostics);
    assert_eq!(
        found[0].message,
        "2 rows of ledger `export` booked on `team` from 2024-07-01 to 2024-08-15 (500 kr) fall outside the window of `budget` (2024-01-01 to 2024-06-30)"
    );
    // At the mapping rule's `line = "team"`.
    let at = found[0].location.as_ref().unwrap();
    let rule_line = plan.lines().position(|l| l == "line = \"team\"").unwrap() + 1;
    assert!(at.file.ends_with("plan.toml"));
    assert_eq!(at.line, rule_line);
    std::fs::remove_dir_all(dir).unwrap();
}

/// Found by `cargo fuzz run ledger_csv`: an amount of forty digits
/// overflowed the fast amount reader (a panic where overflow is checked, as
/// in this test build). It is a malformed row, reported at its line.
#[test]
fn an_amount_longer_than_a_decimal_is_a_malformed_row() {
    let csv = format!(
        "Datum;Projekt;Belopp;Text\n2024-01-31;4711;{};Lång\n2024-01-31;4711;100,00;Kort\n",
        "9".repeat(40)
    );
    let dir = portfolio_with(PLAIN_PROFILE, csv.as_bytes(), "long-amount");
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let s = &v.imports[0];
    assert!(s.reconciles(), "{s:#?}");
    assert_eq!((s.rows_malformed, s.rows_mapped), (1, 1));
    let d = &v.diagnostics[0];
    assert_eq!(d.code.as_str(), "INS704");
    assert_eq!(d.location.as_ref().unwrap().line, 2);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_first_thousand_unmapped_rows_are_listed_and_all_are_counted() {
    // 1 001 rows on a project no rule names.
    let csv = export(1001, |_, row| row.replace(";4711;", ";9999;"));
    let dir = portfolio_with(PLAIN_PROFILE, &csv, "unmapped-many");
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let s = &v.imports[0];
    assert_eq!(s.rows_unmapped, 1001);
    assert_eq!(s.sum_unmapped, dec("100100"));
    assert_eq!(s.unmapped.len(), insats::ledger::UNMAPPED_KEPT);
    assert_eq!(s.unmapped.len(), 1000);
    assert_eq!(s.unmapped[999].line, 1001, "the first 1 000, in file order");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn exactly_fifty_rows_of_a_kind_are_all_shown_with_no_count_of_more() {
    // Rows 0-49 repeat rows 50-99: fifty duplicates, each shown.
    let csv = export(100, |i, _| {
        format!("2024-01-{:02};4711;100,00;Rad {}", i % 50 % 28 + 1, i % 50)
    });
    let dir = portfolio_with(PLAIN_PROFILE, &csv, "fifty-duplicates");
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let messages: Vec<&str> = v
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "INS706")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(messages.len(), 50, "{messages:?}");
    assert!(!messages.iter().any(|m| m.contains("more duplicate rows")));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_unmapped_rows_listed_in_the_diagnostic_are_twenty_and_a_count_of_the_rest() {
    for (rows, more) in [(20, None), (21, Some("and 1 more rows"))] {
        let csv = export(rows, |_, row| row.replace(";4711;", ";9999;"));
        let dir = portfolio_with(PLAIN_PROFILE, &csv, &format!("unmapped-{rows}"));
        let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
        let d = v
            .diagnostics
            .iter()
            .find(|d| d.code.as_str() == "INS707")
            .expect("INS707");
        let more_notes: Vec<&String> = d.notes.iter().filter(|n| n.contains("more rows")).collect();
        assert_eq!(
            more_notes.first().map(|n| n.as_str()),
            more,
            "{rows} rows: {:?}",
            d.notes
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}

/// The control totals in an 80-column terminal: a table with the ledger,
/// the kind of row, its count and its sum (the file's path, the column a
/// narrow terminal can spare, is left out), every line within 80.
#[test]
fn control_totals_fit_80_columns() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_insats"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .env("COLUMNS", "80")
        .args(["--color", "never", "ledger", "initiatives"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "{line}");
    }
    insta::assert_snapshot!(text);
}

/// Ambiguous rows are grouped by the lines whose rules they match; a copy of
/// one is a duplicate, taken out of the group as it is out of the sums.
#[test]
fn ambiguous_rows_are_one_diagnostic_per_set_of_lines_without_their_copies() {
    // Rows 2, 3 and 5 match rules of both lines; row 4 repeats row 3
    // exactly; row 6 is another project and is unmapped.
    let csv = b"Datum;Projekt;Belopp;Text\n2024-02-01;4711;10,50;a\n2024-03-01;4711;20,25;b\n2024-03-01;4711;20,25;b\n2024-04-30;4712;1 000,00;c\n2024-05-01;4700;5,00;d\n";
    let dir = portfolio_with(PLAIN_PROFILE, csv, "ambiguous-groups");
    let plan = std::fs::read_to_string(dir.join("plan.toml")).unwrap();
    // A second rule for `team` takes project 4712: row 5 matches it and the
    // rule of `material`, other rules than rows 2 and 3 match but of the
    // same two lines, so it is in their group: the set of lines is the
    // group, not the set of rules.
    let plan = format!(
        "{plan}\n[[ledger.map]]\nline = \"material\"\nproject = \"47*\"\n\n[[ledger.map]]\nline = \"team\"\nproject = \"4712\"\n"
    );
    std::fs::write(dir.join("plan.toml"), plan).unwrap();
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let ambiguous: Vec<&str> = v
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "INS705")
        .map(|d| d.message.as_str())
        .collect();
    // 10,50 + 20,25 + 1 000,00 = 1 030,75 kr over three rows: the copy on
    // line 4 is not one of them.
    assert_eq!(
        ambiguous,
        [
            "3 rows of ledger `export` (1 030,75 kr) booked from 2024-02-01 to 2024-04-30 match rules for `team` and `material`; the first is on line 2"
        ],
        "{:#?}",
        v.diagnostics
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// One project export over two periods, and a line for each: the rules'
/// `from` and `until` book each row to its period's line, to the day.
#[test]
fn mapping_rules_with_dates_book_each_period_to_its_line() {
    let csv = b"Datum;Projekt;Belopp;Text\n2024-06-30;4711;100,00;Juni\n2024-07-01;4711;200,00;Juli\n2024-12-31;4711;300,00;December\n";
    let dir = portfolio_with(PLAIN_PROFILE, csv, "dated-rules");
    let plan = std::fs::read_to_string(dir.join("plan.toml")).unwrap();
    let undated = plan.replace(
        "[[ledger.map]]\nline = \"team\"\nproject = \"4711\"\n",
        "[[ledger.map]]\nline = \"team\"\nproject = \"4711\"\n\n[[ledger.map]]\nline = \"material\"\nproject = \"4711\"\n",
    );
    assert_ne!(undated, plan);
    // Without dates every row matches both rules: ambiguous, and the help
    // names the dates as a way out.
    std::fs::write(dir.join("plan.toml"), &undated).unwrap();
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let ambiguous: Vec<&insats::Diagnostic> = v
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "INS705")
        .collect();
    // The three rows match the same two rules: one diagnostic for them,
    // with their count, their sum (100 + 200 + 300) and their dates.
    assert_eq!(ambiguous.len(), 1, "{:#?}", v.diagnostics);
    assert_eq!(
        ambiguous[0].message,
        "3 rows of ledger `export` (600 kr) booked from 2024-06-30 to 2024-12-31 match rules for `team` and `material`; the first is on line 2"
    );
    assert_eq!(ambiguous[0].location.as_ref().map(|l| l.line), Some(2));
    assert_eq!(
        ambiguous[0]
            .related
            .iter()
            .map(|r| r.label.as_str())
            .collect::<Vec<_>>(),
        ["a rule for `team`", "a rule for `material`"]
    );
    assert!(
        ambiguous[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("`from`, `until`")),
        "{:?}",
        ambiguous[0].help
    );
    // With dates, the last day of June goes to `team` and the first of
    // July on to `material`.
    let dated = undated
        .replace(
            "line = \"team\"\nproject = \"4711\"\n",
            "line = \"team\"\nproject = \"4711\"\nuntil = 2024-06-30\n",
        )
        .replace(
            "line = \"material\"\nproject = \"4711\"\n",
            "line = \"material\"\nproject = \"4711\"\nfrom = 2024-07-01\n",
        );
    std::fs::write(dir.join("plan.toml"), &dated).unwrap();
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
    assert_eq!(days(&v, "team"), ["2024-06-30: 100.00 (1)"]);
    assert_eq!(
        days(&v, "material"),
        ["2024-07-01: 200.00 (1)", "2024-12-31: 300.00 (1)"]
    );
    // A rule that ends before it starts is refused at the rule.
    let reversed = dated.replace(
        "until = 2024-06-30\n",
        "from = 2024-06-30\nuntil = 2024-01-01\n",
    );
    std::fs::write(dir.join("plan.toml"), &reversed).unwrap();
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let codes: Vec<&str> = v.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(codes.contains(&"INS402"), "{codes:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// An export that writes its dates day first (`31.03.2024`): read with
/// `date_format = "day-month-year"`, refused with that hint without it.
#[test]
fn an_export_with_day_first_dates_reads_with_its_date_format() {
    let csv =
        b"Datum;Projekt;Belopp;Text\n31.03.2024;4711;100,00;Mars\n1/4/2024;4711;200,00;April\n";
    let dir = portfolio_with(PLAIN_PROFILE, csv, "day-first");
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let malformed: Vec<&insats::Diagnostic> = v
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "INS704")
        .collect();
    assert_eq!(malformed.len(), 2, "{:#?}", v.diagnostics);
    assert!(
        malformed[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("date_format = \"day-month-year\"")),
        "{:?}",
        malformed[0].help
    );
    let plan = std::fs::read_to_string(dir.join("plan.toml")).unwrap();
    let dated = plan.replace(
        "format = \"csv\"\n",
        "format = \"csv\"\ndate_format = \"day-month-year\"\n",
    );
    assert_ne!(dated, plan);
    std::fs::write(dir.join("plan.toml"), dated).unwrap();
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
    assert_eq!(
        days(&v, "team"),
        ["2024-03-31: 100.00 (1)", "2024-04-01: 200.00 (1)"]
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// Payments from funders booked as revenue in the same export: receipt
/// rules read them as received from their sources (a credit is money
/// received, a debit money paid back), a copy is not received twice, and
/// the control totals still reconcile.
#[test]
fn revenue_rows_a_receipt_rule_names_are_payments_from_the_source() {
    let csv = "Datum;Projekt;Belopp;Text\n\
        2024-01-31;4711;100,00;Lön\n\
        2024-03-15;9000;-50 000,00;Bidrag 2024\n\
        2024-03-15;9000;-50 000,00;Bidrag 2024\n\
        2024-06-30;9000;-20 000,00;Bidrag 2024, del 2\n\
        2025-01-10;9000;-30 000,00;Bidrag 2025\n\
        2025-12-01;9000;5 000,00;Återbetalning\n";
    let dir = portfolio_with(PLAIN_PROFILE, csv.as_bytes(), "receipt-rules");
    let plan = std::fs::read_to_string(dir.join("plan.toml")).unwrap();
    let plan = format!(
        "{plan}\n[[ledger.receipt]]\nfunding = \"grant\"\nproject = \"9000\"\nuntil = 2024-12-31\n\n[[ledger.receipt]]\nfunding = \"budget\"\nproject = \"9000\"\nfrom = 2025-01-01\n\n[[funding]]\nid = \"grant\"\nkind = \"state-grant\"\namount = 100_000\n"
    );
    std::fs::write(dir.join("plan.toml"), plan).unwrap();
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let s = &v.imports[0];
    assert!(s.reconciles(), "{s:#?}");
    // Four payment rows (the copy on line 4 is a duplicate): -50 000
    // - 20 000 - 30 000 + 5 000 = -95 000 as booked.
    assert_eq!(
        (
            s.rows_mapped,
            s.rows_received,
            s.rows_duplicate,
            s.rows_unmapped
        ),
        (1, 4, 1, 0)
    );
    assert_eq!(s.sum_received, rust_decimal::Decimal::from(-95_000));
    let receipts: Vec<(&str, String, String, Option<&str>)> = v
        .portfolio
        .receipts
        .iter()
        .map(|r| {
            (
                r.source.value.as_str(),
                r.date.value.to_string(),
                r.amount.normalize().to_string(),
                r.ledger.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        receipts,
        [
            (
                "grant",
                "2024-03-15".to_owned(),
                "50000".to_owned(),
                Some("export")
            ),
            (
                "grant",
                "2024-06-30".to_owned(),
                "20000".to_owned(),
                Some("export")
            ),
            (
                "budget",
                "2025-01-10".to_owned(),
                "30000".to_owned(),
                Some("export")
            ),
            (
                "budget",
                "2025-12-01".to_owned(),
                "-5000".to_owned(),
                Some("export")
            ),
        ]
    );
    // A rule naming a source that does not exist: one error, at the rule.
    let plan = std::fs::read_to_string(dir.join("plan.toml")).unwrap();
    std::fs::write(
        dir.join("plan.toml"),
        plan.replace("funding = \"grant\"", "funding = \"grnat\""),
    )
    .unwrap();
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let unknown: Vec<String> = v
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "INS112")
        .map(|d| d.key_path.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        unknown,
        ["ledger[0].receipt[0].funding"],
        "{:#?}",
        v.diagnostics
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// An export that ends with sum rows: without a rule they are malformed
/// (or worse, booked); `[[ledger.skip]]` marks them as not costs, counted
/// apart, in every part of an export large enough to be read in parts.
#[test]
fn sum_rows_a_skip_rule_names_are_counted_apart_and_never_booked() {
    // Two parts on two cores, as below.
    let rows = 70_000;
    // Every row is 100,00 kr; a subtotal row deep inside (a field fewer,
    // as such rows often have) and two sum rows at the end, one of them with
    // a date and an amount that would be booked without the rule.
    let mut csv = export(rows, |i, row| match i {
        30_000 => format!("SUMMA januari-juni;;3 000 000,00\n{row}"),
        _ => row,
    });
    csv.extend_from_slice(
        b"Summa;4711;6 000 000,00;\n2024-12-31;4711;6 000 000,00;Summa projekt\n",
    );
    let dir = portfolio_with(PLAIN_PROFILE, &csv, "sum-rows");
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let s = &v.imports[0];
    // Without skip rules: the two rows without a date are malformed, the
    // dated sum row is booked as a cost of 6 000 000 kr.
    assert_eq!(
        (s.rows_malformed, s.rows_skipped, s.rows_mapped),
        (2, 0, rows + 1)
    );
    let plan = std::fs::read_to_string(dir.join("plan.toml")).unwrap();
    let skipping = format!(
        "{plan}\n[[ledger.skip]]\ncolumn = \"Datum\"\nvalue = \"summa*\"\nreason = \"Sum rows.\"\n\n[[ledger.skip]]\ncolumn = \"Text\"\nvalue = \"Summa projekt\"\n"
    );
    std::fs::write(dir.join("plan.toml"), skipping).unwrap();
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let s = &v.imports[0];
    assert!(s.reconciles(), "{s:#?}");
    assert_eq!(
        (s.rows_read, s.rows_skipped, s.rows_malformed, s.rows_mapped),
        (rows + 3, 3, 0, rows)
    );
    // 70 000 rows of 100,00 kr: the sums are not part of it.
    assert_eq!(s.sum_read, rust_decimal::Decimal::from(rows as u64 * 100));
    assert_eq!(s.sum_mapped, s.sum_read);
    assert!(
        v.diagnostics
            .iter()
            .all(|d| !d.code.as_str().starts_with("INS70")),
        "{:#?}",
        v.diagnostics
    );
    // A rule's column the export lacks is an error at the header, as for
    // `columns`.
    let plan = std::fs::read_to_string(dir.join("plan.toml")).unwrap();
    std::fs::write(
        dir.join("plan.toml"),
        plan.replace("column = \"Text\"", "column = \"Summa\""),
    )
    .unwrap();
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    assert!(
        v.diagnostics
            .iter()
            .any(|d| d.code.as_str() == "INS703" && d.message.contains("no column `Summa`")),
        "{:#?}",
        v.diagnostics
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// An export that begins with title lines: `header_row` names the header's
/// line, the titles are skipped, and every row keeps its line in the file,
/// also when the export is large enough to be read in parts, with a
/// malformed row deep inside and a copy of an early row at the end.
#[test]
fn title_lines_before_the_header_are_skipped_and_lines_keep_their_numbers() {
    let titles = "Huvudbok, projekt 4711\nPeriod 2024-01-01 -- 2024-12-31\n\n";
    // 2,2 MB: two parts of more than a mebibyte each on two cores.
    let rows = 70_000;
    let body = export(rows, |i, row| match i {
        99 => "2024-01-01;4711;1.000,00;Tidigt fel".to_owned(),
        49_999 => "2024-05-05;4711;1.000,00;Fel".to_owned(),
        59_999 => "2024-10-10;4711;100,00;Rad 9".to_owned(),
        _ => row,
    });
    let mut csv = titles.as_bytes().to_vec();
    csv.extend_from_slice(&body);
    // Without `header_row` the first title is taken for the header.
    let dir = portfolio_with(PLAIN_PROFILE, &csv, "titles");
    let (_, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    assert!(
        v.diagnostics.iter().any(|d| d.code.as_str() == "INS703"),
        "{:#?}",
        v.diagnostics
    );
    let plan = std::fs::read_to_string(dir.join("plan.toml")).unwrap();
    let with_header_row = plan.replace("format = \"csv\"\n", "format = \"csv\"\nheader_row = 4\n");
    assert_ne!(with_header_row, plan);
    std::fs::write(dir.join("plan.toml"), with_header_row).unwrap();
    let (sources, v) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
    let s = &v.imports[0];
    assert!(s.reconciles(), "{s:#?}");
    assert_eq!(
        (
            s.rows_read,
            s.rows_mapped,
            s.rows_malformed,
            s.rows_duplicate
        ),
        (rows, rows - 3, 2, 1)
    );
    // Three title lines and the header: row i is on line i + 5.
    let found: Vec<(&str, usize)> = v
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.location.as_ref().unwrap().line))
        .collect();
    assert_eq!(
        found,
        [("INS704", 104), ("INS704", 50_004), ("INS706", 60_004)]
    );
    assert_eq!(v.diagnostics[2].related[0].location.line, 14);
    assert_eq!(
        (
            v.diagnostics[0].location.as_ref().unwrap().column,
            v.diagnostics[0].location.as_ref().unwrap().end_column
        ),
        (1, 36)
    );
    let file = sources
        .iter()
        .map(|(_, f)| f)
        .find(|f| f.path.ends_with("export.csv"))
        .unwrap();
    for e in &file.excerpts {
        assert_eq!(
            &csv[e.byte_start..e.byte_start + e.text.len()],
            e.text.as_bytes()
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// An embedder holding the plan and the export in memory validates with
/// the ledger, and gets what `validate_paths` gets from disk; `validate`,
/// which reads no files, says that a declared export was not read instead
/// of showing nothing spent.
#[test]
fn ledgers_handed_in_as_bytes_are_imported_as_from_disk() {
    for name in ["csv-utf8", "sie-pc8"] {
        let dir = fixture(name);
        let (_, from_disk) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
        let plan = std::fs::read_to_string(dir.join("plan.toml")).unwrap();
        let mut sources = insats::SourceSet::new();
        sources.add(insats::SourceFile::new(format!("{name}/plan.toml"), plan));
        let declared = &from_disk.portfolio.ledgers[0];
        let bytes = std::fs::read(dir.join(declared.file.value.as_str())).unwrap();
        let exports = std::collections::HashMap::from([(
            PathBuf::from(name).join(declared.file.value.as_str()),
            bytes,
        )]);
        let (_, in_memory) = insats::validate_with_ledgers(sources.clone(), &exports);
        assert_eq!(
            format!("{:?}", in_memory.portfolio.imported),
            format!("{:?}", from_disk.portfolio.imported),
            "{name}"
        );
        assert!(!in_memory.portfolio.imported.is_empty(), "{name}");
        let codes = |v: &insats::Validation| -> Vec<String> {
            v.diagnostics
                .iter()
                .map(|d| format!("{} {}", d.code.as_str(), d.message))
                .collect()
        };
        assert_eq!(codes(&in_memory), codes(&from_disk), "{name}");
        let summary = |v: &insats::Validation| {
            let s = &v.imports[0];
            (s.rows_read, s.rows_mapped, s.sum_mapped, s.reconciles())
        };
        assert_eq!(summary(&in_memory), summary(&from_disk), "{name}");

        // Nothing handed in for the path: the ledger's INS701, naming it.
        let (_, missing) =
            insats::validate_with_ledgers(sources.clone(), &std::collections::HashMap::new());
        let unread: Vec<String> = missing
            .diagnostics
            .iter()
            .filter(|d| d.code.as_str() == "INS701")
            .map(|d| d.message.clone())
            .collect();
        assert_eq!(unread.len(), 1, "{name}: {unread:?}");
        assert!(unread[0].contains("no export was handed in"), "{unread:?}");
        // `validate` reads no files and says so, at the ledger's `file`.
        let plain = insats::validate(&sources);
        let unread: Vec<&insats::Diagnostic> = plain
            .diagnostics
            .iter()
            .filter(|d| d.code.as_str() == "INS701")
            .collect();
        assert_eq!(unread.len(), 1, "{name}");
        assert!(
            unread[0]
                .message
                .ends_with("cannot be read: `validate` reads no files"),
            "{}",
            unread[0].message
        );
        assert_eq!(unread[0].key_path.as_deref(), Some("ledger[0].file"));
    }
}
