//! CSV for spreadsheets: UTF-8 with a byte order mark, `;` between fields
//! (what Excel expects in Swedish), every column of the table, amounts
//! exact with the language's decimal mark and no grouping.

use std::io::{self, Write};

use rust_decimal::Decimal;

use crate::NumberStyle;
use crate::table::{Cell, Preset, Table};

/// Text that a spreadsheet would read as a formula gets an apostrophe in
/// front, so that an invoice text cannot run in Excel.
pub fn safe_text(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// A cell as a CSV field: numbers plain and exact (a share as a
/// percentage), text safe from formula evaluation.
pub fn field(style: &NumberStyle, cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(t) | Cell::Id(t) => safe_text(t),
        Cell::Money(d) | Cell::ExactMoney(d) | Cell::MoneyPer { amount: d, .. } => style.plain(*d),
        Cell::Share(d) => style.plain(*d * Decimal::ONE_HUNDRED),
        Cell::Percent(d) => style.plain(*d),
        Cell::Observation { value, .. } => style.plain(*value),
        Cell::When(w) => w.to_string(),
        Cell::Date(d) => d.to_string(),
        Cell::Count(n) => n.to_string(),
    }
}

/// Writes `table` as CSV.
pub fn write(out: &mut impl Write, table: &Table, style: &NumberStyle) -> io::Result<()> {
    out.write_all("\u{feff}".as_bytes())?;
    // `;` in English too: one file shape for both languages.
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(out);
    let shown = table.shown_columns(Preset::Full);
    let result: csv::Result<()> = (|| {
        w.write_record(
            shown
                .iter()
                .map(|&c| table.columns[c].label.text(style.lang)),
        )?;
        for row in &table.rows {
            w.write_record(shown.iter().map(|&c| field(style, &row.cells[c])))?;
        }
        w.flush()?;
        Ok(())
    })();
    result.map_err(io::Error::other)
}
