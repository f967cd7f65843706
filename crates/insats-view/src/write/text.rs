//! Terminal tables and Markdown.
//!
//! In a terminal, no number, date or id is ever broken across lines and
//! names wrap only between words; a table too wide for the width even so
//! is shown one record per block instead.

use std::io::{self, Write};

use comfy_table::{
    CellAlignment, ColumnConstraint, ContentArrangement, Table as Grid, Width, presets,
};
use insats::model::IndicatorUnit;
use insats::printable::{markdown_text, printable};

use crate::NumberStyle;
use crate::table::{Cell, ColumnKind, Preset, Table, View};

/// How text output is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Box-drawn tables, fitted to `width` columns when it is known.
    Terminal {
        /// The width to fit, or none for no limit.
        width: Option<u16>,
    },
    /// GitHub-flavoured Markdown (CommonMark with tables).
    Markdown,
}

/// A cell as text in a style: grouped digits, units, `–` for nothing.
pub fn cell_text(style: &NumberStyle, cell: &Cell) -> String {
    match cell {
        Cell::Empty => "–".to_owned(),
        Cell::Text(t) | Cell::Id(t) => t.clone(),
        Cell::Money(d) => style.money(*d),
        Cell::ExactMoney(d) => style.exact_money(*d),
        Cell::MoneyPer { amount, per } => format!("{} {per}", style.money(*amount)),
        Cell::Share(d) => style.share(Some(*d)),
        Cell::Percent(d) => style.indicator(*d, IndicatorUnit::Percent),
        Cell::Observation { value, unit, when } => {
            format!("{} ({when})", style.indicator(*value, *unit))
        }
        Cell::When(w) => w.to_string(),
        Cell::Date(d) => d.to_string(),
        Cell::Count(n) => style.number((*n).into(), 0),
    }
}

/// Writes a view: its title, then each table with its heading and notes.
pub fn write(
    out: &mut impl Write,
    view: &View,
    style: &NumberStyle,
    layout: Layout,
) -> io::Result<()> {
    match layout {
        Layout::Terminal { .. } => writeln!(out, "{}", printable(&view.title))?,
        Layout::Markdown => writeln!(out, "# {}", markdown_text(&view.title))?,
    }
    for table in &view.tables {
        // A table titled as the view (a grant statement) needs no second
        // heading.
        if table.title != view.title {
            heading(out, layout, &table.title)?;
        } else {
            writeln!(out)?;
        }
        write_table(out, table, style, layout)?;
        for note in &table.notes {
            let note = note.text(style.lang);
            match layout {
                Layout::Terminal { width: Some(w) } => {
                    writeln!(out)?;
                    for line in wrap(note, usize::from(w)) {
                        writeln!(out, "{line}")?;
                    }
                }
                _ => writeln!(out, "\n{note}")?,
            }
        }
    }
    Ok(())
}

fn heading(out: &mut impl Write, layout: Layout, text: &str) -> io::Result<()> {
    match layout {
        Layout::Terminal { .. } => {
            let text = printable(text);
            writeln!(out, "\n{text}\n{}", "=".repeat(text.chars().count()))
        }
        Layout::Markdown => writeln!(out, "\n## {}\n", markdown_text(text)),
    }
}

/// Writes one table (no heading).
pub fn write_table(
    out: &mut impl Write,
    table: &Table,
    style: &NumberStyle,
    layout: Layout,
) -> io::Result<()> {
    if table.rows.is_empty()
        && let Some(empty) = table.when_empty
    {
        return writeln!(out, "{}", empty.text(style.lang));
    }
    let cells = |preset: Preset| {
        let shown = table.shown_columns(preset);
        let header: Vec<String> = shown
            .iter()
            .map(|&c| table.columns[c].label.text(style.lang).to_owned())
            .collect();
        let rows: Vec<Vec<String>> = table
            .rows
            .iter()
            .map(|r| {
                shown
                    .iter()
                    .map(|&c| cell_text(style, &r.cells[c]))
                    .collect()
            })
            .collect();
        let kinds: Vec<ColumnKind> = shown.iter().map(|&c| table.columns[c].kind).collect();
        (header, rows, kinds)
    };
    match layout {
        Layout::Markdown => {
            let (header, rows, kinds) = cells(Preset::Compact);
            markdown(out, &header, &rows, &kinds)
        }
        Layout::Terminal { width } => {
            // The compact columns if they fit, else the essential ones,
            // else one record per block with the compact columns.
            let (header, rows, kinds) = cells(Preset::Compact);
            if let Some(grid) = terminal(&header, &rows, &kinds, width) {
                return writeln!(out, "{grid}");
            }
            let (narrow_header, narrow_rows, narrow_kinds) = cells(Preset::Narrow);
            if let Some(grid) = terminal(&narrow_header, &narrow_rows, &narrow_kinds, width) {
                return writeln!(out, "{grid}");
            }
            records(out, &header, &rows, width.map_or(usize::MAX, usize::from))
        }
    }
}

fn markdown(
    out: &mut impl Write,
    header: &[String],
    rows: &[Vec<String>],
    kinds: &[ColumnKind],
) -> io::Result<()> {
    let line = |cells: &[String]| {
        let cells: Vec<String> = cells.iter().map(|c| markdown_text(c)).collect();
        format!("| {} |", cells.join(" | "))
    };
    writeln!(out, "{}", line(header))?;
    let rule: Vec<&str> = kinds
        .iter()
        .map(|k| match k {
            ColumnKind::Number => "---:",
            ColumnKind::Text | ColumnKind::Attribute | ColumnKind::Key => "---",
        })
        .collect();
    writeln!(out, "|{}|", rule.join("|"))?;
    for row in rows {
        writeln!(out, "{}", line(row))?;
    }
    Ok(())
}

/// Display width of text in a terminal cell.
fn width_of(text: &str) -> usize {
    text.chars().count()
}

/// A box-drawn table, or none when even its narrowest layout is wider
/// than `width`.
fn terminal(
    header: &[String],
    rows: &[Vec<String>],
    kinds: &[ColumnKind],
    width: Option<u16>,
) -> Option<Grid> {
    let header: Vec<String> = header.iter().map(|h| printable(h).into_owned()).collect();
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| printable(c).into_owned()).collect())
        .collect();
    // The narrowest each column may be: a number, date or id whole; words
    // whole (a column of names may wrap between them); headers too may
    // wrap between words.
    let least: Vec<usize> = (0..kinds.len())
        .map(|c| {
            let words = |t: &String| t.split(' ').map(width_of).max().unwrap_or(0);
            let cells = rows.iter().map(|r| match kinds[c] {
                ColumnKind::Text | ColumnKind::Attribute => words(&r[c]),
                ColumnKind::Key | ColumnKind::Number => width_of(&r[c]),
            });
            cells.chain([words(&header[c])]).max().unwrap_or(0)
        })
        .collect();
    // Each column as wide as its widest content; when that is too wide,
    // the columns with room to give (names, headers of several words) are
    // narrowed one character at a time, widest first, never below their
    // least. Borders: one at each side of each column, and a space of
    // padding each side of each cell.
    let frame = 3 * kinds.len() + 1;
    let mut widths: Vec<usize> = (0..kinds.len())
        .map(|c| {
            rows.iter()
                .map(|r| width_of(&r[c]))
                .chain([width_of(&header[c])])
                .max()
                .unwrap_or(0)
        })
        .collect();
    if let Some(w) = width.map(usize::from) {
        if least.iter().sum::<usize>() + frame > w {
            return None;
        }
        // Every column is at least its least (a cell's widest word is no
        // wider than the cell), so a column with room is one above it.
        let mut total: usize = widths.iter().sum::<usize>() + frame;
        while total > w {
            let Some(c) = (0..widths.len())
                .filter(|&c| widths[c] != least[c])
                .max_by_key(|&c| (widths[c] - least[c], std::cmp::Reverse(c)))
            else {
                break;
            };
            widths[c] -= 1;
            total -= 1;
        }
    }
    let mut grid = Grid::new();
    grid.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    grid.set_header(header.iter().map(comfy_table::Cell::new));
    for row in &rows {
        grid.add_row(row.iter().enumerate().map(|(c, text)| {
            let cell = comfy_table::Cell::new(text);
            if kinds[c] == ColumnKind::Number {
                cell.set_alignment(CellAlignment::Right)
            } else {
                cell
            }
        }));
    }
    grid.set_constraints(widths.iter().map(|&w| {
        ColumnConstraint::Absolute(Width::Fixed(u16::try_from(w + 2).unwrap_or(u16::MAX)))
    }));
    Some(grid)
}

/// One block per row, a field per line: the layout that fits any width.
/// Values wrap between words, never inside one (digits are grouped with
/// no-break spaces, so an amount is one word).
fn records(
    out: &mut impl Write,
    header: &[String],
    rows: &[Vec<String>],
    width: usize,
) -> io::Result<()> {
    let label_width = header.iter().map(|h| width_of(h)).max().unwrap_or(0);
    let room = width.saturating_sub(label_width + 2).max(20);
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        for (label, value) in header.iter().zip(row) {
            for (n, part) in wrap(value, room).iter().enumerate() {
                if n == 0 {
                    let pad = label_width - width_of(label);
                    writeln!(out, "{label}{:pad$}  {part}", "")?;
                } else {
                    writeln!(out, "{:label_width$}  {part}", "")?;
                }
            }
        }
    }
    Ok(())
}

/// `text` in lines of at most `room` characters, broken between words; a
/// word longer than `room` gets a line of its own, whole.
fn wrap(text: &str, room: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && width_of(&line) + 1 + width_of(word) > room {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    /// A table fits when its narrowest layout is exactly as wide as the
    /// terminal, and not when it is one column wider: a name wraps between
    /// its words, a number never breaks.
    #[test]
    fn a_table_fits_to_the_last_column() {
        let header = strings(&["Namn", "Budget"]);
        let rows = vec![strings(&[
            "Språkutvecklande arbetssätt",
            "3\u{a0}000\u{a0}000\u{a0}kr",
        ])];
        let kinds = [ColumnKind::Text, ColumnKind::Number];
        // Least: the longest word (16) and the amount (12), plus borders
        // and padding (3 per column and 1): 35.
        let grid = terminal(&header, &rows, &kinds, Some(35)).expect("fits in 35");
        let text = grid.to_string();
        assert!(text.lines().all(|l| l.chars().count() <= 35), "{text}");
        assert!(text.contains("Språkutvecklande"), "{text}");
        assert!(text.contains("3\u{a0}000\u{a0}000\u{a0}kr"), "{text}");
        assert!(terminal(&header, &rows, &kinds, Some(34)).is_none());
    }

    #[test]
    fn long_text_wraps_between_words_and_keeps_a_long_word_whole() {
        assert_eq!(wrap("ett två tre", 7), ["ett två", "tre"]);
        assert_eq!(
            wrap("kompetensförsörjning i", 5),
            ["kompetensförsörjning", "i"]
        );
        assert_eq!(wrap("", 5), [""]);
    }
}
