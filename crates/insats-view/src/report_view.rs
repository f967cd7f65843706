//! The report as tables: one column catalogue per report part.
//!
//! Which rows are flagged comes from the report's findings, never from a
//! rule of the view's own.

use std::collections::{HashMap, HashSet};

use insats::model::IndicatorUnit;
use insats::report::{CostPerChange, Finding, MoneyFigures, Report};

use crate::Lang;
use crate::labels::{self, Label};
use crate::table::{Cell, Column, ColumnKind, Level, Row, RowClass, Table, View, col};

use ColumnKind::{Attribute, Key, Number, Text};

/// The money columns every level (portfolio, initiative, line) shares.
const MONEY: [Column; 12] = [
    col("budget", Label::Budget, Number, Level::Essential),
    col(
        "planned_to_date",
        Label::PlannedToDate,
        Number,
        Level::Compact,
    ),
    col("spent_to_date", Label::Spent, Number, Level::Essential),
    col("remaining", Label::Remaining, Number, Level::Essential),
    col("share_spent", Label::ShareSpent, Number, Level::Essential),
    col("share_planned", Label::SharePlanned, Number, Level::Full),
    col(
        "share_time_elapsed",
        Label::ShareTime,
        Number,
        Level::Compact,
    ),
    col("run_rate_per_month", Label::RunRate, Number, Level::Full),
    col("forecast", Label::Forecast, Number, Level::Essential),
    col("variance", Label::Variance, Number, Level::Compact),
    // Beside the budget now in the spreadsheet; on a screen or A4 two more
    // columns would crowd the tables every reader needs.
    col(
        "original_budget",
        Label::OriginalBudget,
        Number,
        Level::Full,
    ),
    col(
        "variance_original",
        Label::VarianceOriginal,
        Number,
        Level::Full,
    ),
];

fn money_cells(m: &MoneyFigures) -> [Cell; 12] {
    [
        Cell::Money(m.budget),
        Cell::Money(m.planned_to_date),
        Cell::Money(m.spent_to_date),
        Cell::Money(m.remaining),
        Cell::share(m.share_spent),
        Cell::share(m.share_planned),
        Cell::share(m.share_time_elapsed),
        Cell::money(m.run_rate_per_month),
        Cell::Money(m.forecast),
        Cell::Money(m.variance),
        Cell::money(m.original_budget),
        Cell::money(m.variance_original),
    ]
}

/// A table of the money figures of a level (portfolio, initiatives,
/// lines): the columns that say what a row is, then [`MONEY`].
fn money_table<'a>(
    key: &'static str,
    title: String,
    mut columns: Vec<Column>,
    rows: impl IntoIterator<Item = (RowClass, Vec<Cell>, &'a MoneyFigures)>,
) -> Table {
    columns.extend(MONEY);
    Table {
        key,
        title,
        columns,
        rows: rows
            .into_iter()
            .map(|(class, mut cells, money)| {
                cells.extend(money_cells(money));
                Row { class, cells }
            })
            .collect(),
        when_empty: None,
        notes: vec![],
    }
}

/// The title every page and sheet of a report repeats.
pub fn report_title(report: &Report, portfolio: Option<&str>, lang: Lang) -> String {
    match portfolio {
        Some(name) => format!("{} {}: {name}", Label::ReportAsOf.text(lang), report.as_of),
        None => format!("{} {}", Label::ReportAsOf.text(lang), report.as_of),
    }
}

/// The report as tables: `portfolio`, `initiatives`, `lines`, `years`,
/// `funding`, `funding-years`, `targets` and `findings`.
pub fn report_view(report: &Report, portfolio: Option<&str>, lang: Lang) -> View {
    let flagged: HashSet<&str> = report.findings.iter().map(|f| f.subject.as_str()).collect();
    let class = |id: &str| {
        if flagged.contains(id) {
            RowClass::Flagged
        } else {
            RowClass::Item
        }
    };
    let t = |label: Label| label.text(lang).to_owned();

    // Every forecast, and every finding made from one, says how it is made.
    let forecast_note = match report.forecast_method {
        insats::report::ForecastMethod::Plan => Label::ForecastByPlan,
        insats::report::ForecastMethod::RunRate => Label::ForecastByRunRate,
    };
    let mut portfolio_table = money_table(
        "portfolio",
        t(Label::Portfolio),
        vec![],
        [(RowClass::Total, vec![], &report.portfolio)],
    );
    portfolio_table.notes.push(forecast_note);

    let initiatives = money_table(
        "initiatives",
        t(Label::Initiatives),
        vec![
            col("id", Label::Id, Key, Level::Compact),
            col("name", Label::Name, Text, Level::Essential),
            col("organisation", Label::Organisation, Attribute, Level::Full),
            col("start", Label::Start, Key, Level::Full),
            col("end", Label::End, Key, Level::Full),
        ],
        report.initiatives.iter().map(|i| {
            let cells = vec![
                Cell::Id(i.id.clone()),
                Cell::Text(i.name.clone()),
                Cell::Text(i.organisation.clone()),
                Cell::Date(i.period.start),
                Cell::Date(i.period.end),
            ];
            (RowClass::Item, cells, &i.money)
        }),
    );

    let lines = money_table(
        "lines",
        t(Label::Lines),
        vec![
            col("initiative", Label::Initiative, Key, Level::Compact),
            col("id", Label::Id, Key, Level::Compact),
            col("name", Label::Name, Text, Level::Essential),
            col("category", Label::Category, Attribute, Level::Full),
            col("unit", Label::Unit, Attribute, Level::Full),
        ],
        report
            .initiatives
            .iter()
            .flat_map(|i| i.lines.iter().map(move |line| (i, line)))
            .map(|(i, line)| {
                let cells = vec![
                    Cell::Id(i.id.clone()),
                    Cell::Id(line.id.clone()),
                    Cell::Text(line.name.clone()),
                    Cell::Text(labels::category(line.category, lang).to_owned()),
                    Cell::text(line.unit.as_deref()),
                ];
                (class(&line.id), cells, &line.money)
            }),
    );

    let years = years_table(report, lang);
    let funding_years = funding_years_table(report, lang);

    let funding = Table {
        key: "funding",
        title: t(Label::Funding),
        columns: vec![
            col("id", Label::Id, Key, Level::Essential),
            col("name", Label::Name, Text, Level::Full),
            col("kind", Label::Kind, Attribute, Level::Compact),
            col("funder", Label::Funder, Attribute, Level::Full),
            col("amount", Label::Amount, Number, Level::Essential),
            col(
                "original_amount",
                Label::OriginalAmount,
                Number,
                Level::Full,
            ),
            // Equal to the amount unless the plan is over-allocated, which
            // validate reports: a column for the full preset only.
            col("allocated", Label::Allocated, Number, Level::Full),
            col("spent_to_date", Label::Spent, Number, Level::Essential),
            col("left", Label::Left, Number, Level::Essential),
            col("window_end", Label::WindowEnd, Key, Level::Compact),
            // The finding says when one is near; the date itself is for the
            // spreadsheet, which keeps the screen tables to A4 width.
            col("next_report", Label::NextReport, Key, Level::Full),
            col("report_overdue", Label::ReportOverdue, Key, Level::Full),
            col("forecast_spent", Label::ForecastSpent, Number, Level::Full),
            col(
                "forecast_unspent",
                Label::ForecastUnspent,
                Number,
                Level::Essential,
            ),
            col(
                "max_share_percent",
                Label::MaxSharePercent,
                Number,
                Level::Full,
            ),
            col(
                "co_financing_required",
                Label::CoFinancingRequired,
                Number,
                Level::Compact,
            ),
            col(
                "co_financing_paid",
                Label::CoFinancingPaid,
                Number,
                Level::Compact,
            ),
            col("charged", Label::Charged, Number, Level::Full),
            col("received", Label::Received, Number, Level::Full),
            col("to_repay", Label::ToRepay, Number, Level::Compact),
        ],
        rows: report
            .funding
            .iter()
            .map(|f| Row {
                class: class(&f.id),
                cells: vec![
                    Cell::Id(f.id.clone()),
                    Cell::text(f.name.as_deref()),
                    Cell::Text(labels::funding_kind(f.kind, lang).to_owned()),
                    Cell::text(f.funder.as_deref()),
                    Cell::Money(f.amount),
                    Cell::money(f.original_amount),
                    Cell::Money(f.allocated),
                    Cell::Money(f.spent_to_date),
                    Cell::Money(f.left),
                    Cell::date(f.window_end),
                    Cell::date(f.next_report),
                    Cell::date(f.report_overdue),
                    Cell::Money(f.forecast_spent),
                    Cell::Money(f.forecast_unspent),
                    f.co_financing
                        .as_ref()
                        .map_or(Cell::Empty, |c| Cell::Percent(c.max_share_percent)),
                    Cell::money(f.co_financing.as_ref().map(|c| c.required)),
                    Cell::money(f.co_financing.as_ref().map(|c| c.paid)),
                    Cell::Money(f.charged),
                    Cell::money(f.received),
                    Cell::money(f.to_repay),
                ],
            })
            .collect(),
        when_empty: None,
        notes: vec![forecast_note],
    };

    let targets = Table {
        key: "targets",
        title: t(Label::Targets),
        columns: vec![
            col("id", Label::Target, Key, Level::Essential),
            col("initiative", Label::Initiative, Key, Level::Full),
            col("scope", Label::Scope, Attribute, Level::Compact),
            col("indicator", Label::Indicator, Text, Level::Compact),
            col("unit", Label::IndicatorUnit, Attribute, Level::Full),
            col("baseline", Label::Baseline, Number, Level::Compact),
            col("baseline_when", Label::BaselineWhen, Key, Level::Full),
            col("latest", Label::Latest, Number, Level::Essential),
            col("latest_when", Label::LatestWhen, Key, Level::Full),
            col("target", Label::Goal, Number, Level::Essential),
            col("target_when", Label::GoalWhen, Key, Level::Full),
            col("change", Label::Change, Number, Level::Full),
            col("progress", Label::Progress, Number, Level::Essential),
            col("expected_progress", Label::Expected, Number, Level::Compact),
            col("status", Label::Status, Text, Level::Essential),
            col("spent_to_date", Label::Spent, Number, Level::Compact),
            col("planned_to_date", Label::PlannedToDate, Number, Level::Full),
            col(
                "cost_per_improvement",
                Label::CostPerImprovement,
                Number,
                Level::Compact,
            ),
            col(
                "improvement_in_pupils",
                Label::ImprovementInPupils,
                Number,
                Level::Full,
            ),
            col("cost_per_pupil", Label::CostPerPupil, Number, Level::Full),
        ],
        rows: report
            .targets
            .iter()
            .map(|target| {
                let observation = |v: &insats::report::ValueAt| Cell::Observation {
                    value: v.value,
                    unit: target.unit,
                    when: v.when,
                };
                let (per_unit, pupils, per_pupil) = match &target.cost_per_change {
                    CostPerChange::NoMeasurement => (Cell::Empty, Cell::Empty, Cell::Empty),
                    CostPerChange::NoImprovement => (
                        Cell::Text(Label::NoImprovement.text(lang).to_owned()),
                        Cell::Empty,
                        Cell::Empty,
                    ),
                    CostPerChange::PerUnit {
                        per_unit,
                        pupils,
                        per_pupil,
                    } => (
                        Cell::MoneyPer {
                            amount: *per_unit,
                            per: labels::per_unit(target.unit, lang),
                        },
                        pupils.map_or(Cell::Empty, |p| Cell::Observation {
                            value: p,
                            unit: IndicatorUnit::Count,
                            when: target
                                .latest
                                .as_ref()
                                .map_or(target.target.when, |l| l.when),
                        }),
                        Cell::money(*per_pupil),
                    ),
                };
                Row {
                    class: class(&target.id),
                    cells: vec![
                        Cell::Id(target.id.clone()),
                        Cell::Id(target.initiative.clone()),
                        Cell::Text(target.scope.clone()),
                        Cell::Text(target.indicator_name.clone()),
                        Cell::Text(labels::indicator_unit(target.unit, lang).to_owned()),
                        observation(&target.baseline),
                        Cell::When(target.baseline.when),
                        target.latest.as_ref().map_or(Cell::Empty, observation),
                        target
                            .latest
                            .as_ref()
                            .map_or(Cell::Empty, |l| Cell::When(l.when)),
                        observation(&target.target),
                        Cell::When(target.target.when),
                        target.change.map_or(Cell::Empty, |c| Cell::Observation {
                            value: c,
                            unit: target.unit,
                            when: target
                                .latest
                                .as_ref()
                                .map_or(target.target.when, |l| l.when),
                        }),
                        Cell::share(target.progress),
                        Cell::Share(target.expected_progress),
                        Cell::Text(labels::status(target.status, lang).to_owned()),
                        Cell::Money(target.spent_to_date),
                        Cell::Money(target.planned_to_date),
                        per_unit,
                        pupils,
                        per_pupil,
                    ],
                }
            })
            .collect(),
        when_empty: None,
        notes: vec![Label::CausalNote],
    };

    let findings = findings_table(report, lang);

    View::checked(View {
        title: report_title(report, portfolio, lang),
        tables: vec![
            portfolio_table,
            initiatives,
            lines,
            years,
            funding,
            funding_years,
            targets,
            findings,
        ],
    })
}

/// The findings, each with the name of what it concerns.
/// The columns of a table per year: what the row is, then the year's.
fn year_columns(who: Column) -> Vec<Column> {
    vec![
        who,
        col("year", Label::Year, Key, Level::Essential),
        col("status", Label::YearStatus, Text, Level::Essential),
        col("planned", Label::PlannedInYear, Number, Level::Essential),
        col("spent", Label::SpentInYear, Number, Level::Essential),
        col(
            "plan_less_spent",
            Label::PlanLessSpent,
            Number,
            Level::Essential,
        ),
    ]
}

/// A year's cells: the year, where it stands, its plan, and (once begun)
/// its outcome and what the plan has left.
fn year_cells(who: Cell, y: &insats::report::YearFigures, lang: Lang) -> Vec<Cell> {
    let begun = y.status != insats::report::YearStatus::Plan;
    vec![
        who,
        Cell::When(insats::model::When::Year(y.year)),
        Cell::Text(labels::year_status(y.status, lang).to_owned()),
        Cell::Money(y.planned),
        // A year not begun has no outcome yet, not an outcome of 0 kr.
        if begun {
            Cell::Money(y.spent)
        } else {
            Cell::Empty
        },
        if begun {
            Cell::Money(y.planned - y.spent)
        } else {
            Cell::Empty
        },
    ]
}

/// Each funding source's part of the plan and the spending per calendar
/// year.
fn funding_years_table(report: &Report, lang: Lang) -> Table {
    Table {
        key: "funding-years",
        title: Label::FundingYears.text(lang).to_owned(),
        columns: year_columns(col("id", Label::Id, Key, Level::Essential)),
        rows: report
            .funding
            .iter()
            .flat_map(|f| {
                f.years.iter().map(|y| Row {
                    class: RowClass::Item,
                    cells: year_cells(Cell::Id(f.id.clone()), y, lang),
                })
            })
            .collect(),
        when_empty: None,
        notes: vec![Label::YearsNote],
    }
}

/// Each initiative's plan and spending per calendar year, then the
/// portfolio's (total rows): the utfall per year a board follows.
fn years_table(report: &Report, lang: Lang) -> Table {
    let row = |class: RowClass, who: Cell, y: &insats::report::YearFigures| Row {
        class,
        cells: year_cells(who, y, lang),
    };
    let mut rows: Vec<Row> = report
        .initiatives
        .iter()
        .flat_map(|i| {
            i.money
                .years
                .iter()
                .map(|y| row(RowClass::Item, Cell::Id(i.id.clone()), y))
        })
        .collect();
    rows.extend(report.portfolio.years.iter().map(|y| {
        row(
            RowClass::Total,
            Cell::Text(Label::Total.text(lang).to_owned()),
            y,
        )
    }));
    Table {
        key: "years",
        title: Label::Years.text(lang).to_owned(),
        columns: year_columns(col("initiative", Label::Initiative, Key, Level::Essential)),
        rows,
        when_empty: None,
        notes: vec![Label::YearsNote],
    }
}

fn findings_table(report: &Report, lang: Lang) -> Table {
    let mut names: HashMap<&str, String> = HashMap::new();
    for i in &report.initiatives {
        for line in &i.lines {
            names.insert(&line.id, line.name.clone());
        }
    }
    for f in &report.funding {
        let name = f.name.clone().or_else(|| f.funder.clone());
        if let Some(name) = name {
            names.insert(&f.id, name);
        }
    }
    for t in &report.targets {
        names.insert(&t.id, format!("{} ({})", t.indicator_name, t.scope));
    }
    let row = |f: &Finding| Row {
        class: if f.severity == insats::report::FindingSeverity::High {
            RowClass::Flagged
        } else {
            RowClass::Item
        },
        cells: vec![
            Cell::Text(labels::severity(f.severity, lang).to_owned()),
            Cell::Id(f.subject.clone()),
            Cell::text(names.get(f.subject.as_str()).map(String::as_str)),
            Cell::money(f.amount),
            Cell::Text(labels::finding(f.kind, lang).to_owned()),
        ],
    };
    Table {
        key: "findings",
        title: Label::Findings.text(lang).to_owned(),
        columns: vec![
            col("severity", Label::Severity, Text, Level::Essential),
            col("subject", Label::Concerns, Key, Level::Compact),
            col("name", Label::Name, Text, Level::Essential),
            col("amount", Label::Amount, Number, Level::Essential),
            col("finding", Label::Finding, Text, Level::Essential),
        ],
        rows: report.findings.iter().map(row).collect(),
        when_empty: Some(Label::NoFindings),
        notes: vec![],
    }
}
