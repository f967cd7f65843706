//! `insats fetch kolada` against a Kolada stand-in on 127.0.0.1, started by
//! each test: answers in Kolada's version 3 format (pages, a missing value,
//! a status flag, titles), and the failures a real server gives (429 then
//! success, 500, a timeout, a body that is not JSON or not UTF-8). No test
//! reaches the internet.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One answer of the stand-in.
#[derive(Clone)]
enum Reply {
    Json(String),
    Bytes(Vec<u8>),
    Status(u16, &'static str),
    /// Answers nothing for this long.
    Silence(Duration),
}

/// A server answering each path (with its query) from a queue of replies;
/// the last reply of a queue repeats. Unknown paths get 404.
struct Server {
    base: String,
    routes: Arc<Mutex<HashMap<String, Vec<Reply>>>>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}/v3", listener.local_addr().unwrap());
        let routes: Arc<Mutex<HashMap<String, Vec<Reply>>>> = Arc::default();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let (r, l) = (routes.clone(), log.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, l) = (r.clone(), l.clone());
                std::thread::spawn(move || answer(stream, &r, &l));
            }
        });
        Server { base, routes, log }
    }

    fn route(&self, path: &str, replies: Vec<Reply>) {
        self.routes.lock().unwrap().insert(path.to_owned(), replies);
    }

    fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

fn answer(
    mut stream: TcpStream,
    routes: &Mutex<HashMap<String, Vec<Reply>>>,
    log: &Mutex<Vec<String>>,
) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&request);
    let path = text.split(' ').nth(1).unwrap_or("").to_owned();
    log.lock().unwrap().push(path.clone());
    let reply = {
        let mut routes = routes.lock().unwrap();
        match routes.get_mut(&path) {
            Some(queue) if queue.len() > 1 => queue.remove(0),
            Some(queue) => queue[0].clone(),
            None => Reply::Status(404, "{}"),
        }
    };
    let (status, extra, body) = match reply {
        Reply::Json(body) => (200, "", body.into_bytes()),
        Reply::Bytes(body) => (200, "", body),
        Reply::Status(429, body) => (429, "Retry-After: 0\r\n", body.as_bytes().to_vec()),
        Reply::Status(code, body) => (code, "", body.as_bytes().to_vec()),
        Reply::Silence(d) => {
            std::thread::sleep(d);
            return;
        }
    };
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

const PLAN: &str = r#"
[portfolio]
name = "Kolada-test"

[initiative]
id = "skolteam"
name = "Skolteam"
organisation = "Borlänge kommun"
period = { start = 2018-01-01, end = 2020-12-31 }

[[funding]]
id = "budget"
kind = "municipal-budget"
amount = 300_000

[[line]]
id = "team"
name = "Team"
category = "personnel"
funded_by = "budget"
amount = 300_000
serves = ["behorighet", "skola", "trygghet"]

[[indicator]]
id = "kolada-n15428"
name = "Elever i åk 9 som är behöriga till yrkesprogram, hemkommun, andel (%)"
unit = "percent"
direction = "higher-is-better"
external_id = "N15428"
provider = "Kolada"

[[indicator]]
id = "kolada-n15436"
name = "Behöriga till yrkesprogram, skolenhet"
unit = "percent"
direction = "higher-is-better"
external_id = "N15436"
provider = "Kolada"

[[target]]
id = "behorighet"
indicator = "kolada-n15428"
scope = { level = "municipality", name = "Borlänge kommun", kolada_id = "2081" }
baseline = { value = 76.0, year = 2018 }
target = { value = 80.0, year = 2020 }

[[target]]
id = "skola"
indicator = "kolada-n15436"
scope = { level = "school", name = "Skola A", kolada_id = "V15E208100101" }
baseline = { value = 50.0, year = 2019 }
target = { value = 56.0, year = 2020 }

[[target]]
id = "trygghet"
indicator = "kolada-n15428"
scope = { level = "municipality", name = "Ej angiven" }
baseline = { value = 70.0, year = 2019 }
target = { value = 75.0, year = 2020 }
"#;

const MUNICIPALITY: &str = "/v3/data/kpi/N15428/municipality/2081/year/2018,2019,2020";
const UNIT: &str = "/v3/oudata/kpi/N15436/ou/V15E208100101/year/2019,2020";

fn page(
    area_key: &str,
    area: &str,
    kpi: &str,
    entries: &[(i32, &str, &str)],
    next: Option<String>,
) -> String {
    let values: Vec<String> = entries
        .iter()
        .map(|(year, value, status)| {
            format!(
                r#"{{"kpi": "{kpi}", "period": {year}, "{area_key}": "{area}", "values": [
                    {{"gender": "K", "count": 1, "status": "", "value": 1.5}},
                    {{"gender": "T", "count": 1, "status": "{status}", "value": {value}}},
                    {{"gender": "M", "count": 1, "status": "", "value": 2.5}}]}}"#
            )
        })
        .collect();
    let next = next.map_or("null".to_owned(), |n| format!("\"{n}\""));
    format!(
        r#"{{"count": {}, "values": [{}], "next_url": {next}, "previous_url": null}}"#,
        entries.len(),
        values.join(",")
    )
}

fn title(kpi: &str, title: &str) -> String {
    format!(
        r#"{{"count": 1, "values": [{{"id": "{kpi}", "title": "{title}", "description": "", "is_divided_by_gender": true, "has_ou_data": true}}]}}"#
    )
}

/// A server answering as Kolada does for [`PLAN`]: the municipality's
/// values on two pages (2020 is missing), the school's on one (2020
/// provisional), the first KPI's title as the plan names it, the second's
/// not.
fn kolada() -> Server {
    let server = Server::start();
    let second = format!(
        "{}/data/kpi/N15428/municipality/2081/year/2018,2019,2020?page=2&per_page=2",
        server.base
    );
    server.route(
        MUNICIPALITY,
        vec![Reply::Json(page(
            "municipality",
            "2081",
            "N15428",
            &[(2018, "76.1", ""), (2019, "77.45", "")],
            Some(second),
        ))],
    );
    server.route(
        "/v3/data/kpi/N15428/municipality/2081/year/2018,2019,2020?page=2&per_page=2",
        vec![Reply::Json(page(
            "municipality",
            "2081",
            "N15428",
            &[(2020, "null", "Missing")],
            None,
        ))],
    );
    server.route(
        UNIT,
        vec![Reply::Json(page(
            "ou",
            "V15E208100101",
            "N15436",
            &[(2019, "52", ""), (2020, "55.0", "Preliminary")],
            None,
        ))],
    );
    server.route(
        "/v3/kpi/N15428",
        vec![Reply::Json(title(
            "N15428",
            "Elever i åk 9 som är behöriga till yrkesprogram, hemkommun, andel (%)",
        ))],
    );
    server.route(
        "/v3/kpi/N15436",
        vec![Reply::Json(title(
            "N15436",
            "Elever i åk 9 som är behöriga till yrkesprogram, kommunala skolor, andel (%)",
        ))],
    );
    server
}

fn portfolio() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.toml"), PLAN).unwrap();
    dir
}

fn fetch(dir: &Path, server: &Server, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_insats"))
        .args(["fetch", "kolada"])
        .arg(dir)
        .args([
            "--as-of",
            "2020-06-30",
            "--api-url",
            &server.base,
            "--timeout",
            "2",
        ])
        .args(extra)
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn today() -> String {
    jiff::Zoned::now().date().to_string()
}

fn owned(dir: &Path) -> PathBuf {
    dir.join("kolada.toml")
}

#[test]
fn fetched_values_are_written_exactly_with_their_source_date_and_status() {
    let server = kolada();
    let dir = portfolio();
    let out = fetch(dir.path(), &server, &[]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let base = &server.base;
    let day = today();
    let municipality = format!("{base}/data/kpi/N15428/municipality/2081/year/2018,2019,2020");
    let unit = format!("{base}/oudata/kpi/N15436/ou/V15E208100101/year/2019,2020");
    let expected = format!(
        r#"# Measurements fetched from Kolada by `insats fetch kolada`.
# Run the command again to update them: it rewrites this file, and changes made
# here by hand are lost. Kolada (RKA) publishes the values; the source of each
# is the address it was read from, and `retrieved` the day it was read.

[[measurement]]
target = "behorighet"
year = 2018
gender = "total"
value = 76.1
source = "{municipality}"
retrieved = {day}

[[measurement]]
target = "behorighet"
year = 2019
gender = "total"
value = 77.45
source = "{municipality}"
retrieved = {day}

[[measurement]]
target = "behorighet"
year = 2020
gender = "total"
status = "Missing"
source = "{municipality}"
retrieved = {day}

[[measurement]]
target = "skola"
year = 2019
gender = "total"
value = 52
source = "{unit}"
retrieved = {day}

[[measurement]]
target = "skola"
year = 2020
gender = "total"
value = 55
status = "Preliminary"
source = "{unit}"
retrieved = {day}
"#
    );
    assert_eq!(
        std::fs::read_to_string(owned(dir.path())).unwrap(),
        expected
    );

    let stdout = text(&out.stdout);
    // The README shows this output: `cargo test --test kolada -- --nocapture`.
    println!("{stdout}");
    for line in [
        format!("Kolada at {base}: 2 targets fetched, 5 requests."),
        "  added    behorighet 2018: 76.1".to_owned(),
        "  added    behorighet 2020: no value (Missing)".to_owned(),
        "  added    skola 2020: 55 (Preliminary)".to_owned(),
        "  0 values unchanged".to_owned(),
        "  skipped  trygghet: its scope has no `kolada_id`".to_owned(),
        "warning: indicator `kolada-n15436` is named \"Behöriga till yrkesprogram, skolenhet\"; Kolada's title of N15436 is \"Elever i åk 9 som är behöriga till yrkesprogram, kommunala skolor, andel (%)\"".to_owned(),
        "  1 of 2 indicator names match Kolada's titles".to_owned(),
    ] {
        assert!(stdout.lines().any(|l| l == line), "no line {line:?} in:\n{stdout}");
    }

    // The fetched values are measurements like any other: the portfolio
    // validates, and the report follows them (the missing 2020 value is
    // not one; the provisional one is the school's latest).
    let report = Command::new(env!("CARGO_BIN_EXE_insats"))
        .args(["report", "--format", "json", "--as-of", "2020-12-31"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(report.status.success(), "{}", text(&report.stderr));
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let targets = json["targets"].as_array().unwrap();
    let measured =
        |id: &str| targets.iter().find(|t| t["id"] == id).unwrap()["measurements"].clone();
    assert_eq!(
        measured("behorighet"),
        serde_json::json!([{"value": "77.45", "when": {"year": 2019}}])
    );
    assert_eq!(
        measured("skola"),
        serde_json::json!([{"value": "55", "when": {"year": 2020}}])
    );

    // And the HTML page's target chart and its table show them.
    let page = dir.path().join("rapport.html");
    let html = Command::new(env!("CARGO_BIN_EXE_insats"))
        .args(["report", "--format", "html", "--as-of", "2020-12-31", "-o"])
        .arg(&page)
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(html.status.success(), "{}", text(&html.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    let figure = &html[html.find("id=\"mal-behorighet\"").unwrap()..];
    let figure = &figure[..figure.find("</figure>").unwrap()];
    assert!(
        figure.contains("<th scope=\"row\">2019</th><td class=\"num\">77,45\u{a0}%</td>"),
        "{figure}"
    );
    assert!(!figure.contains("<th scope=\"row\">2020</th>"), "{figure}");
}

#[test]
fn fetching_again_keeps_the_file_and_says_what_changed() {
    let server = kolada();
    let dir = portfolio();
    assert!(fetch(dir.path(), &server, &[]).status.success());
    let first = std::fs::read(owned(dir.path())).unwrap();

    let out = fetch(dir.path(), &server, &[]);
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("  5 values unchanged\n"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stdout).contains("kolada.toml is up to date."),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(std::fs::read(owned(dir.path())).unwrap(), first);

    // Kolada revises the school's 2020 value and drops its status.
    server.route(
        UNIT,
        vec![Reply::Json(page(
            "ou",
            "V15E208100101",
            "N15436",
            &[(2019, "52", ""), (2020, "55.5", "")],
            None,
        ))],
    );
    let out = fetch(dir.path(), &server, &["--dry-run"]);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("  changed  skola 2020: 55 (Preliminary) -> 55.5\n"),
        "{stdout}"
    );
    assert!(stdout.contains("  4 values unchanged\n"), "{stdout}");
    assert!(stdout.contains("Dry run: "), "{stdout}");
    assert_eq!(
        std::fs::read(owned(dir.path())).unwrap(),
        first,
        "a dry run writes nothing"
    );

    let out = fetch(dir.path(), &server, &[]);
    assert!(out.status.success());
    let now = std::fs::read_to_string(owned(dir.path())).unwrap();
    assert!(
        now.contains("year = 2020\ngender = \"total\"\nvalue = 55.5\nsource = "),
        "{now}"
    );
    assert!(!now.contains("Preliminary"), "{now}");
}

/// Each failure: exit code 2, a message naming what failed, and the file
/// from an earlier fetch exactly as it was.
fn assert_fails_untouched(server: &Server, dir: &Path, before: &[u8], expected: &str) {
    let out = fetch(dir, server, &["--retries", "2"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}{stderr}", text(&out.stdout));
    assert!(
        stderr.contains(expected),
        "expected {expected:?} in:\n{stderr}"
    );
    assert_eq!(std::fs::read(owned(dir)).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".insats-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn failures_write_nothing_and_say_what_failed() {
    let server = kolada();
    let dir = portfolio();
    assert!(fetch(dir.path(), &server, &[]).status.success());
    let before = std::fs::read(owned(dir.path())).unwrap();
    let base = server.base.clone();
    let cases: Vec<(Reply, String)> = vec![
        (
            Reply::Status(500, "{}"),
            format!(
                "{base}/oudata/kpi/N15436/ou/V15E208100101/year/2019,2020 answered HTTP 500 Internal Server Error"
            ),
        ),
        (
            Reply::Status(503, "{}"),
            "answered HTTP 503 Service Unavailable (tried 3 times)".to_owned(),
        ),
        (
            Reply::Json("<html>busy</html>".into()),
            "the response is not Kolada's JSON".to_owned(),
        ),
        (
            Reply::Bytes(b"{\"values\": [\"\xe5r\"]}".to_vec()),
            "the response is not UTF-8 text (an invalid byte at offset 13)".to_owned(),
        ),
        (
            Reply::Json(r#"{"count": 0, "values": [], "next_url": null}"#.into()),
            "Kolada has no values of N15436 for V15E208100101 in 2019-2020 (target `skola`)"
                .to_owned(),
        ),
        (
            Reply::Json(page(
                "ou",
                "V15E208100101",
                "N15436",
                &[(2019, "52", "")],
                Some("http://example.invalid/v3/x".into()),
            )),
            "the next page is at http://example.invalid/v3/x, outside".to_owned(),
        ),
        (
            Reply::Silence(Duration::from_secs(4)),
            "did not answer within 2 s (--timeout)".to_owned(),
        ),
    ];
    for (reply, expected) in cases {
        server.route(UNIT, vec![reply]);
        assert_fails_untouched(&server, dir.path(), &before, &expected);
    }
    // A KPI Kolada does not know: no title, and nothing written.
    server.route(
        UNIT,
        vec![Reply::Json(page(
            "ou",
            "V15E208100101",
            "N15436",
            &[(2019, "52", "")],
            None,
        ))],
    );
    server.route(
        "/v3/kpi/N15436",
        vec![Reply::Json(r#"{"count": 0, "values": []}"#.into())],
    );
    assert_fails_untouched(&server, dir.path(), &before, "Kolada has no KPI N15436");
}

#[test]
fn a_server_asking_to_wait_is_asked_again() {
    let server = kolada();
    let dir = portfolio();
    let good = page(
        "ou",
        "V15E208100101",
        "N15436",
        &[(2019, "52", ""), (2020, "55.0", "Preliminary")],
        None,
    );
    server.route(
        UNIT,
        vec![
            Reply::Status(429, "{}"),
            Reply::Status(429, "{}"),
            Reply::Json(good),
        ],
    );
    let out = fetch(dir.path(), &server, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let asked = server.requests().iter().filter(|p| *p == UNIT).count();
    assert_eq!(asked, 3);
    assert!(
        text(&out.stdout).contains("7 requests"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_file_the_command_did_not_write_is_never_written_over() {
    let server = kolada();
    let dir = portfolio();
    let mine = "# Our own measurements.\n[[measurement]]\ntarget = \"behorighet\"\nyear = 2019\nvalue = 77\n";
    std::fs::write(owned(dir.path()), mine).unwrap();
    let out = fetch(dir.path(), &server, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("was not written by insats fetch kolada"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(owned(dir.path())).unwrap(), mine);
    assert!(
        server.requests().is_empty(),
        "nothing is fetched for a file that cannot be written"
    );
}

#[test]
fn a_portfolio_with_errors_is_not_fetched_for() {
    let server = kolada();
    let dir = portfolio();
    let broken = PLAN.replace("kolada_id = \"2081\"", "kolada_id = \"281\"");
    std::fs::write(dir.path().join("plan.toml"), broken).unwrap();
    let out = fetch(dir.path(), &server, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("error[INS504]"),
        "{}",
        text(&out.stdout)
    );
    assert!(!owned(dir.path()).exists());
    assert!(server.requests().is_empty());
}
