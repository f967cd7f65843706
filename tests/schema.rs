//! The editor schema: generated from the Rust types, committed beside the
//! docs, and good enough that every shipped file validates against it and
//! an unknown key does not.

use std::path::{Path, PathBuf};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What `insats schema` prints: the schema editors are given.
fn printed_schema() -> Vec<u8> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_insats"))
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    out.stdout
}

fn schema() -> Value {
    serde_json::from_slice(&printed_schema()).expect("`insats schema` prints JSON")
}

/// TOML as the JSON an editor's schema validator sees: dates become
/// strings.
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(toml_files(&path));
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn the_committed_schema_is_current() {
    // Byte for byte: the file is what `insats schema` prints, so that
    // refreshing it shows no diff but the change.
    let committed = std::fs::read(root().join("docs/insats.schema.json")).unwrap();
    let printed = printed_schema();
    assert!(
        committed == printed,
        "docs/insats.schema.json is stale: run `cargo run -- schema > docs/insats.schema.json`"
    );
}

#[test]
fn every_shipped_file_validates_against_the_schema_and_points_at_it() {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema())
        .unwrap();
    let files = toml_files(&root().join("initiatives"));
    assert!(files.len() >= 10);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let first = text.lines().next().unwrap_or_default();
        let target = first
            .strip_prefix("#:schema ")
            .unwrap_or_else(|| panic!("{}: no #:schema directive", file.display()));
        let resolved = file.parent().unwrap().join(target);
        assert!(
            std::fs::canonicalize(&resolved).ok()
                == std::fs::canonicalize(root().join("docs/insats.schema.json")).ok(),
            "{}: #:schema points at {}",
            file.display(),
            resolved.display()
        );
        let json = toml_to_json(toml::from_str(&text).unwrap());
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
}

#[test]
fn the_schema_refuses_what_validate_refuses() {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema())
        .unwrap();
    for (fixture, why) in [
        ("INS101-unknown-key", "unknown keys"),
        ("INS104-unknown-variant", "a cost category outside the list"),
        ("INS103-missing-key", "a missing required key"),
    ] {
        let text = std::fs::read_to_string(
            root()
                .join("tests/fixtures/diagnostics")
                .join(fixture)
                .join("plan.toml"),
        )
        .unwrap();
        let json = toml_to_json(toml::from_str(&text).unwrap());
        assert!(
            !validator.is_valid(&json),
            "the schema accepts {why} ({fixture})"
        );
    }
}

/// A mistake in an optional value is reported at that value with what is
/// allowed, not at its table as "not valid under any of the schemas":
/// the schema has no `null` branches (TOML has no null) and lists a value
/// list as an `enum`.
#[test]
fn a_wrong_value_is_reported_at_the_value_with_what_is_allowed() {
    let schema = schema();
    let text = schema.to_string();
    assert!(!text.contains("\"null\""), "a null branch is left");
    assert!(!text.contains("\"oneOf\""), "a value list is left as oneOf");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let plan = std::fs::read_to_string(
        root().join("tests/fixtures/diagnostics/INS104-unknown-variant/plan.toml"),
    )
    .unwrap();
    let json = toml_to_json(toml::from_str(&plan).unwrap());
    let errors: Vec<(String, String)> = validator
        .iter_errors(&json)
        .map(|e| (e.instance_path.to_string(), e.to_string()))
        .collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let (at, message) = &errors[0];
    assert!(at.ends_with("/category"), "{at}");
    assert!(message.contains("\"personnel\""), "{message}");
    // An optional date in another form: at the date, as not a date.
    let mut json = toml_to_json(
        toml::from_str(
            &std::fs::read_to_string(root().join("crates/insats-cli/src/templates/example.toml"))
                .unwrap(),
        )
        .unwrap(),
    );
    json["initiative"]["decision"]["date"] = Value::String("31/12/2018".into());
    let errors: Vec<(String, String)> = validator
        .iter_errors(&json)
        .map(|e| (e.instance_path.to_string(), e.to_string()))
        .collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].0, "/initiative/decision/date");
    assert!(errors[0].1.contains("is not a \"date\""), "{}", errors[0].1);
}
