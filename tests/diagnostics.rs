//! One fixture per diagnostic code: each directory under
//! `tests/fixtures/diagnostics/` is a small portfolio with one defect, and
//! its `expect.txt` lists exactly the diagnostics it must produce, as
//! `CODE file:line:column` (or `CODE -` for one with no location). An
//! extra or a missing diagnostic fails the test as surely as a wrong one.
//! A directory named `CODE-name-more` is a further case of the same code
//! (or of its absence: an empty `expect.txt` says nothing is reported).

use std::path::{Path, PathBuf};
use std::process::Command;

use insats::Code;

#[path = "common/mod.rs"]
mod common;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/diagnostics")
}

fn fixtures() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn actual(dir: &Path) -> Vec<String> {
    common::prepare_fixture(dir);
    let (_, validation) = insats::validate_paths(&[dir.to_path_buf()]).expect("fixture readable");
    validation
        .diagnostics
        .iter()
        .map(|d| match &d.location {
            Some(l) => format!(
                "{} {}:{}:{}",
                d.code,
                l.file.strip_prefix(dir).unwrap_or(&l.file).display(),
                l.line,
                l.column
            ),
            None => format!("{} -", d.code),
        })
        .collect()
}

#[test]
fn every_fixture_produces_exactly_its_expected_diagnostics() {
    let mut failures = Vec::new();
    for dir in fixtures() {
        let expected: Vec<String> = std::fs::read_to_string(dir.join("expect.txt"))
            .expect("expect.txt")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect();
        let got = actual(&dir);
        if got != expected {
            failures.push(format!(
                "{}:\n  expected {expected:?}\n  got      {got:?}",
                dir.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The codes `expect.txt` lists.
fn expected_codes(dir: &Path) -> Vec<Code> {
    std::fs::read_to_string(dir.join("expect.txt"))
        .expect("expect.txt")
        .split_whitespace()
        .filter_map(Code::find)
        .collect()
}

/// The exit code is taken from what `expect.txt` says, not from the
/// library's own verdict: a library that stopped counting an error as an
/// error would otherwise agree with a binary that exits 0.
#[test]
fn every_fixture_exits_with_the_documented_code() {
    for dir in fixtures() {
        common::prepare_fixture(&dir);
        let codes = expected_codes(&dir);
        let has =
            |severity: insats::Severity| codes.iter().any(|c| c.default_severity() == severity);
        let expected = if has(insats::Severity::Error) { 1 } else { 0 };
        let status = Command::new(env!("CARGO_BIN_EXE_insats"))
            .args(["validate", "--format", "json"])
            .arg(&dir)
            .output()
            .unwrap()
            .status;
        assert_eq!(status.code(), Some(expected), "{}", dir.display());
        // --deny warnings turns warnings into exit 1; without any, 0 stays.
        let denied = if has(insats::Severity::Error) || has(insats::Severity::Warning) {
            1
        } else {
            0
        };
        let status = Command::new(env!("CARGO_BIN_EXE_insats"))
            .args(["validate", "--deny", "warnings"])
            .arg(&dir)
            .output()
            .unwrap()
            .status;
        assert_eq!(
            status.code(),
            Some(denied),
            "--deny warnings {}",
            dir.display()
        );
    }
}

#[test]
fn every_code_has_a_fixture_that_triggers_it() {
    let dirs: Vec<String> = fixtures()
        .iter()
        .map(|d| d.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for code in Code::ALL {
        let dir = dirs
            .iter()
            .find(|d| d.starts_with(code.as_str()))
            .unwrap_or_else(|| panic!("no fixture for {code} ({})", code.name()));
        assert_eq!(
            *dir,
            format!("{}-{}", code.as_str(), code.name()),
            "fixture name for {code}"
        );
        let expect = std::fs::read_to_string(fixtures_dir().join(dir).join("expect.txt")).unwrap();
        assert!(
            expect.contains(code.as_str()),
            "{dir} does not expect {code}"
        );
    }
}

/// Runs the real binary on a fixture, from the fixtures directory so that
/// paths in the output are short and the same on every machine.
fn render(fixture: &str, extra: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_insats"))
        .current_dir(fixtures_dir())
        .args(["--color", "never", "validate"])
        .args(extra)
        .arg(fixture)
        .output()
        .expect("run insats");
    format!(
        "exit code: {}\n--- stdout\n{}--- stderr\n{}",
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

macro_rules! snapshot {
    ($name:ident, $fixture:literal) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), render($fixture, &[]));
        }
    };
}

snapshot!(human_toml_syntax, "INS004-toml-syntax");
snapshot!(human_unknown_key, "INS101-unknown-key");
snapshot!(human_unknown_variant, "INS104-unknown-variant");
snapshot!(human_duplicate_id_across_files, "INS111-duplicate-id");
snapshot!(human_unknown_reference, "INS112-unknown-reference");
snapshot!(human_staffing_mismatch, "INS204-staffing-mismatch");
snapshot!(human_funding_overallocated, "INS301-funding-overallocated");
snapshot!(human_funding_unallocated, "INS302-funding-unallocated");
snapshot!(human_max_share_exceeded, "INS303-max-share-exceeded");
snapshot!(
    human_target_against_direction_lower_is_better,
    "INS501-target-against-direction-lower-is-better"
);
snapshot!(
    human_outside_funding_window,
    "INS404-outside-funding-window"
);
snapshot!(human_not_utf8, "INS002-not-utf8");
snapshot!(human_no_plan_files, "INS003-no-plan-files");
