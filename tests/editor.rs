//! The editor's view: taplo (the TOML toolkit behind Even Better TOML)
//! checks plan files against the schema `insats schema` prints. Every
//! shipped plan passes, and a plan with a mistake is reported at the
//! mistaken key or value, with the allowed values where there is a list.
//!
//! taplo is the `@taplo/cli` npm package: `taplo` on the PATH, the program
//! named by `INSATS_TAPLO`, or `target/taplo/node_modules/.bin/taplo`
//! (where `.ci/run` installs it). Without it the test says so and passes;
//! with `INSATS_REQUIRE_TAPLO=1` (set by `.ci/run`) a missing taplo fails.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A directory holding the schema `insats schema` prints, and the
/// worked example `insats new --example` writes.
fn schema_and_example() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let schema = Command::new(env!("CARGO_BIN_EXE_insats"))
        .arg("schema")
        .output()
        .unwrap()
        .stdout;
    std::fs::write(dir.path().join("insats.schema.json"), schema).unwrap();
    let example =
        std::fs::read_to_string(root().join("crates/insats-cli/src/templates/example.toml"))
            .unwrap();
    (dir, example)
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn taplo() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("INSATS_TAPLO").map(PathBuf::from),
        Some(PathBuf::from("taplo")),
        Some(root().join("target/taplo/node_modules/.bin/taplo")),
    ];
    let found = candidates.into_iter().flatten().find(|p| {
        // The npm package's `--version` prints it and exits 1.
        Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).starts_with("taplo "))
    });
    if found.is_none() {
        assert!(
            std::env::var_os("INSATS_REQUIRE_TAPLO").is_none(),
            "taplo is required (INSATS_REQUIRE_TAPLO) but missing"
        );
        eprintln!("taplo not found (npm package @taplo/cli): the editor checks are not run");
    }
    found
}

/// `taplo check` on `files`, in `dir`: (success, what it printed).
fn check(taplo: &Path, dir: &Path, files: &[&str]) -> (bool, String) {
    let out = Command::new(taplo)
        .current_dir(dir)
        .arg("check")
        .args(files)
        .env("RUST_LOG", "error")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn every_shipped_plan_passes_taplo() {
    let Some(taplo) = taplo() else { return };
    let mut plans = Vec::new();
    for entry in walk(&root().join("initiatives")) {
        if entry.extension().is_some_and(|e| e == "toml") {
            plans.push(entry);
        }
    }
    assert!(plans.len() >= 10, "{plans:?}");
    for plan in &plans {
        let text = std::fs::read_to_string(plan).unwrap();
        assert!(text.starts_with("#:schema "), "{}", plan.display());
    }
    // One run over them all: taplo starts slowly, and names the file of
    // each error.
    let names: Vec<&str> = plans.iter().map(|p| p.to_str().unwrap()).collect();
    let (ok, out) = check(&taplo, &root(), &names);
    assert!(ok, "{out}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A mistake of each kind is reported by taplo at its line and column, in
/// words that say what is allowed.
#[test]
fn taplo_reports_each_mistake_at_its_key_or_value() {
    let Some(taplo) = taplo() else { return };
    let (dir, example) = schema_and_example();
    // (the mistake, the edit that makes it, where taplo must point, what
    // it must say)
    let cases: [(&str, &str, &str, &str, &str); 4] = [
        (
            "a misspelt key",
            "[initiative]\nid",
            "[initiative]\nnmae = \"x\"\nid",
            ":7:1",
            "'nmae' was unexpected",
        ),
        (
            "a value outside its list",
            "category = \"personnel\"",
            "category = \"personal\"",
            ":46:12",
            "is not one of [\"personnel\",\"external-services\"",
        ),
        (
            "a date in another form",
            "date = 2018-02-14",
            "date = \"31/12/2018\"",
            ":14:58",
            "\"31/12/2018\" is not a \"date\"",
        ),
        (
            "a list where one value goes",
            "status = \"completed\"",
            "status = [\"completed\"]",
            ":12:10",
            "is not of type \"string\"",
        ),
    ];
    for (what, wrong, right, at, says) in cases {
        assert!(example.contains(wrong), "{what}: {wrong}");
        let plan = format!(
            "#:schema ./insats.schema.json\n{}",
            example.replacen(wrong, right, 1)
        );
        std::fs::write(dir.path().join("plan.toml"), plan).unwrap();
        let (ok, out) = check(&taplo, dir.path(), &["plan.toml"]);
        assert!(!ok, "{what}: taplo passed it");
        assert!(out.contains(says), "{what}: {out}");
        // Not at the whole table, with the table dumped as JSON, as a
        // schema with `anyOf [value, null]` made taplo report it.
        assert!(
            !out.contains("is not valid under any of the schemas"),
            "{what}: {out}"
        );
        assert!(
            out.contains(&format!("plan.toml{at}")),
            "{what}: not at {at}: {out}"
        );
    }
    // The example itself, with its schema line, passes.
    std::fs::write(
        dir.path().join("plan.toml"),
        format!("#:schema ./insats.schema.json\n{example}"),
    )
    .unwrap();
    let (ok, out) = check(&taplo, dir.path(), &["plan.toml"]);
    assert!(ok, "{out}");
}

/// The editor and `insats validate` agree on dates: a quoted date in the
/// right form passes both (a TOML date reaches the schema as a string, so
/// the schema cannot refuse the quotes), one in another form fails both.
#[test]
fn taplo_and_validate_agree_on_quoted_dates() {
    let Some(taplo) = taplo() else { return };
    let (dir, example) = schema_and_example();
    for (date, passes) in [("\"2018-02-14\"", true), ("\"31/12/2018\"", false)] {
        let plan = format!(
            "#:schema ./insats.schema.json\n{}",
            example.replacen("date = 2018-02-14", &format!("date = {date}"), 1)
        );
        std::fs::write(dir.path().join("plan.toml"), plan).unwrap();
        let (taplo_ok, out) = check(&taplo, dir.path(), &["plan.toml"]);
        let validate = Command::new(env!("CARGO_BIN_EXE_insats"))
            .args(["validate", "--format", "json"])
            .arg(dir.path().join("plan.toml"))
            .output()
            .unwrap();
        assert_eq!(taplo_ok, passes, "taplo on {date}: {out}");
        assert_eq!(
            validate.status.success(),
            passes,
            "validate on {date}: {}",
            String::from_utf8_lossy(&validate.stdout)
        );
    }
}
