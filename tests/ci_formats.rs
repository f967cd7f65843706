//! The CI formats are read by real consumers, so each is checked against
//! its schema or a real parser, not only by eye: SARIF against the OASIS
//! SARIF 2.1.0 schema, JUnit with the `junit-parser` crate, GitLab's report
//! against the fields GitLab documents as required, and GitHub's workflow
//! commands against their documented syntax.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/diagnostics")
}

fn validate(format: &str, dirs: &[&str]) -> Output {
    validate_in(&fixtures(), format, dirs)
}

/// Run in `dir`, with `dir` as the repository's root (paths relative to
/// it, whatever repository the test runs in).
fn validate_in(dir: &Path, format: &str, dirs: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_insats"))
        .current_dir(dir)
        .args(["validate", "--root", ".", "--format", format])
        .args(dirs)
        .output()
        .unwrap()
}

/// Two fixtures checked as one portfolio: errors in both (their ids clash).
const MIXED: &[&str] = &["INS101-unknown-key", "INS302-funding-unallocated"];

#[test]
fn sarif_validates_against_the_official_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests/schemas/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    for dirs in [
        MIXED,
        &["INS003-no-plan-files"],
        &["INS704-ledger-malformed-row"],
    ] {
        let out = validate("sarif", dirs);
        assert_eq!(out.status.code(), Some(1));
        let log: Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{dirs:?}: {errors:#?}");
    }
    let log: Value =
        serde_json::from_slice(&validate("sarif", &["INS101-unknown-key"]).stdout).unwrap();
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "INS101");
    assert_eq!(result["level"], "error");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(7), Some(1))
    );
    let rule_index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"][rule_index]["id"],
        "INS101"
    );
}

#[test]
fn sarif_uris_encode_spaces_and_swedish_letters() {
    let dir = std::env::temp_dir().join(format!("insats-sarif-{}", std::process::id()));
    let plans = dir.join("Skolor i Örebro");
    std::fs::create_dir_all(&plans).unwrap();
    std::fs::copy(
        fixtures().join("INS101-unknown-key/plan.toml"),
        plans.join("plan å.toml"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_insats"))
        .current_dir(&dir)
        .args(["validate", "--format", "sarif", "Skolor i Örebro"])
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(uri, "Skolor%20i%20%C3%96rebro/plan%20%C3%A5.toml");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn junit_is_read_by_a_junit_parser() {
    let out = validate("junit", MIXED);
    let suites =
        junit_parser::from_reader(std::io::Cursor::new(out.stdout)).expect("valid JUnit XML");
    assert_eq!(suites.suites.len(), 1);
    let suite = &suites.suites[0];
    // One test case per file: two plan files.
    assert_eq!(suite.cases.len(), 2);
    assert_eq!(suite.tests, 2);
    assert_eq!(suite.failures, 2);
    let unknown_key = suite
        .cases
        .iter()
        .find(|c| c.original_name == "INS101-unknown-key/plan.toml")
        .unwrap();
    assert_eq!(unknown_key.classname.as_deref(), Some("insats.validate"));
    assert_eq!(
        unknown_key.file.as_deref(),
        Some("INS101-unknown-key/plan.toml")
    );
    match &unknown_key.status {
        junit_parser::TestStatus::Failure(f) => {
            assert_eq!(f.failure_type, "INS101");
            assert!(
                f.text.contains("INS101-unknown-key/plan.toml:"),
                "{}",
                f.text
            );
        }
        other => panic!("expected a failure, got {other:?}"),
    }

    // A file with warnings only is not a failure: it passes, with its
    // warnings as output. (Counting it as a failure would fail a CI job
    // that only meant to show warnings.)
    let out = validate_in(&fixtures().join("../ci/mixed"), "junit", &["over", "under"]);
    let suites = junit_parser::from_reader(std::io::Cursor::new(out.stdout)).unwrap();
    let suite = &suites.suites[0];
    assert_eq!((suite.tests, suite.failures, suite.errors), (2, 1, 0));
    let under = suite
        .cases
        .iter()
        .find(|c| c.original_name == "under/plan.toml")
        .unwrap();
    assert!(under.status.is_success(), "{:?}", under.status);
    assert!(
        under.system_out.as_deref().is_some_and(
            |o| o.contains("warning: under/plan.toml:13:10:") && o.contains("[INS302]")
        ),
        "{:?}",
        under.system_out
    );

    let clean = validate("junit", &["../../../initiatives"]);
    assert_eq!(clean.status.code(), Some(0));
    let suites = junit_parser::from_reader(std::io::Cursor::new(clean.stdout)).unwrap();
    assert_eq!(suites.suites[0].failures, 0);
    assert!(suites.suites[0].cases.iter().all(|c| c.status.is_success()));
}

#[test]
fn gitlab_report_has_every_field_gitlab_requires() {
    // The fields and values GitLab's documentation lists for a custom
    // code-quality tool (docs.gitlab.com, "Code Quality", "Implement a custom
    // tool"); GitLab publishes no JSON Schema of its own.
    let schema = json!({
        "type": "array",
        "items": {
            "type": "object",
            "required": ["description", "check_name", "fingerprint", "severity", "location"],
            "properties": {
                "description": { "type": "string", "minLength": 1 },
                "check_name": { "type": "string", "minLength": 1 },
                "fingerprint": { "type": "string", "minLength": 1 },
                "severity": { "enum": ["info", "minor", "major", "critical", "blocker"] },
                "location": {
                    "type": "object",
                    "required": ["path", "lines"],
                    "properties": {
                        "path": { "type": "string", "minLength": 1 },
                        "lines": {
                            "type": "object",
                            "required": ["begin"],
                            "properties": { "begin": { "type": "integer", "minimum": 1 } }
                        }
                    }
                }
            }
        }
    });
    let validator = jsonschema::validator_for(&schema).unwrap();
    let report: Value = serde_json::from_slice(&validate("gitlab", MIXED).stdout).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let issues = report.as_array().unwrap();
    assert!(!issues.is_empty());
    // Fingerprints are unique, so GitLab tracks each problem apart.
    let mut prints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    prints.sort();
    prints.dedup();
    assert_eq!(prints.len(), issues.len());
    // And stable across runs.
    let again: Value = serde_json::from_slice(&validate("gitlab", MIXED).stdout).unwrap();
    assert_eq!(report, again);
}

#[test]
fn github_annotations_follow_the_workflow_command_syntax() {
    let out = validate(
        "github",
        &[
            "INS101-unknown-key",
            "INS302-funding-unallocated",
            "INS003-no-plan-files",
        ],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    // The two forms GitHub documents ("Workflow commands for GitHub
    // Actions": error and warning, with and without a file position).
    let located = regex::Regex::new(
        r"^::(error|warning|notice) file=[^,:]+,line=[0-9]+,col=[0-9]+,endLine=[0-9]+,endColumn=[0-9]+,title=[^:]+::.+$",
    )
    .unwrap();
    let unlocated = regex::Regex::new(r"^::(error|warning) title=[^:]+::.+$").unwrap();
    assert!(!text.is_empty());
    for line in text.lines() {
        assert!(
            located.is_match(line) || unlocated.is_match(line),
            "not a workflow command: {line}"
        );
    }
    // A diagnostic with no place in a file (no plan files at all) takes
    // the second form.
    let none = String::from_utf8(validate("github", &["INS003-no-plan-files"]).stdout).unwrap();
    assert!(
        none.lines().count() == 1 && unlocated.is_match(none.trim_end()),
        "{none}"
    );
    // A newline inside a message is escaped, never written raw.
    assert!(text.contains("%0Ahelp: did you mean `description`?"));
}

/// Each annotation points where the diagnostic does, to the column, with
/// the severity, code and message of the JSON output for the same run:
/// GitHub shows it on that line of the pull request's diff.
#[test]
fn github_annotations_point_where_the_diagnostics_do() {
    let dir = fixtures().join("../ci/mixed");
    let json: Value =
        serde_json::from_slice(&validate_in(&dir, "json", &["over", "under"]).stdout).unwrap();
    let expected: Vec<String> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let l = &d["location"];
            format!(
                "{} {}:{}:{}-{}:{} {} {}",
                d["severity"].as_str().unwrap(),
                l["file"].as_str().unwrap(),
                l["line"],
                l["column"],
                l["end_line"],
                l["end_column"],
                d["code"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(expected.len(), 2, "{expected:#?}");
    let pattern = regex::Regex::new(
        r"^::(error|warning) file=([^,]+),line=([0-9]+),col=([0-9]+),endLine=([0-9]+),endColumn=([0-9]+),title=(INS[0-9]+) [a-z-]+::([^%]+)",
    )
    .unwrap();
    let text = String::from_utf8(validate_in(&dir, "github", &["over", "under"]).stdout).unwrap();
    let got: Vec<String> = text
        .lines()
        .filter(|line| !line.starts_with("::notice"))
        .map(|line| {
            let c = pattern.captures(line).unwrap_or_else(|| panic!("{line}"));
            format!(
                "{} {}:{}:{}-{}:{} {} {}",
                &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7], &c[8]
            )
        })
        .collect();
    assert_eq!(got, expected);
    // And by hand, the one every other check hangs on: the warning's
    // amount `100_000` starts at column 10 of line 13.
    assert!(
        got[1].starts_with("warning under/plan.toml:13:10-13:17 INS302"),
        "{got:#?}"
    );
}

/// A file with two errors is one failing test case with one failure that
/// lists both: JUnit readers keep one failure per case (xunitparser keeps
/// the last), so a second element would hide the first.
#[test]
fn junit_lists_every_error_of_a_file_in_its_one_failure() {
    let out = validate("junit", &["INS101-unknown-key"]);
    let xml = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(xml.matches("<failure").count(), 1, "{xml}");
    let suites = junit_parser::from_reader(std::io::Cursor::new(out.stdout)).unwrap();
    let case = &suites.suites[0].cases[0];
    match &case.status {
        junit_parser::TestStatus::Failure(f) => {
            assert_eq!(f.failure_type, "INS101");
            assert!(
                f.message.starts_with("2 errors; the first: "),
                "{}",
                f.message
            );
            // Both misspelt keys, each at its line.
            assert!(
                f.text.contains("INS101-unknown-key/plan.toml:7:1:"),
                "{}",
                f.text
            );
            assert_eq!(f.text.matches("[INS101]").count(), 2, "{}", f.text);
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

/// A diagnostic's notes and related places reach the annotation, and each
/// related place gets a notice of its own: the line a pull request changed
/// may be the related one.
#[test]
fn github_annotations_carry_notes_and_mark_related_places() {
    let text =
        String::from_utf8(validate("github", &["INS303-max-share-exceeded"]).stdout).unwrap();
    assert!(
        text.contains(
            "%0Anote: co-financing required: at least 10 000 kr; co-financing planned: 0 kr"
        ),
        "{text}"
    );
    let text = String::from_utf8(validate("github", &["INS111-duplicate-id"]).stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with("::error file=INS111-duplicate-id/shared.toml,line=4,"),
        "{text}"
    );
    assert!(
        lines[0].contains("%0Asee: INS111-duplicate-id/plan.toml:23:"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("::notice file=INS111-duplicate-id/plan.toml,line=23,"),
        "{text}"
    );
    assert!(
        lines[1].contains("title=INS111 duplicate-id (related)::first defined here: "),
        "{text}"
    );
}

/// Run from a subfolder of a repository, with an absolute path: every CI
/// format gives paths relative to the repository's root (found by its
/// `.git`, or given with `--root`), and SARIF names that root.
#[test]
fn ci_paths_are_relative_to_the_repository_root() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let plans = repo.join("initiatives/skola");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(&plans).unwrap();
    std::fs::copy(
        fixtures().join("INS101-unknown-key/plan.toml"),
        plans.join("plan.toml"),
    )
    .unwrap();
    let run = |cwd: &Path, extra: &[&str], format: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_insats"))
            .current_dir(cwd)
            .args(["validate", "--format", format])
            .args(extra)
            .arg(&plans)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let sub = repo.join("initiatives");
    let github = run(&sub, &[], "github");
    assert!(
        github.starts_with("::error file=initiatives/skola/plan.toml,line=7,"),
        "{github}"
    );
    let junit = run(&sub, &[], "junit");
    assert!(
        junit.contains("name=\"initiatives/skola/plan.toml\""),
        "{junit}"
    );
    let gitlab: Value = serde_json::from_str(&run(&sub, &[], "gitlab")).unwrap();
    assert_eq!(gitlab[0]["location"]["path"], "initiatives/skola/plan.toml");
    let sarif: Value = serde_json::from_str(&run(&sub, &[], "sarif")).unwrap();
    let location =
        &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(location["uri"], "initiatives/skola/plan.toml");
    assert_eq!(location["uriBaseId"], "SRCROOT");
    let base = sarif["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with("/repo/"),
        "{base}"
    );
    // `--root` overrides the repository found: here, the plans' folder.
    let github = run(&sub, &["--root", "skola"], "github");
    assert!(
        github.starts_with("::error file=plan.toml,line=7,"),
        "{github}"
    );
    // Every rule explains itself in `help`.
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(
        rules
            .iter()
            .all(|r| r["help"]["text"].as_str().is_some_and(|t| t.len() > 40))
    );
}
