//! Every output shows the report's figures: each figure of the JSON report
//! is found, equal after parsing, in the terminal tables, Markdown, CSV
//! and the workbook, in the row of what it belongs to and the column of
//! what it is. A figure added to the report that no table shows fails
//! here, unless it is listed in `NOT_IN_TABLES` with why.
//!
//! The columns are found by their labels in the view's catalogue
//! (`insats_view::report_view`); the values are compared with the JSON
//! the binary writes, never with the view's own cells.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use insats_view::{Cell, Lang, Preset, View};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// JSON fields that are not figures of a table, each with why.
const NOT_IN_TABLES: &[(&str, &str)] = &[
    ("tool", "the envelope"),
    ("version", "the envelope"),
    ("format_version", "the envelope"),
    ("as_of", "in every output's title"),
    ("currency", "the unit of every amount"),
    ("period", "an initiative's start and end columns"),
    ("lines", "the lines table"),
    (
        "measurements",
        "every measurement is in the HTML page's target table; the tables show the latest",
    ),
    (
        "cost_per_change",
        "its parts: cost per improvement, pupils, cost per pupil",
    ),
    ("co_financing", "its parts: required, paid, maximum share"),
    (
        "window_closed",
        "whether to_repay is final; the findings say which",
    ),
    (
        "years",
        "the years table, row by initiative and year (added by `year_figures`); a line's years are for programs only",
    ),
    ("baseline", "its value and when"),
    ("target", "its value and when"),
    ("latest", "its value and when"),
    (
        "kind",
        "a finding's kind is its text; a source's kind its name",
    ),
];

/// A JSON field, the column that shows it, and how.
type Field = (&'static str, &'static str, fn(&Value) -> Wanted);

/// One figure: what it belongs to and what it is.
#[derive(Debug, Clone)]
struct Figure {
    table: &'static str,
    /// The row's id (a findings row: its position).
    row: String,
    column: &'static str,
    value: Wanted,
}

#[derive(Debug, Clone)]
enum Wanted {
    Money(Decimal),
    Share(Decimal),
    Percent(Decimal),
    Value(Decimal),
    Text(String),
}

fn dec(v: &Value) -> Decimal {
    v.as_str()
        .unwrap_or_else(|| panic!("not a decimal string: {v}"))
        .parse()
        .unwrap()
}

/// The figures of one JSON object: `fields` maps each field to a column
/// and how it is shown; a field neither mapped nor listed fails.
fn figures_of(
    object: &Value,
    table: &'static str,
    row: &str,
    fields: &[Field],
    out: &mut Vec<Figure>,
) {
    let map = object.as_object().unwrap();
    for (key, value) in map {
        if NOT_IN_TABLES.iter().any(|(k, _)| k == key) {
            continue;
        }
        let Some((_, column, how)) = fields.iter().find(|(f, _, _)| f == key) else {
            panic!(
                "`{key}` of {table} is in the report but in no table: give it a column, or list it in NOT_IN_TABLES with why"
            );
        };
        if value.is_null() {
            continue;
        }
        out.push(Figure {
            table,
            row: row.to_owned(),
            column,
            value: how(value),
        });
    }
}

fn money(v: &Value) -> Wanted {
    Wanted::Money(dec(v))
}
fn share(v: &Value) -> Wanted {
    Wanted::Share(dec(v))
}
fn percent(v: &Value) -> Wanted {
    Wanted::Percent(dec(v))
}
fn value(v: &Value) -> Wanted {
    Wanted::Value(dec(v))
}
fn text(v: &Value) -> Wanted {
    Wanted::Text(match v {
        Value::String(s) => s.clone(),
        // A year, or a date (`When` is `{"year": 2023}` or `{"date": ...}`).
        Value::Object(o) => o
            .values()
            .next()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .unwrap(),
        other => other.to_string(),
    })
}
fn skip(_: &Value) -> Wanted {
    Wanted::Text(String::new())
}

const MONEY_FIELDS: [Field; 12] = [
    ("budget", "budget", money),
    ("planned_to_date", "planned_to_date", money),
    ("spent_to_date", "spent_to_date", money),
    ("remaining", "remaining", money),
    ("share_spent", "share_spent", share),
    ("share_planned", "share_planned", share),
    ("share_time_elapsed", "share_time_elapsed", share),
    ("run_rate_per_month", "run_rate_per_month", money),
    ("forecast", "forecast", money),
    ("variance", "variance", money),
    ("original_budget", "original_budget", money),
    ("variance_original", "variance_original", money),
];

/// The years table's figures of `money` (the portfolio's rows are named
/// by the total's label): a row per year, `initiative|year`.
fn year_figures(money: &Value, who: &str, out: &mut Vec<Figure>) {
    year_figures_in(money, "years", who, out);
}

/// The figures of `object`'s `years` in `table`, a row per year.
fn year_figures_in(object: &Value, table: &'static str, who: &str, out: &mut Vec<Figure>) {
    for y in object["years"].as_array().unwrap() {
        let row = format!("{who}|{}", y["year"]);
        out.push(Figure {
            table,
            row: row.clone(),
            column: "planned",
            value: money(&y["planned"]),
        });
        // A year not begun shows no outcome.
        if y["status"] != "plan" {
            out.push(Figure {
                table,
                row,
                column: "spent",
                value: money(&y["spent"]),
            });
        }
    }
}

fn all_figures(report: &Value) -> Vec<Figure> {
    let mut out = Vec::new();
    figures_of(
        &report["portfolio"],
        "portfolio",
        "",
        &MONEY_FIELDS,
        &mut out,
    );
    year_figures(&report["portfolio"], "Summa", &mut out);
    for i in report["initiatives"].as_array().unwrap() {
        let id = i["id"].as_str().unwrap();
        let mut fields = MONEY_FIELDS.to_vec();
        fields.extend([
            ("id", "id", text as fn(&Value) -> Wanted),
            ("name", "name", text),
            ("organisation", "organisation", text),
        ]);
        figures_of(i, "initiatives", id, &fields, &mut out);
        year_figures(i, id, &mut out);
        for (key, column) in [("start", "start"), ("end", "end")] {
            out.push(Figure {
                table: "initiatives",
                row: id.to_owned(),
                column,
                value: text(&i["period"][key]),
            });
        }
        for line in i["lines"].as_array().unwrap() {
            let mut fields = MONEY_FIELDS.to_vec();
            fields.extend([
                ("id", "id", text as fn(&Value) -> Wanted),
                ("name", "name", text),
                // Shown by its name in the language of the output.
                ("category", "category", skip),
                ("unit", "unit", text),
            ]);
            figures_of(
                line,
                "lines",
                line["id"].as_str().unwrap(),
                &fields,
                &mut out,
            );
        }
    }
    for f in report["funding"].as_array().unwrap() {
        year_figures_in(f, "funding-years", f["id"].as_str().unwrap(), &mut out);
        let fields: [Field; 17] = [
            ("id", "id", text),
            ("name", "name", text),
            ("funder", "funder", text),
            ("amount", "amount", money),
            ("original_amount", "original_amount", money),
            ("allocated", "allocated", money),
            ("spent_to_date", "spent_to_date", money),
            ("left", "left", money),
            ("window_end", "window_end", text),
            ("next_report", "next_report", text),
            ("report_overdue", "report_overdue", text),
            ("charged", "charged", money),
            ("received", "received", money),
            ("to_repay", "to_repay", money),
            ("forecast_spent", "forecast_spent", money),
            ("forecast_unspent", "forecast_unspent", money),
            ("co_financing", "", skip),
        ];
        let id = f["id"].as_str().unwrap();
        figures_of(f, "funding", id, &fields, &mut out);
        if let Some(c) = f["co_financing"].as_object() {
            for (key, column, how) in [
                (
                    "required",
                    "co_financing_required",
                    money as fn(&Value) -> Wanted,
                ),
                ("paid", "co_financing_paid", money),
                ("max_share_percent", "max_share_percent", percent),
            ] {
                out.push(Figure {
                    table: "funding",
                    row: id.to_owned(),
                    column,
                    value: how(&c[key]),
                });
            }
        }
    }
    for t in report["targets"].as_array().unwrap() {
        let id = t["id"].as_str().unwrap();
        let fields: [Field; 11] = [
            ("id", "id", text),
            ("initiative", "initiative", text),
            ("indicator", "", skip),
            ("indicator_name", "indicator", text),
            ("unit", "", skip),
            ("scope", "scope", text),
            ("change", "change", value),
            ("progress", "progress", share),
            ("expected_progress", "expected_progress", share),
            ("status", "", skip),
            ("spent_to_date", "spent_to_date", money),
        ];
        let mut fields = fields.to_vec();
        fields.push(("planned_to_date", "planned_to_date", money));
        figures_of(t, "targets", id, &fields, &mut out);
        for (key, column, when) in [
            ("baseline", "baseline", "baseline_when"),
            ("target", "target", "target_when"),
            ("latest", "latest", "latest_when"),
        ] {
            if t[key].is_null() {
                continue;
            }
            out.push(Figure {
                table: "targets",
                row: id.to_owned(),
                column,
                value: value(&t[key]["value"]),
            });
            out.push(Figure {
                table: "targets",
                row: id.to_owned(),
                column: when,
                value: text(&t[key]["when"]),
            });
        }
        if let Some(per) = t["cost_per_change"]
            .get("per-unit")
            .or(t["cost_per_change"].get("PerUnit"))
        {
            for (key, column, how) in [
                (
                    "per_unit",
                    "cost_per_improvement",
                    money as fn(&Value) -> Wanted,
                ),
                ("pupils", "improvement_in_pupils", value),
                ("per_pupil", "cost_per_pupil", money),
            ] {
                if !per[key].is_null() {
                    out.push(Figure {
                        table: "targets",
                        row: id.to_owned(),
                        column,
                        value: how(&per[key]),
                    });
                }
            }
        }
    }
    for (n, f) in report["findings"].as_array().unwrap().iter().enumerate() {
        let fields: [Field; 4] = [
            ("severity", "", skip),
            ("kind", "", skip),
            ("subject", "subject", text),
            ("amount", "amount", money),
        ];
        figures_of(f, "findings", &n.to_string(), &fields, &mut out);
    }
    // The skipped fields (shown as words of the output's language) leave
    // empty texts; they are checked by the tests of those words.
    out.retain(|f| !f.column.is_empty() && !matches!(&f.value, Wanted::Text(t) if t.is_empty()));
    out
}

/// A table as read back: the header labels and the rows of cell texts.
#[derive(Debug, Default)]
struct Read {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// How a format writes numbers.
#[derive(Clone, Copy, PartialEq)]
enum Form {
    /// Rounded for reading, grouped, with units (terminal, Markdown).
    Shown,
    /// Exact, plain, shares in percent (CSV).
    Plain,
    /// Numbers as numbers, shares as fractions (xlsx).
    Workbook,
}

fn parse_shown(text: &str) -> Option<Decimal> {
    let number: String = text
        .split(['(', ' '])
        .next()?
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == ',' || *c == '-')
        .collect();
    let t = text.replace('\u{a0}', "");
    let number = if number.is_empty() {
        return None;
    } else {
        number
    };
    let _ = t;
    number.replace(',', ".").parse().ok()
}

/// The amount as the readable outputs show it: whole kronor, unless that
/// would hide a non-zero amount, which then shows its öre.
fn shown_money(exact: Decimal) -> Decimal {
    let whole = exact.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    if whole.is_zero() && !exact.is_zero() {
        exact.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    } else {
        whole
    }
}

fn agrees(form: Form, wanted: &Wanted, got: &str) -> bool {
    let number = |s: &str| -> Option<Decimal> {
        match form {
            Form::Shown => parse_shown(s),
            Form::Plain => s.replace(',', ".").parse().ok(),
            Form::Workbook => s
                .parse::<f64>()
                .ok()
                .and_then(|f| Decimal::try_from(f).ok()),
        }
    };
    match (wanted, form) {
        (Wanted::Text(t), _) => got == t,
        (Wanted::Money(m), Form::Shown) => number(got) == Some(shown_money(*m)),
        (Wanted::Money(m), Form::Workbook) => {
            number(got).is_some_and(|g| (g - *m).abs() < Decimal::new(1, 3))
        }
        (Wanted::Money(m) | Wanted::Value(m) | Wanted::Percent(m), _) => {
            number(got).is_some_and(|g| g == *m)
        }
        (Wanted::Share(s), Form::Workbook) => {
            number(got).is_some_and(|g| (g - *s).abs() < Decimal::new(1, 9))
        }
        (Wanted::Share(s), _) => number(got) == Some((*s * Decimal::ONE_HUNDRED).normalize()),
    }
}

/// Compares `figures` with the tables read from one format.
fn compare(
    format: &str,
    form: Form,
    view: &View,
    preset: Preset,
    tables: &HashMap<String, Read>,
    figures: &[Figure],
) -> Vec<String> {
    let mut problems = Vec::new();
    for figure in figures {
        let table = view.table(figure.table).unwrap();
        let Some(column) = table.column(figure.column) else {
            problems.push(format!(
                "{}: no column `{}` in the view",
                figure.table, figure.column
            ));
            continue;
        };
        if !table.shown_columns(preset).contains(&column) {
            continue;
        }
        let label = table.columns[column].label.text(Lang::Sv);
        let Some(read) = tables.get(&table.title) else {
            problems.push(format!("{format}: no table {}", table.title));
            continue;
        };
        let Some(at) = read.header.iter().position(|h| h == label) else {
            problems.push(format!("{format}: no column {label} in {}", table.title));
            continue;
        };
        // The row: by its id in the id column, or by position.
        let row = match figure.table {
            "portfolio" => read.rows.first(),
            "findings" => read.rows.get(figure.row.parse::<usize>().unwrap()),
            "years" | "funding-years" => {
                let (who, year) = figure.row.split_once('|').unwrap();
                let who_key = if figure.table == "years" {
                    "initiative"
                } else {
                    "id"
                };
                let at = |key: &str| {
                    let label = table.columns[table.column(key).unwrap()]
                        .label
                        .text(Lang::Sv);
                    read.header.iter().position(|h| h == label)
                };
                let (Some(who_at), Some(year_at)) = (at(who_key), at("year")) else {
                    continue;
                };
                read.rows
                    .iter()
                    .find(|r| r[who_at] == who && r[year_at] == year)
            }
            _ => {
                let id_label = table.columns[table.column("id").unwrap()]
                    .label
                    .text(Lang::Sv);
                let Some(id_at) = read.header.iter().position(|h| h == id_label) else {
                    // The row's id is not shown (a narrow preset): skip.
                    continue;
                };
                read.rows.iter().find(|r| r[id_at] == figure.row)
            }
        };
        let Some(row) = row else {
            problems.push(format!(
                "{format}: no row {} in {}",
                figure.row, table.title
            ));
            continue;
        };
        let got = &row[at];
        if !agrees(form, &figure.value, got) {
            problems.push(format!(
                "{format}: {} {} {label}: shows {got:?}, the report has {:?}",
                table.title, figure.row, figure.value
            ));
        }
    }
    problems
}

fn insats(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_insats"))
        .current_dir(root())
        .env_remove("COLUMNS")
        .args(["--color", "never"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn markdown_tables(text: &str) -> HashMap<String, Read> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut tables = HashMap::new();
    let (mut title, mut current, mut cell) = (String::new(), Read::default(), String::new());
    let (mut in_heading, mut in_head, mut row) = (false, false, Vec::new());
    for event in Parser::new_ext(text, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                title.clear();
            }
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => {
                in_head = false;
                current.header = std::mem::take(&mut row);
            }
            // Text outside a table (a note under one) is no cell's.
            Event::Start(Tag::TableCell) => cell.clear(),
            Event::End(TagEnd::TableCell) => row.push(std::mem::take(&mut cell).trim().to_owned()),
            Event::End(TagEnd::TableRow) if !in_head => current.rows.push(std::mem::take(&mut row)),
            Event::End(TagEnd::Table) => {
                tables.insert(title.clone(), std::mem::take(&mut current));
            }
            Event::Text(t) if in_heading => title.push_str(&t),
            Event::Text(t) => cell.push_str(&t),
            _ => {}
        }
    }
    tables
}

fn terminal_tables(text: &str) -> HashMap<String, Read> {
    let mut tables = HashMap::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if i + 2 < lines.len() && lines[i + 1].starts_with('=') && lines[i + 2].starts_with('┌') {
            let mut read = Read::default();
            let mut in_body = false;
            for l in &lines[i + 3..] {
                if l.starts_with('└') {
                    break;
                }
                if l.starts_with('╞') {
                    in_body = true;
                    continue;
                }
                let cells: Vec<String> = l
                    .trim_matches('│')
                    .split('┆')
                    .map(|c| c.trim().to_owned())
                    .collect();
                if in_body {
                    read.rows.push(cells);
                } else {
                    read.header = cells;
                }
            }
            tables.insert(line.to_string(), read);
        }
    }
    tables
}

fn csv_tables(view: &View, portfolio: &str, as_of: &str) -> HashMap<String, Read> {
    let mut tables = HashMap::new();
    for table in &view.tables {
        let bytes = insats(&[
            "report", portfolio, "--as-of", as_of, "--format", "csv", "--table", table.key,
        ]);
        let text = String::from_utf8(bytes).unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let header = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let rows = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        tables.insert(table.title.clone(), Read { header, rows });
    }
    tables
}

fn workbook_tables(portfolio: &str, as_of: &str) -> HashMap<String, Read> {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.xlsx");
    insats(&[
        "report",
        portfolio,
        "--as-of",
        as_of,
        "--format",
        "xlsx",
        "-o",
        path.to_str().unwrap(),
    ]);
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let mut tables = HashMap::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        let text = |d: &Data| match d {
            Data::Empty => String::new(),
            Data::String(s) => s.clone(),
            Data::Float(f) => f.to_string(),
            Data::Int(i) => i.to_string(),
            // Excel counts days from 1899-12-30.
            Data::DateTime(d) => jiff::civil::date(1899, 12, 30)
                .checked_add(jiff::Span::new().days(d.as_f64() as i64))
                .unwrap()
                .to_string(),
            other => other.to_string(),
        };
        let mut rows = range
            .rows()
            .skip(1)
            .map(|r| r.iter().map(text).collect::<Vec<_>>());
        let header = rows.next().unwrap_or_default();
        // A year is a number in the workbook: 2023, not 2023.0.
        let rows = rows.collect();
        tables.insert(name.clone(), Read { header, rows });
    }
    tables
}

fn check(portfolio: &str, as_of: &str) {
    let json: Value = serde_json::from_slice(&insats(&[
        "report", portfolio, "--as-of", as_of, "--format", "json",
    ]))
    .unwrap();
    let figures = all_figures(&json);
    assert!(figures.len() > 20, "{figures:?}");
    // The view's catalogue, for the labels: the same report in-process.
    let (_, validation) = insats::validate_paths(&[root().join(portfolio)]).unwrap();
    let report = insats::report::report(
        &validation.portfolio,
        &insats::report::ReportOptions {
            as_of: as_of.parse().unwrap(),
            initiative: None,
            funding: None,
            unit: None,
            forecast: Default::default(),
        },
    );
    let view = insats_view::report_view(&report, validation.portfolio.name.as_deref(), Lang::Sv);
    // A header names one kind of figure: two columns that mean different
    // things (a line's school, a target's unit of measure) never share a
    // header, in either language, so no reader takes one for the other.
    for lang in [Lang::Sv, Lang::En] {
        let mut meaning: HashMap<&str, insats_view::Label> = HashMap::new();
        for table in &view.tables {
            for column in &table.columns {
                let text = column.label.text(lang);
                let first = *meaning.entry(text).or_insert(column.label);
                assert_eq!(first, column.label, "two labels read {text:?}");
            }
        }
    }
    // Every column of the view is filled from the report (not left empty
    // by a catalogue that lost its figure).
    for table in &view.tables {
        for (c, column) in table.columns.iter().enumerate() {
            let filled = table.rows.iter().any(|r| r.cells[c] != Cell::Empty);
            let optional = [
                "unit",
                "name",
                "funder",
                "latest",
                "latest_when",
                "change",
                "progress",
                "cost_per_improvement",
                "improvement_in_pupils",
                "cost_per_pupil",
                "run_rate_per_month",
                "window_end",
                "next_report",
                "report_overdue",
                "received",
                "to_repay",
                "co_financing_required",
                "co_financing_paid",
                "max_share_percent",
                "amount",
                // Only with a budget history (the shipped Örebro plan has one).
                "original_budget",
                "variance_original",
                "original_amount",
            ];
            assert!(
                filled || optional.contains(&column.key) || table.rows.is_empty(),
                "{} {} is empty",
                table.key,
                column.key
            );
        }
    }

    let mut problems = Vec::new();
    let md = String::from_utf8(insats(&[
        "report", portfolio, "--as-of", as_of, "--format", "markdown",
    ]))
    .unwrap();
    problems.extend(compare(
        "markdown",
        Form::Shown,
        &view,
        Preset::Compact,
        &markdown_tables(&md),
        &figures,
    ));
    let term = String::from_utf8(insats(&["report", portfolio, "--as-of", as_of])).unwrap();
    problems.extend(compare(
        "terminal",
        Form::Shown,
        &view,
        Preset::Compact,
        &terminal_tables(&term),
        &figures,
    ));
    problems.extend(compare(
        "csv",
        Form::Plain,
        &view,
        Preset::Full,
        &csv_tables(&view, portfolio, as_of),
        &figures,
    ));
    problems.extend(compare(
        "xlsx",
        Form::Workbook,
        &view,
        Preset::Full,
        &workbook_tables(portfolio, as_of),
        &figures,
    ));
    problems.extend(compare_html(&view, portfolio, as_of, &figures));
    assert!(
        problems.is_empty(),
        "{portfolio} as of {as_of}:\n{}",
        problems.join("\n")
    );
}

/// The text of a piece of HTML, its tags left out and its entities read.
fn html_text(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        rest = rest[open..].split_once('>').map_or("", |(_, after)| after);
    }
    text.push_str(rest);
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .trim()
        .to_owned()
}

/// The parts of `html` between each `open` and the next `close`.
fn parts<'a>(html: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    html.split(open)
        .skip(1)
        .map(|part| part.split(close).next().unwrap_or_default())
        .collect()
}

/// The cells of a row of the page, then what its row header writes small
/// under the row's name (`<span data-key="kind">`, its id), by column key.
/// The header of a row without a name is its id.
fn html_row(row: &str) -> (Vec<String>, HashMap<String, String>) {
    let mut cells = Vec::new();
    let mut under = HashMap::new();
    for cell in row.split("<t").skip(1) {
        let Some((_, content)) = cell.split_once('>') else {
            continue;
        };
        let content = content
            .rsplit_once("</t")
            .map_or(content, |(inside, _)| inside);
        let (shown, small) = content
            .split_once("<br><span class=\"id\">")
            .unwrap_or((content, ""));
        for part in parts(small, "<span data-key=\"", "</span>") {
            if let Some((key, text)) = part.split_once("\">") {
                under.insert(key.to_owned(), html_text(text));
            }
        }
        if cell.starts_with("h scope=\"row\"") && !under.contains_key("id") {
            under.insert("id".to_owned(), html_text(shown));
        }
        cells.push(html_text(shown));
    }
    (cells, under)
}

/// A table of the page as read back, headed by the view's labels: the
/// page's columns, then what the row headers write under the names.
fn html_table(table: &str, of: &insats_view::Table) -> (Read, Vec<Vec<String>>) {
    let head = table.split("</thead>").next().unwrap_or_default();
    let mut header: Vec<String> = parts(head, "<th ", "</th>")
        .iter()
        .map(|h| html_text(h.split_once('>').map_or("", |(_, t)| t)))
        .collect();
    let under: Vec<&insats_view::Column> = of
        .columns
        .iter()
        .filter(|c| !header.iter().any(|h| h == c.label.text(Lang::Sv)))
        .collect();
    header.extend(under.iter().map(|c| c.label.text(Lang::Sv).to_owned()));
    let read_rows = |part: &str| -> Vec<Vec<String>> {
        parts(part, "<tr", "</tr>")
            .iter()
            .map(|row| {
                let (mut cells, small) = html_row(row);
                cells.extend(
                    under
                        .iter()
                        .map(|c| small.get(c.key).cloned().unwrap_or_default()),
                );
                cells
            })
            .collect()
    };
    let body = table.split("<tbody>").nth(1).unwrap_or_default();
    let body = body.split("</tbody>").next().unwrap_or_default();
    let foot = table.split("<tfoot>").nth(1).unwrap_or_default();
    (
        Read {
            header,
            rows: read_rows(body),
        },
        read_rows(foot),
    )
}

/// Every figure of the JSON report that the HTML page's tables show, in
/// its row and column there. The page is made of the view's tables (the
/// compact preset) arranged in sections: the portfolio as key figures,
/// the initiatives, funding and findings in the overview, and in each
/// initiative's section its lines, with the initiative's figures as their
/// total, and its targets.
fn compare_html(view: &View, portfolio: &str, as_of: &str, figures: &[Figure]) -> Vec<String> {
    let page = String::from_utf8(insats(&[
        "report", portfolio, "--as-of", as_of, "--format", "html",
    ]))
    .unwrap();
    let title = |key: &str| view.table(key).unwrap().title.clone();
    let mut tables: HashMap<String, Read> = HashMap::new();
    let key_figures = parts(&page, "class=\"key-figures\"", "</dl>")
        .first()
        .copied()
        .unwrap_or_default();
    tables.insert(
        title("portfolio"),
        Read {
            header: parts(key_figures, "<dt>", "</dt>")
                .iter()
                .map(|t| html_text(t))
                .collect(),
            rows: vec![
                parts(key_figures, "<dd", "</dd>")
                    .iter()
                    .map(|t| html_text(t.split_once('>').map_or("", |(_, t)| t)))
                    .collect(),
            ],
        },
    );
    let mut totals = Read::default();
    for key in [
        "initiatives",
        "lines",
        "years",
        "funding",
        "funding-years",
        "targets",
        "findings",
    ] {
        for table in parts(&page, &format!("<table class=\"{key}\">"), "</table>") {
            let (read, foot) = html_table(table, view.table(key).unwrap());
            let merged = tables.entry(title(key)).or_default();
            merged.header = read.header;
            merged.rows.extend(read.rows);
            if key == "lines" {
                totals.rows.extend(foot);
            }
        }
    }
    let mut problems = Vec::new();
    // Each row once: a line shown in two sections, or a finding twice,
    // is as wrong as one left out.
    for key in [
        "initiatives",
        "lines",
        "years",
        "funding",
        "funding-years",
        "targets",
        "findings",
    ] {
        let (shown, rows) = (
            tables.get(&title(key)).map_or(0, |r| r.rows.len()),
            view.table(key).unwrap().rows.len(),
        );
        if shown != rows {
            problems.push(format!(
                "html: {shown} rows of {key}, the report has {rows}"
            ));
        }
    }
    problems.extend(compare(
        "html",
        Form::Shown,
        view,
        Preset::Compact,
        &tables,
        figures,
    ));
    // Each initiative's figures are the total row of its lines, in the
    // order of the sections, which is the report's order.
    let sections: Vec<String> = parts(&page, "<section class=\"initiative\" id=\"insats-", "\"")
        .iter()
        .map(|id| html_text(id))
        .collect();
    if totals.rows.len() != sections.len() {
        problems.push(format!(
            "html: {} sections, {} total rows of lines",
            sections.len(),
            totals.rows.len()
        ));
    }
    totals.header = tables[&title("lines")].header.clone();
    let id_at = totals.header.iter().position(|h| h == "Id").unwrap();
    for (row, id) in totals.rows.iter_mut().zip(&sections) {
        row[id_at] = id.clone();
    }
    let initiatives: Vec<Figure> = figures
        .iter()
        .filter(|f| f.table == "initiatives" && f.column != "name")
        .cloned()
        .collect();
    problems.extend(
        compare(
            "html (total of lines)",
            Form::Shown,
            view,
            Preset::Compact,
            &HashMap::from([(title("initiatives"), totals)]),
            &initiatives,
        )
        .into_iter()
        // Only the money columns are in the lines' table.
        .filter(|p| !p.contains(": no column ")),
    );
    problems
}

#[test]
fn every_figure_of_the_two_initiative_fixture_is_in_every_format() {
    check("tests/fixtures/report/portfolio", "2024-06-30");
}

#[test]
fn every_figure_of_the_basic_fixture_is_in_every_format() {
    check("tests/fixtures/report/basic", "2024-03-31");
}

#[test]
fn every_figure_of_the_shipped_portfolio_is_in_every_format_mid_plan() {
    check("initiatives", "2021-06-30");
}

#[test]
fn every_figure_of_the_shipped_portfolio_is_in_every_format_at_the_end() {
    check("initiatives", "2024-12-31");
}
