//! The HTML report in a real browser: headless Chromium opens the page that
//! `insats report --format html` wrote for `initiatives/`, and the tests
//! read what the browser made of it.
//! The browser is tests/common/chromium.rs's.
//!
//! The screenshot is saved under the target directory; with
//! `INSATS_UPDATE_SCREENSHOT=1` it also replaces `docs/report-html.png`.

use std::path::{Path, PathBuf};
use std::process::Command;

use headless_chrome::protocol::cdp::Emulation;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::types::PrintToPdfOptions;
use libtest_mimic::Failed;
use serde_json::Value;

mod common;
use common::chromium::{Case, check, evaluate, launch, open};

/// The as-of date of every page here: Borlänge's grant year is over,
/// Botkyrka is half way, Örebro has not started.
const AS_OF: &str = "2021-06-30";

/// A4 less the page margins of the style sheet (12 mm each side), in CSS
/// pixels (96 per inch).
const A4_CONTENT_WIDTH_PX: f64 = (210.0 - 24.0) / 25.4 * 96.0;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).expect("create the output directory");
    dir
}

fn insats(args: &[&str]) -> Result<Vec<u8>, Failed> {
    let out = Command::new(env!("CARGO_BIN_EXE_insats"))
        .current_dir(root())
        .args(args)
        .output()
        .map_err(|e| format!("run insats: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "insats {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(out.stdout)
}

/// Writes the page for `initiatives/` and returns its path.
fn write_page(name: &str, lang: &str) -> Result<PathBuf, Failed> {
    let path = out_dir().join(name);
    let path_text = path.to_str().ok_or("non-UTF-8 target directory")?;
    insats(&[
        "report",
        "initiatives",
        "--as-of",
        AS_OF,
        "--lang",
        lang,
        "--format",
        "html",
        "-o",
        path_text,
    ])?;
    Ok(path)
}

fn json_report() -> Result<Value, Failed> {
    let out = insats(&[
        "report",
        "initiatives",
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ])?;
    serde_json::from_slice(&out).map_err(|e| format!("report JSON: {e}").into())
}

/// An amount as the Swedish page shows it: whole kronor, grouped by
/// spaces, ` kr`.
fn swedish_kr(exact: &str) -> String {
    let value: rust_decimal::Decimal = exact.parse().expect("decimal");
    let whole = value
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .abs()
        .to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            // A no-break space: the browser never breaks an amount.
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    let sign = if value.is_sign_negative() && !value.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}{grouped}\u{a0}kr")
}

fn the_page_loads_cleanly_and_shows_every_chart(chromium: &Path) -> Result<(), Failed> {
    let page = write_page("report-sv.html", "sv")?;
    let report = json_report()?;
    let browser = launch(chromium, 1000, 1400)?;
    let (tab, problems) = open(&browser, &page)?;

    let problems = problems.lock().expect("problems lock").clone();
    check(problems.is_empty(), || {
        format!("the console shows problems: {problems:#?}")
    })?;

    // One chart for the portfolio; per initiative its lines and its
    // spending curve; one per outcome target.
    let initiatives = report["initiatives"].as_array().ok_or("initiatives")?;
    let targets = report["targets"].as_array().ok_or("targets")?;
    let expected = 1 + 2 * initiatives.len() + targets.len();
    let charts = evaluate(&tab, "document.querySelectorAll('svg.chart').length")?;
    check(charts == expected, || {
        format!("{charts} charts, expected {expected}")
    })?;

    // Every chart is an image with a title and a description, and has a
    // data table beside it in its figure.
    let inaccessible = evaluate(
        &tab,
        "[...document.querySelectorAll('svg.chart')].filter(svg => \
            svg.getAttribute('role') !== 'img' \
            || !svg.querySelector('title')?.textContent.trim() \
            || !svg.querySelector('desc')?.textContent.trim() \
            || svg.getAttribute('aria-labelledby').split(' ').some(id => !document.getElementById(id)) \
            || !svg.closest('figure')?.querySelector('table')).length",
    )?;
    check(inaccessible == 0, || {
        format!("{inaccessible} charts lack a title, a description or a data table")
    })?;

    // The portfolio's key figures are the report's, in Swedish style.
    let key_figures = evaluate(&tab, "document.querySelector('.key-figures').textContent")?;
    let key_figures = key_figures.as_str().unwrap_or_default();
    for field in ["budget", "spent_to_date", "planned_to_date"] {
        let shown = swedish_kr(report["portfolio"][field].as_str().ok_or(field)?);
        check(key_figures.contains(&shown), || {
            format!("key figures lack {field} {shown}: {key_figures}")
        })?;
    }

    // The bars are drawn from the report: each line's bars carry its exact
    // budget, planned and spent, and the browser draws them in proportion.
    let line = &initiatives
        .iter()
        .find(|i| i["id"] == "botkyrka-jamlik-kompetensforsorjning")
        .ok_or("the Botkyrka initiative")?["lines"][0];
    let name = line["name"].as_str().ok_or("line name")?;
    let bars = evaluate(
        &tab,
        &format!(
            "JSON.stringify([...document.querySelectorAll('#insats-botkyrka-jamlik-kompetensforsorjning svg.bar-chart g.group')] \
                .find(g => g.querySelector('.group-label').textContent === {name:?}) \
                .querySelectorAll('rect.bar').values().map(r => [r.dataset.value, r.getBBox().width]).toArray())"
        ),
    )?;
    let bars: Vec<(String, f64)> =
        serde_json::from_str(bars.as_str().ok_or("bars")?).map_err(|e| format!("bars: {e}"))?;
    let exact: Vec<&str> = ["budget", "planned_to_date", "spent_to_date"]
        .iter()
        .map(|f| line[f].as_str().unwrap_or_default())
        .collect();
    check(
        bars.iter().map(|b| b.0.as_str()).collect::<Vec<_>>() == exact,
        || format!("bars {bars:?}, report {exact:?}"),
    )?;
    let budget: f64 = exact[0].parse().map_err(|_| "budget")?;
    for (value, width) in &bars {
        let value: f64 = value.parse().map_err(|_| "bar value")?;
        let expected = bars[0].1 * value / budget;
        check((width - expected).abs() < 1.0, || {
            format!("bar of {value} is {width} px wide, expected {expected}")
        })?;
    }

    // The as-of date is marked on every time chart.
    let markers = evaluate(
        &tab,
        &format!(
            "[...document.querySelectorAll('svg.time-chart .marker text')].filter(t => t.textContent === 'per {AS_OF}').length"
        ),
    )?;
    let time_charts = initiatives.len() + targets.len();
    check(markers == time_charts, || {
        format!("{markers} as-of markers on {time_charts} time charts")
    })?;

    // A state grant with money at risk stands out in the funding table.
    let at_risk = evaluate(
        &tab,
        "[...document.querySelectorAll('table.funding tr.at-risk')].map(r => r.textContent).join('|')",
    )?;
    let risky = report["funding"]
        .as_array()
        .ok_or("funding")?
        .iter()
        .find(|f| f["kind"] == "state-grant")
        .ok_or("a state grant")?;
    let shown = swedish_kr(risky["forecast_unspent"].as_str().ok_or("unspent")?);
    check(at_risk.as_str().is_some_and(|t| t.contains(&shown)), || {
        format!("money at risk {shown} not marked: {at_risk}")
    })?;

    // The screenshot for the README.
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .map_err(|e| format!("screenshot: {e}"))?;
    save_screenshot("report-html.png", &png)?;
    // And one initiative, with its lines and its spending curve.
    evaluate(
        &tab,
        "document.getElementById('insats-borlange-skolteam-skola-a').scrollIntoView({block: 'start'})",
    )?;
    let section = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .map_err(|e| format!("screenshot of an initiative: {e}"))?;
    save_screenshot("report-html-initiative.png", &section)?;
    Ok(())
}

fn save_screenshot(name: &str, png: &[u8]) -> Result<(), Failed> {
    check(png.starts_with(b"\x89PNG"), || {
        format!("{name} is not a PNG")
    })?;
    std::fs::write(out_dir().join(name), png).map_err(|e| e.to_string())?;
    if std::env::var_os("INSATS_UPDATE_SCREENSHOT").is_some() {
        std::fs::write(root().join("docs").join(name), png).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn the_page_prints_on_a4(chromium: &Path) -> Result<(), Failed> {
    let page = write_page("report-print.html", "sv")?;
    let browser = launch(chromium, A4_CONTENT_WIDTH_PX.floor() as u32, 1100)?;
    let (tab, _) = open(&browser, &page)?;
    tab.call_method(Emulation::SetEmulatedMedia {
        media: Some("print".to_owned()),
        features: None,
    })
    .map_err(|e| format!("emulate print: {e}"))?;
    // Nothing wider than the printable width of an A4 page.
    let overflow = evaluate(
        &tab,
        "JSON.stringify([...document.querySelectorAll('body *')] \
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1) \
            .slice(0, 5).map(e => [e.tagName, e.closest('section,figure,table')?.className ?? '', \
                e.closest('section')?.id ?? '', Math.round(e.getBoundingClientRect().right)].join(' ')))",
    )?;
    check(overflow == "[]", || {
        format!("wider than A4 ({A4_CONTENT_WIDTH_PX:.0} px): {overflow}")
    })?;
    let pdf = tab
        .print_to_pdf(Some(PrintToPdfOptions {
            paper_width: Some(210.0 / 25.4),
            paper_height: Some(297.0 / 25.4),
            print_background: Some(true),
            prefer_css_page_size: Some(true),
            ..PrintToPdfOptions::default()
        }))
        .map_err(|e| format!("print: {e}"))?;
    check(pdf.starts_with(b"%PDF"), || "not a PDF".to_owned())?;
    std::fs::write(out_dir().join("report.pdf"), &pdf).map_err(|e| e.to_string())?;
    Ok(())
}

fn the_english_page_uses_english_labels_and_numbers(chromium: &Path) -> Result<(), Failed> {
    let page = write_page("report-en.html", "en")?;
    let browser = launch(chromium, 1000, 1400)?;
    let (tab, problems) = open(&browser, &page)?;
    check(problems.lock().expect("lock").is_empty(), || {
        "console problems".to_owned()
    })?;
    let lang = evaluate(&tab, "document.documentElement.lang")?;
    check(lang == "en", || format!("lang {lang}"))?;
    let figures = evaluate(&tab, "document.querySelector('.key-figures').textContent")?;
    let figures = figures.as_str().unwrap_or_default();
    check(
        figures.contains("Budget") && figures.contains("Spent") && figures.contains("\u{a0}SEK"),
        || format!("key figures: {figures}"),
    )?;
    check(figures.contains(','), || {
        format!("no thousands separator: {figures}")
    })?;
    Ok(())
}

/// The check above must be able to fail: a page that reaches for the
/// network is refused by its own Content-Security-Policy, and the refusal
/// is seen.
fn a_page_that_reaches_for_the_network_is_caught(chromium: &Path) -> Result<(), Failed> {
    let page = write_page("report-tampered.html", "sv")?;
    let html = std::fs::read_to_string(&page).map_err(|e| e.to_string())?;
    let tampered = html.replacen(
        "<body>",
        r#"<body><img src="http://127.0.0.1:9/logo.png" alt="">"#,
        1,
    );
    check(tampered != html, || "no <body> to tamper with".to_owned())?;
    std::fs::write(&page, tampered).map_err(|e| e.to_string())?;
    let browser = launch(chromium, 800, 600)?;
    let (_, problems) = open(&browser, &page)?;
    let problems = problems.lock().expect("lock").clone();
    check(!problems.is_empty(), || {
        "an external image went unnoticed".to_owned()
    })?;
    Ok(())
}

/// On a phone (390 px wide): the page never scrolls sideways (wide
/// tables and charts scroll inside their own boxes), every key figure is
/// in view, and chart text stays at least 11 px as drawn.
fn the_page_reads_on_a_phone(chromium: &Path) -> Result<(), Failed> {
    let page = write_page("report-phone.html", "sv")?;
    let browser = launch(chromium, 600, 844)?;
    let (tab, _) = open(&browser, &page)?;
    // A window cannot be made as narrow as a phone; the phone is emulated,
    // as the browser's device toolbar does.
    common::chromium::emulate_phone(&tab)?;
    let page_width = evaluate(&tab, "document.documentElement.scrollWidth")?;
    let wide = evaluate(
        &tab,
        "JSON.stringify([...document.querySelectorAll('body *')] \
            .filter(e => !e.parentElement.closest('.table-scroll, figure') && e.getBoundingClientRect().right > 391) \
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)))",
    )?;
    check(page_width.as_f64().is_some_and(|w| w <= 390.0), || {
        format!("the page is {page_width} px wide on a 390 px phone: {wide}")
    })?;
    let cut = evaluate(
        &tab,
        "[...document.querySelectorAll('.key-figures div')] \
            .filter(d => d.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length",
    )?;
    check(cut == 0, || format!("{cut} key figures cut off"))?;
    // The drawn size of a chart's text: its font size times the scale the
    // SVG is drawn at.
    let smallest = evaluate(
        &tab,
        "Math.min(...[...document.querySelectorAll('svg.chart text')] \
            .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a))",
    )?;
    check(
        smallest.as_f64().is_some_and(|px| px >= 11.0 - 1e-6),
        || format!("chart text drawn at {smallest} px on a phone"),
    )?;
    Ok(())
}

fn main() {
    let cases: Vec<(&'static str, Case)> = vec![
        ("the_page_reads_on_a_phone", the_page_reads_on_a_phone),
        (
            "the_page_loads_cleanly_and_shows_every_chart",
            the_page_loads_cleanly_and_shows_every_chart,
        ),
        ("the_page_prints_on_a4", the_page_prints_on_a4),
        (
            "the_english_page_uses_english_labels_and_numbers",
            the_english_page_uses_english_labels_and_numbers,
        ),
        (
            "a_page_that_reaches_for_the_network_is_caught",
            a_page_that_reaches_for_the_network_is_caught,
        ),
    ];
    common::chromium::run(cases)
}
