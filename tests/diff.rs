//! `insats diff`: two versions of a portfolio compared in kronor, between
//! revisions of a git repository the test makes, between directories, and
//! as properties (a portfolio against itself, the two directions).

use std::path::Path;
use std::process::{Command, Output};

use insats::diff::{Figure, PortfolioDiff, Presence, Version, diff};
use insats::{Decimal, SourceFile, SourceSet};
use proptest::prelude::*;

/// Version 1: a grant at most 90 % of the costs, the municipality's 10 %,
/// a team line across two years, a travel line, and a flat-rate overhead
/// of 10 % of personnel.
const PLAN_V1: &str = r#"
[initiative]
id = "skolteam"
name = "Skolteam"
organisation = "Exempel kommun"
period = { start = 2024-01-01, end = 2025-12-31 }

[[funding]]
id = "bidrag"
kind = "state-grant"
amount = 540_000
max_share_percent = 90

[[funding]]
id = "kommunen"
kind = "municipal-budget"
amount = 60_000

[[line]]
id = "team"
name = "Team"
category = "personnel"
funded_by = [{ source = "bidrag", share_percent = 90 }, { source = "kommunen", share_percent = 10 }]
phasing = { 2024 = 200_000, 2025 = 300_000 }
serves = ["behorighet"]

[[line]]
id = "resor"
name = "Resor"
category = "travel"
funded_by = [{ source = "bidrag", share_percent = 90 }, { source = "kommunen", share_percent = 10 }]
amount = 50_000
serves = ["behorighet"]

[[line]]
id = "overhead"
name = "Indirekta kostnader"
category = "indirect"
funded_by = [{ source = "bidrag", share_percent = 90 }, { source = "kommunen", share_percent = 10 }]
flat_rate = { percent = 10, of = "personnel" }
serves = ["behorighet"]

[[indicator]]
id = "andel"
name = "Andel behöriga"
unit = "percent"
direction = "higher-is-better"

[[target]]
id = "behorighet"
indicator = "andel"
scope = { level = "municipality", name = "Exempel kommun" }
baseline = { value = 70, year = 2023 }
target = { value = 75, year = 2025 }
"#;

/// Version 2: the team's 2025 grows by 60 000 kr; the travel line is
/// removed and a training line of 40 000 kr added; the overhead line's id
/// becomes `indirekt` (same name and category); the grant grows to
/// 600 000 kr and the municipality's budget to 70 000 kr.
fn plan_v2() -> String {
    PLAN_V1
        .replace("2025 = 300_000", "2025 = 360_000")
        .replace(
            "id = \"resor\"\nname = \"Resor\"\ncategory = \"travel\"",
            "id = \"utbildning\"\nname = \"Utbildning\"\ncategory = \"external-services\"",
        )
        .replace("amount = 50_000", "amount = 40_000")
        .replace("id = \"overhead\"", "id = \"indirekt\"")
        .replace("amount = 540_000", "amount = 600_000")
        .replace("amount = 60_000", "amount = 70_000")
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A repository with the plan at version 1, then at version 2.
fn repository() -> tempfile::TempDir {
    repository_with_plan_at("initiatives/skolteam.toml")
}

fn repository_with_plan_at(plan: &str) -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(dir.join(plan).parent().unwrap()).unwrap();
    std::fs::write(dir.join(plan), PLAN_V1).unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "v1"]);
    std::fs::write(dir.join(plan), plan_v2()).unwrap();
    git(dir, &["commit", "-q", "-am", "v2"]);
    repo
}

/// Regression: with every plan in one subfolder of `--dir`, a revision's
/// paths were taken relative to that subfolder, a directory's relative to
/// `--dir`, so the same problem read as fixed in one and introduced in the
/// other.
#[test]
fn paths_are_relative_to_the_portfolio_directory_on_both_kinds_of_side() {
    let repo = repository_with_plan_at("initiatives/kommun/skolteam.toml");
    let diff_of = |args: &[&str]| {
        let out = insats(repo.path(), args);
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["diff"].clone()
    };
    let from_git = diff_of(&["diff", "HEAD~1", "HEAD", "--format", "json"]);
    let from_dir = diff_of(&["diff", "HEAD~1", "initiatives", "--format", "json"]);
    assert_eq!(
        from_git["problems"]["introduced"][0]["file"],
        "kommun/skolteam.toml"
    );
    assert_eq!(from_git, from_dir);
    // The directory against its own revision: no change at all.
    let out = insats(repo.path(), &["diff", "HEAD", "initiatives"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

fn insats(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_insats"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

#[test]
fn a_change_between_two_revisions_in_kronor() {
    let repo = repository();
    let out = insats(repo.path(), &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "changes: exit code 1; {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["changed"], true);
    let d: PortfolioDiff = serde_json::from_value(json["diff"].clone()).unwrap();

    // v1: team 500 000, travel 50 000, overhead 10 % of 500 000 = 50 000:
    // 600 000. v2: team 560 000, training 40 000, overhead 56 000: 656 000.
    assert_eq!(d.budget, fig("600000", "656000"));
    assert_eq!(d.initiatives.len(), 1);
    let lines = &d.initiatives[0].lines;
    let line = |id: &str| lines.iter().find(|l| l.id == id).unwrap();

    let team = line("team");
    assert_eq!(team.presence, Presence::Changed);
    assert_eq!(team.amount, fig("500000", "560000"));
    assert_eq!(team.years.len(), 1, "only 2025 changed");
    assert_eq!(
        (team.years[0].year, team.years[0].figure),
        (2025, fig("300000", "360000"))
    );
    // 90 % and 10 % of 500 000 and of 560 000.
    assert_eq!(team.payers.len(), 2);
    assert_eq!(
        (team.payers[0].source.as_str(), team.payers[0].figure),
        ("bidrag", fig("450000", "504000"))
    );
    assert_eq!(
        (team.payers[1].source.as_str(), team.payers[1].figure),
        ("kommunen", fig("50000", "56000"))
    );

    // The overhead line kept its name and category: the same line, renamed.
    let overhead = line("indirekt");
    assert_eq!(overhead.previous_id.as_deref(), Some("overhead"));
    assert_eq!(overhead.amount, fig("50000", "56000"));

    let added = line("utbildning");
    assert_eq!(added.presence, Presence::Added);
    assert_eq!(
        added.amount,
        Figure {
            before: None,
            after: Some(dec("40000"))
        }
    );
    let removed = line("resor");
    assert_eq!(removed.presence, Presence::Removed);
    assert_eq!(
        removed.amount,
        Figure {
            before: Some(dec("50000")),
            after: None
        }
    );
    assert_eq!(lines.len(), 4);

    // The grant pays 90 % of every line: 540 000 before, 590 400 after; the
    // municipality the rest: 60 000, then 65 600, which is its
    // co-financing of the grant's lines.
    let bidrag = d.funding.iter().find(|f| f.id == "bidrag").unwrap();
    assert_eq!(bidrag.amount, fig("540000", "600000"));
    assert_eq!(bidrag.allocated, fig("540000", "590400"));
    assert_eq!(bidrag.co_financing, fig("60000", "65600"));
    assert_eq!(bidrag.max_share_percent, fig("90", "90"));

    // v1 allocates both sources exactly; v2 leaves 9 600 kr of the grant
    // and 4 400 kr of the municipality's budget unallocated: two warnings.
    assert_eq!(d.problems.errors, fig("0", "0"));
    assert_eq!(d.problems.warnings, fig("0", "2"));
    let introduced: Vec<(&str, Option<&str>)> = d
        .problems
        .introduced
        .iter()
        .map(|p| (p.code.as_str(), p.file.as_deref()))
        .collect();
    assert_eq!(
        introduced,
        [
            ("INS302", Some("skolteam.toml")),
            ("INS302", Some("skolteam.toml"))
        ]
    );
    assert!(d.problems.fixed.is_empty());
}

fn fig(before: &str, after: &str) -> Figure {
    Figure {
        before: Some(dec(before)),
        after: Some(dec(after)),
    }
}

#[test]
fn the_pull_request_comment() {
    let repo = repository();
    let out = insats(
        repo.path(),
        &["diff", "HEAD~1", "HEAD", "--format", "markdown"],
    );
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(
        "diff_pull_request_comment",
        String::from_utf8(out.stdout).unwrap()
    );
}

#[test]
fn no_change_is_exit_code_0_and_a_revision_equals_its_checkout() {
    let repo = repository();
    let out = insats(repo.path(), &["diff", "HEAD", "HEAD"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "HEAD → HEAD\nInga ändringar.\n"
    );
    // The working directory's initiatives/ is HEAD: the same as HEAD.
    let out = insats(repo.path(), &["diff", "HEAD"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // And the directory against the old revision is the revisions' diff.
    let from_dir = insats(
        repo.path(),
        &["diff", "HEAD~1", "initiatives", "--format", "json"],
    );
    let from_git = insats(repo.path(), &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    let diff_of = |o: &Output| {
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["diff"].clone()
    };
    assert_eq!(diff_of(&from_dir), diff_of(&from_git));
}

#[test]
fn a_side_that_cannot_be_read_is_exit_code_2() {
    let repo = repository();
    let out = insats(repo.path(), &["diff", "no-such-revision", "HEAD"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("`no-such-revision` is neither a directory nor a git revision here"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Loads `plan` as a one-file portfolio and compares.
fn compare(before: &str, after: &str) -> PortfolioDiff {
    let load = |text: &str| {
        let mut sources = SourceSet::new();
        sources.add(SourceFile::new("p/plan.toml", text));
        insats::validate(&sources)
    };
    let (a, b) = (load(before), load(after));
    let root = Path::new("p");
    diff(
        Version {
            portfolio: &a.portfolio,
            diagnostics: &a.diagnostics,
            root,
        },
        Version {
            portfolio: &b.portfolio,
            diagnostics: &b.diagnostics,
            root,
        },
    )
}

/// The diff read the other way: written here, apart from the library.
fn mirrored(d: &PortfolioDiff) -> PortfolioDiff {
    let swap = |f: Figure| Figure {
        before: f.after,
        after: f.before,
    };
    let turn = |p: Presence| match p {
        Presence::Added => Presence::Removed,
        Presence::Removed => Presence::Added,
        Presence::Changed => Presence::Changed,
    };
    let mut m = d.clone();
    m.budget = swap(d.budget);
    for i in &mut m.initiatives {
        i.presence = turn(i.presence);
        i.budget = swap(i.budget);
        for l in &mut i.lines {
            l.presence = turn(l.presence);
            l.amount = swap(l.amount);
            if let Some(previous) = l.previous_id.take() {
                l.previous_id = Some(std::mem::replace(&mut l.id, previous));
            }
            if let Some(previous) = l.previous_name.take() {
                l.previous_name = Some(std::mem::replace(&mut l.name, previous));
            }
            for y in &mut l.years {
                y.figure = swap(y.figure);
            }
            for p in &mut l.payers {
                p.figure = swap(p.figure);
            }
        }
    }
    for f in &mut m.funding {
        f.presence = turn(f.presence);
        f.amount = swap(f.amount);
        f.allocated = swap(f.allocated);
        f.co_financing = swap(f.co_financing);
        f.max_share_percent = swap(f.max_share_percent);
    }
    m.problems.errors = swap(d.problems.errors);
    m.problems.warnings = swap(d.problems.warnings);
    std::mem::swap(&mut m.problems.introduced, &mut m.problems.fixed);
    m
}

/// Order aside: the diff lists the new version's order first.
fn sorted(mut d: PortfolioDiff) -> PortfolioDiff {
    for i in &mut d.initiatives {
        i.lines.sort_by(|a, b| a.id.cmp(&b.id));
        for l in &mut i.lines {
            l.payers.sort_by(|a, b| a.source.cmp(&b.source));
        }
    }
    d.initiatives.sort_by(|a, b| a.id.cmp(&b.id));
    d.funding.sort_by(|a, b| a.id.cmp(&b.id));
    for list in [&mut d.problems.introduced, &mut d.problems.fixed] {
        list.sort_by(|a, b| (&a.code, &a.message, a.line).cmp(&(&b.code, &b.message, b.line)));
        for p in list.iter_mut() {
            p.line = None;
        }
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// A plan edited at random (amounts, a year, a source, a line's id and
    /// presence): against itself no change, and the two directions mirror.
    #[test]
    fn a_diff_is_empty_against_itself_and_mirrors_when_reversed(
        team_2025 in 0u32..1_000_000,
        travel in 0u32..200_000,
        grant in 0u32..2_000_000,
        max_share in 50u32..=100,
        rename in any::<bool>(),
        drop_travel in any::<bool>(),
    ) {
        let mut edited = PLAN_V1
            .replace("2025 = 300_000", &format!("2025 = {team_2025}"))
            .replace("amount = 50_000", &format!("amount = {travel}"))
            .replace("amount = 540_000", &format!("amount = {grant}"))
            .replace("max_share_percent = 90", &format!("max_share_percent = {max_share}"));
        if rename {
            edited = edited.replace("id = \"overhead\"", "id = \"indirekt\"");
        }
        if drop_travel {
            let start = edited.find("[[line]]\nid = \"resor\"").unwrap();
            let next = start + 1 + edited[start + 1..].find("[[line]]").unwrap();
            edited.replace_range(start..next, "");
        }
        prop_assert!(compare(PLAN_V1, PLAN_V1).is_empty());
        prop_assert!(compare(&edited, &edited).is_empty());
        let forward = compare(PLAN_V1, &edited);
        let backward = compare(&edited, PLAN_V1);
        prop_assert_eq!(sorted(backward), sorted(mirrored(&forward)));
    }
}
