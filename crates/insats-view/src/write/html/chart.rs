//! Inline SVG charts for the HTML report: grouped horizontal bars, and lines
//! over time.
//!
//! Drawn here rather than with a plotting crate on purpose. plotters, the
//! obvious candidate, lays out its axes from font metrics (system fonts via
//! font-kit, or a font file bundled into the binary), writes its own number
//! labels, and has no place for the `<title>`, `<desc>` and `role` an
//! accessible chart needs. These two chart kinds are a few hundred lines of
//! geometry, tested below, and their markup goes through maud, which
//! escapes every text.
//!
//! Amounts stay [`Decimal`] up to the last step: only pixel positions are
//! `f64`. Every label is formatted by the caller, so the charts use the
//! report's language and number style.

use insats::model::Date;
use maud::{Markup, html};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Width of every chart's coordinate system; the page scales it to fit.
const WIDTH: f64 = 680.0;

/// Formats an axis or value label.
pub type Format<'a> = &'a dyn Fn(Decimal) -> String;

/// A linear map from a domain of values to pixels.
#[derive(Debug, Clone, Copy)]
struct Linear {
    domain: (f64, f64),
    range: (f64, f64),
}

impl Linear {
    fn map(&self, value: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        if d1 == d0 {
            return r0;
        }
        r0 + (value - d0) / (d1 - d0) * (r1 - r0)
    }

    fn map_decimal(&self, value: Decimal) -> f64 {
        self.map(value.to_f64().unwrap_or_default())
    }
}

/// Rounds a coordinate for the markup: a tenth of a pixel is plenty, and
/// it keeps the output short and stable.
fn px(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded == 0.0 {
        // No "-0".
        "0".to_owned()
    } else {
        format!("{rounded}")
    }
}

fn pow10(exponent: i32) -> Decimal {
    let mut value = Decimal::ONE;
    for _ in 0..exponent.unsigned_abs() {
        value = if exponent >= 0 {
            value * Decimal::TEN
        } else {
            value / Decimal::TEN
        };
    }
    value
}

/// Round tick values covering `lo..=hi`: consecutive multiples of one step,
/// the step being 1, 2 or 5 times a power of ten, chosen so that there are
/// about `count` intervals. The first tick is at or below `lo`, the last at
/// or above `hi`; the chart's axis runs from the first to the last.
pub fn nice_ticks(lo: Decimal, hi: Decimal, count: u32) -> Vec<Decimal> {
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    let span = hi - lo;
    let span = if span.is_zero() {
        // One value: give it an axis of its own size around it.
        lo.abs().max(Decimal::ONE)
    } else {
        span
    };
    let raw = span / Decimal::from(count.max(1));
    // A span below a millionth (or one that rounds to nothing) gets steps
    // of a millionth: no indicator or amount is finer, and the loop below
    // must always advance.
    let raw = raw.max(Decimal::new(1, 6));
    let exponent = (raw.to_f64().unwrap_or(1.0).log10().floor() as i32).clamp(-6, 27);
    let magnitude = pow10(exponent);
    let step = [1, 2, 5, 10]
        .into_iter()
        .map(|m| magnitude * Decimal::from(m))
        .find(|step| *step >= raw)
        .unwrap_or(magnitude * Decimal::TEN);
    let first = (lo / step).floor() * step;
    let mut ticks = vec![first];
    while *ticks.last().unwrap_or(&first) < hi || ticks.len() < 2 {
        match ticks.last().unwrap_or(&first).checked_add(step) {
            Some(next) => ticks.push(next),
            // At the edge of what a Decimal holds: the axis ends there.
            None => break,
        }
    }
    ticks.iter().map(|t| t.normalize()).collect()
}

/// Days from `origin` to `date`, the x coordinate of a time chart.
fn day_number(origin: Date, date: Date) -> f64 {
    f64::from((date - origin).get_days())
}

/// Ticks of a time axis: every 1 January, or for a span under two years
/// the first day of every quarter, within `start..=end`; each with where
/// its label goes. A year's label sits in the middle of the year it
/// names, not on the line where it begins: a yearly value is drawn at the
/// end of its year (31 December), and under a label at 1 January it read
/// as the next year's.
pub fn date_ticks(start: Date, end: Date) -> Vec<(Date, Date, String)> {
    let by_year = (end - start).get_days() >= 2 * 365;
    let mut out = Vec::new();
    let mut day = start.first_of_month();
    while day <= end {
        let is_tick = if by_year {
            day.month() == 1
        } else {
            (day.month() - 1) % 3 == 0
        };
        if is_tick && day >= start {
            let (label, at) = if by_year {
                // The middle of the year, or of the part of it shown.
                let year_end = day.last_of_year().min(end);
                let middle = day
                    .checked_add(jiff::Span::new().days((year_end - day).get_days() / 2))
                    .unwrap_or(day);
                (day.year().to_string(), middle)
            } else {
                (format!("{}-{:02}", day.year(), day.month()), day)
            };
            out.push((day, at, label));
        }
        match day.last_of_month().tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    out
}

/// One series' name and its CSS class (which gives its colour).
#[derive(Debug, Clone)]
pub struct SeriesStyle {
    /// The name in the legend.
    pub name: String,
    /// The CSS class: `budget`, `planned`, `spent`, `expected`, `measured`.
    pub class: &'static str,
}

/// A group of bars: one label, one value per series.
#[derive(Debug, Clone)]
pub struct BarGroup {
    /// The group's label (a budget line's name).
    pub label: String,
    /// One value per series, in the series' order.
    pub values: Vec<Decimal>,
}

/// Text that makes a chart an accessible image.
#[derive(Debug, Clone, Copy)]
pub struct Accessible<'a> {
    /// Unique prefix of the chart's element ids.
    pub id: &'a str,
    /// A short title, read first.
    pub title: &'a str,
    /// What the chart shows, in words, and where its data table is.
    pub description: &'a str,
}

const LEGEND_HEIGHT: f64 = 22.0;
const AXIS_HEIGHT: f64 = 26.0;
const BAR: f64 = 10.0;
const BAR_GAP: f64 = 2.0;
const GROUP_LABEL: f64 = 17.0;
const GROUP_GAP: f64 = 10.0;

fn legend(series: &[SeriesStyle], dashed: &[bool]) -> Markup {
    // Each entry's width estimated from its text: the page's sans-serif
    // averages well under 7 px per character at 12 px.
    let starts = series.iter().scan(0.0, |x, s| {
        let at = *x;
        *x += 28.0 + 7.0 * s.name.chars().count() as f64;
        Some(at)
    });
    html! {
        g class="legend" {
            @for ((i, s), at) in series.iter().enumerate().zip(starts) {
                @if dashed.get(i).copied().unwrap_or(false) {
                    line class={"stroke " (s.class)} x1=(px(at)) y1="9" x2=(px(at + 18.0)) y2="9" stroke-dasharray="5 3" {}
                } @else {
                    rect class={"fill " (s.class)} x=(px(at)) y="3" width="14" height="12" {}
                }
                text x=(px(at + 22.0)) y="14" { (s.name) }
            }
        }
    }
}

/// A horizontal grouped bar chart: one group per item, one bar per series.
pub fn bar_chart(
    text: Accessible<'_>,
    series: &[SeriesStyle],
    groups: &[BarGroup],
    format: Format<'_>,
) -> Markup {
    let values = groups.iter().flat_map(|g| g.values.iter().copied());
    let lo = values.clone().min().unwrap_or_default().min(Decimal::ZERO);
    let hi = values.max().unwrap_or_default().max(Decimal::ZERO);
    let ticks = nice_ticks(lo, hi, 5);
    let first = ticks.first().copied().unwrap_or_default();
    let last = ticks.last().copied().unwrap_or_default();
    let left = 8.0;
    let right = WIDTH - 48.0;
    let x = Linear {
        domain: (
            first.to_f64().unwrap_or_default(),
            last.to_f64().unwrap_or_default(),
        ),
        range: (left, right),
    };
    let group_height = GROUP_LABEL + series.len() as f64 * (BAR + BAR_GAP) + GROUP_GAP;
    let plot_top = LEGEND_HEIGHT + 6.0;
    let plot_bottom = plot_top + group_height * groups.len() as f64;
    let height = plot_bottom + AXIS_HEIGHT;
    let zero = x.map(0.0);
    html! {
        svg class="chart bar-chart" role="img" viewBox={"0 0 " (px(WIDTH)) " " (px(height))}
            aria-labelledby={(text.id) "-title " (text.id) "-desc"} {
            title id={(text.id) "-title"} { (text.title) }
            desc id={(text.id) "-desc"} { (text.description) }
            (legend(series, &[]))
            g class="grid" {
                @for tick in &ticks {
                    @let at = x.map_decimal(*tick);
                    line x1=(px(at)) y1=(px(plot_top)) x2=(px(at)) y2=(px(plot_bottom)) {}
                    // The first label starts at the axis, so as not to
                    // run off the left edge.
                    text class="tick" x=(px(at)) y=(px(plot_bottom + 16.0))
                        text-anchor=(if at < left + 30.0 { "start" } else { "middle" }) { (format(*tick)) }
                }
            }
            @for (g, group) in groups.iter().enumerate() {
                @let top = plot_top + g as f64 * group_height;
                g class="group" {
                    text class="group-label" x=(px(left)) y=(px(top + 12.0)) { (group.label) }
                    @for (s, value) in group.values.iter().enumerate() {
                        @let end = x.map_decimal(*value);
                        @let style = series.get(s).map_or("", |s| s.class);
                        @let name = series.get(s).map_or("", |s| s.name.as_str());
                        rect class={"bar fill " (style)}
                            x=(px(zero.min(end))) y=(px(top + GROUP_LABEL + s as f64 * (BAR + BAR_GAP)))
                            width=(px((end - zero).abs())) height=(px(BAR))
                            data-value=(value) {
                            title { (group.label) ", " (name) ": " (format(*value)) }
                        }
                    }
                }
            }
            line class="axis" x1=(px(zero)) y1=(px(plot_top)) x2=(px(zero)) y2=(px(plot_bottom)) {}
        }
    }
}

/// One line of a time chart.
#[derive(Debug, Clone)]
pub struct TimeSeries {
    /// Name and colour.
    pub style: SeriesStyle,
    /// Dashed (a plan or an expectation) or solid (what happened).
    pub dashed: bool,
    /// Draw a dot at every point (measurements).
    pub dots: bool,
    /// The points, oldest first.
    pub points: Vec<(Date, Decimal)>,
}

/// A vertical marker at a date, such as the as-of date.
#[derive(Debug, Clone)]
pub struct DateMarker {
    /// The date.
    pub date: Date,
    /// Its label.
    pub label: String,
}

/// A line chart over time.
pub fn time_chart(
    text: Accessible<'_>,
    series: &[TimeSeries],
    marker: Option<&DateMarker>,
    format: Format<'_>,
    from_zero: bool,
) -> Markup {
    let dates = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .chain(marker.map(|m| m.date));
    let start = dates.clone().min().unwrap_or_default();
    let end = dates.max().unwrap_or_default();
    let values = series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let mut lo = values.clone().min().unwrap_or_default();
    let mut hi = values.max().unwrap_or_default();
    if from_zero {
        lo = lo.min(Decimal::ZERO);
        hi = hi.max(Decimal::ZERO);
    }
    let ticks = nice_ticks(lo, hi, 5);
    let height = 280.0;
    let (left, right) = (72.0, WIDTH - 16.0);
    let (top, bottom) = (LEGEND_HEIGHT + 10.0, height - AXIS_HEIGHT);
    let x = Linear {
        domain: (0.0, day_number(start, end)),
        range: (left, right),
    };
    let y = Linear {
        domain: (
            ticks
                .first()
                .copied()
                .unwrap_or_default()
                .to_f64()
                .unwrap_or_default(),
            ticks
                .last()
                .copied()
                .unwrap_or_default()
                .to_f64()
                .unwrap_or_default(),
        ),
        range: (bottom, top),
    };
    let legend_styles: Vec<SeriesStyle> = series.iter().map(|s| s.style.clone()).collect();
    let dashed: Vec<bool> = series.iter().map(|s| s.dashed).collect();
    html! {
        svg class="chart time-chart" role="img" viewBox={"0 0 " (px(WIDTH)) " " (px(height))}
            aria-labelledby={(text.id) "-title " (text.id) "-desc"} {
            title id={(text.id) "-title"} { (text.title) }
            desc id={(text.id) "-desc"} { (text.description) }
            (legend(&legend_styles, &dashed))
            g class="grid" {
                @for tick in &ticks {
                    @let at = y.map_decimal(*tick);
                    line x1=(px(left)) y1=(px(at)) x2=(px(right)) y2=(px(at)) {}
                    text class="tick" x=(px(left - 6.0)) y=(px(at + 4.0)) text-anchor="end" { (format(*tick)) }
                }
                @for (date, label_date, label) in date_ticks(start, end) {
                    @let at = x.map(day_number(start, date));
                    @let label_at = x.map(day_number(start, label_date));
                    line x1=(px(at)) y1=(px(top)) x2=(px(at)) y2=(px(bottom)) {}
                    text class="tick" x=(px(label_at)) y=(px(bottom + 16.0)) text-anchor="middle" { (label) }
                }
            }
            line class="axis" x1=(px(left)) y1=(px(bottom)) x2=(px(right)) y2=(px(bottom)) {}
            @for s in series {
                @let path = s.points.iter().enumerate().map(|(i, (d, v))| {
                    format!("{}{},{}", if i == 0 { "M" } else { " L" }, px(x.map(day_number(start, *d))), px(y.map_decimal(*v)))
                }).collect::<String>();
                g class={"series " (s.style.class)} {
                    @if s.points.len() > 1 {
                        path class={"stroke " (s.style.class)} d=(path) fill="none"
                            stroke-dasharray=[s.dashed.then_some("6 4")] {}
                    }
                    @if s.dots || s.points.len() == 1 {
                        @for (d, v) in &s.points {
                            circle class={"dot fill " (s.style.class)} cx=(px(x.map(day_number(start, *d))))
                                cy=(px(y.map_decimal(*v))) r="4" data-value=(v) {
                                title { (s.style.name) ", " (d) ": " (format(*v)) }
                            }
                        }
                    }
                }
            }
            @if let Some(m) = marker {
                @let at = x.map(day_number(start, m.date));
                g class="marker" {
                    line x1=(px(at)) y1=(px(top - 4.0)) x2=(px(at)) y2=(px(bottom)) {}
                    text x=(px(at)) y=(px(top - 6.0))
                        text-anchor=(if at > WIDTH - 120.0 { "end" } else if at < 120.0 { "start" } else { "middle" }) { (m.label) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn ticks_of_a_budget_are_round_millions() {
        let ticks = nice_ticks(Decimal::ZERO, dec("8800000"), 5);
        assert_eq!(
            ticks,
            ["0", "2000000", "4000000", "6000000", "8000000", "10000000"]
                .map(dec)
                .to_vec()
        );
    }

    #[test]
    fn ticks_of_a_share_can_be_fractions() {
        let ticks = nice_ticks(dec("71.2"), dec("73.5"), 5);
        assert_eq!(ticks.first(), Some(&dec("71")));
        assert_eq!(ticks.last(), Some(&dec("73.5")));
        assert_eq!(ticks[1] - ticks[0], dec("0.5"));
    }

    #[test]
    fn a_vanishing_span_still_ends() {
        let tiny = Decimal::new(1, 28);
        let ticks = nice_ticks(tiny, tiny + tiny, 5);
        assert!(ticks.len() >= 2 && ticks.len() <= 12, "{ticks:?}");
        let huge = Decimal::MAX / Decimal::TEN;
        let ticks = nice_ticks(Decimal::ZERO, huge, 5);
        assert!(ticks.len() >= 2 && ticks.len() <= 12, "{ticks:?}");
    }

    #[test]
    fn one_value_still_gets_an_axis() {
        let ticks = nice_ticks(Decimal::ZERO, Decimal::ZERO, 5);
        assert!(ticks.len() >= 2, "{ticks:?}");
        assert_eq!(ticks[0], Decimal::ZERO);
    }

    #[test]
    fn year_ticks_for_long_spans_and_quarters_for_short() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let years: Vec<String> = date_ticks(d("2022-01-01"), d("2027-12-31"))
            .into_iter()
            .map(|t| t.2)
            .collect();
        assert_eq!(years, ["2022", "2023", "2024", "2025", "2026", "2027"]);
        let quarters: Vec<(Date, Date, String)> = date_ticks(d("2023-12-31"), d("2024-12-31"));
        let labels: Vec<&str> = quarters.iter().map(|t| t.2.as_str()).collect();
        assert_eq!(labels, ["2024-01", "2024-04", "2024-07", "2024-10"]);
        // A quarter is labelled where it begins.
        assert!(quarters.iter().all(|(line, label, _)| line == label));
    }

    /// A yearly value is drawn at the end of its year (31 December): the
    /// year's label sits in the middle of the year, so that the value at
    /// the end of 2023 is read under "2023", not under the "2024" that
    /// begins a day later.
    #[test]
    fn a_year_is_labelled_in_its_middle() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let ticks = date_ticks(d("2022-06-30"), d("2025-03-31"));
        let found: Vec<(String, String, &str)> = ticks
            .iter()
            .map(|(line, label, text)| (line.to_string(), label.to_string(), text.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("2023-01-01".into(), "2023-07-02".into(), "2023"),
                ("2024-01-01".into(), "2024-07-01".into(), "2024"),
                // The part of 2025 shown: its middle.
                ("2025-01-01".into(), "2025-02-14".into(), "2025"),
            ]
        );
    }

    #[test]
    fn bars_are_as_long_as_their_values() {
        let series = [
            SeriesStyle {
                name: "Budget".into(),
                class: "budget",
            },
            SeriesStyle {
                name: "Spent".into(),
                class: "spent",
            },
        ];
        let groups = [BarGroup {
            label: "Line <one>".into(),
            values: vec![dec("1000"), dec("250")],
        }];
        let text = Accessible {
            id: "c1",
            title: "Title",
            description: "Description",
        };
        let svg = bar_chart(text, &series, &groups, &|v| v.to_string()).into_string();
        // The axis runs 0..1000 over 8..632 px: 624 and 156 px.
        assert!(svg.contains(r#"width="624""#), "{svg}");
        assert!(svg.contains(r#"width="156""#), "{svg}");
        // Labels are escaped, never markup.
        assert!(svg.contains("Line &lt;one&gt;"));
        assert!(!svg.contains("<one>"));
        assert!(svg.contains(r#"aria-labelledby="c1-title c1-desc""#));
    }

    #[test]
    fn a_negative_value_draws_left_of_zero() {
        let series = [SeriesStyle {
            name: "Spent".into(),
            class: "spent",
        }];
        let groups = [BarGroup {
            label: "Refund".into(),
            values: vec![dec("-100")],
        }];
        let text = Accessible {
            id: "c2",
            title: "",
            description: "",
        };
        let svg = bar_chart(text, &series, &groups, &|v| v.to_string()).into_string();
        // Axis -100..0 over 8..632: the bar spans all of it.
        assert!(
            svg.contains(r#"x="8""#) && svg.contains(r#"width="624""#),
            "{svg}"
        );
    }

    proptest! {
        #[test]
        fn ticks_cover_the_values_with_a_round_step(
            a in -1_000_000_000i64..1_000_000_000,
            b in -1_000_000_000i64..1_000_000_000,
            scale in 0u32..4,
        ) {
            let lo = Decimal::new(a.min(b), scale);
            let hi = Decimal::new(a.max(b), scale);
            let ticks = nice_ticks(lo, hi, 5);
            prop_assert!(ticks.len() >= 2 && ticks.len() <= 12, "{:?}", ticks);
            prop_assert!(ticks[0] <= lo);
            prop_assert!(*ticks.last().unwrap() >= hi);
            let step = ticks[1] - ticks[0];
            prop_assert!(step > Decimal::ZERO);
            for pair in ticks.windows(2) {
                prop_assert_eq!(pair[1] - pair[0], step);
            }
            // 1, 2 or 5 times a power of ten.
            let mut mantissa = step.normalize();
            while mantissa >= Decimal::TEN { mantissa /= Decimal::TEN; }
            while mantissa < Decimal::ONE { mantissa *= Decimal::TEN; }
            prop_assert!([Decimal::ONE, Decimal::TWO, Decimal::from(5)].contains(&mantissa.normalize()), "{}", step);
        }
    }
}
