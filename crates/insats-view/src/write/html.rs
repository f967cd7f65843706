//! The report as one self-contained HTML page with inline SVG charts, and
//! any view as a plain page of its tables.
//!
//! Everything the page needs is in the file: the style sheet is inline, the
//! charts are SVG elements, there is no script and no font, image or link
//! to fetch. A Content-Security-Policy of `default-src 'none'` makes the
//! browser refuse anything else, so a page that tried to reach the network
//! would show an error in the console (the end-to-end test in
//! `tests/browser.rs` watches for that).
//!
//! Every table on the page is a table of the report's [`View`], laid out
//! with the view's columns (the compact preset), labels, number style and
//! flags; the page only arranges them: the portfolio's row as key figures,
//! each initiative's lines and targets in its own section. Every chart is
//! an accessible image (`role="img"` with a title and a description) and
//! has its figures in a table beside it, so that the page reads the same
//! on a screen reader and on paper.

mod chart;

use std::collections::HashMap;

use insats::model::{Date, IndicatorUnit};
use insats::report::{
    CurvePoint, InitiativeReport, Report, SpendingCurve, TargetReport, TargetStatus,
};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use rust_decimal::Decimal;

use self::chart::{Accessible, BarGroup, DateMarker, SeriesStyle, TimeSeries};
use crate::labels::status;
use crate::table::{Cell, ColumnKind, Preset, Row, RowClass, Table, View};
use crate::write::text::cell_text;
use crate::{Label, Lang, NumberStyle as Style, Scale, report_view};

/// The page's style sheet: screen and A4 print.
const STYLE_SHEET: &str = include_str!("html/report.css");

/// The style of chart axes: the scale that keeps tick labels short for the
/// largest amount shown.
fn axis_style(style: &Style, largest: Decimal) -> Style {
    let largest = largest.abs();
    let scale = if largest >= Decimal::from(1_000_000) {
        Scale::Mnkr
    } else if largest >= Decimal::from(10_000) {
        Scale::Tkr
    } else {
        Scale::Kr
    };
    Style {
        scale,
        ..style.clone()
    }
}

/// The head of every page insats writes: its title, the style sheet, and a
/// policy under which nothing may be fetched (no script, font, image or
/// style from anywhere but the file itself).
fn page_head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta http-equiv="Content-Security-Policy"
                content="default-src 'none'; style-src 'unsafe-inline'; img-src data:";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="generator" content={"insats " (env!("CARGO_PKG_VERSION"))};
            link rel="icon" href="data:,";
            title { (title) }
            style { (PreEscaped(STYLE_SHEET)) }
        }
    }
}

fn html_lang(lang: Lang) -> &'static str {
    match lang {
        Lang::Sv => "sv",
        Lang::En => "en",
    }
}

/// The anchor of an initiative's section.
fn section_anchor(id: &str) -> String {
    format!("insats-{id}")
}

/// Which rows of a table to show, and how.
struct Layout<'a> {
    /// The columns, by index.
    columns: Vec<usize>,
    /// The rows of the body.
    rows: Vec<&'a Row>,
    /// A row for the table's foot (a total).
    total: Option<Row>,
    /// The section an id in the `id` column links to.
    link: Option<fn(&str) -> String>,
}

impl<'a> Layout<'a> {
    /// Every row of `table` in the compact preset, without the columns
    /// named in `without`.
    fn compact(table: &'a Table, without: &[&str]) -> Self {
        Layout {
            columns: table
                .shown_columns(Preset::Compact)
                .into_iter()
                .filter(|&c| !without.contains(&table.columns[c].key))
                .collect(),
            rows: table.rows.iter().collect(),
            total: None,
            link: None,
        }
    }
}

/// Whether a cell is an amount below zero, set in the page's red.
fn is_negative(cell: &Cell) -> bool {
    matches!(cell, Cell::Money(d) if d.is_sign_negative() && !d.is_zero())
}

/// The text of an id cell.
fn id_of(row: &Row, column: Option<usize>) -> Option<&str> {
    match column.map(|c| &row.cells[c]) {
        Some(Cell::Id(id)) => Some(id),
        _ => None,
    }
}

/// A table of a view. A row's name is its header cell; where the table
/// has both a name and an id, the id is written small under the name
/// instead of in a column of its own, so long ids cost no width.
fn table_markup(table: &Table, layout: &Layout, style: &Style) -> Markup {
    // What names a row: its name, or a target's indicator.
    let name = table.column("name").or_else(|| table.column("indicator"));
    let id = table.column("id").filter(|_| name.is_some());
    let mut columns = layout.columns.clone();
    // The words that say what a named row is (a source's kind, a target's
    // scope) go under its name with its id, not in columns of their own:
    // a page keeps its width for the figures.
    let mut details = Vec::new();
    if let (Some(name), Some(id)) = (name, id) {
        // The name takes the id's place where only the id is in the preset.
        if !columns.contains(&name)
            && let Some(place) = columns.iter_mut().find(|c| **c == id)
        {
            *place = name;
        }
        details = columns
            .iter()
            .copied()
            .filter(|&c| table.columns[c].kind == ColumnKind::Attribute)
            .collect();
        columns.retain(|&c| c != id && !details.contains(&c));
    }
    let head = name
        .filter(|c| columns.contains(c))
        .or(columns.first().copied());
    let row_markup = |row: &Row| {
        let class = match row.class {
            RowClass::Flagged => Some("at-risk"),
            RowClass::Total => Some("total"),
            RowClass::Item => None,
        };
        let row_id = id_of(row, id);
        html! {
            tr class=[class] {
                @for &c in &columns {
                    @let cell = &row.cells[c];
                    @let negative = is_negative(cell);
                    @let class = match (table.columns[c].kind, negative) {
                        (ColumnKind::Number, true) => Some("num negative"),
                        (ColumnKind::Number, false) => Some("num"),
                        (ColumnKind::Key, _) => Some("key"),
                        (ColumnKind::Text | ColumnKind::Attribute, _) => None,
                    };
                    @if Some(c) == head {
                        // A row without a name is named by its id alone.
                        @let (text, under) = match (cell, row_id) {
                            (Cell::Empty, Some(rid)) => (rid.to_owned(), None),
                            _ => (cell_text(style, cell), row_id),
                        };
                        th scope="row" class=[class] {
                            @match (layout.link, row_id) {
                                (Some(link), Some(rid)) => { a href={"#" (link(rid))} { (text) } }
                                _ => { (text) }
                            }
                            @if under.is_some() || !details.is_empty() {
                                br;
                                span class="id" {
                                    @for (n, &d) in details.iter().enumerate() {
                                        @if n > 0 { " · " }
                                        span data-key=(table.columns[d].key) { (cell_text(style, &row.cells[d])) }
                                    }
                                    @if let Some(rid) = under {
                                        @if !details.is_empty() { " · " }
                                        span data-key="id" { (rid) }
                                    }
                                }
                            }
                        }
                    } @else {
                        td class=[class] { (cell_text(style, cell)) }
                    }
                }
            }
        }
    };
    html! {
        div class="table-scroll" {
            table class=(table.key) {
                thead { tr {
                    @for &c in &columns {
                        th scope="col" class=[(table.columns[c].kind == ColumnKind::Number).then_some("num")] {
                            (table.columns[c].label.text(style.lang))
                        }
                    }
                } }
                tbody {
                    @for row in &layout.rows { (row_markup(row)) }
                }
                @if let Some(total) = &layout.total {
                    tfoot { (row_markup(total)) }
                }
            }
        }
    }
}

/// A table with its heading, notes, and what to say when it is empty.
fn table_section(table: &Table, layout: &Layout, style: &Style, heading: bool) -> Markup {
    html! {
        @if heading { h3 { (table.title) } }
        @match (layout.rows.is_empty() && layout.total.is_none(), table.when_empty) {
            (true, Some(empty)) => { p { (empty.text(style.lang)) } }
            _ => { (table_markup(table, layout, style)) }
        }
        @for note in &table.notes { p class="meta" { (note.text(style.lang)) } }
    }
}

/// The rows of a table, grouped by the id in its `initiative` column.
fn rows_by_initiative(table: &Table) -> HashMap<&str, Vec<&Row>> {
    let mut by: HashMap<&str, Vec<&Row>> = HashMap::new();
    let column = table.column("initiative");
    for row in &table.rows {
        if let Some(id) = id_of(row, column) {
            by.entry(id).or_default().push(row);
        }
    }
    by
}

/// An initiative's row of the initiatives table as the total row of its
/// lines table: the cells under the same column keys, "Total" as its
/// name, nothing under the columns only a line has.
fn total_row(lines: &Table, initiatives: &Table, initiative: &Row, lang: Lang) -> Row {
    Row {
        class: RowClass::Total,
        cells: lines
            .columns
            .iter()
            .map(|c| match c.key {
                "name" => Cell::Text(Label::Total.text(lang).to_owned()),
                "id" | "initiative" => Cell::Empty,
                key => initiatives
                    .column(key)
                    .map_or(Cell::Empty, |i| initiative.cells[i].clone()),
            })
            .collect(),
    }
}

/// Writes the report as one self-contained HTML page. `curves` are the
/// initiatives' spending curves ([`insats::report::spending_curves`]);
/// `portfolio` is the portfolio's name; `comparison`, the report compared
/// with an earlier one, is shown in the overview.
pub fn report_page(
    report: &Report,
    curves: &[SpendingCurve],
    style: &Style,
    portfolio: Option<&str>,
    comparison: Option<&insats::compare::Comparison>,
) -> String {
    let l = |label: Label| label.text(style.lang);
    let mut view = report_view(report, portfolio, style.lang);
    if let Some(c) = comparison {
        view.tables.extend(crate::comparison_tables(c, style.lang));
    }
    let table = |key: &str| {
        view.table(key)
            .expect("the report view has every table the page lays out")
    };
    let (initiatives, lines, targets) = (table("initiatives"), table("lines"), table("targets"));
    // Each initiative's rows, curve and targets, found once: looked up
    // per initiative, they made a page of 10^5 initiatives take minutes.
    let curve_of: HashMap<&str, &SpendingCurve> =
        curves.iter().map(|c| (c.initiative.as_str(), c)).collect();
    let mut targets_of: HashMap<&str, Vec<&TargetReport>> = HashMap::new();
    for t in &report.targets {
        targets_of.entry(t.initiative.as_str()).or_default().push(t);
    }
    let line_rows = rows_by_initiative(lines);
    let target_rows = rows_by_initiative(targets);
    let initiative_id = initiatives.column("id");
    let sections = report
        .initiatives
        .iter()
        .zip(&initiatives.rows)
        .enumerate()
        .map(|(n, (initiative, row))| {
            debug_assert_eq!(id_of(row, initiative_id), Some(initiative.id.as_str()));
            let lines_layout = Layout {
                rows: line_rows
                    .get(initiative.id.as_str())
                    .cloned()
                    .unwrap_or_default(),
                total: Some(total_row(lines, initiatives, row, style.lang)),
                ..Layout::compact(lines, &["initiative"])
            };
            let targets_layout = Layout {
                rows: target_rows
                    .get(initiative.id.as_str())
                    .cloned()
                    .unwrap_or_default(),
                ..Layout::compact(targets, &["initiative"])
            };
            initiative_section(
                n,
                initiative,
                (lines, &lines_layout),
                (targets, &targets_layout),
                curve_of.get(initiative.id.as_str()).copied(),
                targets_of
                    .get(initiative.id.as_str())
                    .map_or(&[][..], Vec::as_slice),
                report.as_of,
                style,
            )
        });
    let markup = html! {
        (DOCTYPE)
        html lang=(html_lang(style.lang)) {
            (page_head(&format!("{} – {}", l(Label::Document), view.title)))
            body {
                header {
                    p class="kicker" { (l(Label::Document)) }
                    h1 { (view.title) }
                    nav aria-label=(l(Label::Contents)) {
                        ol {
                            li { a href="#oversikt" { (l(Label::Overview)) } }
                            @for i in &report.initiatives {
                                li { a href={"#" (section_anchor(&i.id))} { (i.name) } }
                            }
                        }
                    }
                }
                main {
                    (overview(report, &view, style))
                    @for section in sections { (section) }
                }
                footer {
                    p { (l(Label::RoundingNote)) }
                    p { (l(Label::MadeBy)) " insats " (env!("CARGO_PKG_VERSION")) "." }
                }
            }
        }
    };
    markup.into_string()
}

/// The portfolio's figures, a chart and table of the initiatives, the
/// funding and the findings.
fn overview(report: &Report, view: &View, style: &Style) -> Markup {
    let l = |label: Label| label.text(style.lang);
    let groups = money_groups(report.initiatives.iter().map(|i| (&i.name, &i.money)));
    let axis = axis_style(style, largest_value(&groups));
    let portfolio = view.table("portfolio");
    let initiatives = view.table("initiatives");
    html! {
        section id="oversikt" class="overview" {
            h2 { (l(Label::Overview)) }
            @if let Some(portfolio) = portfolio {
                dl class="key-figures" {
                    @for row in &portfolio.rows {
                        @for c in portfolio.shown_columns(Preset::Compact) {
                            @let cell = &row.cells[c];
                            div {
                                dt { (portfolio.columns[c].label.text(style.lang)) }
                                dd class={"num" @if is_negative(cell) { " negative" }} {
                                    (cell_text(style, cell))
                                }
                            }
                        }
                    }
                }
            }
            figure {
                (chart::bar_chart(
                    Accessible { id: "chart-overview", title: l(Label::InitiativesChart), description: l(Label::BarsDescription) },
                    &money_series(style.lang),
                    &groups,
                    &|v| axis.money(v),
                ))
                figcaption { (l(Label::InitiativesChart)) }
                @if let Some(initiatives) = initiatives {
                    (table_markup(initiatives, &Layout { link: Some(section_anchor), ..Layout::compact(initiatives, &[]) }, style))
                }
            }
            @for key in ["since", "since-findings", "years", "funding", "funding-years", "findings"] {
                @if let Some(table) = view.table(key) {
                    (table_section(table, &Layout::compact(table, &[]), style, true))
                }
            }
        }
    }
}

fn money_series(lang: Lang) -> [SeriesStyle; 3] {
    let l = |label: Label| label.text(lang);
    [
        SeriesStyle {
            name: l(Label::Budget).to_owned(),
            class: "budget",
        },
        SeriesStyle {
            name: l(Label::PlannedToDate).to_owned(),
            class: "planned",
        },
        SeriesStyle {
            name: l(Label::Spent).to_owned(),
            class: "spent",
        },
    ]
}

/// One bar group per item: budget, planned to date and spent, in the
/// order of [`money_series`].
fn money_groups<'a>(
    items: impl Iterator<Item = (&'a String, &'a insats::report::MoneyFigures)>,
) -> Vec<BarGroup> {
    items
        .map(|(name, m)| BarGroup {
            label: name.clone(),
            values: vec![m.budget, m.planned_to_date, m.spent_to_date],
        })
        .collect()
}

/// The largest value of any bar, which sets the axis' scale.
fn largest_value(groups: &[BarGroup]) -> Decimal {
    groups
        .iter()
        .flat_map(|g| g.values.iter().copied())
        .max()
        .unwrap_or_default()
}

#[allow(clippy::too_many_arguments)] // the section's parts, each found once by the page
fn initiative_section(
    n: usize,
    initiative: &InitiativeReport,
    lines: (&Table, &Layout),
    targets: (&Table, &Layout),
    curve: Option<&SpendingCurve>,
    target_reports: &[&TargetReport],
    as_of: Date,
    style: &Style,
) -> Markup {
    let l = |label: Label| label.text(style.lang);
    let groups = money_groups(
        initiative
            .lines
            .iter()
            .map(|line| (&line.name, &line.money)),
    );
    let axis = axis_style(style, largest_value(&groups));
    html! {
        section class="initiative" id=(section_anchor(&initiative.id)) {
            h2 { (initiative.name) }
            p class="meta" {
                (initiative.organisation) " · " (l(Label::Period)) " " (initiative.period.start) " – " (initiative.period.end)
                " · " code { (initiative.id) }
            }
            figure {
                (chart::bar_chart(
                    Accessible { id: &format!("chart-{n}-lines"), title: l(Label::LinesChart), description: l(Label::BarsDescription) },
                    &money_series(style.lang),
                    &groups,
                    &|v| axis.money(v),
                ))
                figcaption { (l(Label::LinesChart)) }
                (table_markup(lines.0, lines.1, style))
            }
            @if let Some(curve) = curve {
                (curve_figure(n, initiative, curve, as_of, style))
            }
            h3 { (l(Label::Targets)) }
            @if target_reports.is_empty() {
                p { (l(Label::NoTargets)) }
            } @else {
                (table_section(targets.0, targets.1, style, false))
            }
            @for (t, target) in target_reports.iter().enumerate() {
                (target_figure(&format!("chart-{n}-target-{t}"), target, as_of, style))
            }
        }
    }
}

fn as_of_marker(as_of: Date, lang: Lang) -> DateMarker {
    DateMarker {
        date: as_of,
        label: format!("{} {as_of}", Label::AsOf.text(lang)),
    }
}

fn curve_figure(
    n: usize,
    initiative: &InitiativeReport,
    curve: &SpendingCurve,
    as_of: Date,
    style: &Style,
) -> Markup {
    let l = |label: Label| label.text(style.lang);
    let planned: Vec<(Date, Decimal)> = curve.points.iter().map(|c| (c.date, c.planned)).collect();
    let spent: Vec<(Date, Decimal)> = curve
        .points
        .iter()
        .filter_map(|c| c.spent.map(|s| (c.date, s)))
        .collect();
    let (first, last) = (
        curve.points.first().map_or(as_of, |c| c.date),
        curve.points.last().map_or(as_of, |c| c.date),
    );
    let budget = vec![
        (first, initiative.money.budget),
        (last, initiative.money.budget),
    ];
    let largest = planned
        .iter()
        .chain(&spent)
        .chain(&budget)
        .map(|p| p.1)
        .max()
        .unwrap_or_default();
    let axis = axis_style(style, largest);
    let series = [
        TimeSeries {
            style: SeriesStyle {
                name: l(Label::Budget).to_owned(),
                class: "budget",
            },
            dashed: true,
            dots: false,
            points: budget,
        },
        TimeSeries {
            style: SeriesStyle {
                name: l(Label::PlannedCumulative).to_owned(),
                class: "planned",
            },
            dashed: true,
            dots: false,
            points: planned,
        },
        TimeSeries {
            style: SeriesStyle {
                name: l(Label::SpentCumulative).to_owned(),
                class: "spent",
            },
            dashed: false,
            dots: false,
            points: spent,
        },
    ];
    // The table gives the points a reader looks for: each year end, the
    // as-of date and the end.
    let rows: Vec<&CurvePoint> = curve
        .points
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            *i + 1 == curve.points.len()
                || c.date == as_of
                || (c.date.month() == 12 && c.date.day() == 31)
        })
        .map(|(_, c)| c)
        .collect();
    html! {
        figure {
            (chart::time_chart(
                Accessible { id: &format!("chart-{n}-curve"), title: l(Label::CurveChart), description: l(Label::CurveDescription) },
                &series,
                Some(&as_of_marker(as_of, style.lang)),
                &|v| axis.money(v),
                true,
            ))
            figcaption { (l(Label::CurveChart)) }
            div class="table-scroll" {
            table {
                thead { tr {
                    th scope="col" { (l(Label::Date)) }
                    th scope="col" class="num" { (l(Label::PlannedCumulative)) }
                    th scope="col" class="num" { (l(Label::SpentCumulative)) }
                } }
                tbody {
                    @for c in rows {
                        tr class=[(c.date == as_of).then_some("as-of")] {
                            th scope="row" { (c.date) }
                            td class="num" { (style.money(c.planned)) }
                            td class="num" { (c.spent.map_or_else(|| "–".to_owned(), |s| style.money(s))) }
                        }
                    }
                }
            }
            }
        }
    }
}

fn target_figure(id: &str, target: &TargetReport, as_of: Date, style: &Style) -> Markup {
    let l = |label: Label| label.text(style.lang);
    let base_day = target.baseline.when.last_day();
    let goal_day = target.target.when.last_day();
    let value = |v: Decimal| style.indicator(v, target.unit);
    let mut measured = vec![(base_day, target.baseline.value)];
    measured.extend(
        target
            .measurements
            .iter()
            .map(|m| (m.when.last_day(), m.value)),
    );
    let series = [
        TimeSeries {
            style: SeriesStyle {
                name: l(Label::StraightPath).to_owned(),
                class: "expected",
            },
            dashed: true,
            dots: false,
            points: vec![
                (base_day, target.baseline.value),
                (goal_day, target.target.value),
            ],
        },
        TimeSeries {
            style: SeriesStyle {
                name: l(Label::Measurements).to_owned(),
                class: "measured",
            },
            dashed: false,
            dots: true,
            points: measured,
        },
        TimeSeries {
            style: SeriesStyle {
                name: l(Label::Goal).to_owned(),
                class: "goal",
            },
            dashed: false,
            dots: true,
            points: vec![(goal_day, target.target.value)],
        },
    ];
    let title = format!(
        "{}: {} ({})",
        l(Label::TargetChart),
        target.indicator_name,
        target.scope
    );
    let from_zero = target.unit == IndicatorUnit::Count && target.baseline.value.is_zero();
    html! {
        figure class="target" id={"mal-" (target.id)} {
            (chart::time_chart(
                Accessible { id, title: &title, description: l(Label::TargetDescription) },
                &series,
                Some(&as_of_marker(as_of, style.lang)),
                &value,
                from_zero,
            ))
            figcaption {
                strong { (target.indicator_name) } " (" (target.scope) ") · "
                (l(Label::Status)) ": " span class={"status " (status_class(target.status))} { (status(target.status, style.lang)) }
                " · " (l(Label::Progress)) " " (style.share(target.progress))
                " · " (l(Label::Expected)) " " (style.share(Some(target.expected_progress)))
            }
            div class="table-scroll" {
            table {
                thead { tr {
                    th scope="col" { (l(Label::Date)) }
                    th scope="col" class="num" { (l(Label::Measured)) }
                    th scope="col" class="num" { (l(Label::StraightPath)) }
                } }
                tbody {
                    tr {
                        th scope="row" { (target.baseline.when) " (" (l(Label::Baseline)) ")" }
                        td class="num" { (value(target.baseline.value)) }
                        td class="num" { (value(target.baseline.value)) }
                    }
                    @for m in &target.measurements {
                        tr {
                            th scope="row" { (m.when) }
                            td class="num" { (value(m.value)) }
                            td class="num" { (value(target.expected_value_at(m.when.last_day()))) }
                        }
                    }
                    tr {
                        th scope="row" { (target.target.when) " (" (l(Label::Goal)) ")" }
                        td class="num" { "–" }
                        td class="num" { (value(target.target.value)) }
                    }
                }
            }
            }
        }
    }
}

fn status_class(s: TargetStatus) -> &'static str {
    match s {
        TargetStatus::NoMeasurement => "no-measurement",
        TargetStatus::Reached => "reached",
        TargetStatus::OnTrack => "on-track",
        TargetStatus::OffTrack => "off-track",
    }
}

/// Any view as a self-contained page of tables (a grant statement, ledger
/// control totals): the report page's style sheet and policy, the view's
/// tables with numbers right-aligned and totals set apart.
pub fn view_page(view: &View, style: &Style) -> String {
    let markup = html! {
        (DOCTYPE)
        html lang=(html_lang(style.lang)) {
            (page_head(&view.title))
            body {
                h1 { (view.title) }
                @for table in &view.tables {
                    @if table.title != view.title { h2 { (table.title) } }
                    (table_section(table, &Layout::compact(table, &[]), style, false))
                }
            }
        }
    };
    markup.into_string()
}
