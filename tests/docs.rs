//! The documentation stays in step with the code: the format reference's
//! example validates clean, its table of codes matches the catalogue, and
//! the README's commands are the ones CI runs.

use std::path::{Path, PathBuf};

use insats::{Code, SourceFile, SourceSet};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_format_reference_example_validates_clean() {
    let doc = read("docs/format.md");
    let start = doc.find("```toml\n").expect("a TOML example") + "```toml\n".len();
    let example = &doc[start..start + doc[start..].find("```").unwrap()];
    let mut sources = SourceSet::new();
    sources.add(SourceFile::new("example.toml", example));
    let result = insats::validate(&sources);
    assert!(result.diagnostics.is_empty(), "{:#?}", result.diagnostics);
    assert_eq!(result.portfolio.initiatives[0].lines.len(), 2);
}

#[test]
fn the_format_reference_example_is_what_insats_new_example_writes() {
    let doc = read("docs/format.md");
    let start = doc.find("```toml\n").unwrap() + "```toml\n".len();
    let example = &doc[start..start + doc[start..].find("```").unwrap()];
    assert_eq!(
        example,
        read("crates/insats-cli/src/templates/example.toml")
    );
}

#[test]
fn the_format_reference_lists_every_code() {
    let doc = read("docs/format.md");
    let table: String = Code::ALL
        .iter()
        .map(|c| {
            format!(
                "| `{}` | `{}` | {} | {} |\n",
                c.as_str(),
                c.name(),
                c.default_severity().as_str(),
                c.summary()
            )
        })
        .collect();
    assert!(
        doc.contains(&table),
        "docs/format.md's table of codes is stale; it should read:\n{table}"
    );
}

#[test]
fn the_readme_holds_the_two_commands_and_ci_runs_the_same_tests() {
    let readme = read("README.md");
    assert!(readme.contains("cargo run --release -- validate initiatives"));
    assert!(readme.contains("cargo test --workspace --locked"));
    let ci = read(".ci/run");
    assert!(ci.contains("cargo test --workspace --locked"));
    assert!(ci.contains("cargo fmt --all --check"));
    assert!(ci.contains("cargo clippy --workspace --all-targets --locked -- -D warnings"));
}

#[test]
fn the_readme_report_excerpt_is_real_output() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_insats"))
        .current_dir(root())
        .args([
            "--color",
            "never",
            "report",
            "--as-of",
            "2018-12-31",
            "--initiative",
            "borlange-skolteam-skola-b",
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let excerpt = &text[text.find("## Finansiering").expect("funding section")..];
    let as_in_readme = excerpt.replace("## ", "#### ");
    let readme = read("README.md");
    assert!(
        readme.contains(as_in_readme.trim_end()),
        "the README's report excerpt is stale; it should read:\n{as_in_readme}"
    );
}

#[test]
fn every_insats_command_in_the_readme_ci_snippets_runs() {
    let readme = read("README.md");
    let mut commands = Vec::new();
    let mut in_yaml = false;
    for line in readme.lines() {
        if line.starts_with("```yaml") {
            in_yaml = true;
        } else if line.starts_with("```") {
            in_yaml = false;
        } else if in_yaml {
            let text = line
                .trim()
                .trim_start_matches("- ")
                .trim_start_matches("run: ")
                .trim_start_matches("entry: ");
            if text.starts_with("insats ") {
                commands.push(text.to_owned());
            }
        }
    }
    assert!(commands.len() >= 5, "{commands:?}");
    for command in commands {
        // `insats validate --format sarif initiatives > insats.sarif`: run
        // the command, keep what it would have written.
        // The revisions `insats diff` compares in CI (`"origin/$BASE"`,
        // `HEAD`) are the example portfolio's directory here, so that the
        // test needs no git history (tests/diff.rs reads revisions).
        let words: Vec<&str> = command
            .split('>')
            .next()
            .unwrap()
            .split_whitespace()
            .map(|w| {
                if w.contains('$') || w == "HEAD" {
                    "initiatives"
                } else {
                    w
                }
            })
            .collect();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_insats"))
            .current_dir(root())
            .args(&words[1..])
            .output()
            .unwrap();
        // `insats diff` exits 1 when something changed, which the snippets
        // allow with `|| [ $? -eq 1 ]`.
        let allowed: &[i32] = if words[1] == "diff" {
            assert!(
                command.contains("|| [ $? -eq 1 ]"),
                "`{command}` fails the job on a change"
            );
            &[0, 1]
        } else {
            &[0]
        };
        assert!(
            out.status.code().is_some_and(|c| allowed.contains(&c)),
            "`{command}` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        if command.contains("sarif") || command.contains("gitlab") {
            serde_json::from_str::<serde_json::Value>(&text)
                .unwrap_or_else(|e| panic!("`{command}`: {e}"));
        }
        if command.contains("junit") {
            assert!(text.starts_with("<?xml"), "`{command}`");
        }
        if words[1] == "diff" {
            assert!(text.starts_with("### insats"), "`{command}`: {text}");
        }
    }
}

/// Regression: with a second package of binaries in the workspace, the
/// README's `cargo run --release -- validate initiatives` stopped knowing
/// which binary to run. The default members must hold exactly one binary,
/// `insats`.
#[test]
fn cargo_run_in_the_workspace_root_runs_insats() {
    let manifest: toml::Table = toml::from_str(&read("Cargo.toml")).unwrap();
    let members = manifest["workspace"]["default-members"]
        .as_array()
        .expect("default-members");
    let mut binaries = Vec::new();
    for member in members {
        let dir = member.as_str().unwrap();
        let package: toml::Table = toml::from_str(&read(&format!("{dir}/Cargo.toml"))).unwrap();
        if let Some(bins) = package.get("bin").and_then(|b| b.as_array()) {
            binaries.extend(bins.iter().map(|b| b["name"].as_str().unwrap().to_owned()));
        } else if root().join(dir).join("src/main.rs").exists() {
            binaries.push(package["package"]["name"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(binaries, ["insats"]);
}
