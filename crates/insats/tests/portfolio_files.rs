//! A portfolio handed in as bytes (`validate_files`, what the browser page
//! uses) must give what the same folder gives read from disk
//! (`validate_paths`, what the CLI uses): the same diagnostics, in the same
//! order, and the same report.
#![cfg(feature = "fs")]

use std::path::{Path, PathBuf};

use insats::report::ReportOptions;
use insats::{PortfolioFiles, Validation, validate_files, validate_paths};
use jiff::civil::date;

/// Every file below `root`, keyed by the path `validate_paths` shows for
/// it when given `root`.
fn files_below(root: &Path) -> PortfolioFiles {
    let mut files = PortfolioFiles::new();
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            files.insert(entry.path(), std::fs::read(entry.path()).unwrap());
        }
    }
    files
}

fn diagnostics_json(validation: &Validation) -> serde_json::Value {
    serde_json::to_value(&validation.diagnostics).unwrap()
}

#[test]
fn the_shipped_portfolio_validates_and_reports_alike_from_bytes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../initiatives");
    let (disk_sources, disk) = validate_paths(std::slice::from_ref(&root)).unwrap();
    let (memory_sources, memory) = validate_files(&files_below(&root));
    assert_eq!(diagnostics_json(&memory), diagnostics_json(&disk));
    assert_eq!(memory.plan_files, disk.plan_files);
    assert_eq!(disk.plan_files, 7, "the shipped portfolio was found");
    // The same files were taken as plans, in the same order.
    let plans = |s: &insats::SourceSet| -> Vec<PathBuf> {
        s.iter()
            .map(|(_, f)| f.path.clone())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect()
    };
    assert_eq!(plans(&memory_sources), plans(&disk_sources));
    // Every declared export was imported: the same rows and sums.
    assert!(!disk.imports.is_empty());
    assert_eq!(
        serde_json::to_value(&memory.imports).unwrap(),
        serde_json::to_value(&disk.imports).unwrap()
    );

    let disk = disk.into_checked().unwrap();
    let memory = memory.into_checked().unwrap();
    for as_of in [date(2019, 6, 30), date(2020, 12, 31), date(2026, 12, 2)] {
        let options = ReportOptions::as_of(as_of);
        assert_eq!(
            serde_json::to_value(memory.report(&options).unwrap()).unwrap(),
            serde_json::to_value(disk.report(&options).unwrap()).unwrap(),
            "as of {as_of}"
        );
    }
}

/// The exports the shipped plans declare, found from the plans alone: what
/// the page reads besides them.
#[test]
fn the_declared_exports_are_found_from_the_plans_alone() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../initiatives");
    let mut plans = PortfolioFiles::new();
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|x| x == "toml") {
            plans.insert(
                entry.path().strip_prefix(root.parent().unwrap()).unwrap(),
                std::fs::read(entry.path()).unwrap(),
            );
        }
    }
    let mut found = insats::declared_exports(&plans);
    found.sort();
    let expected: Vec<PathBuf> = [
        "initiatives/borlange/bokforing-2018.se",
        "initiatives/borlange/huvudbok-2019-2020.csv",
        "initiatives/botkyrka/huvudbok-2019-2021.csv",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    assert_eq!(found, expected);
}

const PLAN: &str = r#"
[initiative]
id = "skolteam"
name = "Skolteam"
organisation = "Exempel kommun"
period = { start = 2024-01-01, end = 2024-12-31 }

[[funding]]
id = "kommunen"
kind = "municipal-budget"
amount = 100_000

[[line]]
id = "team"
name = "Team"
category = "personnel"
funded_by = "kommunen"
amount = 100_000
serves = ["mal"]

[[indicator]]
id = "andel"
name = "Andel behöriga"
unit = "percent"
direction = "higher-is-better"

[[target]]
id = "mal"
indicator = "andel"
scope = { level = "municipality", name = "Exempel kommun" }
baseline = { value = 75.0, year = 2023 }
target = { value = 80.0, year = 2024 }

[[ledger]]
id = "huvudbok"
file = "huvudbok.csv"
format = "csv"
columns = { date = "Datum", amount = "Belopp", project = "Projekt" }

[[ledger.map]]
line = "team"
project = "4711"

[[ledger]]
id = "saknas"
file = "saknas.csv"
format = "csv"
columns = { date = "Datum", amount = "Belopp", project = "Projekt" }

[[ledger]]
id = "utanfor"
file = "../../utanfor.csv"
format = "csv"
columns = { date = "Datum", amount = "Belopp", project = "Projekt" }
"#;

/// A folder with a problem of every kind reading can meet: a plan not
/// UTF-8, a plan too large, a hidden folder (skipped), an export with a
/// bad row, one missing and one outside the folder.
#[test]
fn every_reading_problem_is_the_same_diagnostic_from_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("portfolj");
    let write = |rel: &str, bytes: &[u8]| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    write("kommun/plan.toml", PLAN.as_bytes());
    write(
        "kommun/huvudbok.csv",
        "Datum;Projekt;Belopp\n2024-01-31;4711;41 000,00\n2024-02-30;4711;1,00\n".as_bytes(),
    );
    write("kommun/trasig.toml", b"[initiative]\nname = \"\xff\"\n");
    write(
        "kommun/stor.toml",
        &vec![b'#'; insats::fs::MAX_PLAN_FILE_BYTES as usize + 1],
    );
    write(".git/config.toml", b"this is not = = toml");
    std::fs::write(dir.path().join("utanfor.csv"), "Datum;Projekt;Belopp\n").unwrap();

    let (_, disk) = validate_paths(std::slice::from_ref(&root)).unwrap();
    let (_, memory) = validate_files(&files_below(&root));
    let codes: Vec<&str> = disk.diagnostics.iter().map(|d| d.code.as_str()).collect();
    // Each problem is there once; the hidden file is not read.
    for code in ["INS002", "INS005", "INS704"] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
    assert_eq!(
        codes.iter().filter(|c| **c == "INS701").count(),
        2,
        "{codes:?}"
    );
    assert!(!disk.diagnostics.iter().any(|d| {
        d.location
            .as_ref()
            .is_some_and(|l| l.file.starts_with(root.join(".git")))
    }),);
    assert_eq!(diagnostics_json(&memory), diagnostics_json(&disk));
}
