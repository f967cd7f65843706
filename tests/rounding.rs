//! Where the report rounds, and how: each case is a figure that insats once
//! got wrong by an öre, computed by hand from docs/report.md's rules.
//!
//! The rule is one: a rounded figure is computed exactly (as a fraction)
//! and rounded once, to whole öre, half away from zero. A figure computed
//! from 28-digit quotients can land just below an exact half öre and round
//! the wrong way; these cases are built to land on one.

use insats::report::{CostPerChange, FindingKind, Report, ReportOptions, report};
use insats::{SourceFile, SourceSet};
use rust_decimal::Decimal;

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// Validates `plan` (one file) and reports as of `as_of`.
fn report_on(plan: &str, as_of: &str) -> Report {
    let mut sources = SourceSet::new();
    sources.add(SourceFile::new("plan.toml", plan));
    let v = insats::validate(&sources);
    assert!(v.is_ok(), "{:#?}", v.diagnostics);
    report(&v.portfolio, &ReportOptions::as_of(as_of.parse().unwrap()))
}

/// An initiative over 2024, for plans with funding of their own.
const INITIATIVE_2024: &str = r#"
[initiative]
id = "avrundning"
name = "Avrundning"
organisation = "Exempel kommun"
period = { start = 2024-01-01, end = 2024-12-31 }
status = "active"
"#;

/// An indicator and a target for the lines to serve.
const TARGET: &str = r#"
[[indicator]]
id = "andel"
name = "Andel (%)"
unit = "percent"
direction = "higher-is-better"

[[target]]
id = "mal"
indicator = "andel"
scope = { level = "municipality", name = "Exempel kommun" }
baseline = { value = 50, year = 2023 }
target = { value = 60, year = 2024 }
"#;

const HEAD: &str = r#"
[initiative]
id = "avrundning"
name = "Avrundning"
organisation = "Exempel kommun"
period = { start = 2024-01-01, end = 2025-12-31 }
status = "active"

[[funding]]
id = "kommunen"
kind = "municipal-budget"
amount = 10_000_000

[[indicator]]
id = "andel"
name = "Andel (%)"
unit = "percent"
direction = "higher-is-better"

[[target]]
id = "mal"
indicator = "andel"
scope = { level = "municipality", name = "Exempel kommun" }
baseline = { value = 50, year = 2023 }
target = { value = 60, year = 2025 }
"#;

/// A line of HEAD's initiative, paid by the municipality, serving `mal`.
fn line(id: &str, category: &str, cost: &str) -> String {
    format!(
        "\n[[line]]\nid = \"{id}\"\nname = \"{id}\"\ncategory = \"{category}\"\nfunded_by = \"kommunen\"\n{cost}\nserves = [\"mal\"]\n"
    )
}

/// A cost booked on `line`.
fn spending(line: &str, date: &str, amount: &str) -> String {
    format!("\n[[spending]]\nline = \"{line}\"\ndate = {date}\namount = {amount}\n")
}

/// A measurement of `mal` as a share.
fn share_measured(when: &str, numerator: u32, denominator: u32) -> String {
    format!(
        "\n[[measurement]]\ntarget = \"mal\"\n{when}\nnumerator = {numerator}\ndenominator = {denominator}\n"
    )
}

#[test]
fn three_twelfths_of_a_staffing_year_round_half_away_from_zero() {
    // 0.2 FTE x 1 000,04 kr x 12 months = 2 400,096 -> 2 400,10 for 2024.
    // Three months of twelve: exactly 600,025 -> 600,03 (the bug: 600,02,
    // from three 28-digit twelfths adding up to 600,0249999...).
    let plan = HEAD.to_owned()
        + &line(
            "personal",
            "personnel",
            "staffing = { fte = 0.2, monthly_cost = 1000.04, from = 2024-01-01, until = 2024-12-31 }",
        );
    let r = report_on(&plan, "2024-03-31");
    let line = &r.initiatives[0].lines[0].money;
    assert_eq!(line.budget, dec("2400.10"));
    assert_eq!(line.planned_to_date, dec("600.03"));
    assert_eq!(line.forecast, dec("1800.07"));
}

#[test]
fn cost_per_improvement_is_divided_by_the_exact_change() {
    // 152 of 300 is exactly 50 2/3 %: a change of 2/3 of a point from 50.
    // 551 194,65 / (2/3) = 826 791,975 exactly -> 826 791,98 (the bug:
    // 826 791,97, dividing by a change of 0,666...67).
    let plan = HEAD.to_owned()
        + &line("insats", "external-services", "amount = 1_000_000")
        + &spending("insats", "2024-06-30", "551194.65")
        + &share_measured("year = 2024", 152, 300);
    let r = report_on(&plan, "2025-06-30");
    let t = &r.targets[0];
    match &t.cost_per_change {
        CostPerChange::PerUnit { per_unit, .. } => assert_eq!(*per_unit, dec("826791.98")),
        other => panic!("expected a cost per unit, got {other:?}"),
    }
}

#[test]
fn a_share_exactly_on_the_straight_path_is_on_track() {
    // Baseline 50 at the end of 2023, target 60 at the end of 2025: the
    // path runs over the 731 days of 2024-2025, and as of 2024-12-31 it
    // expects 366/731 of the way: 50 + 10 * 366/731 %. A measured share of
    // exactly that, 40 210 of 73 100, has made exactly the expected progress.
    let plan = HEAD.to_owned()
        + &line("insats", "external-services", "amount = 1_000")
        + &share_measured("date = 2024-12-31", 40210, 73100);
    let r = report_on(&plan, "2024-12-31");
    assert_eq!(
        r.targets[0].status,
        insats::report::TargetStatus::OnTrack,
        "progress equal to the expected progress is on track"
    );
}

#[test]
fn the_run_rate_counts_months_of_the_plan_period_only() {
    // A 2024 line that spent 12 000 kr: as of 2025-12-31 the plan period
    // (366 days) is over, and the run rate is the rate while it ran:
    // 12 000 * 365.25 / (12 * 366) = 997,95 kr a month. docs/report.md
    // says the same.
    let plan = HEAD.to_owned()
        + &line("insats", "external-services", "phasing = { 2024 = 12_000 }")
        + &spending("insats", "2024-03-31", "6_000")
        + &spending("insats", "2024-12-31", "6_000");
    let r = report_on(&plan, "2025-12-31");
    let line = &r.initiatives[0].lines[0].money;
    assert_eq!(line.run_rate_per_month, Some(dec("997.95")));
    // Mid-plan, the months so far: 6 000 booked by 2024-06-30, 182 days
    // in: 6 000 * 365.25 / (12 * 182) = 1 003,434... -> 1 003,43.
    let r = report_on(&plan, "2024-06-30");
    assert_eq!(
        r.initiatives[0].lines[0].money.run_rate_per_month,
        Some(dec("1003.43"))
    );
}

#[test]
fn co_financing_required_is_rounded_to_the_ore() {
    // 50 000,03 kr spent on a line the grant may pay at most 90 % of:
    // 10 % is 5 000,003 -> 5 000,00 required. The municipality has paid
    // exactly 5 000,00 (its 10 % of the line, split to the öre): no
    // shortfall.
    let plan = INITIATIVE_2024.to_owned()
        + r#"
[[funding]]
id = "bidrag"
kind = "state-grant"
amount = 90_000
window = { start = 2024-01-01, end = 2024-12-31 }
max_share_percent = 90

[[funding]]
id = "kommunen"
kind = "municipal-budget"
amount = 10_000

[[line]]
id = "insats"
name = "Insats"
category = "external-services"
funded_by = [{ source = "bidrag", amount = 90_000 }, { source = "kommunen", amount = 10_000 }]
amount = 100_000
serves = ["mal"]
"# + &spending("insats", "2024-06-30", "50000.03");
    let r = report_on(&format!("{plan}{TARGET}"), "2024-12-31");
    let grant = r.funding.iter().find(|f| f.id == "bidrag").unwrap();
    let co = grant.co_financing.as_ref().unwrap();
    assert_eq!(co.required, dec("5000.00"));
    // 50 000,03 split 90/10: 45 000,027 -> 45 000,03 to the grant (the
    // larger remainder), 5 000,00 to the municipality.
    assert_eq!(grant.spent_to_date, dec("45000.03"));
    assert_eq!(co.paid, dec("5000.00"));
    assert!(
        !r.findings
            .iter()
            .any(|f| f.kind == FindingKind::CoFinancingShort),
        "{:?}",
        r.findings
    );
}

#[test]
fn a_tie_in_the_largest_remainder_split_goes_to_the_earlier_payer() {
    // 30,20 kr on a line paid 400/100/100: exactly 20,133.. / 5,033.. /
    // 5,033..; one öre is left, all three remainders are a third of an öre,
    // and the first payer gets it: 20,14 / 5,03 / 5,03.
    let plan = INITIATIVE_2024.to_owned()
        + r#"
[[funding]]
id = "a"
kind = "municipal-budget"
amount = 400

[[funding]]
id = "b"
kind = "municipal-budget"
amount = 100

[[funding]]
id = "c"
kind = "municipal-budget"
amount = 100

[[line]]
id = "insats"
name = "Insats"
category = "external-services"
funded_by = [{ source = "a", amount = 400 }, { source = "b", amount = 100 }, { source = "c", amount = 100 }]
amount = 600
serves = ["mal"]
"# + &spending("insats", "2024-06-30", "30.20");
    let r = report_on(&format!("{plan}{TARGET}"), "2024-12-31");
    let spent: Vec<(String, Decimal)> = r
        .funding
        .iter()
        .map(|f| (f.id.clone(), f.spent_to_date))
        .collect();
    assert_eq!(
        spent,
        [
            ("a".to_owned(), dec("20.14")),
            ("b".to_owned(), dec("5.03")),
            ("c".to_owned(), dec("5.03")),
        ]
    );
}

#[test]
fn a_flat_rate_is_rounded_once_half_away_from_zero() {
    // 10 % of 1 000,05 kr of personnel is 100,005: exactly half an öre,
    // rounded away from zero to 100,01 (not left at 100,005, not 100,00).
    let plan = HEAD.to_owned()
        + &line("personal", "personnel", "amount = 1000.05")
        + &line(
            "overhead",
            "other",
            "flat_rate = { percent = 10, of = \"personnel\" }",
        );
    let r = report_on(&plan, "2024-03-31");
    let overhead = &r.initiatives[0].lines[1].money;
    assert_eq!(overhead.budget, dec("100.01"));
}
