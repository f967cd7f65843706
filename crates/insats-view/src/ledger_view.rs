//! Ledger control totals as tables: what an auditor reconciles against the
//! ledger, so every amount is shown to the öre.

use insats::ledger::ImportSummary;

use crate::Lang;
use crate::labels::Label;
use crate::table::{Cell, ColumnKind, Level, Row, RowClass, Table, View, col};

/// Two tables, `control-totals` (every kind of row of every import, with
/// its count and sum) and `per-line` (what each import booked on each
/// budget line).
pub fn ledger_view(imports: &[ImportSummary], lang: Lang) -> View {
    let t = |l: Label| l.text(lang).to_owned();
    let mut totals = Vec::new();
    let mut per_line = Vec::new();
    let mut all_reconcile = true;
    for s in imports {
        let file = s.file.display().to_string();
        // Each label beside its own figures: a separate list of labels,
        // zipped with the rows, once lost a label and shifted every label
        // after it by one row.
        let kinds = [
            (Label::RowsRead, s.rows_read, Some(s.sum_read)),
            (Label::RowsBooked, s.rows_mapped, Some(s.sum_mapped)),
            (Label::RowsReceived, s.rows_received, Some(s.sum_received)),
            (Label::RowsNoRule, s.rows_unmapped, Some(s.sum_unmapped)),
            (Label::RowsExcluded, s.rows_excluded, Some(s.sum_excluded)),
            (
                Label::RowsAmbiguous,
                s.rows_ambiguous,
                Some(s.sum_ambiguous),
            ),
            (
                Label::RowsDuplicate,
                s.rows_duplicate,
                Some(s.sum_duplicate),
            ),
            (Label::RowsMalformed, s.rows_malformed, None),
            (Label::RowsBalance, s.rows_balance, Some(s.sum_balance)),
            (Label::RowsSkipped, s.rows_skipped, None),
        ];
        for (label, rows, sum) in kinds {
            totals.push(Row {
                class: if label == Label::RowsRead {
                    RowClass::Total
                } else {
                    RowClass::Item
                },
                cells: vec![
                    Cell::Id(s.ledger.clone()),
                    Cell::Text(file.clone()),
                    Cell::Text(t(label)),
                    Cell::Count(rows as u64),
                    sum.map_or(Cell::Empty, Cell::ExactMoney),
                ],
            });
        }
        for line in &s.per_line {
            per_line.push(Row {
                class: RowClass::Item,
                cells: vec![
                    Cell::Id(s.ledger.clone()),
                    Cell::Id(line.line.clone()),
                    Cell::Count(line.rows as u64),
                    Cell::ExactMoney(line.sum),
                ],
            });
        }
        all_reconcile &= s.reconciles();
    }
    let control_totals = Table {
        key: "control-totals",
        title: t(Label::ControlTotals),
        columns: vec![
            col("ledger", Label::Ledger, ColumnKind::Key, Level::Essential),
            col("file", Label::File, ColumnKind::Key, Level::Compact),
            col("kind", Label::RowKind, ColumnKind::Text, Level::Essential),
            col("rows", Label::Rows, ColumnKind::Number, Level::Essential),
            col("sum", Label::Sum, ColumnKind::Number, Level::Essential),
        ],
        rows: totals,
        when_empty: Some(Label::NoImports),
        notes: if imports.is_empty() {
            vec![]
        } else if all_reconcile {
            vec![Label::Reconciles]
        } else {
            vec![Label::DoesNotReconcile]
        },
    };
    let per_line = Table {
        key: "per-line",
        title: t(Label::PerLine),
        columns: vec![
            col("ledger", Label::Ledger, ColumnKind::Key, Level::Essential),
            col("line", Label::Id, ColumnKind::Key, Level::Essential),
            col("rows", Label::Rows, ColumnKind::Number, Level::Essential),
            col("sum", Label::Sum, ColumnKind::Number, Level::Essential),
        ],
        rows: per_line,
        when_empty: None,
        notes: vec![],
    };
    let tables = if imports.is_empty() {
        vec![control_totals]
    } else {
        vec![control_totals, per_line]
    };
    View::checked(View {
        title: t(Label::ControlTotals),
        tables,
    })
}
