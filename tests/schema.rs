//! The editor schema: generated from the Rust types, committed beside the
//! docs, and good enough that every shipped file validates against it and
//! an unknown key does not.

use std::path::{Path, PathBuf};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn schema() -> Value {
    insats::schema::json_schema().to_value()
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
    let committed: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/insats.schema.json")).unwrap(),
    )
    .unwrap();
    assert!(
        committed == schema(),
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
