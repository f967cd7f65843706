//! What `insats report` writes, compared whole where a person reads it whole:
//! every CSV table of the two-initiative fixture (tests/fixtures/report/
//! portfolio, whose figures tests/report_portfolio.rs works out by hand),
//! in Swedish and English, the terminal table with another scale, the
//! Markdown, and the refusal to report on a broken portfolio.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn insats(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_insats"))
        .current_dir(root())
        .args(["--color", "never"])
        .args(args)
        .output()
        .unwrap()
}

/// `insats report` on the fixture as of 2024-06-30, with `args`.
fn report(args: &[&str]) -> String {
    report_on("tests/fixtures/report/portfolio", args)
}

/// `insats report` on `portfolio` as of 2024-06-30, which must succeed.
fn report_on(portfolio: &str, args: &[&str]) -> String {
    let mut all = vec!["report", portfolio, "--as-of", "2024-06-30"];
    all.extend_from_slice(args);
    let out = insats(&all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn csv(table: &str, lang: &str) -> String {
    let text = report(&["--format", "csv", "--table", table, "--lang", lang]);
    text.strip_prefix('\u{feff}')
        .expect("a byte order mark")
        .to_owned()
}

#[test]
fn the_funding_table_in_csv() {
    // Each header over its own figure: spent 45 000 and left 35 000 of the
    // grant's 80 000 (a swap of the two headers once went unnoticed).
    // Co-financing: 20 % of the 50 000 spent on the grant's lines is
    // required (worked out in report_portfolio.rs), 5 000 of it is paid.
    // Forecast spent and unspent add up to the amount. The grant's next
    // report is the first of its reporting dates on or after 2024-06-30
    // that no report sent answers; the one report sent (2024-03-28)
    // answers 31 March, so none is overdue.
    // Charged is the share spent (no source is over its amount); no
    // payment received is recorded, so received and to repay are empty;
    // no amount history either, so no original amount.
    assert_eq!(
        csv("funding", "sv"),
        "Id;Namn;Typ;Bidragsgivare;Belopp;Ursprungligt belopp;Fördelat;Förbrukat;Kvar att förbruka;Får användas t.o.m.;Nästa redovisning;Försenad redovisning;Prognos förbrukat;Prognos oförbrukat;Högsta andel %;Medfinansiering krävd;Medfinansiering betald;Avräknat;Mottaget;Att återbetala\n\
         statsbidrag;;statsbidrag;Exempelverket;80000;;80000;45000;35000;2024-08-31;2024-07-15;;58551,92;21448,08;80;10000;5000;45000;;\n\
         alfa-kommun;;kommunal budget;;100000;;100000;75000;25000;;;;140170,85;-40170,85;;;;75000;;\n\
         beta-kommun;;kommunal budget;;50000;;50000;24500;25500;;;;49505,46;494,54;;;;24500;;\n"
    );
    assert_eq!(
        csv("funding", "en"),
        "Id;Name;Kind;Funder;Amount;Original amount;Allocated;Spent;Left;Usable until;Next report due;Report overdue since;Forecast spent;Forecast unspent;Maximum share %;Co-financing required;Co-financing paid;Charged;Received;To repay\n\
         statsbidrag;;state grant;Exempelverket;80000;;80000;45000;35000;2024-08-31;2024-07-15;;58551.92;21448.08;80;10000;5000;45000;;\n\
         alfa-kommun;;municipal budget;;100000;;100000;75000;25000;;;;140170.85;-40170.85;;;;75000;;\n\
         beta-kommun;;municipal budget;;50000;;50000;24500;25500;;;;49505.46;494.54;;;;24500;;\n"
    );
}

#[test]
fn the_findings_table_in_csv() {
    assert_eq!(
        csv("findings", "sv"),
        "Allvar;Avser;Namn;Belopp;Iakttagelse\n\
         hög;statsbidrag;Exempelverket;21448,08;bidrag riskerar att bli oförbrukat när det inte längre får användas och kan behöva betalas tillbaka\n\
         hög;alfa-material;Läromedel;10000;budgetposten har förbrukat mer än sin budget\n\
         hög;statsbidrag;Exempelverket;5000;mindre medfinansiering betald än bidragets villkor kräver\n\
         medel;alfa-meritvarde;Genomsnittligt meritvärde (Alfa kommun);75000;pengarna förbrukas enligt plan men målet ligger efter\n\
         medel;statsbidrag;Exempelverket;;en redovisning till bidragsgivaren ska lämnas inom 30 dagar\n\
         låg;beta-resor;Resor;500;pengar förbrukas men målen saknar mätning efter utgångsvärdet\n"
    );
}

/// Rows of a CSV as header → cell, for the columns named.
fn cells(text: &str, columns: &[&str]) -> Vec<Vec<String>> {
    let mut lines = text.lines();
    let headers: Vec<&str> = lines.next().unwrap().split(';').collect();
    let at: Vec<usize> = columns
        .iter()
        .map(|c| {
            headers
                .iter()
                .position(|h| h == c)
                .unwrap_or_else(|| panic!("no column {c} in {headers:?}"))
        })
        .collect();
    lines
        .map(|l| {
            let fields: Vec<&str> = l.split(';').collect();
            at.iter().map(|&i| fields[i].to_owned()).collect()
        })
        .collect()
}

#[test]
fn the_lines_table_in_csv() {
    let text = csv("lines", "en");
    assert!(
        text.starts_with("Initiative;Id;Name;Cost category;"),
        "{text}"
    );
    let columns = [
        "Id",
        "Budget",
        "Planned to date",
        "Spent",
        "Remaining",
        "Run rate per month",
        "Forecast",
        "Variance",
    ];
    let rows = cells(&text, &columns);
    let expected = [
        [
            "alfa-handledning",
            "40000",
            "19890.71",
            "40000",
            "0",
            "6689.56",
            "60109.29",
            "-20109.29",
        ],
        [
            "alfa-lokaler",
            "80000",
            "39781.42",
            "10000",
            "70000",
            "1672.39",
            "50218.58",
            "29781.42",
        ],
        [
            "alfa-material",
            "60000",
            "14938.44",
            "70000",
            "-10000",
            "11706.73",
            "115061.56",
            "-55061.56",
        ],
        [
            "beta-personal",
            "48000",
            "24000",
            "24000",
            "24000",
            "4013.74",
            "48000",
            "0",
        ],
        [
            "beta-resor",
            "2000",
            "994.54",
            "500",
            "1500",
            "83.62",
            "1505.46",
            "494.54",
        ],
    ];
    assert_eq!(rows, expected.map(|r| r.map(str::to_owned).to_vec()));
}

#[test]
fn the_targets_table_in_csv() {
    let text = csv("targets", "sv");
    let rows = cells(
        &text,
        &[
            "Mål",
            "Utgångsvärde",
            "Senaste",
            "Målvärde",
            "Framsteg",
            "Status",
            "Förbrukat",
        ],
    );
    let expected = [
        ["alfa-franvaro", "20", "17", "10", "30", "i fas", "45000"],
        [
            "alfa-meritvarde",
            "200",
            "198",
            "220",
            "-10",
            "efter plan",
            "75000",
        ],
        ["beta-narvaro", "90", "96", "95", "120", "uppnått", "24000"],
        [
            "beta-incidenter",
            "40",
            "",
            "30",
            "",
            "ingen mätning",
            "500",
        ],
    ];
    assert_eq!(rows, expected.map(|r| r.map(str::to_owned).to_vec()));
}

/// The cells of the first table row after the line `title`, trimmed: the
/// row after the header (and, in Markdown, after the delimiter row).
/// The first data row after `title`, cell by cell, with the no-break spaces
/// between digit groups read as the spaces a reader sees.
fn first_row_after(text: &str, title: &str, separator: &[char]) -> Vec<String> {
    let header_rows = if separator == ['|'] { 2 } else { 1 };
    text.split(title)
        .nth(1)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with(separator[0]))
        .nth(header_rows)
        .unwrap()
        .split(separator)
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| c.replace('\u{a0}', " "))
        .collect()
}

#[test]
fn the_terminal_table_in_english_thousands() {
    let text = report(&["--lang", "en", "--scale", "tkr"]);
    // 230 000, 99 605,11, 144 500, 85 500, 62.8 %, 182/731, 274 894,89,
    // -44 894,89: rounded half away from zero to whole thousands.
    assert_eq!(
        first_row_after(&text, "Portfolio\n", &['│', '┆']),
        [
            "230 kSEK", "100 kSEK", "145 kSEK", "86 kSEK", "62.8 %", "24.9 %", "275 kSEK",
            "-45 kSEK"
        ]
    );
}

#[test]
fn the_markdown_in_swedish_kronor() {
    let text = report(&["--format", "markdown"]);
    assert!(text.starts_with("# Uppföljning per 2024-06-30\n"), "{text}");
    // Digit groups are held together: no renderer breaks an amount.
    assert!(text.contains("| 230\u{a0}000\u{a0}kr |"), "{text}");
    // Amounts are right-aligned.
    assert!(
        text.contains("|---:|---:|---:|---:|---:|---:|---:|---:|\n| 230"),
        "{text}"
    );
    assert_eq!(
        first_row_after(&text, "## Portföljen\n", &['|']),
        [
            "230 000 kr",
            "99 605 kr",
            "144 500 kr",
            "85 500 kr",
            "62,8 %",
            "24,9 %",
            "274 895 kr",
            "-44 895 kr"
        ]
    );
}

#[test]
fn a_broken_portfolio_gets_its_errors_and_no_report() {
    // The README promises that report refuses a portfolio with errors: a
    // report on a broken plan would put wrong numbers before a board.
    let target = std::env::temp_dir().join(format!("insats-refused-{}.csv", std::process::id()));
    let out = insats(&[
        "report",
        "tests/fixtures/diagnostics/INS301-funding-overallocated",
        "--as-of",
        "2024-06-30",
        "--format",
        "csv",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("error[INS301]"), "{stderr}");
    assert!(
        stderr.contains("the portfolio has errors; fix them before reporting"),
        "{stderr}"
    );
    assert!(!target.exists(), "no report file is written");
}

#[test]
fn text_a_spreadsheet_would_run_is_neutralised_whatever_it_starts_with() {
    let dir = tempfile::tempdir().unwrap();
    let plan =
        std::fs::read_to_string(root().join("tests/fixtures/report/portfolio/beta.toml")).unwrap();
    // Every character that starts a formula in Excel or LibreOffice, as
    // the first character of a line's name (TOML escapes for tab and CR).
    let starts = ["=", "+", "-", "@", "\\t", "\\r"];
    let mut plan = plan.replace("name = \"Resor\"", "name = \"@SUM(1)\"");
    for (i, start) in starts.iter().enumerate() {
        plan.push_str(&format!(
            "\n[[line]]\nid = \"extra-{i}\"\nname = \"{start}1+1\"\ncategory = \"other\"\nfunded_by = \"beta-kommun\"\namount = 0\nserves = [\"beta-narvaro\"]\n"
        ));
    }
    std::fs::write(dir.path().join("beta.toml"), plan).unwrap();
    let text = report_on(dir.path().to_str().unwrap(), &["--format", "csv"]);
    let mut reader = csv_reader(&text);
    let names: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[2].to_owned())
        .filter(|n| n != "Personal")
        .collect();
    assert_eq!(
        names,
        [
            "'@SUM(1)", "'=1+1", "'+1+1", "'-1+1", "'@1+1", "'\t1+1", "'\r1+1"
        ]
    );
}

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
}

/// The terminal report of the shipped portfolio at `columns` wide, as a
/// script asks for it (`COLUMNS`, piped).
fn terminal_at(columns: u16) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_insats"))
        .current_dir(root())
        .env("COLUMNS", columns.to_string())
        .args([
            "--color",
            "never",
            "report",
            "initiatives",
            "--as-of",
            "2021-06-30",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Every line fits, and no amount, share or date is broken: each shown
/// whole on one line (their digit groups are joined by no-break spaces, so
/// a break inside one would leave a line ending in a digit group).
fn fits(text: &str, columns: usize) {
    for line in text.lines() {
        assert!(
            line.chars().count() <= columns,
            "a line of {} characters at {columns} columns:\n{line}",
            line.chars().count()
        );
    }
    // The Botkyrka initiative's budget and a date, whole.
    assert!(text.contains("19\u{a0}024\u{a0}000\u{a0}kr"), "{text}");
    assert!(text.contains("2018-12-31"), "{text}");
}

#[test]
fn the_terminal_report_fits_80_columns() {
    let text = terminal_at(80);
    fits(&text, 80);
    insta::assert_snapshot!(text);
}

#[test]
fn the_terminal_report_fits_120_columns() {
    let text = terminal_at(120);
    fits(&text, 120);
    insta::assert_snapshot!(text);
}

/// A line overspent by 0,40 kr: whole kronor would show `0 kr` left and a
/// "hög" finding of `0 kr`, reading as exactly on budget.
#[test]
fn an_overspend_below_a_krona_is_shown_with_its_ore() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("plan.toml"),
        r#"
[initiative]
id = "liten"
name = "Liten"
organisation = "Exempel kommun"
period = { start = 2024-01-01, end = 2024-12-31 }

[[funding]]
id = "budget"
kind = "municipal-budget"
amount = 100

[[line]]
id = "material"
name = "Material"
category = "other"
funded_by = "budget"
amount = 100
serves = ["mal"]

[[spending]]
line = "material"
date = 2024-03-01
amount = 100.40

[[indicator]]
id = "andel"
name = "Andel"
unit = "percent"
direction = "higher-is-better"

[[target]]
id = "mal"
indicator = "andel"
scope = { level = "municipality", name = "Exempel kommun" }
baseline = { value = 50, year = 2023 }
target = { value = 55, year = 2024 }
"#,
    )
    .unwrap();
    let path = dir.path().to_str().unwrap();
    let text = report_on(path, &["--format", "markdown"]).replace('\u{a0}', " ");
    let lines = text.split("## Budgetposter").nth(1).unwrap();
    let row = lines.lines().find(|l| l.contains("material")).unwrap();
    assert!(row.contains("| -0,40 kr |"), "remaining: {row}");
    assert!(row.contains("| 100,4 % |"), "share: {row}");
    let findings = text.split("## Iakttagelser").nth(1).unwrap();
    assert!(findings.contains("| 0,40 kr |"), "{findings}");
    // The CSV keeps the exact amount.
    let csv = report_on(path, &["--format", "csv"]);
    assert!(csv.contains(";-0,4;"), "{csv}");
}

/// No figure in the JSON report carries more digits than documented
/// (docs/report.md): amounts to the öre, shares to three decimals,
/// computed indicator figures to two. A quotient written to 28 digits
/// (`0.4675419401896425966447848286`) once leaked into every share.
#[test]
fn json_figures_carry_their_documented_decimals() {
    fn walk(path: &str, value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    walk(&format!("{path}.{k}"), v, out);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(&format!("{path}[{i}]"), v, out);
                }
            }
            serde_json::Value::String(s) if s.parse::<rust_decimal::Decimal>().is_ok() => {
                let decimals = s.split_once('.').map_or(0, |(_, f)| f.len());
                let field = path.rsplit('.').next().unwrap_or_default();
                let share = field.starts_with("share") || field.contains("progress");
                let indicator = ["value", "change", "pupils", "max_share_percent"].contains(&field);
                let allowed = if share { 3 } else { 2 };
                if decimals > allowed {
                    out.push(format!("{path} = {s}"));
                }
                // An amount is written as plans write them: 48000, not 48000.0.
                if decimals == 1 && !share && !indicator {
                    out.push(format!("{path} = {s} (one decimal)"));
                }
            }
            _ => {}
        }
    }
    for (portfolio, as_of) in [
        ("tests/fixtures/report/portfolio", "2024-06-30"),
        ("initiatives", "2021-06-30"),
        ("initiatives", "2024-12-31"),
    ] {
        let out = insats(&["report", portfolio, "--as-of", as_of, "--format", "json"]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut wrong = Vec::new();
        walk("", &json, &mut wrong);
        assert!(
            wrong.is_empty(),
            "{portfolio} {as_of}:\n{}",
            wrong.join("\n")
        );
    }
}

/// The grant statement and the ledger's control totals in every format
/// `--help` offers (#15: CSV, xlsx and HTML were once refused, exit 2).
#[test]
fn a_grant_statement_and_control_totals_come_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let statement = [
        "report",
        "tests/fixtures/report/portfolio",
        "--funding",
        "statsbidrag",
        "--period",
        "2024-01-01..2024-06-30",
    ];
    let ledger = ["ledger", "initiatives"];
    for (what, args) in [("statement", &statement[..]), ("ledger", &ledger[..])] {
        for format in ["table", "markdown", "json", "csv", "html"] {
            let mut all = args.to_vec();
            all.extend(["--format", format]);
            let out = insats(&all);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{what} {format}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(!out.stdout.is_empty(), "{what} {format}");
        }
        let path = dir.path().join(format!("{what}.xlsx"));
        let mut all = args.to_vec();
        all.extend(["--format", "xlsx", "-o", path.to_str().unwrap()]);
        assert_eq!(insats(&all).status.code(), Some(0), "{what} xlsx");
        assert!(std::fs::metadata(&path).unwrap().len() > 1000);
    }
    // The statement's CSV: one row per category, then the total, which is
    // no category.
    let mut all = statement.to_vec();
    all.extend(["--format", "csv"]);
    let csv = String::from_utf8(insats(&all).stdout).unwrap();
    assert!(
        csv.trim_end().lines().last().unwrap().starts_with("Summa;"),
        "{csv}"
    );
    let mut all = statement.to_vec();
    all.extend(["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&insats(&all).stdout).unwrap();
    assert!(json["total"].get("category").is_none(), "{json}");
    // The ledger's page: a table per kind of figure, nothing fetched.
    let html =
        String::from_utf8(insats(&["ledger", "initiatives", "--format", "html"]).stdout).unwrap();
    assert!(html.contains("default-src 'none'"));
    assert_eq!(html.matches("<table ").count(), 2, "{html}");
}

/// A number with more decimals than any figure is rounded to (shares to
/// three, indicator figures to two, money to the öre): a raw quotient
/// that reached a reader. The readable outputs show far fewer.
fn long_decimals(text: &str) -> Vec<String> {
    let re = regex::Regex::new(r"\d[.,]\d{4,}").unwrap();
    re.find_iter(text).map(|m| m.as_str().to_owned()).collect()
}

#[test]
fn no_readable_output_shows_a_raw_quotient() {
    // 2024-03-31 puts the basic fixture's straight path to its target at
    // 50 + 10 x 91/366, which the HTML page's target table shows.
    for (portfolio, as_of) in [
        ("tests/fixtures/report/basic", "2024-03-31"),
        ("tests/fixtures/report/portfolio", "2024-06-30"),
        ("initiatives", "2021-06-30"),
        ("initiatives", "2024-12-31"),
    ] {
        for format in ["table", "markdown", "html", "csv", "json"] {
            let out = insats(&["report", portfolio, "--as-of", as_of, "--format", format]);
            assert!(out.status.success());
            let text = String::from_utf8(out.stdout).unwrap();
            let found = long_decimals(&text);
            assert!(
                found.is_empty(),
                "{portfolio} as of {as_of}, {format}: {found:?}"
            );
        }
    }
}

/// A Rust program reads the CLI's JSON back into insats' own types: the
/// report it gets is the one the library computes, figure for figure.
#[test]
fn the_json_report_reads_back_into_the_library_types() {
    let text = report(&["--format", "json"]);
    let read: insats::Envelope<insats::report::Report> = serde_json::from_str(&text).unwrap();
    assert_eq!(read.tool, "insats");
    let (_, v) = insats::validate_paths(&[
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/report/portfolio")
    ])
    .unwrap();
    let computed = insats::report::report(
        &v.portfolio,
        &insats::report::ReportOptions::as_of("2024-06-30".parse().unwrap()),
    );
    // Equal as JSON: every field, and nothing lost on the way back.
    assert_eq!(
        serde_json::to_value(&read.body).unwrap(),
        serde_json::to_value(&computed).unwrap()
    );
    assert_eq!(
        serde_json::to_value(insats::Envelope::new(&computed)).unwrap(),
        serde_json::from_str::<serde_json::Value>(&text).unwrap()
    );
}
