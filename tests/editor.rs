//! The editor's view: taplo (the TOML toolkit behind Even Better TOML)
//! checks plan files against the schema `insats schema` prints. Every
//! shipped plan passes, and a plan with a mistake is reported at the
//! mistaken key or value, with the allowed values where there is a list.
//! Its language server, as the editor runs it, describes every key on
//! hover and offers the keys a table lacks, each once (the client is
//! `tests/common/language_server.rs`).
//!
//! taplo is the `@taplo/cli` npm package: `taplo` on the PATH, the program
//! named by `INSATS_TAPLO`, or `target/taplo/node_modules/.bin/taplo`
//! (where `.ci/run` installs it). The language server is the `@taplo/lsp`
//! package, run by Node.js, in `target/taplo/node_modules` or the folder
//! `INSATS_TAPLO_MODULES` names. Without them the tests say so and pass;
//! with `INSATS_REQUIRE_TAPLO=1` (set by `.ci/run`) a missing one fails.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "common/language_server.rs"]
mod language_server;
use language_server::LanguageServer;

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

/// A mistake of each kind in the worked example: (the mistake, the text it
/// changes, the text with the mistake, where `taplo check` points and where
/// the editor underlines, as `:line:column` in the plan with its
/// `#:schema` line, what both must say).
///
/// The editor marks a wrong value at its key, and an unknown key at the
/// name of its table with the key named in the message: taplo places an
/// `additionalProperties` error at the table. A schema that puts it on
/// the key (`additionalProperties: {not: {}}`) makes the message
/// `{} is not allowed for "x"`, which names neither the key nor the fix.
const MISTAKES: [(&str, &str, &str, &str, &str, &str); 4] = [
    (
        "a misspelt key",
        "[initiative]\nid",
        "[initiative]\nnmae = \"x\"\nid",
        ":7:1",
        ":6:2",
        "'nmae' was unexpected",
    ),
    (
        "a value outside its list",
        "category = \"personnel\"",
        "category = \"personal\"",
        ":46:12",
        ":46:1",
        "is not one of [\"personnel\",\"external-services\"",
    ),
    (
        "a date in another form",
        "date = 2018-02-14",
        "date = \"31/12/2018\"",
        ":14:58",
        ":14:51",
        "\"31/12/2018\" is not a \"date\"",
    ),
    (
        "a list where one value goes",
        "status = \"completed\"",
        "status = [\"completed\"]",
        ":12:10",
        ":12:1",
        "is not of type \"string\"",
    ),
];

/// A mistake of each kind is reported by taplo at its line and column, in
/// words that say what is allowed.
#[test]
fn taplo_reports_each_mistake_at_its_key_or_value() {
    let Some(taplo) = taplo() else { return };
    let (dir, example) = schema_and_example();
    for (what, wrong, right, at, _, says) in MISTAKES {
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

/// The keys written on a line (`key = ...`, also indented), with their
/// column: the first key of each line, not those inside inline tables.
fn keys_on_lines(text: &str) -> Vec<(usize, usize, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(n, line)| {
            let column = line.len() - line.trim_start().len();
            let (key, _) = line.trim_start().split_once('=')?;
            let key = key.trim();
            (!key.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'))
            .then(|| (n, column, key.to_owned()))
        })
        .collect()
}

/// Hovering any key of any shipped plan shows its description, inside
/// `[[line]]`, `[[target]]` and `[[funding]]` as at the top: taplo 0.10
/// looks those up by a path that its own bugs make wrong, and the schema
/// answers that path too (see `for_taplo_lookups` in the core's schema).
#[test]
fn hovering_a_key_shows_its_description() {
    let Some(mut server) = LanguageServer::start(&root()) else {
        return;
    };
    let mut hovered = 0;
    for plan in walk(&root().join("initiatives")) {
        if plan.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&plan).unwrap();
        let uri = server.open(&plan, &text);
        for (line, column, key) in keys_on_lines(&text) {
            let shown = server.hover(&uri, line, column);
            assert!(
                shown.as_ref().is_some_and(|s| !s.trim().is_empty()),
                "{}:{}: nothing shown for `{key}`",
                plan.display(),
                line + 1
            );
            hovered += 1;
        }
    }
    assert!(hovered > 300, "only {hovered} keys hovered");

    // Each key's own description comes first, not only its type's (a
    // `$ref`'s description beside it used to be dropped), whatever its
    // value: a decimal, a category, a list of dates, a list of tables.
    let (dir, example) = schema_and_example();
    let text = format!("#:schema ./insats.schema.json\n{example}");
    let path = dir.path().join("plan.toml");
    std::fs::write(&path, &text).unwrap();
    let uri = server.open(&path, &text);
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("insats.schema.json")).unwrap(),
    )
    .unwrap();
    let described = |table: &str, key: &str| -> String {
        let text = schema["$defs"][table]["properties"][key]["description"]
            .as_str()
            .unwrap_or_else(|| panic!("{table}.{key} has no description"));
        // The key's own sentence, before the type's.
        text.split("\n\n").next().unwrap().to_owned()
    };
    let lines: Vec<&str> = text.lines().collect();
    let at = |needle: &str| -> usize {
        lines
            .iter()
            .position(|l| l.starts_with(needle))
            .unwrap_or_else(|| panic!("the example has no line `{needle}`"))
    };
    for (line, table, key) in [
        (at("amount = 8_800_000"), "TomlFundingSource", "amount"),
        (
            at("max_share_percent"),
            "TomlFundingSource",
            "max_share_percent",
        ),
        (
            at("eligible_categories"),
            "TomlFundingSource",
            "eligible_categories",
        ),
        (at("reporting = ["), "TomlFundingSource", "reporting"),
        (at("category = \"personnel\""), "TomlBudgetLine", "category"),
        (at("cohort = "), "TomlOutcomeTarget", "cohort"),
        (at("sources = ["), "TomlInitiative", "sources"),
    ] {
        let shown = server.hover(&uri, line, 0).unwrap_or_default();
        let own = described(table, key);
        assert!(
            shown.starts_with(&own),
            "`{key}` at line {}: shows {shown:?}, not its own {own:?}",
            line + 1
        );
    }
}

/// Completion inside a budget line offers each key the line does not have
/// yet, once: an amount is no longer offered once per form of a decimal.
/// (taplo 0.10 takes the keys already written from the last table of an
/// array, so the place asked is the last `[[line]]` and `[[target]]`.)
#[test]
fn completion_in_a_table_offers_its_missing_keys_once() {
    let (dir, example) = schema_and_example();
    let Some(mut server) = LanguageServer::start(dir.path()) else {
        return;
    };
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("insats.schema.json")).unwrap(),
    )
    .unwrap();
    // A blank line at the end, too, to ask at after the file's last table.
    let text = format!("#:schema ./insats.schema.json\n{example}\n");
    let lines: Vec<&str> = text.lines().collect();
    for (header, table) in [
        ("[[line]]", "TomlBudgetLine"),
        ("[[target]]", "TomlOutcomeTarget"),
    ] {
        // The last such table, and the blank line that ends it.
        let start = lines.iter().rposition(|l| *l == header).unwrap();
        let end = start + lines[start..].iter().position(|l| l.is_empty()).unwrap();
        let written: std::collections::BTreeSet<String> =
            keys_on_lines(&lines[start..end].join("\n"))
                .into_iter()
                .map(|(_, _, key)| key)
                .collect();
        let path = dir.path().join(format!("{table}.toml"));
        std::fs::write(&path, &text).unwrap();
        let uri = server.open(&path, &text);
        let offered = server.completion(&uri, end, 0);
        let mut unique = offered.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            offered.len(),
            "{header}: offered twice: {offered:?}"
        );
        let properties = schema["$defs"][table]["properties"].as_object().unwrap();
        let missing: std::collections::BTreeSet<String> = properties
            .keys()
            .filter(|k| !written.contains(*k))
            .cloned()
            .collect();
        assert!(!missing.is_empty(), "{header}");
        // The keys of the table not written yet; and, as `baseline.note`,
        // keys missing from its inline tables.
        let keys: std::collections::BTreeSet<String> = offered
            .iter()
            .filter(|label| !label.contains('.'))
            .cloned()
            .collect();
        assert_eq!(keys, missing, "{header}: offered {offered:?}");
        for label in offered.iter().filter(|label| label.contains('.')) {
            let (outer, _) = label.split_once('.').unwrap();
            assert!(properties.contains_key(outer), "{header}: offered {label}");
        }
    }
}

/// The editor underlines each mistake where [`MISTAKES`] says, in the
/// words `taplo check` uses: a plan with a mistake of each kind, opened in
/// the language server.
#[test]
fn the_editor_underlines_each_mistake_at_its_key_or_value() {
    let (dir, example) = schema_and_example();
    let Some(mut server) = LanguageServer::start(dir.path()) else {
        return;
    };
    for (n, (what, wrong, right, _, at, says)) in MISTAKES.into_iter().enumerate() {
        let text = format!(
            "#:schema ./insats.schema.json\n{}",
            example.replacen(wrong, right, 1)
        );
        let path = dir.path().join(format!("mistake-{n}.toml"));
        std::fs::write(&path, &text).unwrap();
        let uri = server.open(&path, &text);
        let found = server.diagnostics(&uri);
        eprintln!("{what}: {}", serde_json::to_string(&found).unwrap());
        let (line, column) = at.trim_start_matches(':').split_once(':').unwrap();
        let (line, column): (u64, u64) = (line.parse().unwrap(), column.parse().unwrap());
        assert!(
            found.iter().any(|d| {
                d["range"]["start"]["line"] == line - 1
                    && d["range"]["start"]["character"] == column - 1
                    && d["message"].as_str().is_some_and(|m| m.contains(says))
            }),
            "{what}: not at {at} saying {says:?}: {found:#?}"
        );
        assert!(
            found.iter().all(|d| d["message"]
                .as_str()
                .is_some_and(|m| !m.contains("is not valid under any of the schemas"))),
            "{what}: {found:#?}"
        );
    }
}
