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

    let texts: Vec<Option<&str>> = v
        .portfolio
        .spending
        .iter()
        .map(|s| s.text.as_deref())
        .collect();
    assert!(texts.contains(&Some("Förbrukningsinventarier åäö")));
    assert!(texts.contains(&Some("Text med \"citat\" och ; semikolon")));
    let february = v
        .portfolio
        .spending
        .iter()
        .find(|s| s.voucher.as_deref() == Some("L 2"))
        .unwrap();
    assert_eq!(
        february.date.value,
        "2024-02-29".parse().unwrap(),
        "compact dates are read"
    );
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
    assert!(
        v.portfolio
            .spending
            .iter()
            .any(|s| s.text.as_deref() == Some("Lön januari"))
    );
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
    let texts: Vec<Option<&str>> = v
        .portfolio
        .spending
        .iter()
        .map(|s| s.text.as_deref())
        .collect();
    assert!(
        texts.contains(&Some("Förbrukningsmaterial åäö")),
        "{texts:?}"
    );
    let vouchers: Vec<Option<&str>> = v
        .portfolio
        .spending
        .iter()
        .map(|s| s.voucher.as_deref())
        .collect();
    assert_eq!(vouchers, [Some("A 1"), Some("A 2"), Some("B 7")]);
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

#[test]
fn every_row_is_accounted_for_when_rows_go_wrong() {
    for name in [
        "INS704-ledger-malformed-row",
        "INS705-ledger-ambiguous-row",
        "INS706-ledger-duplicate-row",
    ] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/diagnostics")
            .join(name);
        let (_, v) = insats::validate_paths(&[dir]).unwrap();
        let s = &v.imports[0];
        assert!(s.reconciles(), "{name}: {s:#?}");
    }
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
