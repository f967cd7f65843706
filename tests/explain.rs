//! `insats explain` has a long explanation and a wrong and a corrected
//! example for every code, and the examples are real: the fixture (the wrong
//! example) produces the code, and the corrected version validates without
//! any diagnostic at all.

use std::path::{Path, PathBuf};
use std::process::Command;

use insats::Code;
use insats::examples::{Fix, example};

#[path = "common/mod.rs"]
mod common;

fn fixture(code: Code) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/diagnostics")
        .join(format!("{}-{}", code.as_str(), code.name()))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name().to_string_lossy().ends_with(".tmp") {
            continue;
        }
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path()).unwrap(), &target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn codes_in(dir: &Path) -> Vec<Code> {
    let (_, v) = insats::validate_paths(&[dir.to_path_buf()]).unwrap();
    v.diagnostics.iter().map(|d| d.code).collect()
}

/// Ledger exports among the fixtures are Windows-1252; plans are UTF-8.
fn encode(text: &str, file: &str) -> Vec<u8> {
    if file.ends_with(".csv") {
        text.chars()
            .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character"))
            .collect()
    } else {
        text.as_bytes().to_vec()
    }
}

fn replace_once(data: &[u8], wrong: &[u8], right: &[u8]) -> Vec<u8> {
    let hits: Vec<usize> = (0..=data.len().saturating_sub(wrong.len()))
        .filter(|&i| data[i..].starts_with(wrong))
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "the wrong text must occur exactly once: {:?}",
        String::from_utf8_lossy(wrong)
    );
    let i = hits[0];
    [&data[..i], right, &data[i + wrong.len()..]].concat()
}

#[test]
fn every_code_has_an_example_that_triggers_it_and_a_correction_that_clears_it() {
    let scratch = std::env::temp_dir().join(format!("insats-explain-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    for &code in Code::ALL {
        let ex = example(code);
        assert!(!ex.edits.is_empty(), "{code} has no example");
        let original = fixture(code);
        common::prepare_fixture(&original);
        assert!(
            codes_in(&original).contains(&code),
            "{code}: the wrong example does not produce it"
        );

        let dir = scratch.join(code.as_str());
        copy_dir(&original, &dir);
        let file = dir.join(ex.file);
        match ex.fix {
            Fix::Edit => {
                let mut data = std::fs::read(&file).unwrap();
                for (wrong, right) in ex.edits {
                    data = replace_once(&data, &encode(wrong, ex.file), &encode(right, ex.file));
                }
                std::fs::write(&file, data).unwrap();
            }
            Fix::RemoveFile => std::fs::remove_file(&file).unwrap(),
            Fix::ReencodeLatin1 => {
                let latin1 = std::fs::read(&file).unwrap();
                let utf8: String = latin1.iter().map(|&b| char::from(b)).collect();
                std::fs::write(&file, utf8).unwrap();
            }
            Fix::AddPlan => {
                let out = Command::new(env!("CARGO_BIN_EXE_insats"))
                    .args(["new", "skolstod", "--dir"])
                    .arg(&dir)
                    .output()
                    .unwrap();
                assert!(out.status.success());
            }
        }
        let left = codes_in(&dir);
        assert!(
            left.is_empty(),
            "{code}: the corrected example still gives {left:?}"
        );
    }
    std::fs::remove_dir_all(&scratch).unwrap();
}

#[test]
fn explain_prints_the_explanation_and_the_example() {
    let out = Command::new(env!("CARGO_BIN_EXE_insats"))
        .args(["explain", "unknown-key"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(
            "INS101 unknown-key (error): a key the format does not define\n\nA key that"
        ),
        "{text}"
    );
    assert!(text.contains("  wrong:\n    descripton = \"Stöd i skolan\"\n  corrected:\n    description = \"Stöd i skolan\""), "{text}");
}

/// `docs/rules.md` is every code as `insats explain` prints it, under a
/// heading per code that SARIF's `helpUri` links to (`#ins101`), after a
/// table of them all. `INSATS_UPDATE_RULES=1 cargo test --test explain`
/// writes it anew.
#[test]
fn docs_rules_md_is_every_explanation() {
    let explain = |args: &[&str]| -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_insats"))
            .arg("explain")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "insats explain {args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let cell = |text: &str| text.replace('|', "\\|");
    let mut doc = String::from(
        "# Diagnostic codes\n\n\
         Every code `insats validate` reports, as `insats explain CODE` prints\n\
         it: what it means, how to put it right, and a wrong and a corrected\n\
         example (each tested: the wrong one gives the code, the corrected one\n\
         nothing). SARIF output links each rule to its heading here.\n\n\
         This file is generated by `tests/explain.rs`; after changing a rule,\n\
         run `INSATS_UPDATE_RULES=1 cargo test --test explain`.\n\n\
         | code | name | severity | what it means |\n|---|---|---|---|\n",
    );
    for code in Code::ALL {
        let severity = match code.default_severity() {
            insats::Severity::Error => "error",
            insats::Severity::Warning => "warning",
        };
        doc.push_str(&format!(
            "| [{id}](#{anchor}) | `{name}` | {severity} | {summary} |\n",
            id = code.as_str(),
            anchor = code.as_str().to_lowercase(),
            name = code.name(),
            summary = cell(code.summary()),
        ));
    }
    for code in Code::ALL {
        let text = explain(&[code.as_str()]);
        // A fence longer than any run of backticks in the text.
        let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
        let fence = "`".repeat(longest.max(2) + 1);
        doc.push_str(&format!(
            "\n## {id}\n\n{fence}text\n{text}{fence}\n",
            id = code.as_str()
        ));
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    if std::env::var_os("INSATS_UPDATE_RULES").is_some() {
        std::fs::write(&path, &doc).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == doc,
        "docs/rules.md is stale: run `INSATS_UPDATE_RULES=1 cargo test --test explain`"
    );
}
