//! What insats reads: plan files and ledger exports stay inside the
//! portfolio, only regular files are opened, and nothing waits on a pipe.
//! A pull request can add any of these shapes (git stores links), and a CI
//! job prints what insats shows.
#![cfg(unix)]

mod common;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `insats validate dir` and fails the test if it has not ended
/// within 20 s (a FIFO once blocked it for ever).
fn validate(dir: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_insats"))
        .args(["validate", "--color", "never"])
        .arg(dir)
        .env("INSATS_TEST_SECRET", "hunter2-secret")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("insats validate did not end within 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn portfolio() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p");
    std::fs::create_dir(&p).unwrap();
    for f in ["plan.toml", "followup.toml"] {
        std::fs::copy(
            root().join("tests/fixtures/report/basic").join(f),
            p.join(f),
        )
        .unwrap();
    }
    dir
}

fn messages(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_plan_link_out_of_the_portfolio_is_refused_without_showing_its_target() {
    let dir = portfolio();
    let p = dir.path().join("p");
    // A file outside the portfolio that is TOML, so that it would be shown
    // in an excerpt if it were read.
    std::fs::write(dir.path().join("secret.toml"), "token = \"hunter2-file\"\n").unwrap();
    symlink("../secret.toml", p.join("a.toml")).unwrap();
    symlink("/proc/self/environ", p.join("b.toml")).unwrap();
    // Missing outside and missing inside.
    symlink("../../../nowhere/secret.toml", p.join("c.toml")).unwrap();
    symlink("missing.toml", p.join("d.toml")).unwrap();
    let out = validate(&p);
    assert_eq!(out.status.code(), Some(1));
    let text = messages(&out);
    assert!(!text.contains("hunter2"), "{text}");
    let outside = "the file is a link to a place outside the portfolio's directory";
    for f in ["a.toml", "b.toml", "c.toml"] {
        let at = text
            .find(&format!("p/{f}:1:1"))
            .unwrap_or_else(|| panic!("{f}: {text}"));
        let before = &text[..at];
        let headline = before
            .lines()
            .rev()
            .find(|l| l.starts_with("error"))
            .unwrap();
        assert!(headline.contains(outside), "{f}: {headline}");
    }
    // A link to a missing file inside says so; outside, nothing is said
    // about whether anything is there.
    assert!(text.contains("No such file"), "{text}");
    assert_eq!(text.matches(outside).count(), 3, "{text}");
}

#[test]
fn a_link_inside_the_portfolio_is_read() {
    let dir = portfolio();
    let p = dir.path().join("p");
    std::fs::rename(p.join("followup.toml"), p.join("followup.txt")).unwrap();
    symlink("followup.txt", p.join("followup.toml")).unwrap();
    let out = validate(&p);
    assert_eq!(out.status.code(), Some(0), "{}", messages(&out));
}

#[test]
fn a_fifo_named_like_a_plan_is_reported_not_waited_on() {
    let dir = portfolio();
    let fifo = dir.path().join("p/pipe.toml");
    common::mkfifo(&fifo);
    let out = validate(&dir.path().join("p"));
    assert_eq!(out.status.code(), Some(1));
    let text = messages(&out);
    assert!(
        text.contains("error[INS001]: the file is not a regular file"),
        "{text}"
    );
    assert!(text.contains("p/pipe.toml:1:1"), "{text}");
}

/// The ledger fixture with its export path replaced.
fn ledger_portfolio(file: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p");
    std::fs::create_dir(&p).unwrap();
    let fixture = root().join("tests/fixtures/ledger/csv-utf8");
    let plan = std::fs::read_to_string(fixture.join("plan.toml")).unwrap();
    assert!(plan.contains("file = \"huvudbok.csv\""));
    std::fs::write(
        p.join("plan.toml"),
        plan.replace("file = \"huvudbok.csv\"", &format!("file = \"{file}\"")),
    )
    .unwrap();
    std::fs::copy(fixture.join("huvudbok.csv"), p.join("huvudbok.csv")).unwrap();
    std::fs::write(dir.path().join("outside.csv"), "secret").unwrap();
    dir
}

fn ledger_headline(out: &Output) -> String {
    messages(out)
        .lines()
        .find(|l| l.contains("INS701"))
        .unwrap_or_else(|| panic!("{}", messages(out)))
        .to_owned()
}

#[test]
fn a_ledger_outside_says_the_same_whether_or_not_a_file_is_there() {
    let there = ledger_portfolio("../outside.csv");
    let missing = ledger_portfolio("../not-there.csv");
    let a = ledger_headline(&validate(&there.path().join("p")));
    let b = ledger_headline(&validate(&missing.path().join("p")));
    assert_eq!(a, b);
    assert!(a.contains("outside the portfolio's directory"), "{a}");
    // Inside, a missing file is named as missing.
    let inside = ledger_portfolio("not-there.csv");
    let c = ledger_headline(&validate(&inside.path().join("p")));
    assert!(c.contains("no such file"), "{c}");
}

#[test]
fn a_fifo_named_as_a_ledger_export_is_refused_not_waited_on() {
    let dir = ledger_portfolio("pipe.csv");
    common::mkfifo(&dir.path().join("p/pipe.csv"));
    let out = validate(&dir.path().join("p"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        ledger_headline(&out).contains("not a regular file"),
        "{}",
        messages(&out)
    );
}
