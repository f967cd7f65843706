//! The report as one self-contained HTML page with inline SVG charts.
//!
//! Everything the page needs is in the file: the style sheet is inline, the
//! charts are SVG elements, there is no script and no font, image or link
//! to fetch. A Content-Security-Policy of `default-src 'none'` makes the
//! browser refuse anything else, so a page that tried to reach the network
//! would show an error in the console (the end-to-end test in
//! `tests/browser.rs` watches for that).
//!
//! Every chart is an accessible image (`role="img"` with a title and a
//! description) and has its figures in a table beside it, so that the page
//! reads the same on a screen reader and on paper. Amounts are shown as in
//! the tables (see the module above): rounded for display only.

use insats::model::{Date, IndicatorUnit};
use insats::report::{
    CurvePoint, FindingKind, FindingSeverity, InitiativeReport, Report, SpendingCurve,
    TargetReport, TargetStatus,
};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use rust_decimal::Decimal;

use super::chart::{self, Accessible, BarGroup, DateMarker, SeriesStyle, TimeSeries};
use insats_view::labels::{category, finding as finding_text, funding_kind, severity, status};
use insats_view::{Label, Lang, NumberStyle as Style, Scale};

/// The page's style sheet: screen and A4 print.
const STYLE_SHEET: &str = include_str!("report.css");

/// Labels only the page has.
struct PageLabels {
    document: &'static str,
    contents: &'static str,
    overview: &'static str,
    period: &'static str,
    line: &'static str,
    date: &'static str,
    value: &'static str,
    planned_cumulative: &'static str,
    spent_cumulative: &'static str,
    straight_path: &'static str,
    measurements: &'static str,
    target_value: &'static str,
    lines_chart: &'static str,
    initiatives_chart: &'static str,
    curve_chart: &'static str,
    target_chart: &'static str,
    bars_description: &'static str,
    curve_description: &'static str,
    target_description: &'static str,
    as_of_marker: &'static str,
    no_targets: &'static str,
    rounding: &'static str,
    generated_by: &'static str,
}

const PAGE_SV: PageLabels = PageLabels {
    document: "Uppföljning av insatser",
    contents: "Innehåll",
    overview: "Översikt",
    period: "Period",
    line: "Budgetpost",
    date: "Datum",
    value: "Uppmätt",
    planned_cumulative: "Plan, ackumulerad",
    spent_cumulative: "Förbrukat, ackumulerat",
    straight_path: "Rak väg mot målet",
    measurements: "Mätningar",
    target_value: "Målvärde",
    lines_chart: "Budget, planerat hittills och förbrukat per budgetpost",
    initiatives_chart: "Budget, planerat hittills och förbrukat per insats",
    curve_chart: "Förbrukat över tid mot plan",
    target_chart: "Målets utveckling",
    bars_description: "Liggande stapeldiagram. Samma belopp står i tabellen under diagrammet.",
    curve_description: "Linjediagram över ackumulerade belopp per månad. Tabellen under diagrammet ger beloppen vid varje årsskifte, uppföljningsdagen och periodens slut.",
    target_description: "Linjediagram från utgångsvärdet till målvärdet. Tabellen under diagrammet ger värdena.",
    as_of_marker: "per",
    no_targets: "Insatsen har inga effektmål.",
    rounding: "Beloppen är avrundade för visning; JSON, CSV och Excel har de exakta beloppen.",
    generated_by: "Skapad av",
};

const PAGE_EN: PageLabels = PageLabels {
    document: "Follow-up of initiatives",
    contents: "Contents",
    overview: "Overview",
    period: "Period",
    line: "Budget line",
    date: "Date",
    value: "Measured",
    planned_cumulative: "Plan, cumulative",
    spent_cumulative: "Spent, cumulative",
    straight_path: "Straight path to the target",
    measurements: "Measurements",
    target_value: "Target value",
    lines_chart: "Budget, planned to date and spent per budget line",
    initiatives_chart: "Budget, planned to date and spent per initiative",
    curve_chart: "Spending over time against the plan",
    target_chart: "The target's path",
    bars_description: "Horizontal bar chart. The same amounts are in the table below the chart.",
    curve_description: "Line chart of cumulative amounts by month. The table below the chart gives the amounts at each year end, the as-of date and the end of the period.",
    target_description: "Line chart from the baseline to the target value. The table below the chart gives the values.",
    as_of_marker: "as of",
    no_targets: "The initiative has no outcome targets.",
    rounding: "Amounts are rounded for display; JSON, CSV and Excel carry the exact amounts.",
    generated_by: "Made by",
};

fn page_labels(lang: Lang) -> &'static PageLabels {
    match lang {
        Lang::Sv => &PAGE_SV,
        Lang::En => &PAGE_EN,
    }
}

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

/// Writes the report as one self-contained HTML page. `curves` are the
/// initiatives' spending curves ([`insats::report::spending_curves`]).
pub fn page(
    report: &Report,
    curves: &[SpendingCurve],
    style: &Style,
    title: Option<&str>,
) -> String {
    let l = |label: Label| label.text(style.lang);
    let p = page_labels(style.lang);
    let heading = match title {
        Some(t) => format!("{} {}: {t}", l(Label::ReportAsOf), report.as_of),
        None => format!("{} {}", l(Label::ReportAsOf), report.as_of),
    };
    // Each initiative's curve and targets, found once: looked up per
    // initiative, they made a page of 10^5 initiatives take minutes.
    let curve_of: std::collections::HashMap<&str, &SpendingCurve> =
        curves.iter().map(|c| (c.initiative.as_str(), c)).collect();
    let mut targets_of: std::collections::HashMap<&str, Vec<&TargetReport>> =
        std::collections::HashMap::new();
    for t in &report.targets {
        targets_of.entry(t.initiative.as_str()).or_default().push(t);
    }
    let markup = html! {
        (DOCTYPE)
        html lang=(html_lang(style.lang)) {
            (page_head(&format!("{} – {heading}", p.document)))
            body {
                header {
                    p class="kicker" { (p.document) }
                    h1 { (heading) }
                    nav aria-label=(p.contents) {
                        ol {
                            li { a href="#oversikt" { (p.overview) } }
                            @for i in &report.initiatives {
                                li { a href={"#insats-" (i.id)} { (i.name) } }
                            }
                        }
                    }
                }
                main {
                    (overview(report, style))
                    @for (n, initiative) in report.initiatives.iter().enumerate() {
                        (initiative_section(
                            n,
                            initiative,
                            curve_of.get(initiative.id.as_str()).copied(),
                            targets_of.get(initiative.id.as_str()).map_or(&[][..], Vec::as_slice),
                            report.as_of,
                            style,
                        ))
                    }
                }
                footer {
                    p { (l(Label::CausalNote)) }
                    p { (p.rounding) }
                    p { (p.generated_by) " insats " (env!("CARGO_PKG_VERSION")) "." }
                }
            }
        }
    };
    markup.into_string()
}

fn overview(report: &Report, style: &Style) -> Markup {
    let l = |label: Label| label.text(style.lang);
    let p = page_labels(style.lang);
    let m = &report.portfolio;
    let groups = money_groups(report.initiatives.iter().map(|i| (&i.name, &i.money)));
    let axis = axis_style(style, largest_value(&groups));
    html! {
        section id="oversikt" class="overview" {
            h2 { (p.overview) }
            dl class="key-figures" {
                @for (label, value) in [
                    (l(Label::Budget), m.budget),
                    (l(Label::PlannedToDate), m.planned_to_date),
                    (l(Label::Spent), m.spent_to_date),
                    (l(Label::Remaining), m.remaining),
                    (l(Label::Forecast), m.forecast),
                    (l(Label::Variance), m.variance),
                ] {
                    div {
                        dt { (label) }
                        dd class={"num" @if value.is_sign_negative() && !value.is_zero() { " negative" }} { (style.money(value)) }
                    }
                }
                div {
                    dt { (l(Label::ShareSpent)) }
                    dd class="num" { (style.share(m.share_spent)) }
                }
                div {
                    dt { (l(Label::ShareTime)) }
                    dd class="num" { (style.share(m.share_time_elapsed)) }
                }
            }
            figure {
                (chart::bar_chart(
                    Accessible { id: "chart-overview", title: p.initiatives_chart, description: p.bars_description },
                    &money_series(style.lang),
                    &groups,
                    &|v| axis.money(v),
                ))
                figcaption { (p.initiatives_chart) }
                div class="table-scroll" {
                table {
                    (money_head(l(Label::Name), style.lang))
                    tbody {
                        @for i in &report.initiatives {
                            tr {
                                th scope="row" { a href={"#insats-" (i.id)} { (i.name) } }
                                (money_cells(style, &i.money))
                            }
                        }
                    }
                }
                }
            }
            h3 { (l(Label::Funding)) }
            div class="table-scroll" {
            table class="funding" {
                thead { tr {
                    th scope="col" { (l(Label::Name)) }
                    th scope="col" class="num" { (l(Label::Amount)) }
                    th scope="col" class="num" { (l(Label::Spent)) }
                    th scope="col" class="num" { (l(Label::Left)) }
                    th scope="col" { (l(Label::WindowEnd)) }
                    // The same figure and name as in every other format: negative
                    // for a source forecast to be overspent, so not "at risk".
                    th scope="col" class="num" { (l(Label::ForecastUnspent)) }
                    th scope="col" class="num" { (l(Label::CoFinancing)) }
                } }
                tbody {
                    @for f in &report.funding {
                        // Flagged as the report's findings flag it, never by a
                        // rule of the page's own.
                        @let at_risk = report.findings.iter().any(|x| x.kind == FindingKind::GrantMoneyAtRisk && x.subject == f.id);
                        tr class=[at_risk.then_some("at-risk")] {
                            th scope="row" {
                                (f.name.as_deref().unwrap_or(&f.id)) br;
                                span class="id" {
                                    (funding_kind(f.kind, style.lang))
                                    @if let Some(funder) = &f.funder { " · " (funder) }
                                    " · " (f.id)
                                }
                            }
                            td class="num" { (style.money(f.amount)) }
                            td class="num" { (style.money(f.spent_to_date)) }
                            td class="num" { (style.money(f.left)) }
                            td class="num" { (f.window_end.map_or_else(|| "–".to_owned(), |d| d.to_string())) }
                            td class="num" {
                                @if at_risk { strong { (style.money(f.forecast_unspent)) } }
                                @else { (style.money(f.forecast_unspent)) }
                            }
                            td class="num" {
                                @match &f.co_financing {
                                    Some(c) => { (style.money(c.required)) br; (style.money(c.paid)) }
                                    None => { "–" }
                                }
                            }
                        }
                    }
                }
            }
            }
            h3 { (l(Label::Findings)) }
            @if report.findings.is_empty() {
                p { (l(Label::NoFindings)) }
            } @else {
                ul class="findings" {
                    @for f in &report.findings {
                        li class={"finding " (severity_class(f.severity))} {
                            span class="severity" { (severity(f.severity, style.lang)) }
                            " "
                            code { (f.subject) }
                            @if let Some(a) = f.amount { " (" (style.money(a)) ")" }
                            ": " (finding_text(f.kind, style.lang))
                        }
                    }
                }
            }
        }
    }
}

fn severity_class(s: FindingSeverity) -> &'static str {
    match s {
        FindingSeverity::High => "high",
        FindingSeverity::Medium => "medium",
        FindingSeverity::Low => "low",
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

/// The header of a table of money figures, after its first column.
fn money_head(first: &str, lang: Lang) -> Markup {
    let l = |label: Label| label.text(lang);
    html! {
        thead { tr {
            th scope="col" { (first) }
            @for label in [l(Label::Budget), l(Label::PlannedToDate), l(Label::Spent), l(Label::ShareSpent), l(Label::Forecast), l(Label::Variance)] {
                th scope="col" class="num" { (label) }
            }
        } }
    }
}

/// The cells of a row of money figures, matching [`money_head`].
fn money_cells(style: &Style, m: &insats::report::MoneyFigures) -> Markup {
    html! {
        td class="num" { (style.money(m.budget)) }
        td class="num" { (style.money(m.planned_to_date)) }
        td class="num" { (style.money(m.spent_to_date)) }
        td class="num" { (style.share(m.share_spent)) }
        td class="num" { (style.money(m.forecast)) }
        td class={"num" @if m.variance.is_sign_negative() && !m.variance.is_zero() { " negative" }} {
            (style.money(m.variance))
        }
    }
}

fn initiative_section(
    n: usize,
    initiative: &InitiativeReport,
    curve: Option<&SpendingCurve>,
    targets: &[&TargetReport],
    as_of: insats::model::Date,
    style: &Style,
) -> Markup {
    let l = |label: Label| label.text(style.lang);
    let p = page_labels(style.lang);
    let groups = money_groups(
        initiative
            .lines
            .iter()
            .map(|line| (&line.name, &line.money)),
    );
    let axis = axis_style(style, largest_value(&groups));
    html! {
        section class="initiative" id={"insats-" (initiative.id)} {
            h2 { (initiative.name) }
            p class="meta" {
                (initiative.organisation) " · " (p.period) " " (initiative.period.start) " – " (initiative.period.end)
                " · " code { (initiative.id) }
            }
            figure {
                (chart::bar_chart(
                    Accessible { id: &format!("chart-{n}-lines"), title: p.lines_chart, description: p.bars_description },
                    &money_series(style.lang),
                    &groups,
                    &|v| axis.money(v),
                ))
                figcaption { (p.lines_chart) }
                div class="table-scroll" {
                table {
                    (money_head(p.line, style.lang))
                    tbody {
                        @for line in &initiative.lines {
                            tr {
                                th scope="row" { (line.name) br; span class="id" { (category(line.category, style.lang)) } }
                                (money_cells(style, &line.money))
                            }
                        }
                    }
                    tfoot { tr {
                        th scope="row" { (l(Label::Total)) }
                        (money_cells(style, &initiative.money))
                    } }
                }
                }
            }
            @if let Some(curve) = curve {
                (curve_figure(n, initiative, curve, as_of, style))
            }
            h3 { (l(Label::Targets)) }
            @if targets.is_empty() {
                p { (p.no_targets) }
            }
            @for (t, target) in targets.iter().enumerate() {
                (target_figure(&format!("chart-{n}-target-{t}"), target, as_of, style))
            }
        }
    }
}

fn as_of_marker(as_of: Date, lang: Lang) -> DateMarker {
    DateMarker {
        date: as_of,
        label: format!("{} {as_of}", page_labels(lang).as_of_marker),
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
    let p = page_labels(style.lang);
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
                name: p.planned_cumulative.to_owned(),
                class: "planned",
            },
            dashed: true,
            dots: false,
            points: planned,
        },
        TimeSeries {
            style: SeriesStyle {
                name: p.spent_cumulative.to_owned(),
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
                Accessible { id: &format!("chart-{n}-curve"), title: p.curve_chart, description: p.curve_description },
                &series,
                Some(&as_of_marker(as_of, style.lang)),
                &|v| axis.money(v),
                true,
            ))
            figcaption { (p.curve_chart) }
            div class="table-scroll" {
            table {
                thead { tr {
                    th scope="col" { (p.date) }
                    th scope="col" class="num" { (p.planned_cumulative) }
                    th scope="col" class="num" { (p.spent_cumulative) }
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
    let p = page_labels(style.lang);
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
                name: p.straight_path.to_owned(),
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
                name: p.measurements.to_owned(),
                class: "measured",
            },
            dashed: false,
            dots: true,
            points: measured,
        },
        TimeSeries {
            style: SeriesStyle {
                name: p.target_value.to_owned(),
                class: "goal",
            },
            dashed: false,
            dots: true,
            points: vec![(goal_day, target.target.value)],
        },
    ];
    let title = format!(
        "{}: {} ({})",
        p.target_chart, target.indicator_name, target.scope
    );
    let from_zero = target.unit == IndicatorUnit::Count && target.baseline.value.is_zero();
    html! {
        figure class="target" id={"mal-" (target.id)} {
            (chart::time_chart(
                Accessible { id, title: &title, description: p.target_description },
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
                    th scope="col" { (p.date) }
                    th scope="col" class="num" { (p.value) }
                    th scope="col" class="num" { (p.straight_path) }
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
pub fn view_page(view: &insats_view::View, style: &Style) -> String {
    use insats_view::write::text::cell_text;
    use insats_view::{ColumnKind, Preset, RowClass};
    let markup = html! {
        (DOCTYPE)
        html lang=(html_lang(style.lang)) {
            (page_head(&view.title))
            body {
                h1 { (view.title) }
                @for table in &view.tables {
                    @if table.title != view.title { h2 { (table.title) } }
                    @if table.rows.is_empty() && table.when_empty.is_some() {
                        p { (table.when_empty.map(|l| l.text(style.lang)).unwrap_or_default()) }
                    } @else {
                        @let shown = table.shown_columns(Preset::Compact);
                        div class="table-scroll" {
                            table {
                                thead { tr {
                                    @for &c in &shown {
                                        th scope="col" class=[(table.columns[c].kind == ColumnKind::Number).then_some("num")] {
                                            (table.columns[c].label.text(style.lang))
                                        }
                                    }
                                } }
                                tbody {
                                    @for row in &table.rows {
                                        tr class=[match row.class { RowClass::Total => Some("total"), RowClass::Flagged => Some("at-risk"), RowClass::Item => None }] {
                                            @for &c in &shown {
                                                td class=[(table.columns[c].kind == ColumnKind::Number).then_some("num")] {
                                                    (cell_text(style, &row.cells[c]))
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @for note in &table.notes { p class="meta" { (note.text(style.lang)) } }
                }
            }
        }
    };
    markup.into_string()
}
