//! The page's interface without a browser: what it refuses, and that a
//! folder handed in file by file reports as the same folder read from disk.

use std::path::Path;

use insats_web::Folder;

fn shipped() -> (Folder, std::path::PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../initiatives");
    let mut folder = Folder::new();
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let path = entry.path().to_str().unwrap().to_owned();
            folder.add_file(&path, std::fs::read(entry.path()).unwrap());
        }
    }
    (folder, root)
}

#[test]
fn a_report_is_refused_until_the_folder_is_validated_without_errors() {
    let (mut folder, _) = shipped();
    assert_eq!(
        folder.report_json("2021-06-30"),
        Err("validate the folder first".to_owned())
    );
    folder.validate();
    assert!(folder.can_report());
    // A file added afterwards drops what was validated.
    folder.add_file("x/trasig.toml", b"[initiative\n".to_vec());
    assert!(!folder.can_report());
    folder.validate();
    assert!(!folder.can_report());
    assert_eq!(folder.diagnostic_is_error(), vec![1]);
    assert!(folder.shown_diagnostics()[0].contains("x/trasig.toml:1:"));
    assert_eq!(
        folder.report_html("2021-06-30", "sv"),
        Err("the portfolio has errors; fix them before reporting".to_owned())
    );
}

#[test]
fn what_is_asked_for_is_checked() {
    let (mut folder, _) = shipped();
    folder.validate();
    assert_eq!(
        folder.report_csv("30/6 2021", "sv", "lines"),
        Err("`30/6 2021` is not a date of the form 2026-12-31".to_owned())
    );
    assert_eq!(
        folder.report_csv("2021-06-30", "de", "lines"),
        Err("no language `de`: sv or en".to_owned())
    );
    assert_eq!(
        folder.report_csv("2021-06-30", "sv", "budget"),
        Err("the report has no table `budget`".to_owned())
    );
    let tables: serde_json::Value =
        serde_json::from_str(&folder.report_tables("2021-06-30", "en").unwrap()).unwrap();
    let keys: Vec<&str> = tables
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap())
        .collect();
    assert!(
        keys.contains(&"lines") && keys.contains(&"funding"),
        "{keys:?}"
    );
    assert_eq!(tables[0]["title"], "Portfolio");
}

#[test]
fn the_report_is_the_one_the_same_folder_gives_from_disk() {
    let (mut folder, root) = shipped();
    folder.validate();
    let (_, validation) = insats::validate_paths(&[root]).unwrap();
    let checked = validation.into_checked().unwrap();
    let report = checked
        .report(&insats::report::ReportOptions::as_of(
            "2021-06-30".parse().unwrap(),
        ))
        .unwrap();
    let page: serde_json::Value =
        serde_json::from_str(&folder.report_json("2021-06-30").unwrap()).unwrap();
    assert_eq!(
        page,
        serde_json::to_value(insats::Envelope::new(&report)).unwrap()
    );
    let csv = folder.report_csv("2021-06-30", "sv", "lines").unwrap();
    // Swedish CSV: semicolons between the fields.
    assert!(csv.lines().next().unwrap().contains(';'), "{csv}");
    let xlsx = folder.report_xlsx("2021-06-30", "sv").unwrap();
    assert!(xlsx.starts_with(b"PK"), "a workbook is a zip file");
}

/// The page hands in the plans, asks which exports they declare, then
/// hands in only those: the plans are loaded once, and the result is that
/// of the whole folder handed in at once. A plan handed in after the
/// question is not left out.
#[test]
fn plans_then_their_exports_validate_as_the_whole_folder() {
    let (mut whole, root) = shipped();
    let expected = whole.validate();
    let mut staged = Folder::new();
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "toml") {
            let path = entry.path().to_str().unwrap().to_owned();
            staged.add_file(&path, std::fs::read(entry.path()).unwrap());
        }
    }
    let exports = staged.declared_exports();
    assert!(!exports.is_empty(), "the shipped plans declare exports");
    for export in &exports {
        staged.add_file(export, std::fs::read(export).unwrap());
    }
    assert_eq!(staged.validate(), expected);

    staged.declared_exports();
    let late = root.join("sen/trasig.toml");
    staged.add_file(late.to_str().unwrap(), b"[initiative\n".to_vec());
    let json = staged.validate();
    assert!(json.contains("trasig.toml"), "{json}");
    assert!(!staged.can_report());
}
