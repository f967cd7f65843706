//! A view: titled tables of typed cells, laid out by the writers.

use insats::model::{Date, IndicatorUnit, When};
use rust_decimal::Decimal;

use crate::Label;

/// One value of a table, with what it is: a writer decides how each kind
/// looks (a number format in a workbook, a plain decimal in CSV, grouped
/// digits in a terminal), never what it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing to show: `–` in text, an empty cell in a spreadsheet.
    Empty,
    /// Text: a name from a plan, or a translated word.
    Text(String),
    /// An id from a plan.
    Id(String),
    /// An amount, shown in the report's scale.
    Money(Decimal),
    /// An amount shown to the öre whatever the scale (control totals).
    ExactMoney(Decimal),
    /// An amount per unit of something that differs from row to row (a
    /// cost per percentage point, per unit): text writers name the unit,
    /// spreadsheets hold the amount.
    MoneyPer {
        /// The amount.
        amount: Decimal,
        /// What it is per: `per procentenhet`.
        per: &'static str,
    },
    /// A share, 0-1, shown as a percentage.
    Share(Decimal),
    /// A number that is already in percent (a maximum share of 90 %).
    Percent(Decimal),
    /// An indicator value in its unit; text writers add when it was
    /// observed, spreadsheets give that a column of its own.
    Observation {
        /// The value.
        value: Decimal,
        /// The indicator's unit.
        unit: IndicatorUnit,
        /// When it was observed.
        when: When,
    },
    /// A year or a date.
    When(When),
    /// A date.
    Date(Date),
    /// A count of rows or items.
    Count(u64),
}

impl Cell {
    /// Text, or nothing for none.
    pub fn text(text: Option<&str>) -> Cell {
        text.map_or(Cell::Empty, |t| Cell::Text(t.to_owned()))
    }

    /// An amount, or nothing for none.
    pub fn money(value: Option<Decimal>) -> Cell {
        value.map_or(Cell::Empty, Cell::Money)
    }

    /// A share, or nothing for none.
    pub fn share(value: Option<Decimal>) -> Cell {
        value.map_or(Cell::Empty, Cell::Share)
    }

    /// A date, or nothing for none.
    pub fn date(value: Option<Date>) -> Cell {
        value.map_or(Cell::Empty, Cell::Date)
    }

    /// Whether the cell is a number, aligned to the right.
    pub fn is_number(&self) -> bool {
        matches!(
            self,
            Cell::Money(_)
                | Cell::ExactMoney(_)
                | Cell::MoneyPer { .. }
                | Cell::Share(_)
                | Cell::Percent(_)
                | Cell::Observation { .. }
                | Cell::Count(_)
        )
    }
}

/// What a column holds, which decides its alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Words: names, statuses, findings; wrapped at word boundaries.
    Text,
    /// Words that say what a named row is (a source's kind, a line's
    /// category, a target's scope): text, which a page may set small
    /// beside the row's name instead of in a column of its own.
    Attribute,
    /// Ids, dates and years: never broken.
    Key,
    /// Amounts, shares, values, counts: right-aligned, never broken.
    Number,
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// A stable name for programs and tests (`budget`, `forecast_unspent`).
    pub key: &'static str,
    /// The header.
    pub label: Label,
    /// What it holds.
    pub kind: ColumnKind,
    /// The narrowest preset that shows it.
    pub level: Level,
}

/// The role of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowClass {
    /// An ordinary row.
    Item,
    /// A row the report's findings flag (money at risk, overspent, a
    /// serious finding).
    Flagged,
    /// The sum of the rows above it: not one of them, and not to be added
    /// to them.
    Total,
}

/// A row of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Its role.
    pub class: RowClass,
    /// One cell per column.
    pub cells: Vec<Cell>,
}

/// One table of a view.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// A stable name (`lines`, `funding`), as `--table` takes it.
    pub key: &'static str,
    /// The heading.
    pub title: String,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows.
    pub rows: Vec<Row>,
    /// Shown instead of the table when it has no rows.
    pub when_empty: Option<Label>,
    /// Said under the table.
    pub notes: Vec<Label>,
}

impl Table {
    /// The index of the column named `key`.
    pub fn column(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.key == key)
    }

    /// The columns of a preset, by index. A screen's presets leave out a
    /// column with nothing in any row (to repay, when no payment is
    /// recorded); the full preset keeps every column, so that a
    /// spreadsheet's columns stay where a reader's formulas expect them.
    pub fn shown_columns(&self, preset: Preset) -> Vec<usize> {
        let filled =
            |i: usize| self.rows.is_empty() || self.rows.iter().any(|r| r.cells[i] != Cell::Empty);
        (0..self.columns.len())
            .filter(|&i| match preset {
                Preset::Full => true,
                Preset::Compact => self.columns[i].level != Level::Full && filled(i),
                Preset::Narrow => self.columns[i].level == Level::Essential && filled(i),
            })
            .collect()
    }
}

/// Which columns a writer shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// Every column: CSV, workbooks.
    Full,
    /// The columns a reader needs on a screen: terminal, Markdown.
    Compact,
    /// The essential columns, for a narrow terminal.
    Narrow,
}

/// Which presets show a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Every preset, even the narrow one.
    Essential,
    /// The compact and the full preset.
    Compact,
    /// Only the full preset (CSV, workbook).
    Full,
}

/// A report part as tables, with the heading every page and sheet repeats.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// The heading: what, as of when, of which portfolio.
    pub title: String,
    /// The tables, in reading order.
    pub tables: Vec<Table>,
}

impl View {
    /// `view`, checked in tests and debug builds: every row has a cell for
    /// each column, so no cell sits under another column's header.
    pub(crate) fn checked(view: View) -> View {
        view.debug_check();
        view
    }

    fn debug_check(&self) {
        for table in &self.tables {
            for row in &table.rows {
                debug_assert_eq!(
                    row.cells.len(),
                    table.columns.len(),
                    "a row of `{}` whose cells do not match its columns",
                    table.key
                );
            }
        }
    }

    /// The table named `key`.
    pub fn table(&self, key: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.key == key)
    }
}

/// A column definition, kept short where the catalogues list them.
pub(crate) const fn col(key: &'static str, label: Label, kind: ColumnKind, level: Level) -> Column {
    Column {
        key,
        label,
        kind,
        level,
    }
}
