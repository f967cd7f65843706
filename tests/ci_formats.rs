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
    Command::new(env!("CARGO_BIN_EXE_insats"))
        .current_dir(fixtures())
        .args(["validate", "--format", format])
        .args(dirs)
        .output()
        .unwrap()
}

/// Two fixtures checked as one portfolio: errors in both, and a warning.
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
    let located = workflow_command(
        r"^::(error|warning) file=[^,:]+,line=[0-9]+,col=[0-9]+,endLine=[0-9]+,endColumn=[0-9]+,title=[^:]+::.+$",
    );
    let unlocated = workflow_command(r"^::(error|warning) title=[^:]+::.+$");
    assert!(!text.is_empty());
    for line in text.lines() {
        assert!(
            located(line) || unlocated(line),
            "not a workflow command: {line}"
        );
    }
    // A newline inside a message is escaped, never written raw.
    assert!(text.contains("%0Ahelp: did you mean `description`?"));
}

/// A matcher for the two documented forms of a workflow command (the
/// pattern names which): it checks the fixed parts in order.
fn workflow_command(pattern: &'static str) -> impl Fn(&str) -> bool {
    move |line: &str| {
        let located = pattern.contains("file=");
        let Some(rest) = line
            .strip_prefix("::error ")
            .or_else(|| line.strip_prefix("::warning "))
        else {
            return false;
        };
        let Some((props, message)) = rest.split_once("::") else {
            return false;
        };
        if message.is_empty() || message.contains('\n') {
            return false;
        }
        let keys: Vec<&str> = props
            .split(',')
            .map(|p| p.split('=').next().unwrap_or(""))
            .collect();
        let numeric = |k: &str| {
            props
                .split(',')
                .find_map(|p| p.strip_prefix(&format!("{k}=")))
                .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit()) && !v.is_empty())
        };
        if located {
            keys == ["file", "line", "col", "endLine", "endColumn", "title"]
                && ["line", "col", "endLine", "endColumn"]
                    .iter()
                    .all(|k| numeric(k))
        } else {
            keys == ["title"]
        }
    }
}
