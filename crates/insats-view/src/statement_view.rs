//! A grant statement as a table: costs per cost category against budget.

use insats::report::GrantStatement;
use rust_decimal::Decimal;

use crate::Lang;
use crate::labels::{self, Label};
use crate::table::{Cell, ColumnKind, Level, Row, RowClass, Table, View, col};

/// The statement's heading: what, for which source, for which period.
pub fn statement_title(s: &GrantStatement, lang: Lang) -> String {
    format!(
        "{}: {}{}, {} – {}",
        Label::Statement.text(lang),
        s.funding,
        s.funder
            .as_ref()
            .map_or_else(String::new, |f| format!(" ({f})")),
        s.period.start,
        s.period.end
    )
}

/// The statement as two tables: `statement`, costs per category against
/// budget, whose last row is the total; and `settlement`, what was
/// received, charged, paid by others and is to be paid back.
pub fn statement_view(s: &GrantStatement, lang: Lang) -> View {
    let mut rows: Vec<Row> = s
        .rows
        .iter()
        .map(|r| Row {
            class: RowClass::Item,
            cells: vec![
                Cell::Text(match (&r.heading, r.category) {
                    (Some(heading), _) => heading.clone(),
                    (None, Some(category)) => labels::category(category, lang).to_owned(),
                    (None, None) => String::new(),
                }),
                Cell::Money(r.budget),
                Cell::Money(r.costs),
                Cell::Money(r.difference),
            ],
        })
        .collect();
    rows.push(Row {
        class: RowClass::Total,
        cells: vec![
            Cell::Text(Label::Total.text(lang).to_owned()),
            Cell::Money(s.total.budget),
            Cell::Money(s.total.costs),
            Cell::Money(s.total.difference),
        ],
    });
    let title = statement_title(s, lang);
    View::checked(View {
        tables: vec![
            Table {
                key: "statement",
                title: title.clone(),
                columns: vec![
                    col(
                        "category",
                        Label::Category,
                        ColumnKind::Text,
                        Level::Essential,
                    ),
                    col(
                        "budget",
                        Label::Budget,
                        ColumnKind::Number,
                        Level::Essential,
                    ),
                    col("costs", Label::Costs, ColumnKind::Number, Level::Essential),
                    col(
                        "difference",
                        Label::Difference,
                        ColumnKind::Number,
                        Level::Essential,
                    ),
                ],
                rows,
                when_empty: None,
                notes: vec![],
            },
            settlement_table(s, lang),
        ],
        title,
    })
}

/// What the account settles, one figure a row; received and to repay only
/// when payments are recorded.
fn settlement_table(s: &GrantStatement, lang: Lang) -> Table {
    let item = |label: Label, amount: Decimal| Row {
        class: if label == Label::ToRepay {
            RowClass::Total
        } else {
            RowClass::Item
        },
        cells: vec![Cell::Text(label.text(lang).to_owned()), Cell::Money(amount)],
    };
    let m = &s.settlement;
    let rows = [
        m.received.map(|r| item(Label::Received, r)),
        Some(item(Label::Charged, m.charged)),
        Some(item(Label::OwnContribution, m.own_contribution)),
        m.to_repay.map(|r| item(Label::ToRepay, r)),
    ]
    .into_iter()
    .flatten()
    .collect();
    Table {
        key: "settlement",
        title: Label::Settlement.text(lang).to_owned(),
        columns: vec![
            col(
                "item",
                Label::SettlementItem,
                ColumnKind::Text,
                Level::Essential,
            ),
            col(
                "amount",
                Label::Amount,
                ColumnKind::Number,
                Level::Essential,
            ),
        ],
        rows,
        when_empty: None,
        notes: vec![],
    }
}
