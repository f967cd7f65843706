//! The command line as a user and a CI job meet it: default input, exit
//! codes, output formats and flags.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn insats(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_insats"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run insats")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn fixture(name: &str) -> String {
    format!("tests/fixtures/diagnostics/{name}")
}

#[test]
fn validate_without_a_path_checks_the_initiatives_directory() {
    let out = insats(&root(), &["validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // The README shows this output; it once said 8 files where there
    // were 15.
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let shown = readme
        .split("$ insats validate initiatives\n")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .expect("the README shows `insats validate initiatives`");
    assert_eq!(stdout(&out), format!("{shown}\n"));
}

#[test]
fn errors_exit_1_and_warnings_exit_0_unless_denied() {
    let error = insats(&root(), &["validate", &fixture("INS101-unknown-key")]);
    assert_eq!(error.status.code(), Some(1));

    let warning = fixture("INS302-funding-unallocated");
    let allowed = insats(&root(), &["validate", &warning]);
    assert_eq!(allowed.status.code(), Some(0), "{}", stdout(&allowed));
    assert!(stdout(&allowed).contains("warning[INS302]"));

    let denied = insats(&root(), &["validate", "--deny", "warnings", &warning]);
    assert_eq!(denied.status.code(), Some(1));
    assert!(stdout(&denied).contains("error[INS302]"));
}

#[test]
fn a_missing_path_or_bad_usage_exits_2() {
    let missing = insats(&root(), &["validate", "no/such/dir"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no/such/dir"));
    assert!(missing.stdout.is_empty());

    let usage = insats(&root(), &["validate", "--format", "xml"]);
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn json_output_carries_every_field_of_a_diagnostic() {
    let out = insats(
        &root(),
        &[
            "validate",
            "--format",
            "json",
            &fixture("INS101-unknown-key"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(json["tool"], "insats");
    assert_eq!(json["format_version"], 1);
    assert_eq!(json["summary"]["errors"], 2);
    assert_eq!(json["summary"]["warnings"], 0);
    let first = &json["diagnostics"][0];
    assert_eq!(first["code"], "INS101");
    assert_eq!(first["name"], "unknown-key");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["message"], "unknown key `descripton`");
    assert_eq!(first["key_path"], "initiative.descripton");
    assert_eq!(first["help"], "did you mean `description`?");
    let loc = &first["location"];
    assert_eq!(loc["file"], fixture("INS101-unknown-key/plan.toml"));
    assert_eq!(
        (loc["line"].as_u64(), loc["column"].as_u64()),
        (Some(7), Some(1))
    );
    assert_eq!(
        (loc["end_line"].as_u64(), loc["end_column"].as_u64()),
        (Some(7), Some(11))
    );
}

#[test]
fn json_output_of_a_clean_portfolio_has_no_diagnostics() {
    let out = insats(&root(), &["validate", "--format", "json", "initiatives"]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(json["diagnostics"].as_array().map(Vec::len), Some(0));
    assert!(json["plan_files"].as_u64().unwrap() >= 5);
}

#[test]
fn quiet_hides_warnings_but_keeps_the_summary() {
    let out = insats(
        &root(),
        &[
            "validate",
            "--quiet",
            &fixture("INS302-funding-unallocated"),
        ],
    );
    let text = stdout(&out);
    assert!(!text.contains("warning[INS302]"), "{text}");
    assert!(
        text.contains("0 errors, 1 warning in 1 of 1 file"),
        "{text}"
    );
}

#[test]
fn output_is_plain_when_piped() {
    let out = insats(&root(), &["validate", &fixture("INS101-unknown-key")]);
    assert!(
        !stdout(&out).contains('\u{1b}'),
        "no ANSI escapes when stdout is not a terminal"
    );
    let forced = insats(
        &root(),
        &[
            "--color",
            "always",
            "validate",
            &fixture("INS101-unknown-key"),
        ],
    );
    assert!(stdout(&forced).contains('\u{1b}'));
}

#[test]
fn explain_prints_the_long_explanation() {
    let out = insats(&root(), &["explain", "INS101"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("INS101 unknown-key (error)"), "{text}");
    assert!(text.contains("ammount"), "{text}");

    let by_name = insats(&root(), &["explain", "max-share-exceeded"]);
    assert!(stdout(&by_name).starts_with("INS303"));

    let unknown = insats(&root(), &["explain", "INS999"]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn new_writes_a_plan_that_validates_and_never_overwrites() {
    let dir = std::env::temp_dir().join(format!("insats-new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let first = insats(&root(), &["new", "skolstod", "--dir", d]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let check = insats(&root(), &["validate", "--deny", "warnings", d]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    let plan = std::fs::read_to_string(dir.join("skolstod.toml")).unwrap();
    assert!(plan.contains("id = \"skolstod\"") && plan.contains("(replace)"));
    // With no schema above it, the plan names one written beside it, the
    // schema `insats schema` prints, so an editor checks it at once.
    assert!(plan.starts_with("#:schema insats.schema.json\n"), "{plan}");
    assert_eq!(
        std::fs::read_to_string(dir.join("insats.schema.json")).unwrap(),
        stdout(&insats(&root(), &["schema"]))
    );
    // In a portfolio laid out as this repository, it names the portfolio's.
    let nested = dir.join("repo/plans/skola");
    std::fs::create_dir_all(dir.join("repo/docs")).unwrap();
    std::fs::write(dir.join("repo/docs/insats.schema.json"), "{}").unwrap();
    let out = insats(
        &root(),
        &["new", "skola", "--dir", nested.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0));
    let nested_plan = std::fs::read_to_string(nested.join("skola.toml")).unwrap();
    assert!(
        nested_plan.starts_with("#:schema ../../docs/insats.schema.json\n"),
        "{nested_plan}"
    );
    assert!(!nested.join("insats.schema.json").exists());

    let again = insats(&root(), &["new", "skolstod", "--dir", d]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("never overwrites"));
    assert_eq!(
        std::fs::read_to_string(dir.join("skolstod.toml")).unwrap(),
        plan,
        "the file is untouched"
    );

    let bad = insats(&root(), &["new", "Skolstöd Åby", "--dir", d]);
    assert_eq!(bad.status.code(), Some(2));

    let example = insats(&root(), &["new", "--example", "--dir", d]);
    assert_eq!(example.status.code(), Some(0));
    let check = insats(
        &root(),
        &[
            "validate",
            "--deny",
            "warnings",
            &format!("{d}/example.toml"),
        ],
    );
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn completions_and_man_page_come_from_the_clap_definition() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = insats(&root(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = stdout(&out);
        assert!(
            text.contains("insats") && text.contains("validate") && text.contains("--deny"),
            "{shell}"
        );
    }
    let man = stdout(&insats(&root(), &["man"]));
    assert!(man.contains(".TH insats 1"));
    assert!(man.contains("validate"));
}

/// Runs insats with its standard output's reader gone before it writes
/// (`insats … | head` once head has exited).
fn with_reader_gone(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_insats"))
        .current_dir(root())
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run insats");
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

/// Regression: a reader that went away gave exit 0 for `report`, 2 for
/// `validate --format json|sarif` and a message, 1 for the others. Every
/// command now stops writing silently and exits as it would have.
#[test]
fn a_reader_that_goes_away_ends_every_command_quietly_with_its_own_status() {
    let broken = fixture("INS101-unknown-key");
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (vec!["validate", "initiatives"], 0),
        (vec!["validate", &broken], 1),
        (vec!["validate", "--format", "json", &broken], 1),
        (vec!["validate", "--format", "sarif", &broken], 1),
        (vec!["validate", "--format", "junit", &broken], 1),
        (vec!["validate", "--format", "github", &broken], 1),
        (vec!["validate", "--format", "gitlab", &broken], 1),
        (vec!["report", "initiatives", "--as-of", "2021-06-30"], 0),
        (
            vec![
                "report",
                "initiatives",
                "--as-of",
                "2021-06-30",
                "--format",
                "json",
            ],
            0,
        ),
        (
            vec![
                "report",
                "initiatives",
                "--as-of",
                "2021-06-30",
                "--format",
                "html",
            ],
            0,
        ),
        (vec!["ledger", "initiatives", "--format", "json"], 0),
        (vec!["schema"], 0),
        (vec!["explain", "INS303"], 0),
        (vec!["man"], 0),
        (vec!["completions", "bash"], 0),
        (vec!["--help"], 0),
    ];
    for (args, code) in cases {
        let out = with_reader_gone(&args);
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}

/// Regression: `completions` panicked (exit 101) on a failed write, and
/// `--help` and `--version` exited 0 having written nothing.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_an_error_for_every_command() {
    for args in [
        vec!["completions", "bash"],
        vec!["--help"],
        vec!["--version"],
        vec!["schema"],
        vec!["man"],
        vec!["explain", "INS101"],
        vec!["validate", "initiatives", "--format", "json"],
        vec!["report", "initiatives", "--as-of", "2021-06-30"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_insats"))
            .current_dir(root())
            .args(&args)
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with("error: cannot write output: "),
            "{args:?}: {err}"
        );
    }
}

/// Regression: `--unit nope` gave an empty report and exit 0, where a
/// misspelt `--initiative` was an error. Every filter is checked, and
/// filters that each exist but match nothing together are an error too.
#[test]
fn every_report_filter_must_match_something() {
    let report = |extra: &[&str]| {
        let mut args = vec!["report", "initiatives", "--as-of", "2021-06-30"];
        args.extend_from_slice(extra);
        let out = insats(&root(), &args);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(
        report(&["--unit", "Skola b"]),
        (
            Some(2),
            "error: no unit `Skola b` in the portfolio (did you mean `Skola B`?)\n".to_owned()
        )
    );
    assert_eq!(report(&["--unit", "nope"]).0, Some(2));
    assert_eq!(report(&["--funding", "nope"]).0, Some(2));
    assert_eq!(
        report(&["--unit", "Skola B", "--initiative", "orebro-likvardig-skola"]),
        (
            Some(2),
            "error: no budget line matches --initiative orebro-likvardig-skola and --unit Skola B: each exists, but not together\n".to_owned()
        )
    );
    assert_eq!(report(&["--unit", "Skola B"]).0, Some(0));
}

/// Regression: a terminal that reports 0 columns (`stty size` gives
/// `0 0`, as under `script` or on a serial console) got tables squeezed to
/// one character per column. 0 is now an unknown width: tables are laid
/// out whole, as when piped. Runs insats in a real terminal through
/// util-linux's `script`.
#[cfg(target_os = "linux")]
#[test]
fn a_terminal_of_zero_columns_gets_whole_tables() {
    let command = format!(
        "stty cols 0 rows 0; {} report tests/fixtures/report/basic --as-of 2024-03-31 --color never",
        env!("CARGO_BIN_EXE_insats")
    );
    let out = Command::new("script")
        .current_dir(root())
        .args(["-qec", &command, "/dev/null"])
        .output()
        .expect("util-linux's script");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("│ Budget "), "{text}");
    assert!(text.contains("Planerat hittills"), "{text}");
}

/// A shell named by `name`, or `None` with the reason on stderr; with
/// `INSATS_REQUIRE_SHELLS=1` (set by `.ci/run`, which installs them) a
/// missing shell fails the test instead.
fn shell(name: &str) -> Option<&str> {
    let found = Command::new(name)
        .args(["-c", "exit 0"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("INSATS_REQUIRE_SHELLS").is_none(),
            "{name} is required (INSATS_REQUIRE_SHELLS) but missing"
        );
        eprintln!("{name} not installed: its completion is not tried");
        return None;
    }
    Some(name)
}

/// The completion scripts load in the real shells without an error and
/// offer what they should: `--format` values (a help text with double
/// quotes once broke fish's script and gave zsh the values `and`, `codes`
/// and `exit`) and the codes `explain` takes.
#[test]
fn completions_load_and_complete_in_bash_zsh_and_fish() {
    let script = |name: &str| {
        let path =
            std::env::temp_dir().join(format!("insats-completion-{}.{name}", std::process::id()));
        std::fs::write(&path, stdout(&insats(&root(), &["completions", name]))).unwrap();
        path
    };
    let run = |shell: &str, code: &str| {
        let out = Command::new(shell).args(["-c", code]).output().unwrap();
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{shell}: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let words = |text: &str| -> Vec<String> {
        let mut w: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
        w.sort();
        w
    };
    let formats = words("human json github gitlab junit sarif");

    if let Some(bash) = shell("bash") {
        let path = script("bash");
        let complete = |line: &str| {
            let words: Vec<&str> = line.split(' ').collect();
            run(
                bash,
                &format!(
                    // Bash calls the function with the command, the word
                    // being completed and the one before it.
                    "source {}; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; _insats insats '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                    path.display(),
                    words
                        .iter()
                        .map(|w| format!("'{w}'"))
                        .collect::<Vec<_>>()
                        .join(" "),
                    words.len() - 1,
                    words[words.len() - 1],
                    words[words.len() - 2],
                ),
            )
        };
        assert_eq!(words(&complete("insats validate --format ")), formats);
        assert_eq!(
            words(&complete("insats explain INS70")),
            words("INS701 INS702 INS703 INS704 INS705 INS706 INS707")
        );
    }
    if let Some(fish) = shell("fish") {
        let path = script("fish");
        let complete = |line: &str| {
            let text = run(
                fish,
                &format!("source {}; complete -C '{line}'", path.display()),
            );
            text.lines()
                .map(|l| l.split('\t').next().unwrap().to_owned())
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(words(&complete("insats validate --format ")), formats);
        assert_eq!(
            words(&complete("insats explain INS70")),
            words("INS701 INS702 INS703 INS704 INS705 INS706 INS707")
        );
    }
    if let Some(zsh) = shell("zsh") {
        let path = script("zsh");
        // The script loads in the completion system.
        run(
            zsh,
            &format!(
                "autoload -U compinit && compinit -u -D && source {}",
                path.display()
            ),
        );
        // `_arguments` reads a value list `((value\:"help" …))` as shell
        // words; zsh reading it so gives exactly the values.
        let text = std::fs::read_to_string(&path).unwrap();
        let line = text
            .lines()
            .find(|l| l.contains("--format=") && l.contains("human"))
            .unwrap();
        let start = line.find("((").unwrap() + 2;
        let mut list = line[start..].to_owned();
        let mut rest = text[text.find(line).unwrap() + line.len()..].lines();
        while !list.contains("))") {
            list.push('\n');
            list.push_str(rest.next().unwrap());
        }
        let list = &list[..list.find("))").unwrap()];
        let values = run(zsh, &format!("v=({list}); print -l -- ${{v%%:*}}"));
        assert_eq!(words(&values), formats, "{list}");
    }
}

/// `insats explain` alone lists every code once, in the order of their
/// numbers; an unknown code points there rather than at a range that
/// misses the last codes.
#[test]
fn explain_without_a_code_lists_them_all() {
    let out = insats(&root(), &["explain"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let listed: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("INS"))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    let mut all: Vec<&str> = insats::Code::ALL.iter().map(|c| c.as_str()).collect();
    all.sort();
    assert_eq!(listed, all);
    assert!(text.contains("INS705 ledger-ambiguous-row"), "{text}");
    let out = insats(&root(), &["explain", "INS999"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("`insats explain` lists them all"), "{err}");
}

/// `insats man --out-dir` writes the main page and a page for every command
/// the main page refers to; each renders in `man` without a warning and
/// has the exit status.
#[test]
fn man_pages_exist_for_every_command_and_render_without_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let out = insats(&root(), &["man", "--out-dir", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let main = std::fs::read_to_string(dir.path().join("insats.1")).unwrap();
    // Every page the main page refers to exists.
    let refs = regex::Regex::new(r"insats\\-([a-z]+)\(1\)").unwrap();
    let referred: Vec<String> = refs.captures_iter(&main).map(|c| c[1].to_owned()).collect();
    assert!(referred.len() >= 7, "{main}");
    for name in &referred {
        assert!(
            dir.path().join(format!("insats-{name}.1")).is_file(),
            "insats-{name}.1"
        );
    }
    let man = shell("man").is_some();
    // Bold as overstrike or SGR, as the terminal devices write it.
    let styling = regex::Regex::new("[^\x08]\x08|\x1b\\[[0-9;]*m").unwrap();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        // Plain groff with every warning on (a `…` in a help text is one),
        // and `man -l` as a reader opens it.
        let mut readers = vec![Command::new("groff")];
        readers[0].args(["-ww", "-man", "-Tutf8"]).arg(&path);
        if man {
            let mut m = Command::new("man");
            m.arg("-l")
                .arg(&path)
                .env("MANPAGER", "cat")
                .env("MANWIDTH", "80");
            readers.push(m);
        }
        for mut reader in readers {
            let rendered = reader.output().unwrap();
            let err = String::from_utf8_lossy(&rendered.stderr);
            assert!(
                rendered.status.success() && err.is_empty(),
                "{}: {err}",
                path.display()
            );
            let text = String::from_utf8_lossy(&rendered.stdout);
            let text = styling.replace_all(&text, "");
            assert!(text.contains("EXIT STATUS"), "{}: {text}", path.display());
        }
    }
    // Without a directory, the main page to standard output, the same.
    assert_eq!(stdout(&insats(&root(), &["man"])), main);
}
