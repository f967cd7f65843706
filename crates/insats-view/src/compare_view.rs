//! A report's comparison with an earlier one (`--compare`) as two tables:
//! the figures that changed and the items that came or went (`since`), and
//! the findings new, resolved and still open (`since-findings`).

use insats::compare::{Comparison, ItemKind};
use insats::report::Finding;

use crate::Lang;
use crate::labels::{self, Label};
use crate::table::{Cell, ColumnKind, Level, Row, RowClass, Table, col};

use ColumnKind::{Key, Number, Text};

fn kind(k: ItemKind) -> Label {
    match k {
        ItemKind::Portfolio => Label::Portfolio,
        ItemKind::Initiative => Label::Initiative,
        ItemKind::Line => Label::BudgetLine,
        ItemKind::Funding => Label::Funding,
        ItemKind::Target => Label::Target,
    }
}

/// The label of a figure by its JSON name.
fn figure(name: &str) -> Label {
    match name {
        "budget" => Label::Budget,
        "planned_to_date" => Label::PlannedToDate,
        "spent_to_date" => Label::Spent,
        "remaining" => Label::Remaining,
        "forecast" => Label::Forecast,
        "variance" => Label::Variance,
        "amount" => Label::Amount,
        "allocated" => Label::Allocated,
        "left" => Label::Left,
        "forecast_unspent" => Label::ForecastUnspent,
        "charged" => Label::Charged,
        "received" => Label::Received,
        "to_repay" => Label::ToRepay,
        "progress" => Label::Progress,
        _ => Label::Figure,
    }
}

fn status(lang: Lang, sv: &'static str, en: &'static str) -> Cell {
    Cell::Text(labels::pick(lang, sv, en).to_owned())
}

/// The comparison's tables, to put after the report's.
pub fn comparison_tables(c: &Comparison, lang: Lang) -> [Table; 2] {
    let mut rows = Vec::new();
    for ch in &c.changes {
        let value = |v| {
            if ch.figure == "progress" {
                Cell::Share(v)
            } else {
                Cell::Money(v)
            }
        };
        rows.push(Row {
            class: RowClass::Item,
            cells: vec![
                Cell::Text(kind(ch.kind).text(lang).to_owned()),
                Cell::Id(ch.id.clone()),
                status(lang, "ändrad", "changed"),
                Cell::Text(figure(&ch.figure).text(lang).to_owned()),
                value(ch.previous),
                value(ch.current),
                value(ch.change()),
            ],
        });
    }
    for (items, appeared) in [(&c.appeared, true), (&c.disappeared, false)] {
        for item in items {
            let amount = Cell::money(item.amount);
            let (previous, now, change) = match (appeared, item.amount) {
                (true, Some(a)) => (Cell::Empty, amount, Cell::Money(a)),
                (false, Some(a)) => (amount, Cell::Empty, Cell::Money(-a)),
                (_, None) => (Cell::Empty, Cell::Empty, Cell::Empty),
            };
            let label = if item.kind == ItemKind::Funding {
                Label::Amount
            } else {
                Label::Budget
            };
            rows.push(Row {
                class: RowClass::Item,
                cells: vec![
                    Cell::Text(kind(item.kind).text(lang).to_owned()),
                    Cell::Id(item.id.clone()),
                    if appeared {
                        status(lang, "ny", "new")
                    } else {
                        status(lang, "borttagen", "gone")
                    },
                    if item.amount.is_some() {
                        Cell::Text(label.text(lang).to_owned())
                    } else {
                        Cell::Empty
                    },
                    previous,
                    now,
                    change,
                ],
            });
        }
    }
    let since = Table {
        key: "since",
        title: format!(
            "{} ({} {})",
            Label::Since.text(lang),
            labels::pick(lang, "per", "as of"),
            c.previous_as_of
        ),
        columns: vec![
            col("kind", Label::Concerns, Text, Level::Essential),
            col("id", Label::Id, Key, Level::Essential),
            col("status", Label::Status, Text, Level::Essential),
            col("figure", Label::Figure, Text, Level::Essential),
            col("previous", Label::Previous, Number, Level::Essential),
            col("now", Label::Now, Number, Level::Essential),
            col("change", Label::Change, Number, Level::Essential),
        ],
        rows,
        when_empty: Some(Label::NoChangeSince),
        notes: vec![],
    };
    let finding_row = |f: &Finding, sv: &'static str, en: &'static str| Row {
        class: RowClass::Item,
        cells: vec![
            status(lang, sv, en),
            Cell::Text(labels::severity(f.severity, lang).to_owned()),
            Cell::Id(f.subject.clone()),
            Cell::money(f.amount),
            Cell::Text(labels::finding(f.kind, lang).to_owned()),
        ],
    };
    let mut finding_rows: Vec<Row> = Vec::new();
    finding_rows.extend(c.new_findings.iter().map(|f| finding_row(f, "ny", "new")));
    finding_rows.extend(
        c.resolved_findings
            .iter()
            .map(|f| finding_row(f, "åtgärdad", "resolved")),
    );
    finding_rows.extend(
        c.open_findings
            .iter()
            .map(|f| finding_row(f, "kvar", "open")),
    );
    let findings = Table {
        key: "since-findings",
        title: Label::SinceFindings.text(lang).to_owned(),
        columns: vec![
            col("status", Label::Status, Text, Level::Essential),
            col("severity", Label::Severity, Text, Level::Essential),
            col("subject", Label::Concerns, Key, Level::Essential),
            col("amount", Label::Amount, Number, Level::Essential),
            col("finding", Label::Finding, Text, Level::Essential),
        ],
        rows: finding_rows,
        when_empty: Some(Label::NoFindingsEitherTime),
        notes: vec![],
    };
    [since, findings]
}
