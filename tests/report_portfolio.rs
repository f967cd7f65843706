//! The report of a portfolio of two initiatives (tests/fixtures/report/
//! portfolio), every figure computed by hand from docs/report.md's rules.
//! It reaches the branches that decide money which the one-initiative
//! fixture of tests/report.rs does not: a grant whose window ends before
//! the plan does, a co-financing shortfall although something is paid, an
//! overspent line with a credit note, targets reached, on track, moving the
//! wrong way and unmeasured, lower-is-better indicators in days and counts.
//!
//! As of 2024-06-30: day 182 of 2024 (366 days, beta's period and every
//! 2024 phasing) and of 2024-2025 (731 days, alfa's period).

use std::path::{Path, PathBuf};

use insats::report::{
    CostPerChange, Finding, FindingKind, FindingSeverity, Report, ReportOptions, TargetStatus,
    report,
};
use rust_decimal::Decimal;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/report/portfolio")
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn run() -> Report {
    let (_, v) = insats::validate_paths(&[dir()]).unwrap();
    assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
    report(
        &v.portfolio,
        &ReportOptions::as_of("2024-06-30".parse().unwrap()),
    )
}

fn line<'a>(r: &'a Report, id: &str) -> &'a insats::report::MoneyFigures {
    &r.initiatives
        .iter()
        .flat_map(|i| &i.lines)
        .find(|l| l.id == id)
        .unwrap()
        .money
}

#[test]
fn line_figures() {
    let r = run();

    // Phased 2024, 40 000: planned 40 000 * 182/366 = 19 890,71.
    let h = line(&r, "alfa-handledning");
    assert_eq!(h.planned_to_date, dec("19890.71"));
    assert_eq!(h.spent_to_date, dec("40000"));
    assert_eq!(h.remaining, dec("0"));
    // 40 000 + (40 000 - 19 890,71): spent early, heading over.
    assert_eq!(h.forecast, dec("60109.29"));
    assert_eq!(h.variance, dec("-20109.29"));
    // 40 000 * 365.25 / (12 * 182) = 6 689,560...
    assert_eq!(h.run_rate_per_month, Some(dec("6689.56")));
    assert_eq!(h.share_spent, Some(dec("1")));

    // Phased 2024, 80 000: 80 000 * 182/366 = 39 781,420...; the 9 999 kr
    // booked 2024-07-01 is after the as-of date.
    let l = line(&r, "alfa-lokaler");
    assert_eq!(l.planned_to_date, dec("39781.42"));
    assert_eq!(l.spent_to_date, dec("10000"));
    assert_eq!(l.forecast, dec("50218.58"));
    assert_eq!(l.variance, dec("29781.42"));
    assert_eq!(l.run_rate_per_month, Some(dec("1672.39")));

    // A total over alfa's 731 days: 60 000 * 182/731 = 14 938,440...
    // Spent 75 000 less a credit note of 5 000.
    let m = line(&r, "alfa-material");
    assert_eq!(m.planned_to_date, dec("14938.44"));
    assert_eq!(m.spent_to_date, dec("70000"));
    assert_eq!(m.remaining, dec("-10000"));
    assert_eq!(m.forecast, dec("115061.56"));
    assert_eq!(m.variance, dec("-55061.56"));
    // Its own time share is of the initiative's period: 182/731.
    // 0.248974..., rounded once to three decimals.
    assert_eq!(m.share_time_elapsed, Some(dec("0.249")));

    // Staffing 0.5 x 8 000 a month: six whole months = 24 000.
    let p = line(&r, "beta-personal");
    assert_eq!(p.budget, dec("48000"));
    assert_eq!(p.planned_to_date, dec("24000"));
    // The booking on the as-of date itself counts.
    assert_eq!(p.spent_to_date, dec("24000"));
    assert_eq!(p.forecast, dec("48000"));
    assert_eq!(p.run_rate_per_month, Some(dec("4013.74")));

    // 2 000 over beta's 366 days: 994,535... -> 994,54.
    let t = line(&r, "beta-resor");
    assert_eq!(t.planned_to_date, dec("994.54"));
    assert_eq!(t.forecast, dec("1505.46"));
}

#[test]
fn initiative_and_portfolio_totals() {
    let r = run();
    let alfa = &r.initiatives[0].money;
    assert_eq!(alfa.budget, dec("180000"));
    // 19 890,71 + 39 781,42 + 14 938,44
    assert_eq!(alfa.planned_to_date, dec("74610.57"));
    assert_eq!(alfa.spent_to_date, dec("120000"));
    // 60 109,29 + 50 218,58 + 115 061,56
    assert_eq!(alfa.forecast, dec("225389.43"));
    // The sum of the lines' run rates: 6 689,56 + 1 672,39 + 11 706,73.
    assert_eq!(alfa.run_rate_per_month, Some(dec("20068.68")));

    let beta = &r.initiatives[1].money;
    assert_eq!(beta.planned_to_date, dec("24994.54"));
    assert_eq!(beta.spent_to_date, dec("24500"));
    assert_eq!(beta.variance, dec("494.54"));
    // 182/366 = 0.497268...
    assert_eq!(beta.share_time_elapsed, Some(dec("0.497")));

    let p = &r.portfolio;
    assert_eq!(p.budget, dec("230000"));
    assert_eq!(p.planned_to_date, dec("99605.11"));
    assert_eq!(p.spent_to_date, dec("144500"));
    assert_eq!(p.remaining, dec("85500"));
    assert_eq!(p.forecast, dec("274894.89"));
    assert_eq!(p.variance, dec("-44894.89"));
    assert_eq!(p.run_rate_per_month, Some(dec("24166.04")));
    // The portfolio's span runs from the first start to the *last* end
    // (alfa's, 2025-12-31): 182/731 = 0.249, not beta's 182/366 = 0.497.
    assert_eq!(p.share_time_elapsed, Some(dec("0.249")));
}

#[test]
fn a_grant_window_ending_before_the_plan_decides_the_money_at_risk() {
    let r = run();
    let grant = r.funding.iter().find(|f| f.id == "statsbidrag").unwrap();
    assert_eq!(grant.allocated, dec("80000"));
    // All of handledning's 40 000, half of lokaler's 10 000.
    assert_eq!(grant.spent_to_date, dec("45000"));
    assert_eq!(grant.left, dec("35000"));
    // By the window's end (2024-08-31, day 244): handledning plans
    // 26 666,67, i.e. 6 775,96 more than today: 46 775,96. Lokaler plans
    // 53 333,33, 13 551,91 more: 23 551,91, half each; the odd öre goes to
    // the first payer, the grant: 11 775,96. 46 775,96 + 11 775,96.
    assert_eq!(grant.forecast_spent, dec("58551.92"));
    assert_eq!(grant.forecast_unspent, dec("21448.08"));

    // Co-financing: 20 % of the 50 000 spent on its lines is required;
    // the municipality has paid 5 000 of it.
    let co = grant.co_financing.as_ref().unwrap();
    assert_eq!(co.required, dec("10000"));
    assert_eq!(co.paid, dec("5000"));

    // A municipal budget has no window: its forecast runs to completion.
    // Lokaler's 50 218,58 half each (25 109,29) + material's 115 061,56.
    let kommun = r.funding.iter().find(|f| f.id == "alfa-kommun").unwrap();
    assert_eq!(kommun.spent_to_date, dec("75000"));
    assert_eq!(kommun.forecast_spent, dec("140170.85"));
    assert_eq!(kommun.forecast_unspent, dec("-40170.85"));
    assert_eq!(kommun.co_financing, None);
}

#[test]
fn targets_reached_on_track_wrong_way_and_unmeasured() {
    let r = run();
    let target = |id: &str| r.targets.iter().find(|t| t.id == id).unwrap();

    // Days absent, lower is better: 20 -> 17 of the way to 10 is 30 %,
    // ahead of the 182/731 = 24,9 % the straight path expects.
    let f = target("alfa-franvaro");
    assert_eq!(f.change, Some(dec("-3")));
    assert_eq!(f.progress, Some(dec("0.3")));
    assert_eq!(f.status, TargetStatus::OnTrack);
    // Handledning's 40 000 and half of lokaler's 10 000.
    assert_eq!(f.spent_to_date, dec("45000"));
    assert_eq!(f.planned_to_date, dec("39781.42"));
    // An improvement of 3 days (the sign turned: fewer is better).
    match &f.cost_per_change {
        CostPerChange::PerUnit {
            per_unit,
            pupils,
            per_pupil,
        } => {
            assert_eq!(*per_unit, dec("15000"));
            assert_eq!(*pupils, None);
            assert_eq!(*per_pupil, None);
        }
        other => panic!("expected a cost per day, got {other:?}"),
    }

    // A score moving the wrong way: off track, no improvement to price.
    let m = target("alfa-meritvarde");
    assert_eq!(m.change, Some(dec("-2")));
    assert_eq!(m.progress, Some(dec("-0.1")));
    assert_eq!(m.status, TargetStatus::OffTrack);
    assert!(matches!(m.cost_per_change, CostPerChange::NoImprovement));
    // Half of lokaler's 10 000 and material's 70 000; planned 19 890,71
    // (half of 39 781,42) + 14 938,44.
    assert_eq!(m.spent_to_date, dec("75000"));
    assert_eq!(m.planned_to_date, dec("34829.15"));

    // 480 of 500 = 96 %, past 95: reached. 6 points of 500 pupils is 30
    // pupils; 24 000 / 6 = 4 000 a point, 800 a pupil.
    let n = target("beta-narvaro");
    assert_eq!(n.status, TargetStatus::Reached);
    assert_eq!(n.progress, Some(dec("1.2")));
    match &n.cost_per_change {
        CostPerChange::PerUnit {
            per_unit,
            pupils,
            per_pupil,
        } => {
            assert_eq!(*per_unit, dec("4000"));
            assert_eq!(*pupils, Some(dec("30")));
            assert_eq!(*per_pupil, Some(dec("800")));
        }
        other => panic!("expected a cost per point, got {other:?}"),
    }

    let i = target("beta-incidenter");
    assert_eq!(i.status, TargetStatus::NoMeasurement);
    assert!(matches!(i.cost_per_change, CostPerChange::NoMeasurement));
}

#[test]
fn findings_most_serious_first_then_by_amount() {
    let r = run();
    let finding = |severity, kind, subject: &str, amount: &str| Finding {
        severity,
        kind,
        subject: subject.to_owned(),
        amount: Some(dec(amount)),
    };
    use FindingKind::*;
    use FindingSeverity::*;
    let expected = [
        finding(High, GrantMoneyAtRisk, "statsbidrag", "21448.08"),
        finding(High, OverspentLine, "alfa-material", "10000"),
        // Short although 5 000 of the 10 000 required is paid.
        finding(High, CoFinancingShort, "statsbidrag", "5000"),
        // Off track while spending 75 000 against 34 829,15 planned.
        finding(Medium, MoneyWithoutImpact, "alfa-meritvarde", "75000"),
        // The grant's report of 2024-07-15 is 15 days away; it has no amount.
        Finding {
            severity: Medium,
            kind: ReportDue,
            subject: "statsbidrag".to_owned(),
            amount: None,
        },
        // Spending, and its only target has no measurement.
        finding(Low, NoMeasurementForSpending, "beta-resor", "500"),
    ];
    assert_eq!(r.findings, expected);
}

/// `reporting = [2024-03-31, 2024-07-15, 2024-09-30]` on the grant, and
/// one report sent, on 2024-03-28: the next report is the first date on
/// or after the as-of date that no report sent by then answers, a finding
/// from 30 days before it, to the day; a date passed with no report to
/// answer it is overdue, a finding of its own.
#[test]
fn the_next_report_to_the_funder_when_it_is_due_and_when_it_is_overdue() {
    let (_, v) = insats::validate_paths(&[dir()]).unwrap();
    let at = |portfolio: &insats::Portfolio, as_of: &str| {
        let r = report(portfolio, &ReportOptions::as_of(as_of.parse().unwrap()));
        let grant = r.funding.iter().find(|f| f.id == "statsbidrag").unwrap();
        let found = |kind| {
            r.findings
                .iter()
                .any(|f| f.kind == kind && f.subject == "statsbidrag")
        };
        (
            grant.next_report.map(|d| d.to_string()),
            found(FindingKind::ReportDue),
            grant.report_overdue.map(|d| d.to_string()),
            found(FindingKind::ReportOverdue),
        )
    };
    let day = |d: &str| Some(d.to_owned());
    let p = &v.portfolio;
    // Before the report was sent: the first date is 4 days away.
    assert_eq!(at(p, "2024-03-27"), (day("2024-03-31"), true, None, false));
    // Sent on the 28th: it answers 31 March, and the next is 15 July.
    assert_eq!(at(p, "2024-03-28"), (day("2024-07-15"), false, None, false));
    // 31 days before it, then 30.
    assert_eq!(at(p, "2024-06-14"), (day("2024-07-15"), false, None, false));
    assert_eq!(at(p, "2024-06-15"), (day("2024-07-15"), true, None, false));
    // The day of a report: still due, not yet overdue.
    assert_eq!(at(p, "2024-07-15"), (day("2024-07-15"), true, None, false));
    // The day after, with no report sent for it: overdue, and the next
    // date is 76 days away (not yet within 30).
    assert_eq!(
        at(p, "2024-07-16"),
        (day("2024-09-30"), false, day("2024-07-15"), true)
    );
    // After the last date, both unanswered: the first is overdue.
    assert_eq!(at(p, "2024-10-01"), (None, false, day("2024-07-15"), true));

    // Without the report sent in March, 31 March is overdue from 1 April.
    let mut unsent = v.portfolio.clone();
    unsent.submissions.clear();
    assert_eq!(
        at(&unsent, "2024-04-01"),
        (day("2024-07-15"), false, day("2024-03-31"), true)
    );
    // A report sent late still answers its date: sent 2024-04-10 for 31
    // March, nothing is overdue from then on.
    let mut late = v.portfolio.clone();
    late.submissions[0].date.value = "2024-04-10".parse().unwrap();
    assert_eq!(
        at(&late, "2024-04-09"),
        (day("2024-07-15"), false, day("2024-03-31"), true)
    );
    assert_eq!(
        at(&late, "2024-04-10"),
        (day("2024-07-15"), false, None, false)
    );
    // The overdue finding is high: a report the funder is owed.
    let r = report(
        &unsent,
        &ReportOptions::as_of("2024-04-01".parse().unwrap()),
    );
    let overdue = r
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::ReportOverdue)
        .unwrap();
    assert_eq!(
        (overdue.severity, overdue.subject.as_str(), overdue.amount),
        (FindingSeverity::High, "statsbidrag", None)
    );
}

fn run_with(options: ReportOptions) -> (insats::Portfolio, Report) {
    let (_, v) = insats::validate_paths(&[dir()]).unwrap();
    let r = report(&v.portfolio, &options);
    (v.portfolio, r)
}

fn as_of() -> insats::model::Date {
    "2024-06-30".parse().unwrap()
}

#[test]
fn filters_keep_only_what_they_name() {
    let ids = |r: &Report| -> Vec<(String, Vec<String>)> {
        r.initiatives
            .iter()
            .map(|i| (i.id.clone(), i.lines.iter().map(|l| l.id.clone()).collect()))
            .collect()
    };
    let (_, r) = run_with(ReportOptions {
        initiative: Some("beta".into()),
        ..ReportOptions::as_of(as_of())
    });
    assert_eq!(
        ids(&r),
        [(
            "beta".to_owned(),
            vec!["beta-personal".to_owned(), "beta-resor".to_owned()]
        )]
    );
    assert_eq!(
        r.funding.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
        ["beta-kommun"]
    );
    // Only beta-resor is at Skola B: alfa, with no line there, is left out.
    let (_, r) = run_with(ReportOptions {
        unit: Some("Skola B".into()),
        forecast: Default::default(),
        ..ReportOptions::as_of(as_of())
    });
    assert_eq!(
        ids(&r),
        [("beta".to_owned(), vec!["beta-resor".to_owned()])]
    );
    assert_eq!(r.portfolio.budget, dec("2000"));
    // A filtered report shows the sources of the lines it shows.
    assert_eq!(
        r.funding.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
        ["beta-kommun"]
    );
    // Only the grant's lines, and only the grant.
    let (_, r) = run_with(ReportOptions {
        funding: Some("statsbidrag".into()),
        ..ReportOptions::as_of(as_of())
    });
    assert_eq!(
        ids(&r),
        [(
            "alfa".to_owned(),
            vec!["alfa-handledning".to_owned(), "alfa-lokaler".to_owned()]
        )]
    );
    assert_eq!(
        r.funding.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
        ["statsbidrag"]
    );
}

#[test]
fn the_spending_curve_follows_the_filters_and_marks_the_as_of_date() {
    // As of mid-month, so that the as-of point is not also a month end.
    let options = ReportOptions {
        unit: Some("Skola B".into()),
        forecast: Default::default(),
        ..ReportOptions::as_of("2024-06-20".parse().unwrap())
    };
    let (portfolio, r) = run_with(options);
    let curves = insats::report::spending_curves(&portfolio, &r);
    assert_eq!(curves.len(), 1);
    let points = &curves[0].points;
    let at = |d: &str| {
        points
            .iter()
            .find(|p| p.date.to_string() == d)
            .unwrap_or_else(|| panic!("no point at {d}: {points:?}"))
    };
    // Only beta-resor's 2 000 is planned: all of it by the end, 2 000 *
    // 172/366 = 939,89 by 2024-06-20, and its 500 spent on 2024-05-20.
    assert_eq!(at("2024-12-31").planned, dec("2000"));
    assert_eq!(at("2024-06-20").planned, dec("939.89"));
    assert_eq!(at("2024-06-20").spent, Some(dec("500")));
    assert_eq!(at("2024-06-30").spent, None);
    assert_eq!(at("2023-12-31").planned, dec("0"));
}

#[test]
fn grant_statements_for_periods_within_and_after_the_plan() {
    let (_, v) = insats::validate_paths(&[dir()]).unwrap();
    let statement = |from: &str, to: &str| {
        let period = insats::model::Period {
            start: from.parse().unwrap(),
            end: to.parse().unwrap(),
        };
        let s = insats::report::grant_statement(&v.portfolio, "statsbidrag", period).unwrap();
        let rows: Vec<(String, Decimal, Decimal, Decimal)> = s
            .rows
            .iter()
            .map(|r| {
                let category = serde_json::to_value(r.category).unwrap();
                (
                    category.as_str().unwrap().to_owned(),
                    r.budget,
                    r.costs,
                    r.difference,
                )
            })
            .collect();
        (rows, s.total.budget, s.total.costs)
    };
    let row = |c: &str, b: &str, k: &str, d: &str| (c.to_owned(), dec(b), dec(k), dec(d));

    // April to June: the plan by June 30 less the plan by March 31.
    // Handledning 19 890,71 - 9 945,36 = 9 945,35, all the grant's; its
    // 40 000 booked May 31. Lokaler 39 781,42 - 19 890,71 = 19 890,71,
    // half each (the odd öre to the grant, listed first): 9 945,36; half
    // of the 10 000 booked April 30.
    assert_eq!(
        statement("2024-04-01", "2024-06-30"),
        (
            vec![
                row("external-services", "9945.35", "40000", "-30054.65"),
                row("equipment-premises", "9945.36", "5000", "4945.36"),
            ],
            dec("19890.71"),
            dec("45000")
        )
    );
    // July and August: handledning plans 6 775,96 and books nothing, a
    // row all the same; lokaler half of 13 551,91 and of 9 999.
    assert_eq!(
        statement("2024-07-01", "2024-08-31"),
        (
            vec![
                row("external-services", "6775.96", "0", "6775.96"),
                row("equipment-premises", "6775.96", "4999.5", "1776.46"),
            ],
            dec("13551.92"),
            dec("4999.5")
        )
    );
    // After the plan: nothing planned or booked, so no rows at all.
    assert_eq!(
        statement("2025-01-01", "2025-03-31"),
        (vec![], dec("0"), dec("0"))
    );
}

/// Reports are made from a checked portfolio, which checks their filters:
/// a misspelt id is an error with a suggestion, filters that leave no line
/// together are an error, and a portfolio with errors gives no report.
#[test]
fn a_checked_portfolio_reports_and_refuses_filters_that_name_nothing() {
    let (_, v) = insats::validate_paths(&[dir()]).unwrap();
    let checked = v.into_checked().expect("the fixture has no errors");
    let options = |initiative: Option<&str>, funding: Option<&str>| ReportOptions {
        initiative: initiative.map(str::to_owned),
        funding: funding.map(str::to_owned),
        ..ReportOptions::as_of(as_of())
    };
    let all = checked.report(&options(None, None)).unwrap();
    assert_eq!(all.initiatives.len(), 2);
    assert_eq!(
        checked
            .report(&options(Some("alfa"), None))
            .unwrap()
            .initiatives
            .len(),
        1
    );
    let unknown = checked.report(&options(Some("alfx"), None)).unwrap_err();
    assert_eq!(
        unknown,
        insats::ReportError::Unknown {
            what: "initiative",
            id: "alfx".to_owned(),
            suggestion: Some("alfa".to_owned()),
        }
    );
    assert_eq!(
        unknown.to_string(),
        "no initiative `alfx` in the portfolio (did you mean `alfa`?)"
    );
    // beta's lines are paid by the municipality only: none by the grant.
    let apart = checked
        .report(&options(Some("beta"), Some("statsbidrag")))
        .unwrap_err();
    assert_eq!(
        apart.to_string(),
        "no budget line matches --initiative beta and --funding statsbidrag: each exists, but not together"
    );
    // A portfolio with an error is not a checked one.
    let broken = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/diagnostics/INS112-unknown-reference");
    let (_, v) = insats::validate_paths(&[broken]).unwrap();
    assert!(v.into_checked().is_err());
}
