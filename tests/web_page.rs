//! The browser page (web/, built by `cargo xtask web`) in headless
//! Chromium, opened from a file as an officer opens it from a share: no
//! server, nothing installed but the browser.
//!
//! The folder is handed to the page's folder input through the DevTools
//! protocol, as a person choosing it would. What the page shows and what
//! its buttons download must be what the command line writes for the same
//! folder: the diagnostics JSON, the report's HTML, workbook, CSV and JSON,
//! byte for byte. Every request the page makes is recorded through the
//! protocol's network domain; there must be none but the page itself.
//!
//! The page is built once per run, into the target directory (a release
//! build of the WebAssembly module; minutes the first time).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use headless_chrome::Tab;
use headless_chrome::protocol::cdp::{DOM, Input, Page};
use libtest_mimic::Failed;
use serde_json::Value;

mod common;
use common::chromium::{Case, Problems, Requests, check, evaluate, launch, open_url};

/// Borlänge's grant year is over, Botkyrka is half way, Örebro has not
/// started.
const AS_OF: &str = "2021-06-30";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository")
}

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("web-page")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the output directory");
    dir
}

/// The built page: `cargo xtask web`, once per test run.
fn page() -> Result<PathBuf, Failed> {
    static PAGE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PAGE.get_or_init(|| {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("web-page-build");
        let built = Command::new(env!("CARGO"))
            .current_dir(root())
            .args([
                "run", "--quiet", "--locked", "-p", "xtask", "--", "web", "--out",
            ])
            .arg(&out)
            .output()
            .map_err(|e| format!("run cargo xtask web: {e}"))?;
        if !built.status.success() {
            return Err(format!(
                "cargo xtask web failed: {}",
                String::from_utf8_lossy(&built.stderr)
            ));
        }
        Ok(out.join("insats.html"))
    })
    .clone()
    .map_err(Failed::from)
}

/// What the command line writes, run in `dir`; a failing exit is only an
/// error when `must_succeed`.
fn insats_in(dir: &Path, args: &[&str], must_succeed: bool) -> Result<Vec<u8>, Failed> {
    let out = Command::new(env!("CARGO_BIN_EXE_insats"))
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .args(args)
        .output()
        .map_err(|e| format!("run insats: {e}"))?;
    if must_succeed && !out.status.success() {
        return Err(format!(
            "insats {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(out.stdout)
}

fn report_cli(args: &[&str]) -> Result<Vec<u8>, Failed> {
    let mut all = vec!["report", "initiatives", "--as-of", AS_OF];
    all.extend_from_slice(args);
    insats_in(&root(), &all, true)
}

/// Waits until the page's state (`body[data-state]`) is one of `states`;
/// a problem in the console ends the wait.
fn wait_for(tab: &Tab, problems: &Problems, states: &[&str]) -> Result<String, Failed> {
    let start = Instant::now();
    loop {
        let seen = problems.lock().expect("problems").clone();
        check(seen.is_empty(), || {
            format!("the console shows problems: {seen:#?}")
        })?;
        let state = evaluate(tab, "document.body.dataset.state")?;
        let state = state.as_str().unwrap_or_default().to_owned();
        if states.contains(&state.as_str()) {
            return Ok(state);
        }
        if state == "failed" || start.elapsed() > Duration::from_secs(120) {
            let status = evaluate(tab, "document.getElementById('status').textContent")?;
            return Err(format!("the page is `{state}` ({status}), waiting for {states:?}").into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Chooses `dir` in the page's folder input, as a person would.
fn choose_folder(tab: &Tab, dir: &Path) -> Result<(), Failed> {
    let input = tab
        .wait_for_element("#folder")
        .map_err(|e| format!("the folder input: {e}"))?;
    tab.call_method(DOM::SetFileInputFiles {
        files: vec![dir.to_string_lossy().into_owned()],
        node_id: None,
        backend_node_id: None,
        object_id: Some(input.remote_object_id.clone()),
    })
    .map_err(|e| format!("choose {}: {e}", dir.display()))?;
    Ok(())
}

fn text(tab: &Tab, expression: &str) -> Result<String, Failed> {
    Ok(evaluate(tab, expression)?
        .as_str()
        .ok_or_else(|| format!("{expression} is not text"))?
        .to_owned())
}

fn json(bytes: &[u8], what: &str) -> Result<Value, Failed> {
    serde_json::from_slice(bytes).map_err(|e| format!("{what}: {e}").into())
}

/// Sets the as-of date and chooses `initiatives/`, then waits for the
/// page to show its check and report.
fn choose_shipped_folder(tab: &Tab, problems: &Problems) -> Result<(), Failed> {
    evaluate(
        tab,
        &format!("document.getElementById('as-of').value = '{AS_OF}'"),
    )?;
    choose_folder(tab, &root().join("initiatives"))?;
    wait_for(tab, problems, &["done"])?;
    Ok(())
}

/// The page's diagnostics are the document the CLI wrote, byte for byte.
fn same_diagnostics_as(tab: &Tab, cli: &[u8]) -> Result<(), Failed> {
    let shown = text(tab, "insatsPage.diagnosticsJson")?;
    check(shown.as_bytes() == cli, || {
        format!(
            "the page's diagnostics differ from the CLI's:\n{shown}\n---\n{}",
            String::from_utf8_lossy(cli)
        )
    })
}

/// Opens the page with the browser's language `lang` and waits for its
/// module to be ready.
fn ready_page(
    chromium: &Path,
    lang: &str,
) -> Result<(headless_chrome::Browser, Arc<Tab>, Problems, Requests), Failed> {
    let page = page()?;
    let browser = launch(chromium, 1200, 1000)?;
    let url = format!("file://{}", page.display());
    let (tab, problems, requests) = open_url(&browser, &url, Some(lang))?;
    wait_for(&tab, &problems, &["ready"])?;
    Ok((browser, tab, problems, requests))
}

/// The file `name` in `dir`, once the browser has finished writing it.
fn downloaded(dir: &Path, name: &str) -> Result<Vec<u8>, Failed> {
    let path = dir.join(name);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        let partial = std::fs::read_dir(dir)
            .map_err(|e| e.to_string())?
            .flatten()
            .any(|e| e.file_name().to_string_lossy().ends_with(".crdownload"));
        if path.is_file() && !partial {
            return std::fs::read(&path).map_err(|e| e.to_string().into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let there: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.file_name())
        .collect();
    Err(format!("{name} was not downloaded; the folder holds {there:?}").into())
}

fn the_shipped_portfolio_is_checked_and_reported_as_the_cli_does(
    chromium: &Path,
) -> Result<(), Failed> {
    let (_browser, tab, problems, requests) = ready_page(chromium, "sv-SE")?;
    check(text(&tab, "document.documentElement.lang")? == "sv", || {
        "a Swedish browser gets the Swedish page".to_owned()
    })?;
    choose_shipped_folder(&tab, &problems)?;

    // The diagnostics: the document `insats validate --format json` writes.
    let cli = insats_in(
        &root(),
        &["validate", "initiatives", "--format", "json"],
        false,
    )?;
    same_diagnostics_as(&tab, &cli)?;
    let diagnostics = json(&cli, "diagnostics")?;
    let count = diagnostics["diagnostics"].as_array().map_or(0, Vec::len);
    let listed = evaluate(
        &tab,
        "document.querySelectorAll('#diagnostic-list pre').length",
    )?;
    check(listed == count, || {
        format!("{listed} diagnostics listed, {count} found")
    })?;
    let summary = text(&tab, "document.getElementById('summary').textContent")?;
    let files = diagnostics["files"].as_u64().unwrap_or_default();
    let plans = diagnostics["plan_files"].as_u64().unwrap_or_default();
    check(
        summary == format!("{files} filer kontrollerade ({plans} planer): inga problem."),
        || format!("summary: {summary}"),
    )?;

    // The report shown is the page `insats report --format html` writes.
    let html = report_cli(&["--format", "html"])?;
    let shown = text(&tab, "document.getElementById('report').srcdoc")?;
    check(shown.as_bytes() == html.as_slice(), || {
        "the report shown is not the CLI's HTML report".to_owned()
    })?;
    // And it is laid out: the frame holds the report's key figures.
    let frame_height = evaluate(
        &tab,
        "document.getElementById('report').getBoundingClientRect().height",
    )?;
    check(frame_height.as_f64().unwrap_or_default() > 300.0, || {
        format!("the report's frame is {frame_height} px high")
    })?;

    // Every download is the CLI's output, byte for byte.
    let downloads = out_dir("downloads");
    tab.call_method(Page::SetDownloadBehavior {
        behavior: Page::SetDownloadBehaviorBehaviorOption::Allow,
        download_path: Some(downloads.to_string_lossy().into_owned()),
    })
    .map_err(|e| format!("allow downloads: {e}"))?;
    evaluate(
        &tab,
        "document.getElementById('csv-table').value = 'funding'",
    )?;
    let xlsx_file = out_dir("cli").join("report.xlsx");
    report_cli(&["--format", "xlsx", "-o", xlsx_file.to_str().ok_or("path")?])?;
    let expected: [(&str, &str, Vec<u8>); 5] = [
        ("download-html", "insats-2021-06-30.html", html.clone()),
        (
            "download-json",
            "insats-2021-06-30.json",
            report_cli(&["--format", "json"])?,
        ),
        (
            "download-csv",
            "insats-2021-06-30-funding.csv",
            report_cli(&["--format", "csv", "--table", "funding"])?,
        ),
        (
            "download-xlsx",
            "insats-2021-06-30.xlsx",
            std::fs::read(&xlsx_file).map_err(|e| e.to_string())?,
        ),
        ("download-diagnostics", "insats-kontroll.json", cli.clone()),
    ];
    for (button, name, bytes) in &expected {
        evaluate(
            &tab,
            &format!("document.getElementById('{button}').click()"),
        )?;
        let got = downloaded(&downloads, name)?;
        check(&got == bytes, || {
            format!(
                "{name} ({} bytes) is not the CLI's output ({} bytes)",
                got.len(),
                bytes.len()
            )
        })?;
    }

    // The picture in web/README.md.
    evaluate(&tab, "window.scrollTo(0, 0)")?;
    let png = tab
        .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
        .map_err(|e| format!("screenshot: {e}"))?;
    check(png.starts_with(b"\x89PNG"), || {
        "the screenshot is not a PNG".to_owned()
    })?;
    std::fs::write(out_dir("screenshot").join("web-page.png"), &png).map_err(|e| e.to_string())?;
    if std::env::var_os("INSATS_UPDATE_SCREENSHOT").is_some() {
        std::fs::write(root().join("docs/web-page.png"), &png).map_err(|e| e.to_string())?;
    }

    let problems = problems.lock().expect("problems").clone();
    check(problems.is_empty(), || {
        format!("the console shows problems: {problems:#?}")
    })?;
    only_the_page_itself(&requests)
}

/// The only request is the page's own file (and the browser's own `data:`
/// images of the date picker, which leave nothing).
fn only_the_page_itself(requests: &Requests) -> Result<(), Failed> {
    let requests = requests.lock().expect("requests").clone();
    let own = format!("file://{}", page()?.display());
    check(
        requests.iter().all(|r| *r == own || r.starts_with("data:")),
        || format!("the page made requests: {requests:#?}"),
    )?;
    check(requests.contains(&own), || {
        "not even the page's own request was recorded: the recording is broken".to_owned()
    })
}

/// A plan with a wrong value: the page lists the CLI's diagnostic at the
/// plan's line and column, and offers no report.
fn a_broken_plan_shows_its_diagnostic_at_its_line(chromium: &Path) -> Result<(), Failed> {
    let work = out_dir("broken");
    let folder = work.join("portfolj");
    copy_dir(&root().join("initiatives"), &folder)?;
    let plan = folder.join("botkyrka/jamlik-kompetensforsorjning.toml");
    let original = std::fs::read_to_string(&plan).map_err(|e| e.to_string())?;
    let at = original
        .find("\namount = ")
        .ok_or("an amount in the plan")?
        + 1;
    let line = original[..at].matches('\n').count() + 1;
    let broken = format!(
        "{}amount = \"mycket\"{}",
        &original[..at],
        &original[at..]
            .split_once('\n')
            .map(|(_, rest)| format!("\n{rest}"))
            .unwrap_or_default()
    );
    std::fs::write(&plan, broken).map_err(|e| e.to_string())?;
    // A repository's history beside the plans: skipped unread, and a plan
    // inside it is no plan, as on the command line.
    std::fs::create_dir_all(folder.join(".git/objects")).map_err(|e| e.to_string())?;
    std::fs::write(folder.join(".git/objects/pack"), vec![0u8; 1 << 20])
        .map_err(|e| e.to_string())?;
    std::fs::write(folder.join(".git/gammal.toml"), "inte = = toml").map_err(|e| e.to_string())?;
    std::fs::write(folder.join("skannat-beslut.pdf"), vec![0u8; 1 << 20])
        .map_err(|e| e.to_string())?;

    let (_browser, tab, problems, requests) = ready_page(chromium, "sv-SE")?;
    choose_folder(&tab, &folder)?;
    wait_for(&tab, &problems, &["done"])?;

    read_as_the_cli_reads(&tab, &work)?;
    let errors = text(
        &tab,
        "[...document.querySelectorAll('#diagnostic-list pre.error')].map(p => p.textContent).join('\\n---\\n')",
    )?;
    let place = format!("portfolj/botkyrka/jamlik-kompetensforsorjning.toml:{line}:10");
    check(
        errors.contains(&place) && errors.contains("\"mycket\""),
        || format!("no error at {place} with its excerpt:\n{errors}"),
    )?;
    let summary = text(&tab, "document.getElementById('summary').textContent")?;
    check(summary.starts_with("1 fel och 0 varningar i 1 av "), || {
        format!("summary: {summary}")
    })?;
    let report_hidden = evaluate(&tab, "document.getElementById('report-part').hidden")?;
    let told = evaluate(&tab, "document.getElementById('errors-first').hidden")?;
    check(report_hidden == true && told == false, || {
        "a portfolio with errors must show no report, and say why".to_owned()
    })?;
    // For a person to look at (target/tmp/web-page/broken-shown/).
    let png = tab
        .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
        .map_err(|e| format!("screenshot: {e}"))?;
    std::fs::write(out_dir("broken-shown").join("web-page-error.png"), &png)
        .map_err(|e| e.to_string())?;
    only_the_page_itself(&requests)
}

/// The page read `work/portfolj` as the command line does: the same
/// diagnostics, byte for byte, and only the plans and the exports they
/// declare handed in (not the scan beside them, not `.git`).
fn read_as_the_cli_reads(tab: &Tab, work: &Path) -> Result<(), Failed> {
    let cli = insats_in(work, &["validate", "portfolj", "--format", "json"], false)?;
    same_diagnostics_as(tab, &cli)?;
    let handed_in = evaluate(tab, "insatsPage.folder.file_count()")?;
    let wanted = walk_count(&work.join("portfolj"), &|p| {
        !p.components().any(|c| c.as_os_str() == ".git")
            && p.extension()
                .is_some_and(|x| x == "toml" || x == "csv" || x == "se")
    })?;
    check(handed_in == wanted, || {
        format!("{handed_in} files handed in; {wanted} are plans and exports")
    })
}

/// A folder dropped on the page is read as a chosen one: its files are
/// found through the entries API, folder by folder, and the same plans and
/// exports are handed in, with the same diagnostics.
fn a_dropped_folder_is_read_as_a_chosen_one(chromium: &Path) -> Result<(), Failed> {
    let work = out_dir("dropped");
    let folder = work.join("portfolj");
    copy_dir(&root().join("initiatives"), &folder)?;
    // Skipped when dropped too: a hidden folder, and a file no plan asks for.
    std::fs::create_dir_all(folder.join(".git")).map_err(|e| e.to_string())?;
    std::fs::write(folder.join(".git/gammal.toml"), "inte = = toml").map_err(|e| e.to_string())?;
    std::fs::write(folder.join("skannat-beslut.pdf"), vec![0u8; 1 << 16])
        .map_err(|e| e.to_string())?;

    let (_browser, tab, problems, requests) = ready_page(chromium, "sv-SE")?;
    let zone = text(
        &tab,
        "(() => { const r = document.getElementById('drop').getBoundingClientRect(); \
         return `${r.x + r.width / 2} ${r.y + r.height / 2}`; })()",
    )?;
    let place = |i: usize| -> Result<f64, Failed> {
        zone.split(' ')
            .nth(i)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("the drop zone's place: {zone}").into())
    };
    let (x, y) = (place(0)?, place(1)?);
    for kind in [
        Input::DispatchDragEventTypeOption::DragEnter,
        Input::DispatchDragEventTypeOption::DragOver,
        Input::DispatchDragEventTypeOption::Drop,
    ] {
        tab.call_method(Input::DispatchDragEvent {
            Type: kind,
            x,
            y,
            data: Input::DragData {
                items: Vec::new(),
                files: Some(vec![folder.to_string_lossy().into_owned()]),
                // Copy.
                drag_operations_mask: 1,
            },
            modifiers: None,
        })
        .map_err(|e| format!("drag onto the drop zone: {e}"))?;
    }
    wait_for(&tab, &problems, &["done"])?;

    read_as_the_cli_reads(&tab, &work)?;
    only_the_page_itself(&requests)
}

/// The page follows the browser's language, and the switch changes the
/// page and the report.
fn the_page_follows_the_browsers_language_and_switches(chromium: &Path) -> Result<(), Failed> {
    let (_browser, tab, problems, _) = ready_page(chromium, "en-GB")?;
    check(text(&tab, "document.documentElement.lang")? == "en", || {
        "an English browser gets the English page".to_owned()
    })?;
    let heading = text(&tab, "document.querySelector('h1').textContent")?;
    check(heading.contains("check and report"), || {
        format!("heading: {heading}")
    })?;
    choose_shipped_folder(&tab, &problems)?;
    let english = report_cli(&["--format", "html", "--lang", "en"])?;
    check(
        text(&tab, "document.getElementById('report').srcdoc")?.as_bytes() == english.as_slice(),
        || "the English report is not the CLI's `--lang en`".to_owned(),
    )?;

    evaluate(&tab, "document.getElementById('lang-sv').click()")?;
    wait_for(&tab, &problems, &["done"])?;
    let heading = text(&tab, "document.querySelector('h1').textContent")?;
    check(heading.contains("kontroll och rapport"), || {
        format!("heading: {heading}")
    })?;
    let swedish = report_cli(&["--format", "html"])?;
    check(
        text(&tab, "document.getElementById('report').srcdoc")?.as_bytes() == swedish.as_slice(),
        || "after the switch, the report is not the CLI's Swedish one".to_owned(),
    )?;
    let pressed = text(
        &tab,
        "document.getElementById('lang-sv').getAttribute('aria-pressed')",
    )?;
    check(pressed == "true", || {
        "the Swedish button is not shown as chosen".to_owned()
    })?;
    let problems = problems.lock().expect("problems").clone();
    check(problems.is_empty(), || format!("problems: {problems:#?}"))?;
    Ok(())
}

/// On a phone (390 px wide) the page never scrolls sideways: the
/// diagnostics' excerpts and the report scroll inside their own boxes.
fn the_page_fits_a_phone(chromium: &Path) -> Result<(), Failed> {
    let (_browser, tab, problems, _) = ready_page(chromium, "sv-SE")?;
    common::chromium::emulate_phone(&tab)?;
    // A folder with an error, so that an excerpt is listed too.
    let work = out_dir("phone");
    let folder = work.join("portfolj");
    copy_dir(&root().join("initiatives"), &folder)?;
    std::fs::write(folder.join("trasig.toml"), "[initiative]\nid = \"en-mycket-lang-rad-som-inte-far-plats-pa-en-telefon-utan-att-rulla\"\n")
        .map_err(|e| e.to_string())?;
    choose_folder(&tab, &folder)?;
    wait_for(&tab, &problems, &["done"])?;
    let wide = evaluate(&tab, "document.documentElement.scrollWidth")?;
    check(wide.as_f64().unwrap_or(f64::MAX) <= 390.0, || {
        format!("the page is {wide} px wide on a 390 px phone")
    })?;
    let png = tab
        .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
        .map_err(|e| format!("screenshot: {e}"))?;
    std::fs::write(work.join("web-page-phone.png"), &png).map_err(|e| e.to_string())?;
    Ok(())
}

/// The page's policy forbids the network: a request made from inside the
/// page is refused by the browser. The same request from a page without
/// the policy is seen by the recording, so the recording can see one.
fn the_policy_refuses_every_request(chromium: &Path) -> Result<(), Failed> {
    let (browser, tab, problems, requests) = ready_page(chromium, "sv-SE")?;
    let attempt = "fetch('http://127.0.0.1:9/x').then(() => 'fetched', e => 'refused: ' + e)";
    let result = tab
        .evaluate(attempt, true)
        .map_err(|e| format!("fetch: {e}"))?
        .value
        .unwrap_or(Value::Null);
    check(
        result.as_str().is_some_and(|r| r.starts_with("refused")),
        || format!("a fetch from the page was not refused: {result}"),
    )?;
    let problems = problems.lock().expect("problems").clone();
    check(
        problems
            .iter()
            .any(|p| p.contains("Content Security Policy")),
        || format!("no policy violation reported: {problems:#?}"),
    )?;
    let requests = requests.lock().expect("requests").clone();
    check(!requests.iter().any(|r| r.starts_with("http")), || {
        format!("a request went out: {requests:#?}")
    })?;

    // The control: without the policy the same request is made and seen.
    let (control, _, seen) = open_url(&browser, "data:text/html,<p>control</p>", None)?;
    let _ = control.evaluate(attempt, true);
    let seen = seen.lock().expect("requests").clone();
    check(
        seen.iter().any(|r| r.starts_with("http://127.0.0.1:9/")),
        || format!("the recording missed a request: {seen:#?}"),
    )?;
    Ok(())
}

/// The page's time and memory on the folder `INSATS_WEB_MEASURE` names
/// (docs/performance.md gives the folder and the command). Printed, not
/// asserted: a measurement, not a test.
fn measure_a_large_portfolio(chromium: &Path) -> Result<(), Failed> {
    let dir = std::env::var_os("INSATS_WEB_MEASURE")
        .ok_or("set INSATS_WEB_MEASURE to the folder to measure")?;
    let (_browser, tab, problems, requests) = ready_page(chromium, "sv-SE")?;
    evaluate(
        &tab,
        "document.getElementById('as-of').value = '2026-06-30'",
    )?;
    choose_folder(&tab, Path::new(&dir))?;
    wait_for(&tab, &problems, &["done"])?;
    let took = evaluate(&tab, "insatsPage.took")?;
    let module_bytes = evaluate(&tab, "insatsPage.module.memory.buffer.byteLength")?;
    let heap = evaluate(&tab, "performance.memory.usedJSHeapSize")?;
    let summary = text(&tab, "document.getElementById('summary').textContent")?;
    let report = evaluate(&tab, "document.getElementById('report').srcdoc.length")?;
    let started = Instant::now();
    let xlsx = evaluate(
        &tab,
        "insatsPage.folder.report_xlsx('2026-06-30', 'sv').length",
    )?;
    let xlsx_took = started.elapsed();
    let mib = |v: &Value| v.as_f64().unwrap_or_default() / (1024.0 * 1024.0);
    println!(
        "{summary}\nchosen to report shown: {:.1} s\nWebAssembly memory: {:.0} MiB; JavaScript heap: {:.0} MiB\nreport page: {report} characters; workbook: {xlsx} bytes in {:.1} s",
        took.as_f64().unwrap_or_default() / 1000.0,
        mib(&module_bytes),
        mib(&heap),
        xlsx_took.as_secs_f64(),
    );
    only_the_page_itself(&requests)
}

/// The files below `dir` whose path `keep` accepts.
fn walk_count(dir: &Path, keep: &dyn Fn(&Path) -> bool) -> Result<u64, Failed> {
    let mut count = 0;
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())? {
        let entry = entry.map_err(|e| e.to_string())?;
        if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
            count += walk_count(&entry.path(), keep)?;
        } else if keep(&entry.path()) {
            count += 1;
        }
    }
    Ok(count)
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), Failed> {
    std::fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(from).map_err(|e| e.to_string())? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

fn main() {
    let cases: Vec<(&'static str, Case)> = vec![
        (
            "the_shipped_portfolio_is_checked_and_reported_as_the_cli_does",
            the_shipped_portfolio_is_checked_and_reported_as_the_cli_does,
        ),
        (
            "a_broken_plan_shows_its_diagnostic_at_its_line",
            a_broken_plan_shows_its_diagnostic_at_its_line,
        ),
        (
            "a_dropped_folder_is_read_as_a_chosen_one",
            a_dropped_folder_is_read_as_a_chosen_one,
        ),
        (
            "the_page_follows_the_browsers_language_and_switches",
            the_page_follows_the_browsers_language_and_switches,
        ),
        ("the_page_fits_a_phone", the_page_fits_a_phone),
        (
            "the_policy_refuses_every_request",
            the_policy_refuses_every_request,
        ),
    ];
    let manual: Vec<(&'static str, Case)> =
        vec![("measure_a_large_portfolio", measure_a_large_portfolio)];
    common::chromium::run_with_manual(cases, manual)
}
