//! An Excel workbook: one sheet per table, every column, numbers as
//! numbers in formats that say what they are.
//!
//! Each sheet starts with the view's title (what, as of when, of which
//! portfolio) and repeats it and the header row on every printed page;
//! pages are landscape A4, fitted to the page width. Columns are as wide
//! as their widest formatted value, so no amount shows as `###`.
//!
//! Excel stores numbers as binary floating point: amounts below about
//! 10^13 kr keep every öre, and the JSON and CSV outputs stay exact.

use std::collections::HashSet;

use insats::model::{Date, IndicatorUnit, When};
use rust_decimal::Decimal;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::table::{Cell, ColumnKind, Preset, RowClass, Table, View};
use crate::write::text::cell_text;
use crate::{Lang, NumberStyle};

/// Why a workbook could not be made.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the workbook: {0}")]
pub struct XlsxWriteError(#[from] XlsxError);

/// Sheet rows: the title, then the header, then the data.
const TITLE_ROW: u32 = 0;
const HEADER_ROW: u32 = 1;
const FIRST_DATA_ROW: u32 = 2;
/// Widest a text column is made; longer text is cut at its edge.
const MAX_TEXT_WIDTH: usize = 40;

struct Formats {
    title: Format,
    header: Format,
    money: Format,
    share: Format,
    percent_value: Format,
    value: Format,
    year: Format,
    date: Format,
    count: Format,
    text: Format,
}

impl Formats {
    fn new(style: &NumberStyle) -> Self {
        let unit = style.unit_of_whole_amounts().replace('"', "");
        Formats {
            title: Format::new().set_bold().set_font_size(13),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_border_bottom(FormatBorder::Thin),
            // Amounts to the öre: a workbook is for working with the
            // figures, whatever scale the text outputs use.
            money: Format::new().set_num_format(format!("#,##0.00 \"{unit}\"")),
            // A share is rounded to a tenth of a percentage point.
            share: Format::new().set_num_format("0.0%"),
            // An indicator value is in its own unit: a percentage indicator
            // holds 89.1 for 89,1 %, which Excel's `%` would show as 8910 %.
            percent_value: Format::new().set_num_format("General\" %\""),
            value: Format::new().set_num_format("General"),
            year: Format::new().set_num_format("0"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            count: Format::new().set_num_format("#,##0"),
            // Not wrapped: a spreadsheet does not grow a row for wrapped
            // text it did not lay out itself (LibreOffice draws the lines
            // over the next row); a long name is cut at the column's edge.
            text: Format::new(),
        }
    }
}

/// The one place an amount becomes a binary float: the xlsx format has no
/// decimal type.
fn float(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(0.0)
}

/// A date as Excel holds it.
pub fn excel_date(d: Date) -> Result<ExcelDateTime, XlsxError> {
    // Dates are validated to years 1900-9999 on load; a year outside
    // Excel's range is an error here, not a wrong date.
    let year = u16::try_from(d.year()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)
}

/// A sheet name: at most 31 characters, none of `[]:*?/\`, unique in the
/// workbook.
fn sheet_name(title: &str, taken: &mut HashSet<String>) -> String {
    let base: String = title
        .split(':')
        .next()
        .unwrap_or(title)
        .chars()
        .map(|c| {
            if "[]:*?/\\".contains(c) || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .trim()
        .trim_matches('\'')
        .trim()
        .chars()
        .take(28)
        .collect();
    let base = if base.is_empty() {
        "Sheet".to_owned()
    } else {
        base
    };
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.to_lowercase()) {
        name = format!("{base} {n}");
        n += 1;
    }
    name
}

/// A page header repeating the title: `&` escaped, control characters
/// dropped, within Excel's 255 characters.
fn page_header(title: &str) -> String {
    let clean: String = title
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    format!("&L{}", clean.replace('&', "&&"))
}

/// The workbook of a view. `created` is the creation time the workbook
/// records (seconds since 1970), so the same view gives the same bytes.
pub fn workbook(
    view: &View,
    style: &NumberStyle,
    created: ExcelDateTime,
) -> Result<Vec<u8>, XlsxWriteError> {
    let formats = Formats::new(style);
    let mut workbook = Workbook::new();
    workbook.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title(&view.title)
            .set_creation_datetime(&created),
    );
    let mut taken = HashSet::new();
    for table in &view.tables {
        let ws = workbook.add_worksheet();
        ws.set_name(sheet_name(&table.title, &mut taken))?;
        sheet(ws, view, table, style, &formats)?;
    }
    Ok(workbook.save_to_buffer()?)
}

fn sheet(
    ws: &mut Worksheet,
    view: &View,
    table: &Table,
    style: &NumberStyle,
    f: &Formats,
) -> Result<(), XlsxError> {
    let shown = table.shown_columns(Preset::Full);
    // One string: a second cell beside it would cut the first off.
    let heading = if table.title == view.title {
        view.title.clone()
    } else {
        format!("{} – {}", table.title, view.title)
    };
    ws.write_string_with_format(TITLE_ROW, 0, &heading, &f.title)?;
    for (x, &c) in shown.iter().enumerate() {
        let label = table.columns[c].label.text(style.lang);
        ws.write_string_with_format(HEADER_ROW, x as u16, label, &f.header)?;
    }
    for (y, row) in table.rows.iter().enumerate() {
        let r = FIRST_DATA_ROW + y as u32;
        for (x, &c) in shown.iter().enumerate() {
            let x = x as u16;
            let cell = &row.cells[c];
            let format = |base: &Format| -> Format {
                match row.class {
                    RowClass::Total => base.clone().set_bold(),
                    RowClass::Flagged => base.clone().set_font_color("#9C0006"),
                    RowClass::Item => base.clone(),
                }
            };
            match cell {
                Cell::Empty => {}
                Cell::Text(t) | Cell::Id(t) => {
                    ws.write_string_with_format(r, x, t, &format(&f.text))?;
                }
                Cell::Money(d) | Cell::ExactMoney(d) | Cell::MoneyPer { amount: d, .. } => {
                    ws.write_number_with_format(r, x, float(*d), &format(&f.money))?;
                }
                Cell::Share(d) => {
                    ws.write_number_with_format(r, x, float(*d), &format(&f.share))?;
                }
                Cell::Percent(d) => {
                    ws.write_number_with_format(r, x, float(*d), &format(&f.percent_value))?;
                }
                Cell::Observation { value, unit, .. } => {
                    let base = if *unit == IndicatorUnit::Percent {
                        &f.percent_value
                    } else {
                        &f.value
                    };
                    ws.write_number_with_format(r, x, float(*value), &format(base))?;
                }
                Cell::When(When::Year(y)) => {
                    ws.write_number_with_format(r, x, f64::from(*y), &format(&f.year))?;
                }
                Cell::When(When::Date(d)) | Cell::Date(d) => {
                    ws.write_datetime_with_format(r, x, excel_date(*d)?, &format(&f.date))?;
                }
                Cell::Count(n) => {
                    ws.write_number_with_format(r, x, *n as f64, &format(&f.count))?;
                }
            }
        }
    }
    // Widths from what the cells show, as a reader sees them in the text
    // outputs (grouped digits, units): an amount's column is never
    // narrower than its amounts.
    for (x, &c) in shown.iter().enumerate() {
        let column = &table.columns[c];
        let header = column.label.text(style.lang).chars().count();
        let widest = table
            .rows
            .iter()
            .map(|r| match &r.cells[c] {
                // The workbook shows amounts to the öre.
                Cell::Money(d) => style.exact_money(*d).chars().count(),
                other => cell_text(style, other).chars().count(),
            })
            .max()
            .unwrap_or(0);
        let width = match column.kind {
            // A header may wrap; a value may not.
            ColumnKind::Number | ColumnKind::Key => widest.max(header.min(14)),
            ColumnKind::Text | ColumnKind::Attribute => {
                widest.max(header.min(14)).min(MAX_TEXT_WIDTH)
            }
        };
        ws.set_column_width(x as u16, (width + 2) as f64)?;
    }
    // Two lines for headers that wrap ("Medfinansiering krävd").
    ws.set_row_height(HEADER_ROW, 30)?;
    ws.set_freeze_panes(FIRST_DATA_ROW, 0)?;
    if !shown.is_empty() {
        ws.autofilter(
            HEADER_ROW,
            0,
            HEADER_ROW + table.rows.len() as u32,
            shown.len() as u16 - 1,
        )?;
    }
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(TITLE_ROW, HEADER_ROW)?;
    ws.set_header(page_header(&view.title));
    ws.set_footer(match style.lang {
        Lang::Sv => "&RSida &P av &N",
        Lang::En => "&RPage &P of &N",
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut taken = HashSet::new();
        assert_eq!(sheet_name("Insatser", &mut taken), "Insatser");
        assert_eq!(sheet_name("insatser", &mut taken), "insatser 2");
        assert_eq!(sheet_name("a/b: c", &mut taken), "a b");
        assert_eq!(sheet_name("'[]'", &mut taken), "Sheet");
        let long = "x".repeat(40);
        assert_eq!(sheet_name(&long, &mut taken).chars().count(), 28);
    }

    #[test]
    fn page_headers_escape_ampersands() {
        assert_eq!(page_header("A & B\n"), "&LA && B");
    }
}
