//! Headless Chromium for the end-to-end tests of pages: the browser is
//! found, started and driven through the DevTools protocol here, for the
//! HTML report (tests/browser.rs) and the browser page (tests/web_page.rs).
//!
//! Chromium is Debian's `chromium` package (`.ci/run` installs it), or the
//! program named by `INSATS_CHROMIUM`. Without it the tests are reported as
//! ignored, with the reason, and never pass silently; with
//! `INSATS_REQUIRE_BROWSER=1` (set by `.ci/run`) a missing browser fails
//! them instead.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use headless_chrome::protocol::cdp::Log::LogEntryLevel;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Emulation, Network};
use headless_chrome::{Browser, LaunchOptions, Tab};
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;

pub fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("INSATS_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

pub fn launch(chromium: &Path, width: u32, height: u32) -> Result<Browser, Failed> {
    launch_with(chromium, width, height, &[])
}

/// [`launch`] with more command-line flags (`--lang=en-GB`).
pub fn launch_with(
    chromium: &Path,
    width: u32,
    height: u32,
    extra: &[&str],
) -> Result<Browser, Failed> {
    // The flags the machine's documentation asks for: no sandbox (root in a
    // container), no GPU, and nothing that phones home on a closed network.
    let args: Vec<&std::ffi::OsStr> = [
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    .iter()
    .chain(extra)
    .map(std::ffi::OsStr::new)
    .collect();
    let options = LaunchOptions::default_builder()
        .path(Some(chromium.to_path_buf()))
        .headless(true)
        .sandbox(false)
        .window_size(Some((width, height)))
        .args(args)
        .build()
        .map_err(|e| format!("launch options: {e}"))?;
    Browser::new(options).map_err(|e| format!("start {}: {e}", chromium.display()).into())
}

/// Console errors, CSP violations and uncaught exceptions seen by a tab.
pub type Problems = Arc<Mutex<Vec<String>>>;

pub fn open(browser: &Browser, page: &Path) -> Result<(Arc<Tab>, Problems), Failed> {
    open_recording(browser, page).map(|(tab, problems, _)| (tab, problems))
}

/// The URL of every request a tab made, as the DevTools protocol's network
/// domain saw it, from before the page was opened.
pub type Requests = Arc<Mutex<Vec<String>>>;

/// [`open`], also recording every request the tab makes.
pub fn open_recording(
    browser: &Browser,
    page: &Path,
) -> Result<(Arc<Tab>, Problems, Requests), Failed> {
    open_url(browser, &format!("file://{}", page.display()), None)
}

/// Opens `url` in a new tab, recording its problems and requests; with
/// `language` (`sv-SE`), the browser's languages are that one alone.
pub fn open_url(
    browser: &Browser,
    url: &str,
    language: Option<&str>,
) -> Result<(Arc<Tab>, Problems, Requests), Failed> {
    let tab = browser.new_tab().map_err(|e| format!("new tab: {e}"))?;
    if let Some(language) = language {
        let user_agent = browser
            .get_version()
            .map_err(|e| format!("browser version: {e}"))?
            .user_agent;
        tab.set_user_agent(&user_agent, Some(language), None)
            .map_err(|e| format!("set the language: {e}"))?;
    }
    tab.enable_log()
        .and_then(|t| t.enable_runtime())
        .map_err(|e| format!("enable log: {e}"))?;
    tab.call_method(Network::Enable {
        max_total_buffer_size: None,
        max_resource_buffer_size: None,
        max_post_data_size: None,
        report_direct_socket_traffic: None,
        enable_durable_messages: None,
    })
    .map_err(|e| format!("enable network: {e}"))?;
    let problems: Problems = Arc::default();
    let requests: Requests = Arc::default();
    let seen = Arc::clone(&problems);
    let asked = Arc::clone(&requests);
    tab.add_event_listener(Arc::new(move |event: &Event| {
        if let Event::NetworkRequestWillBeSent(e) = event {
            asked
                .lock()
                .expect("requests lock")
                .push(e.params.request.url.clone());
        }
        let text = match event {
            Event::LogEntryAdded(e) if e.params.entry.level == LogEntryLevel::Error => Some(
                format!("{:?}: {}", e.params.entry.source, e.params.entry.text),
            ),
            Event::RuntimeConsoleAPICalled(e) if format!("{:?}", e.params.Type) == "Error" => {
                Some(format!("console.error: {:?}", e.params.args))
            }
            Event::RuntimeExceptionThrown(e) => {
                Some(format!("exception: {}", e.params.exception_details.text))
            }
            _ => None,
        };
        if let Some(text) = text {
            seen.lock().expect("problems lock").push(text);
        }
    }))
    .map_err(|e| format!("listen: {e}"))?;
    tab.navigate_to(url)
        .and_then(|t| t.wait_until_navigated())
        .map_err(|e| format!("open {url}: {e}"))?;
    // Late log entries (a blocked resource) arrive after the load event;
    // a round trip through the page lets them in.
    evaluate(&tab, "document.readyState")?;
    std::thread::sleep(std::time::Duration::from_millis(300));
    Ok((tab, problems, requests))
}

pub fn evaluate(tab: &Tab, expression: &str) -> Result<Value, Failed> {
    let result = tab
        .evaluate(expression, false)
        .map_err(|e| format!("evaluate {expression}: {e}"))?;
    Ok(result.value.unwrap_or(Value::Null))
}

pub fn check(condition: bool, message: impl FnOnce() -> String) -> Result<(), Failed> {
    if condition {
        Ok(())
    } else {
        Err(message().into())
    }
}

/// Makes the tab a phone 390 px wide, as the browser's device toolbar does
/// (a window cannot be made that narrow).
pub fn emulate_phone(tab: &Tab) -> Result<(), Failed> {
    tab.call_method(Emulation::SetDeviceMetricsOverride {
        width: 390,
        height: 844,
        device_scale_factor: 1.0,
        mobile: true,
        scale: None,
        screen_width: None,
        screen_height: None,
        position_x: None,
        position_y: None,
        dont_set_visible_size: None,
        screen_orientation: None,
        viewport: None,
        display_feature: None,
        device_posture: None,
    })
    .map_err(|e| format!("emulate a phone: {e}"))?;
    Ok(())
}

/// A test of a page, given the browser's program.
pub type Case = fn(&Path) -> Result<(), Failed>;

/// Runs `cases` as the test binary's tests (libtest's arguments and
/// output), each with the browser, or ignored with the reason when there is
/// none and none is required.
pub fn run(cases: Vec<(&'static str, Case)>) -> ! {
    run_with_manual(cases, Vec::new())
}

/// [`run`], with `manual` cases that run only when asked for with
/// `--ignored` (measurements, which no test may time).
pub fn run_with_manual(cases: Vec<(&'static str, Case)>, manual: Vec<(&'static str, Case)>) -> ! {
    let args = Arguments::from_args();
    let browser = chromium();
    let required = std::env::var_os("INSATS_REQUIRE_BROWSER").is_some();
    if browser.is_none() {
        eprintln!(
            "browser tests: no Chromium found (install Debian's `chromium` package, or set \
             INSATS_CHROMIUM to the program); {}",
            if required {
                "INSATS_REQUIRE_BROWSER is set, so they fail"
            } else {
                "they are ignored"
            }
        );
    }
    let trial = |(name, case): (&'static str, Case), ignored: bool| {
        let program = browser.clone();
        Trial::test(name, move || match &program {
            Some(path) => case(path),
            None => Err("no Chromium: install Debian's `chromium` package".into()),
        })
        .with_ignored_flag(ignored)
    };
    let missing = browser.is_none() && !required;
    let trials = cases
        .into_iter()
        .map(|case| trial(case, missing))
        .chain(manual.into_iter().map(|case| trial(case, true)))
        .collect();
    libtest_mimic::run(&args, trials).exit()
}
