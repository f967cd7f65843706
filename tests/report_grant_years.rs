//! A yearly state grant for 2024 and another for 2025 (tests/fixtures/
//! report/grant-years), each usable only in its own year, with each year's
//! lines given as plain amounts. Every figure is worked out by hand here.
//!
//! The period is 2024-01-01 to 2025-12-31: 731 days, 366 of them in 2024.
//! A line given as an amount is planned evenly over the days its payers may
//! pay it: a 2024 line in 2024, a 2025 line in 2025, and the municipality's
//! line (no window) over all 731 days.

use std::path::{Path, PathBuf};

use insats::model::Period;
use insats::report::{
    Finding, FindingKind, FindingSeverity, Report, ReportOptions, grant_statement, report,
};
use rust_decimal::Decimal;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/report/grant-years")
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// A portfolio of one plan file, validated from a temporary directory.
fn validated(plan: &str) -> insats::Validation {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("plan.toml"), plan).unwrap();
    insats::validate_paths(&[tmp.path().to_path_buf()])
        .unwrap()
        .1
}

/// The plan of the fixture in `fixture`, edited by `edit`, validated.
fn edited(fixture: &Path, edit: impl Fn(String) -> String) -> insats::Validation {
    validated(&edit(
        std::fs::read_to_string(fixture.join("plan.toml")).unwrap(),
    ))
}

fn portfolio() -> insats::Portfolio {
    let (_, v) = insats::validate_paths(&[dir()]).unwrap();
    assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
    v.portfolio
}

fn run(as_of: &str) -> Report {
    report(&portfolio(), &ReportOptions::as_of(as_of.parse().unwrap()))
}

/// (budget, planned to date) of a line.
fn line(r: &Report, id: &str) -> (Decimal, Decimal) {
    let l = r
        .initiatives
        .iter()
        .flat_map(|i| &i.lines)
        .find(|l| l.id == id)
        .unwrap();
    (l.money.budget, l.money.planned_to_date)
}

#[test]
fn each_years_lines_are_planned_in_their_grants_year() {
    let r = run("2024-12-31");
    // The 2024 lines are wholly planned by the end of 2024 ...
    assert_eq!(line(&r, "personal-2024"), (dec("120000"), dec("120000")));
    assert_eq!(line(&r, "overhead-2024"), (dec("9600"), dec("9600")));
    // ... and nothing of 2025's, which used to be half planned in 2024
    // (366/731 of it), before its grant could pay anything.
    assert_eq!(line(&r, "personal-2025"), (dec("120000"), dec("0")));
    assert_eq!(line(&r, "overhead-2025"), (dec("9600"), dec("0")));
    // The municipality's line has no window: 20 000 x 366/731 =
    // 10 013,679... by the end of 2024.
    assert_eq!(line(&r, "lokaler"), (dec("20000"), dec("10013.68")));
    // Halfway through 2025, 181 of its 365 days: 120 000 x 181/365 =
    // 59 506,849...
    let r = run("2025-06-30");
    assert_eq!(line(&r, "personal-2025"), (dec("120000"), dec("59506.85")));
    assert_eq!(line(&r, "personal-2024"), (dec("120000"), dec("120000")));
}

#[test]
fn only_the_grant_whose_year_ended_unspent_is_a_finding() {
    // At the end of 2024: of the 2024 grant's 129 600, 100 000 is spent
    // and nothing more is planned by its window's end, so 29 600 is
    // forecast unspent. The 2025 grant, not started, is forecast to be
    // spent in full (its lines are planned within its year): no finding,
    // where it used to say 2025 money was at risk.
    let r = run("2024-12-31");
    let grant = |id: &str| r.funding.iter().find(|f| f.id == id).unwrap();
    assert_eq!(grant("bidrag-2024").forecast_unspent, dec("29600"));
    assert_eq!(grant("bidrag-2025").forecast_unspent, dec("0"));
    assert_eq!(grant("bidrag-2025").forecast_spent, dec("129600"));
    let about = |subject: &str| -> Vec<&Finding> {
        r.findings.iter().filter(|f| f.subject == subject).collect()
    };
    assert!(about("bidrag-2025").is_empty(), "{:?}", r.findings);
    assert_eq!(
        about("bidrag-2024"),
        [&Finding {
            severity: FindingSeverity::High,
            kind: FindingKind::GrantMoneyAtRisk,
            subject: "bidrag-2024".to_owned(),
            amount: Some(dec("29600")),
        }]
    );
    // A month later the 2024 grant's year is over. It was paid out in
    // full (129 600) and 100 000 was charged to it: 29 600 is owed back.
    let r = run("2025-01-31");
    let about: Vec<(FindingKind, Option<Decimal>)> = r
        .findings
        .iter()
        .filter(|f| f.subject == "bidrag-2024")
        .map(|f| (f.kind, f.amount))
        .collect();
    assert_eq!(about, [(FindingKind::RepaymentDue, Some(dec("29600")))]);
    // Without the payments recorded, the same money is unspent, not at
    // risk any more.
    let v = edited(&dir(), |plan| {
        plan[..plan.find("[[receipt]]").unwrap()].to_owned()
    });
    let r = report(
        &v.portfolio,
        &ReportOptions::as_of("2025-01-31".parse().unwrap()),
    );
    let about: Vec<(FindingKind, Option<Decimal>)> = r
        .findings
        .iter()
        .filter(|f| f.subject == "bidrag-2024")
        .map(|f| (f.kind, f.amount))
        .collect();
    assert_eq!(
        about,
        [(FindingKind::GrantMoneyUnspent, Some(dec("29600")))]
    );
    let grant = r.funding.iter().find(|f| f.id == "bidrag-2024").unwrap();
    assert_eq!((grant.received, grant.to_repay), (None, None));
}

/// (charged, received, to repay, window closed) of a source.
fn repayment(r: &Report, id: &str) -> (Decimal, Option<Decimal>, Option<Decimal>, bool) {
    let f = r.funding.iter().find(|f| f.id == id).unwrap();
    (f.charged, f.received, f.to_repay, f.window_closed)
}

#[test]
fn received_charged_and_to_repay_through_both_grant_years() {
    // End of 2024, the 2024 grant's last day: 129 600 received, 100 000
    // charged, and nothing more planned by the window's end, so 29 600 is
    // forecast to be owed back. The 2025 grant has a payment recorded
    // only in 2025: 0 received so far, and its whole 129 600 forecast to
    // be charged, so the funder has still to pay 129 600.
    let r = run("2024-12-31");
    let some = |t: &str| Some(dec(t));
    assert_eq!(
        repayment(&r, "bidrag-2024"),
        (dec("100000"), some("129600"), some("29600"), false)
    );
    assert_eq!(
        repayment(&r, "bidrag-2025"),
        (dec("0"), some("0"), some("-129600"), false)
    );
    // The municipality records no payments.
    assert_eq!(repayment(&r, "kommunen").1, None);
    // On 1 March 2025: the 2024 grant's figure is final. Half the 2025
    // grant is received. Its forecast charge is what is spent (nothing)
    // plus the plan still to come by its window's end (the report's
    // forecast rule): 60 of 2025's 365 days are past, so 129 600 x
    // 305/365 = 108 295,89 (120 000 x 305/365 = 100 273,97 and 9 600 x
    // 305/365 = 8 021,92), and 64 800 - 108 295,89 = -43 495,89 is still
    // to come from the funder.
    let r = run("2025-03-01");
    assert_eq!(
        repayment(&r, "bidrag-2024"),
        (dec("100000"), some("129600"), some("29600"), true)
    );
    assert_eq!(
        repayment(&r, "bidrag-2025"),
        (dec("0"), some("64800"), some("-43495.89"), false)
    );
}

#[test]
fn a_payment_from_an_unknown_source_is_refused() {
    let v = edited(&dir(), |plan| {
        let plan = plan.replace(
            "source = \"bidrag-2025\"\ndate",
            "source = \"bidrag-2026\"\ndate",
        );
        assert!(plan.contains("bidrag-2026"));
        plan
    });
    let keys: Vec<(&str, Option<&str>)> = v
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.key_path.as_deref()))
        .collect();
    assert_eq!(
        keys,
        [("INS112", Some("receipt[1].source"))],
        "{:#?}",
        v.diagnostics
    );
}

#[test]
fn the_2024_statement_holds_2024s_whole_budget() {
    // Personnel 120 000 planned and 100 000 booked; overhead 9 600 planned
    // and nothing booked. It used to show about half of each, the lines
    // being planned over both years.
    let s = grant_statement(
        &portfolio(),
        "bidrag-2024",
        Period {
            start: "2024-01-01".parse().unwrap(),
            end: "2024-12-31".parse().unwrap(),
        },
    )
    .unwrap();
    let rows: Vec<(&str, Decimal, Decimal)> = s
        .rows
        .iter()
        .map(|r| (r.category.unwrap().as_str(), r.budget, r.costs))
        .collect();
    assert_eq!(
        rows,
        [
            ("personnel", dec("120000"), dec("100000")),
            ("indirect", dec("9600"), dec("0")),
        ]
    );
    assert_eq!(
        (s.total.budget, s.total.costs, s.total.difference),
        (dec("129600"), dec("100000"), dec("29600"))
    );
}

#[test]
fn a_line_whose_payers_cannot_pay_within_the_period_is_refused() {
    // End the initiative with 2024: the 2025 lines' grant may pay nothing
    // in the period.
    let v = edited(&dir(), |plan| {
        plan.replace(
            "period = { start = 2024-01-01, end = 2025-12-31 }",
            "period = { start = 2024-01-01, end = 2024-12-31 }",
        )
        .replace("year = 2025 }", "year = 2024 }")
    });
    let refused: Vec<String> = v
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "INS404")
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(
        refused,
        [
            "line `personal-2025` has no day within the initiative's period 2024-01-01 to 2024-12-31 on which its payers may pay it (their windows: 2025-01-01 to 2025-12-31)",
            "line `overhead-2025` has no day within the initiative's period 2024-01-01 to 2024-12-31 on which its payers may pay it (their windows: 2025-01-01 to 2025-12-31)",
        ],
        "{:#?}",
        v.diagnostics
    );
}

#[test]
fn a_line_shared_with_a_payer_without_a_window_is_planned_over_the_period() {
    // The premises paid half by the 2024 grant and half by the
    // municipality, which may pay on any day: still planned over all 731
    // days, 20 000 x 366/731 by the end of 2024.
    let v = edited(&dir(), |plan| {
        let plan = plan
            .replace(
                "funded_by = \"kommunen\"\namount = 20_000",
                "funded_by = [{ source = \"bidrag-2024\", share_percent = 50 }, { source = \"kommunen\", share_percent = 50 }]\namount = 20_000",
            );
        assert!(plan.contains("share_percent = 50"));
        plan
    });
    let r = report(
        &v.portfolio,
        &ReportOptions::as_of("2024-12-31".parse().unwrap()),
    );
    assert_eq!(line(&r, "lokaler"), (dec("20000"), dec("10013.68")));
}

#[test]
fn a_payment_counts_from_its_day() {
    let received = |as_of: &str| repayment(&run(as_of), "bidrag-2024").1;
    assert_eq!(received("2024-02-14"), Some(dec("0")));
    assert_eq!(received("2024-02-15"), Some(dec("129600")));
}

#[test]
fn no_more_is_charged_than_the_frame_and_nothing_is_owed_then() {
    // 140 000 booked on 2024's staff, more than the 2024 grant's 129 600:
    // the grant is charged its frame, 129 600, which is what it paid out,
    // so nothing is owed back, and no finding says otherwise.
    let v = edited(&dir(), |plan| {
        let plan = plan.replace(
            "date = 2024-06-30\namount = 100_000",
            "date = 2024-06-30\namount = 140_000",
        );
        assert!(plan.contains("140_000"));
        plan
    });
    let r = report(
        &v.portfolio,
        &ReportOptions::as_of("2025-01-31".parse().unwrap()),
    );
    assert_eq!(
        repayment(&r, "bidrag-2024"),
        (dec("129600"), Some(dec("129600")), Some(dec("0")), true)
    );
    let kinds: Vec<FindingKind> = r
        .findings
        .iter()
        .filter(|f| f.subject == "bidrag-2024")
        .map(|f| f.kind)
        .collect();
    assert!(kinds.is_empty(), "{kinds:?}");
}

#[test]
fn the_portfolio_sets_when_a_finding_is_serious() {
    // 29 600 of the 2024 grant's 129 600 is 22,8 %: high by default (from
    // 5 %), medium when the portfolio puts high at 50 %.
    let severity = |plan: &str| {
        let v = validated(plan);
        assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
        let r = report(
            &v.portfolio,
            &ReportOptions::as_of("2024-12-31".parse().unwrap()),
        );
        r.findings
            .iter()
            .find(|f| f.subject == "bidrag-2024")
            .map(|f| f.severity)
    };
    let plan = std::fs::read_to_string(dir().join("plan.toml")).unwrap();
    assert_eq!(severity(&plan), Some(FindingSeverity::High));
    let strict = format!("[portfolio]\nmateriality = {{ high_percent = 50 }}\n\n{plan}");
    assert_eq!(severity(&strict), Some(FindingSeverity::Medium));
    let lax = format!("[portfolio]\nmateriality = {{ minimum = 30_000 }}\n\n{plan}");
    assert_eq!(severity(&lax), Some(FindingSeverity::Low));
}

/// tests/fixtures/report/grant-by-period: one staffing line over 2024 and
/// 2025 (600 000 a year), paid 90/10 by each year's grant and the
/// municipality, by period, with 300 000 booked in June 2024 and 150 000
/// in March 2025.
fn by_period() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/report/grant-by-period")
}

fn by_period_portfolio(edit: impl Fn(String) -> String) -> insats::Validation {
    edited(&by_period(), edit)
}

#[test]
fn a_line_paid_by_period_splits_its_plan_and_its_costs_by_period() {
    let v = by_period_portfolio(|p| p);
    assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
    // Each period's payers share what the line plans in it: 90 % and 10 %
    // of 600 000 in 2024, and again in 2025.
    let line = &v.portfolio.initiatives[0].lines[0];
    let amounts: Vec<(&str, Decimal)> = line
        .payers
        .iter()
        .map(|p| (p.source.value.as_str(), p.amount))
        .collect();
    assert_eq!(
        amounts,
        [
            ("bidrag-2024", dec("540000")),
            ("kommunen", dec("60000")),
            ("bidrag-2025", dec("540000")),
            ("kommunen", dec("60000")),
        ]
    );
    // As of 2025-03-31: the 2024 grant pays 90 % of 2024's 300 000 only,
    // 270 000; its year is over, so 270 000 of it is unspent. The 2025
    // grant pays 90 % of March's 150 000, 135 000, and is forecast to be
    // spent in full: 90 % of 150 000 + the 450 000 still planned in 2025.
    // The municipality: 10 % of each, 30 000 + 15 000, and forecast
    // 30 000 + 60 000.
    let r = report(
        &v.portfolio,
        &ReportOptions::as_of("2025-03-31".parse().unwrap()),
    );
    let figures = |id: &str| {
        let f = r.funding.iter().find(|f| f.id == id).unwrap();
        (
            f.allocated,
            f.spent_to_date,
            f.forecast_spent,
            f.forecast_unspent,
        )
    };
    assert_eq!(
        figures("bidrag-2024"),
        (dec("540000"), dec("270000"), dec("270000"), dec("270000"))
    );
    assert_eq!(
        figures("bidrag-2025"),
        (dec("540000"), dec("135000"), dec("540000"), dec("0"))
    );
    assert_eq!(
        figures("kommunen"),
        (dec("120000"), dec("45000"), dec("90000"), dec("30000"))
    );
    // Co-financing of each grant is measured on its own year's costs:
    // 10 % of 300 000, paid by the municipality; 10 % of 150 000 likewise.
    let co = |id: &str| {
        let c = r
            .funding
            .iter()
            .find(|f| f.id == id)
            .unwrap()
            .co_financing
            .clone()
            .unwrap();
        (c.required, c.paid)
    };
    assert_eq!(co("bidrag-2024"), (dec("30000"), dec("30000")));
    assert_eq!(co("bidrag-2025"), (dec("15000"), dec("15000")));
    let kinds: Vec<(FindingKind, &str)> = r
        .findings
        .iter()
        .filter(|f| f.kind != FindingKind::NoMeasurementForSpending)
        .map(|f| (f.kind, f.subject.as_str()))
        .collect();
    assert_eq!(kinds, [(FindingKind::GrantMoneyUnspent, "bidrag-2024")]);
    // Each year's statement: that year's budget and costs, 90 % of each.
    let year = |id: &str, y: i16| {
        let s = grant_statement(
            &v.portfolio,
            id,
            Period {
                start: jiff::civil::date(y, 1, 1),
                end: jiff::civil::date(y, 12, 31),
            },
        )
        .unwrap();
        (s.total.budget, s.total.costs)
    };
    assert_eq!(year("bidrag-2024", 2024), (dec("540000"), dec("270000")));
    assert_eq!(year("bidrag-2025", 2025), (dec("540000"), dec("135000")));
    // A grant has nothing in the other year.
    assert_eq!(year("bidrag-2024", 2025), (dec("0"), dec("0")));
    // The municipality's 2024 statement takes its 2024 share only.
    assert_eq!(year("kommunen", 2024), (dec("60000"), dec("30000")));
}

#[test]
fn payers_by_period_must_cover_the_plan_once_and_within_their_windows() {
    let messages = |edit: &dyn Fn(String) -> String| -> Vec<(String, String)> {
        by_period_portfolio(edit)
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str().to_owned(), d.message.clone()))
            .collect()
    };
    // A gap: the 2024 payers stop at midsummer, leaving 300 000 unpaid.
    let gap = messages(&|p| p.replace("until = 2024-12-31 }", "until = 2024-06-30 }"));
    assert_eq!(
        gap,
        [(
            "INS206".to_owned(),
            "line `team` plans 300 000 kr on days none of its payers pays for: their periods take 900 000 kr of its 1 200 000 kr".to_owned()
        )]
    );
    // Periods that overlap without being the same.
    let overlap = messages(&|p| p.replace("from = 2025-01-01 }", "from = 2024-12-01 }"));
    assert_eq!(
        overlap.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(),
        ["INS206"],
        "{overlap:?}"
    );
    // Shares of one period that do not add up to 100.
    let shares = messages(&|p| p.replacen("share_percent = 10,", "share_percent = 20,", 1));
    assert_eq!(
        shares.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(),
        ["INS206"],
        "{shares:?}"
    );
    // 95 % of 2024's costs from the 2024 grant: over its maximum of 90 %
    // of the costs it shares in, 2024's 600 000. Measured on the whole
    // line (1 200 000) it would look like 47,5 %, as if 2025's costs were
    // its co-financing.
    let share = messages(&|p| {
        p.replacen("amount = 540_000", "amount = 570_000", 1).replacen(
            "{ source = \"bidrag-2024\", share_percent = 90, until = 2024-12-31 },\n  { source = \"kommunen\", share_percent = 10,",
            "{ source = \"bidrag-2024\", share_percent = 95, until = 2024-12-31 },\n  { source = \"kommunen\", share_percent = 5,",
            1,
        )
    });
    // (The municipality, paying 30 000 less, is warned of it: INS302.)
    assert_eq!(
        share,
        [
            (
                "INS303".to_owned(),
                "`bidrag-2024` pays 95 % of the 600 000 kr its activity costs, more than its maximum 90 %".to_owned()
            ),
            (
                "INS302".to_owned(),
                "30 000 kr of `kommunen` is not allocated to any budget line".to_owned()
            )
        ],
    );
    // The 2024 grant paying into 2025, outside its window.
    let window = messages(&|p| {
        p.replace(
            "{ source = \"bidrag-2024\", share_percent = 90, until = 2024-12-31 },\n  { source = \"kommunen\", share_percent = 10, until = 2024-12-31 },\n  { source = \"bidrag-2025\", share_percent = 90, from = 2025-01-01 },\n  { source = \"kommunen\", share_percent = 10, from = 2025-01-01 },",
            "{ source = \"bidrag-2024\", share_percent = 90, until = 2025-06-30 },\n  { source = \"kommunen\", share_percent = 10, until = 2025-06-30 },\n  { source = \"bidrag-2025\", share_percent = 90, from = 2025-07-01 },\n  { source = \"kommunen\", share_percent = 10, from = 2025-07-01 },",
        )
    });
    assert!(
        window
            .iter()
            .any(|(c, m)| c == "INS404" && m.contains("`bidrag-2024`")),
        "{window:?}"
    );
    // A cost of 2025 is not the 2024 grant's, even booked on the line: no
    // INS406 for it, although it falls outside that grant's window.
    let booked = messages(&|p| p);
    assert!(booked.is_empty(), "{booked:?}");
}

#[test]
fn a_flat_rate_is_planned_as_the_lines_it_is_a_rate_of() {
    // 8 % overhead on the team (600 000 a year by months): 96 000, planned
    // as the team's months are, 4 000 a month. By midsummer 2024, six
    // months: 24 000, where an even plan over 731 days would give
    // 96 000 x 182/731 = 23 901,50. By the end of 2024: 48 000, each year's
    // overhead 8 % of that year's team.
    // (A line of another category, which the rate is not of, beside it.)
    let v = by_period_portfolio(|p| {
        p.replace("amount = 120_000", "amount = 226_000").replace(
            "[[indicator]]",
            "[[line]]\nid = \"overhead\"\nname = \"Overhead\"\ncategory = \"indirect\"\nfunded_by = \"kommunen\"\nflat_rate = { percent = 8, of = \"personnel\" }\nserves = [\"mal\"]\n\n[[line]]\nid = \"material\"\nname = \"Material\"\ncategory = \"other\"\nfunded_by = \"kommunen\"\namount = 10_000\nserves = [\"mal\"]\n\n[[indicator]]",
        )
    });
    assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
    let planned = |as_of: &str| {
        let r = report(&v.portfolio, &ReportOptions::as_of(as_of.parse().unwrap()));
        line(&r, "overhead")
    };
    assert_eq!(planned("2024-06-30"), (dec("96000"), dec("24000")));
    assert_eq!(planned("2024-12-31"), (dec("96000"), dec("48000")));
    assert_eq!(planned("2025-12-31"), (dec("96000"), dec("96000")));
}

/// Each year's overhead as a flat rate paid by that year's grant: a rate
/// of that year's staff, not of both years'.
#[test]
fn a_flat_rate_paid_by_one_years_grant_is_a_rate_of_that_years_base() {
    let as_flat_rate = |stated: &'static str| {
        move |p: String| {
            p.replace(
                "funded_by = \"bidrag-2024\"\namount = 9_600",
                &format!("funded_by = \"bidrag-2024\"\nflat_rate = {{ percent = 8, of = \"personnel\" }}{stated}"),
            )
            .replace(
                "funded_by = \"bidrag-2025\"\namount = 9_600",
                "funded_by = \"bidrag-2025\"\nflat_rate = { percent = 8, of = \"personnel\" }",
            )
        }
    };
    // The personnel lines are 120 000 in 2024 and 120 000 in 2025; each
    // year's overhead is 8 % of its year's: 9 600, not 8 % of 240 000 =
    // 19 200. Paid by one grant each, its payer pays all of it.
    let v = edited(&dir(), as_flat_rate(""));
    assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
    let lines = &v.portfolio.initiatives[0].lines;
    for id in ["overhead-2024", "overhead-2025"] {
        let l = lines.iter().find(|l| l.id.value == id).unwrap();
        assert_eq!(
            (l.amount, l.payers[0].amount),
            (dec("9600"), dec("9600")),
            "{id}"
        );
    }
    // Its plan follows its base, within the year: by midsummer 2024, the
    // 182nd of 2024's 366 days, 9 600 x 182/366 = 4 773,77 (8 % of the
    // 59 672,13 of staff planned by then).
    let r = report(
        &v.portfolio,
        &ReportOptions::as_of("2024-06-30".parse().unwrap()),
    );
    assert_eq!(line(&r, "overhead-2024"), (dec("9600"), dec("4773.77")));
    assert_eq!(line(&r, "overhead-2025"), (dec("9600"), dec("0")));
    // Staff of the municipality's own over both years (no window: planned
    // evenly over the 731 days) are cut by the 2024 grant's window: 73 100
    // x 366/731 = 36 600 of them fall in 2024, and the 2024 overhead is
    // 8 % of 120 000 + 36 600 = 12 528; the 2025 one 8 % of 120 000 +
    // 36 500 = 12 520 (each grant's frame raised to hold it).
    let v = edited(&dir(), |p| {
        as_flat_rate("")(p)
            .replace("amount = 20_000\n\n# Each", "amount = 93_100\n\n# Each")
            .replacen("amount = 129_600", "amount = 132_528", 1)
            .replace("amount = 129_600", "amount = 132_520")
            .replace(
                "[[indicator]]",
                "[[line]]\nid = \"personal-kommun\"\nname = \"Egen personal\"\ncategory = \"personnel\"\nfunded_by = \"kommunen\"\namount = 73_100\nserves = [\"mal\"]\n\n[[indicator]]",
            )
    });
    assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
    let overhead = |id: &str| {
        let lines = &v.portfolio.initiatives[0].lines;
        lines.iter().find(|l| l.id.value == id).map(|l| l.amount)
    };
    assert_eq!(
        (overhead("overhead-2024"), overhead("overhead-2025")),
        (Some(dec("12528")), Some(dec("12520"))),
        "{:#?}",
        v.diagnostics
    );
    // Split without dates between two sources of 2024: the split was made
    // on the whole base at load, and cannot be made again from the parts,
    // so the plan is refused with a way out.
    let v = edited(&dir(), |p| {
        as_flat_rate("")(p)
            .replace(
                "funded_by = \"bidrag-2024\"\nflat_rate",
                "funded_by = [{ source = \"bidrag-2024\", share_percent = 50 }, { source = \"extra\", share_percent = 50 }]\nflat_rate",
            )
            .replacen(
                "[[line]]",
                "[[funding]]\nid = \"extra\"\nkind = \"state-grant\"\namount = 10_000\nwindow = { start = 2024-01-01, end = 2024-12-31 }\n\n[[line]]",
                1,
            )
    });
    let refused: Vec<&str> = v.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        refused,
        [
            "flat rate `overhead-2024` is a rate of the personnel costs within 2024-01-01 to 2024-12-31, 9 600 kr, and its payers' split was stated on 19 200 kr"
        ]
    );
    // A stated amount that agrees with the rate within the year is right;
    // one stated on both years' staff is not, and the error says why.
    let v = edited(&dir(), as_flat_rate("\namount = 9_600"));
    assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
    let v = edited(&dir(), as_flat_rate("\namount = 19_200"));
    let wrong: Vec<(&str, Option<&str>)> = v
        .diagnostics
        .iter()
        .map(|d| (d.message.as_str(), d.label.as_deref()))
        .collect();
    assert_eq!(
        wrong,
        [(
            "stated amount 19 200 kr but the flat rate gives 9 600 kr",
            Some("8 % of personnel costs within 2024-01-01 to 2024-12-31 is 9 600 kr")
        )]
    );
}

#[test]
fn a_statement_settles_received_charged_own_contribution_and_to_repay() {
    let settle = |v: &insats::Portfolio, id: &str, y: i16| {
        grant_statement(
            v,
            id,
            Period {
                start: jiff::civil::date(y, 1, 1),
                end: jiff::civil::date(y, 12, 31),
            },
        )
        .unwrap()
        .settlement
    };
    use insats::report::Settlement;
    // The 2024 grant: 129 600 received in February, 100 000 charged (it
    // pays its lines alone: no own contribution), 29 600 to pay back.
    assert_eq!(
        settle(&portfolio(), "bidrag-2024", 2024),
        Settlement {
            received: Some(dec("129600")),
            charged: dec("100000"),
            own_contribution: dec("0"),
            to_repay: Some(dec("29600")),
        }
    );
    // The 2025 grant's payment is in 2025, not in a 2024 statement.
    assert_eq!(
        settle(&portfolio(), "bidrag-2025", 2024).received,
        Some(dec("0"))
    );
    // Paid by period, 90/10: the 2024 grant is charged 270 000 of 2024's
    // 300 000, and the municipality's 30 000 is the own contribution. No
    // payments are recorded: nothing received, nothing to repay.
    let v = by_period_portfolio(|p| p);
    assert_eq!(
        settle(&v.portfolio, "bidrag-2024", 2024),
        Settlement {
            received: None,
            charged: dec("270000"),
            own_contribution: dec("30000"),
            to_repay: None,
        }
    );
}

#[test]
fn a_statement_in_the_funders_own_headings() {
    // The 2024 grant's statement under the funder's headings: its staff
    // and overhead under one heading, one row; a category without a
    // heading would keep its own row.
    let v = edited(&dir(), |plan| {
        let plan = plan
            .replacen(
                "window = { start = 2024-01-01, end = 2024-12-31 }",
                "window = { start = 2024-01-01, end = 2024-12-31 }\nstatement_categories = { personnel = \"Personal och omkostnader\", indirect = \"Personal och omkostnader\" }",
                1,
            )
            + "\n[[spending]]\nline = \"overhead-2024\"\ndate = 2024-09-30\namount = 4_000\n";
        assert!(plan.contains("statement_categories"));
        plan
    });
    assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
    let s = grant_statement(
        &v.portfolio,
        "bidrag-2024",
        Period {
            start: "2024-01-01".parse().unwrap(),
            end: "2024-12-31".parse().unwrap(),
        },
    )
    .unwrap();
    // (heading, categories, budget, costs, difference)
    type Shown<'a> = (Option<&'a str>, Vec<&'a str>, Decimal, Decimal, Decimal);
    let rows: Vec<Shown<'_>> = s
        .rows
        .iter()
        .map(|r| {
            (
                r.heading.as_deref(),
                r.categories.iter().map(|c| c.as_str()).collect(),
                r.budget,
                r.costs,
                r.difference,
            )
        })
        .collect();
    // 120 000 + 9 600 planned, 100 000 + 4 000 booked.
    assert_eq!(
        rows,
        [(
            Some("Personal och omkostnader"),
            vec!["personnel", "indirect"],
            dec("129600"),
            dec("104000"),
            dec("25600")
        )]
    );
    assert!(s.rows[0].category.is_none());
    assert_eq!(s.total.budget, dec("129600"));
}

mod properties {
    //! The invariants of grants paid by period, over generated plans: a
    //! line of random cost over two to four grant years, each year paid by
    //! its own grant and the municipality at a random share, random
    //! spending and random payments.
    use super::*;
    use proptest::prelude::*;

    /// A plan: years from 2024, the line's cost, the grant's share of each
    /// year (percent), spending (day offset, amount in öre) and a payment
    /// per year (öre).
    fn plan(
        years: i16,
        cost: &str,
        shares: &[u32],
        spending: &[(i32, i64)],
        paid: &[i64],
    ) -> String {
        let last = 2023 + years;
        let mut t = format!(
            "[initiative]\nid = \"p\"\nname = \"P\"\norganisation = \"O\"\nperiod = {{ start = 2024-01-01, end = {last}-12-31 }}\n\n"
        );
        let mut payers = Vec::new();
        for (i, share) in shares.iter().enumerate() {
            let y = 2024 + i as i16;
            t += &format!(
                "[[funding]]\nid = \"g{y}\"\nkind = \"state-grant\"\namount = 10_000_000\nwindow = {{ start = {y}-01-01, end = {y}-12-31 }}\n\n"
            );
            payers.push(format!(
                "{{ source = \"g{y}\", share_percent = {share}, from = {y}-01-01, until = {y}-12-31 }}"
            ));
            if *share < 100 {
                payers.push(format!(
                    "{{ source = \"k\", share_percent = {}, from = {y}-01-01, until = {y}-12-31 }}",
                    100 - share
                ));
            }
        }
        t += "[[funding]]\nid = \"k\"\nkind = \"municipal-budget\"\namount = 100_000_000\n\n";
        t += &format!(
            "[[line]]\nid = \"l\"\nname = \"L\"\ncategory = \"personnel\"\n{cost}\nfunded_by = [{}]\nserves = [\"t\"]\n\n",
            payers.join(", ")
        );
        t += "[[indicator]]\nid = \"i\"\nname = \"I\"\nunit = \"percent\"\ndirection = \"higher-is-better\"\n\n";
        t += &format!(
            "[[target]]\nid = \"t\"\nindicator = \"i\"\nscope = {{ level = \"municipality\", name = \"O\" }}\nbaseline = {{ value = 50, year = 2023 }}\ntarget = {{ value = 60, year = {last} }}\n\n"
        );
        for (offset, ore) in spending {
            // Within the plan's years: a cost outside every payer's period
            // belongs to no one.
            let day = jiff::civil::date(2024, 1, 1)
                .checked_add(jiff::Span::new().days(offset % (365 * i32::from(years))))
                .unwrap();
            t += &format!(
                "[[spending]]\nline = \"l\"\ndate = {day}\namount = \"{}\"\n\n",
                Decimal::new(*ore, 2)
            );
        }
        for (i, ore) in paid.iter().enumerate() {
            let y = 2024 + i as i16;
            t += &format!(
                "[[receipt]]\nsource = \"g{y}\"\ndate = {y}-02-01\namount = \"{}\"\n\n",
                Decimal::new(*ore, 2)
            );
        }
        t
    }

    fn cost() -> impl Strategy<Value = (i16, String)> {
        (2i16..=4).prop_flat_map(|years| {
            let last = 2023 + years;
            prop_oneof![
                (1u32..500_000_000).prop_map(move |ore| (
                    years,
                    format!("amount = \"{}\"", Decimal::new(i64::from(ore), 2))
                )),
                (1u32..30, 10_000u32..90_000).prop_map(move |(fte, monthly)| (
                    years,
                    format!(
                        "staffing = {{ fte = \"{}\", monthly_cost = {monthly}, from = 2024-01-01, until = {last}-12-31 }}",
                        Decimal::new(i64::from(fte), 1)
                    )
                )),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn grants_by_period_add_up(
            (years, cost) in cost(),
            shares in prop::collection::vec(50u32..=100, 4),
            spending in prop::collection::vec((0i32..1460, 0i64..800_000_000), 0..12),
            paid in prop::collection::vec(0i64..400_000_000, 4),
            as_of in 0i32..1700,
        ) {
            let shares = &shares[..years as usize];

            let paid = &paid[..years as usize];
            let text = plan(years, &cost, shares, &spending, paid);
            let v = validated(&text);
            // Spending outside the plan's years is refused (INS406): only
            // the sound plans are reported.
            prop_assume!(!v.diagnostics.iter().any(insats::Diagnostic::is_error));
            let line = &v.portfolio.initiatives[0].lines[0];
            // The payers' parts add up to the line, to the öre.
            let parts: Decimal = line.payers.iter().map(|p| p.amount).sum();
            prop_assert_eq!(parts, line.amount, "{}", text);
            let as_of = jiff::civil::date(2024, 1, 1)
                .checked_add(jiff::Span::new().days(as_of))
                .unwrap();
            let r = report(&v.portfolio, &ReportOptions::as_of(as_of));
            let mut charged_total = Decimal::ZERO;
            for f in r.funding.iter().filter(|f| f.id.starts_with('g')) {
                // Charged never exceeds the frame, and to repay is
                // received less what is or will be charged.
                prop_assert!(f.charged <= f.amount);
                charged_total += f.charged;
                if let (Some(received), Some(to_repay), true) =
                    (f.received, f.to_repay, f.window_closed)
                {
                    prop_assert_eq!(f.charged + to_repay, received);
                }
            }
            // The years' charges never exceed the frames together.
            let frames: Decimal = r.funding.iter().filter(|f| f.id.starts_with('g')).map(|f| f.amount).sum();
            prop_assert!(charged_total <= frames);
            // Each year's statement: the grant's budget for its year is its
            // part of the line.
            for payer in line.payers.iter().filter(|p| p.source.value.starts_with('g')) {
                let period = payer.dated.unwrap().period;
                let s = grant_statement(&v.portfolio, &payer.source.value, period).unwrap();
                prop_assert_eq!(s.total.budget, payer.amount, "{}", text);
            }
        }
    }
}

#[test]
fn a_forecast_by_run_rate() {
    // As of 2024-06-30, 100 000 is booked on 2024's staff (planned evenly
    // over 2024's 366 days). By run rate, the 182 days gone give the 184
    // to come: 100 000 x 184/182 = 101 098,90 more, 201 098,90 in all. By
    // plan: 100 000 + what the plan still has to come, 120 000 x 184/366 =
    // 60 327,87, 160 327,87 in all.
    let forecast = |method: insats::report::ForecastMethod| {
        let r = report(
            &portfolio(),
            &ReportOptions {
                forecast: method,
                ..ReportOptions::as_of("2024-06-30".parse().unwrap())
            },
        );
        let of = |id: &str| {
            r.initiatives
                .iter()
                .flat_map(|i| &i.lines)
                .find(|l| l.id == id)
                .unwrap()
                .money
                .forecast
        };
        let grant = r.funding.iter().find(|f| f.id == "bidrag-2024").unwrap();
        (
            r.forecast_method,
            of("personal-2024"),
            of("overhead-2024"),
            of("personal-2025"),
            grant.forecast_spent,
        )
    };
    use insats::report::ForecastMethod::{Plan, RunRate};
    // Nothing booked on the overhead: by run rate nothing more comes. The
    // 2025 staff has not started: no rate yet, so its plan, 120 000. The
    // 2024 grant by its window's end: the two 2024 lines' forecasts.
    assert_eq!(
        forecast(RunRate),
        (
            RunRate,
            dec("201098.90"),
            dec("0"),
            dec("120000"),
            dec("201098.90")
        )
    );
    // 9 600 x 184/366 = 4 826,23 of the overhead's plan is still to come.
    assert_eq!(
        forecast(Plan),
        (
            Plan,
            dec("160327.87"),
            dec("4826.23"),
            dec("120000"),
            dec("165154.10")
        )
    );
}

#[test]
fn a_maximum_share_is_of_the_costs_of_the_whole_activity() {
    // Give the 2024 grant a 90 % ceiling. It pays its two lines alone,
    // 129 600; the municipality's premises (40 000 over 731 days, 366 of
    // them in 2024: 20 027,36 within the grant's window) are the own
    // contribution that keeps it within 90 %: 129 600 of 149 627,36 is
    // 86,6 %.
    let with = |premises: &str| {
        edited(&dir(), |plan| {
            plan.replacen(
                "window = { start = 2024-01-01, end = 2024-12-31 }",
                "window = { start = 2024-01-01, end = 2024-12-31 }\nmax_share_percent = 90",
                1,
            )
            .replace("amount = 20_000", "amount = 40_000")
            .replace(
                "funded_by = \"kommunen\"\n",
                &format!("funded_by = \"kommunen\"\n{premises}"),
            )
        })
    };
    let v = with("");
    assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
    // Say the premises are no part of the grant's activity, and the grant
    // pays 100 % of what remains.
    let v = with("not_co_financing_of = [\"bidrag-2024\"]\n");
    let messages: Vec<(&str, &str)> = v
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        [(
            "INS303",
            "`bidrag-2024` pays 100 % of the 129 600 kr its activity costs, more than its maximum 90 %"
        )]
    );
    // The report's co-financing counts the premises' costs booked in the
    // grant's window too: 15 000 in May 2024 (not the 5 000 of February
    // 2025). 10 % of 100 000 + 15 000 is required, 11 500, and the
    // premises paid 15 000 of the 115 000.
    let booked = edited(&dir(), |plan| {
        plan.replacen(
            "window = { start = 2024-01-01, end = 2024-12-31 }",
            "window = { start = 2024-01-01, end = 2024-12-31 }\nmax_share_percent = 90",
            1,
        )
        .replace("amount = 20_000", "amount = 40_000")
            + "\n[[spending]]\nline = \"lokaler\"\ndate = 2024-05-31\namount = 15_000\n\n[[spending]]\nline = \"lokaler\"\ndate = 2025-02-28\namount = 5_000\n"
    });
    let r = report(
        &booked.portfolio,
        &ReportOptions::as_of("2025-03-31".parse().unwrap()),
    );
    let co = r
        .funding
        .iter()
        .find(|f| f.id == "bidrag-2024")
        .unwrap()
        .co_financing
        .clone()
        .unwrap();
    assert_eq!((co.required, co.paid), (dec("11500"), dec("15000")));
}

#[test]
fn the_activity_costs_of_a_later_year_are_those_planned_in_it() {
    // The 2025 grant at 90 %: its lines cost 129 600, and the premises
    // (20 000 over 731 days) plan 20 000 x 365/731 = 9 986,32 in 2025, so
    // the activity costs 139 586,32 and the grant pays 92,85 % of it.
    let v = edited(&dir(), |plan| {
        plan.replacen(
            "window = { start = 2025-01-01, end = 2025-12-31 }",
            "window = { start = 2025-01-01, end = 2025-12-31 }\nmax_share_percent = 90",
            1,
        )
    });
    let messages: Vec<&str> = v.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "`bidrag-2025` pays 92,85 % of the 139 586,32 kr its activity costs, more than its maximum 90 %"
        ]
    );
}

/// Per calendar year, each payer of a period has only its own year: as of
/// 2025-03-31 the 2024 grant planned 540 000 and spent 270 000 in 2024;
/// the 2025 grant planned 540 000 and spent 135 000 in 2025 (so far); the
/// municipality, paying 10 % of both, 60 000 and 30 000 in 2024 and
/// 60 000 and 15 000 in 2025.
#[test]
fn a_payer_of_a_period_has_its_own_years_only() {
    use insats::report::YearStatus::{Actual, Current};
    let v = by_period_portfolio(|p| p);
    let r = report(
        &v.portfolio,
        &ReportOptions::as_of("2025-03-31".parse().unwrap()),
    );
    let years = |id: &str| -> Vec<(i16, insats::report::YearStatus, Decimal, Decimal)> {
        r.funding
            .iter()
            .find(|f| f.id == id)
            .unwrap()
            .years
            .iter()
            .map(|y| (y.year, y.status, y.planned, y.spent))
            .collect()
    };
    assert_eq!(
        years("bidrag-2024"),
        [(2024, Actual, dec("540000"), dec("270000"))]
    );
    assert_eq!(
        years("bidrag-2025"),
        [(2025, Current, dec("540000"), dec("135000"))]
    );
    assert_eq!(
        years("kommunen"),
        [
            (2024, Actual, dec("60000"), dec("30000")),
            (2025, Current, dec("60000"), dec("15000")),
        ]
    );
}
