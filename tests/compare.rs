//! `insats report --compare PREVIOUS`: a report beside an earlier one of
//! the same portfolio, figures worked out by hand from the basic fixture
//! (tests/fixtures/report/basic).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use insats::compare::{Comparison, FigureChange, ItemKind};
use insats::report::FindingKind;
use rust_decimal::Decimal;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn insats(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_insats"))
        .current_dir(root())
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap()
}

fn report_json(portfolio: &str, as_of: &str, dir: &Path) -> PathBuf {
    let path = dir.join(format!("rapport-{as_of}.json"));
    let out = insats(&[
        "report",
        portfolio,
        "--as-of",
        as_of,
        "--format",
        "json",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn compared(portfolio: &str, previous: &Path, as_of: &str) -> Comparison {
    let out = insats(&[
        "report",
        portfolio,
        "--as-of",
        as_of,
        "--format",
        "json",
        "--compare",
        previous.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    serde_json::from_value(json["comparison"].clone()).unwrap()
}

#[test]
fn three_months_later_every_changed_figure_and_finding() {
    let scratch = tempfile::tempdir().unwrap();
    let march = report_json("tests/fixtures/report/basic", "2024-03-31", scratch.path());
    let c = compared("tests/fixtures/report/basic", &march, "2024-06-30");
    assert_eq!(c.previous_as_of.to_string(), "2024-03-31");
    let change = |kind: ItemKind, id: &str, figure: &str| -> Option<(Decimal, Decimal)> {
        c.changes
            .iter()
            .find(|f| f.kind == kind && f.id == id && f.figure == figure)
            .map(|f: &FigureChange| (f.previous, f.current))
    };
    // The staffing line: 50 000 kr a month, nothing booked after March.
    // Planned to date: 3 months, then 6. Forecast: spent (150 000) and
    // the plan still to come (600 000 - planned). Variance: budget less
    // forecast.
    let personal = "rapport/personal";
    assert_eq!(
        change(ItemKind::Line, personal, "planned_to_date"),
        Some((dec("150000"), dec("300000")))
    );
    assert_eq!(
        change(ItemKind::Line, personal, "forecast"),
        Some((dec("600000"), dec("450000")))
    );
    assert_eq!(
        change(ItemKind::Line, personal, "variance"),
        Some((dec("0"), dec("150000")))
    );
    // Spent, budget and remaining did not change: not listed.
    for figure in ["spent_to_date", "budget", "remaining"] {
        assert_eq!(change(ItemKind::Line, personal, figure), None, "{figure}");
    }
    // No line, source or target came or went.
    assert!(c.appeared.is_empty() && c.disappeared.is_empty());
    // The grant's money is at risk in June; in March the target was off
    // track while its lines spent at plan; the travel line is over budget
    // and its targets unmeasured both times.
    let kinds = |fs: &[insats::report::Finding]| -> Vec<(FindingKind, String)> {
        fs.iter().map(|f| (f.kind, f.subject.clone())).collect()
    };
    assert_eq!(kinds(&c.new_findings).len(), 1);
    assert_eq!(c.new_findings[0].subject, "bidrag");
    assert_eq!(kinds(&c.resolved_findings).len(), 1);
    assert_eq!(c.resolved_findings[0].subject, "behorighet");
    assert_eq!(c.open_findings.len(), 2);
    assert!(c.open_findings.iter().all(|f| f.subject == "resor"));
    assert!(!c.is_unchanged());

    // The terminal shows the same, with the earlier date in the title.
    let out = insats(&[
        "report",
        "tests/fixtures/report/basic",
        "--as-of",
        "2024-06-30",
        "--compare",
        march.to_str().unwrap(),
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Sedan förra rapporten (per 2024-03-31)"),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.contains("rapport/personal")
            && l.contains("Planerat hittills")
            && l.contains("150\u{a0}000\u{a0}kr")
            && l.contains("300\u{a0}000\u{a0}kr")),
        "{text}"
    );
}

#[test]
fn a_report_compared_with_itself_shows_no_change() {
    let scratch = tempfile::tempdir().unwrap();
    for as_of in ["2018-06-30", "2020-12-31", "2021-06-30", "2024-12-31"] {
        let previous = report_json("initiatives", as_of, scratch.path());
        let c = compared("initiatives", &previous, as_of);
        assert!(c.is_unchanged(), "{as_of}: {c:#?}");
        let out = insats(&[
            "report",
            "initiatives",
            "--as-of",
            as_of,
            "--format",
            "markdown",
            "--compare",
            previous.to_str().unwrap(),
        ]);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("Ingen förändring sedan förra rapporten."),
            "{as_of}"
        );
    }
}

#[test]
fn a_previous_report_insats_cannot_read_is_a_clear_error() {
    let scratch = tempfile::tempdir().unwrap();
    let good = report_json("tests/fixtures/report/basic", "2024-03-31", scratch.path());
    let text = std::fs::read_to_string(&good).unwrap();
    let cases = [
        (
            "old.json",
            text.replace("\"format_version\": 1", "\"format_version\": 0"),
            "is a report of format version 0; this insats reads version 1",
        ),
        (
            "other.json",
            text.replace("\"tool\": \"insats\"", "\"tool\": \"hledger\""),
            "is not a report written by insats",
        ),
        (
            "broken.json",
            text[..text.len() / 2].to_owned(),
            "is not JSON",
        ),
    ];
    for (name, body, expected) in cases {
        let path = scratch.path().join(name);
        std::fs::write(&path, body).unwrap();
        let out = insats(&[
            "report",
            "tests/fixtures/report/basic",
            "--as-of",
            "2024-06-30",
            "--compare",
            path.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(
            out.stdout.is_empty(),
            "{name}: nothing is written on an error"
        );
    }
}

#[test]
fn the_comparison_tables_need_a_comparison() {
    let out = insats(&[
        "report",
        "tests/fixtures/report/basic",
        "--as-of",
        "2024-06-30",
        "--format",
        "csv",
        "--table",
        "since",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("`--table since` is a comparison's: add `--compare EARLIER.json`")
    );
}

/// Over the shipped portfolio at any two dates: a report compared with
/// itself shows no change, and comparing the other way round swaps every
/// figure's previous and current value, what appeared and disappeared, and
/// what is new and resolved.
mod properties {
    use insats::compare::compare;
    use insats::report::{ReportOptions, report};
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn portfolio() -> &'static insats::Portfolio {
        static P: OnceLock<insats::Portfolio> = OnceLock::new();
        P.get_or_init(|| {
            let (_, v) = insats::validate_paths(&[super::root().join("initiatives")]).unwrap();
            assert!(v.is_ok());
            v.portfolio
        })
    }

    fn day(offset: i64) -> insats::model::Date {
        jiff::civil::date(2017, 6, 1)
            .checked_add(jiff::Span::new().days(offset))
            .unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn a_comparison_is_empty_with_itself_and_mirrors_when_reversed(a in 0i64..4000, b in 0i64..4000) {
            let ra = report(portfolio(), &ReportOptions::as_of(day(a)));
            let rb = report(portfolio(), &ReportOptions::as_of(day(b)));
            prop_assert!(compare(&ra, &ra).is_unchanged());
            let forward = compare(&ra, &rb);
            let backward = compare(&rb, &ra);
            let swapped: Vec<_> = forward
                .changes
                .iter()
                .map(|c| (c.kind, c.id.clone(), c.figure.clone(), c.current, c.previous))
                .collect();
            let mut back: Vec<_> = backward
                .changes
                .iter()
                .map(|c| (c.kind, c.id.clone(), c.figure.clone(), c.previous, c.current))
                .collect();
            let mut swapped = swapped;
            swapped.sort();
            back.sort();
            prop_assert_eq!(swapped, back);
            prop_assert_eq!(&forward.appeared, &backward.disappeared);
            prop_assert_eq!(&forward.new_findings.len(), &backward.resolved_findings.len());
            prop_assert_eq!(&forward.resolved_findings.len(), &backward.new_findings.len());
        }
    }
}
