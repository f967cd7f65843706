//! `-o FILE` and `insats new` write where the user meant and nothing else:
//! a device, a FIFO or a link stays what it is, a replaced file keeps its
//! permissions, and an interrupted run leaves no temporary file.
#![cfg(unix)]

mod common;

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Exit 0, or the test fails showing what insats said.
fn ok(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What is at `path` itself (a link is not followed).
fn kind_of(path: &Path) -> std::fs::FileType {
    std::fs::symlink_metadata(path).unwrap().file_type()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn report_to(target: &Path, format: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_insats"))
        .current_dir(root())
        .args([
            "report",
            "tests/fixtures/report/basic",
            "--as-of",
            "2024-03-31",
        ])
        .args(["--format", format, "-o"])
        .arg(target)
        .output()
        .expect("run insats")
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn a_fifo_is_written_into_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    common::mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let out = report_to(&fifo, "json");
    ok(&out);
    let read = reader.join().unwrap();
    let json: serde_json::Value = serde_json::from_str(&read).unwrap();
    assert_eq!(json["as_of"], "2024-03-31");
    assert!(kind_of(&fifo).is_fifo());
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

#[test]
fn a_link_to_a_device_stays_a_link_and_the_device_a_device() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("report.json");
    std::os::unix::fs::symlink("/dev/null", &link).unwrap();
    let out = report_to(&link, "json");
    ok(&out);
    assert!(kind_of(&link).is_symlink());
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

/// A device node of its own (the same as /dev/null), so that the old
/// behaviour, replacing it by a regular file, harms nothing. Making one
/// needs root, which CI has; elsewhere the FIFO and link cases above cover
/// the rule.
#[test]
fn a_character_device_is_written_into_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("null");
    let made = Command::new("mknod")
        .arg(&node)
        .args(["c", "1", "3"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("mknod needs root; the device case is left to CI");
        return;
    }
    let out = report_to(&node, "html");
    ok(&out);
    assert!(kind_of(&node).is_char_device());
}

#[test]
fn a_link_to_a_file_is_followed_and_stays_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.csv");
    std::fs::write(&real, "old").unwrap();
    let link = dir.path().join("report.csv");
    std::os::unix::fs::symlink("real.csv", &link).unwrap();
    let out = report_to(&link, "csv");
    ok(&out);
    assert!(kind_of(&link).is_symlink());
    let written = std::fs::read_to_string(&real).unwrap();
    assert!(written.contains("Budget"), "{written}");
}

#[test]
fn a_replaced_file_keeps_its_permissions_and_a_new_one_gets_the_usual() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.md");
    std::fs::write(&old, "old").unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o640)).unwrap();
    assert_eq!(report_to(&old, "markdown").status.code(), Some(0));
    let meta = std::fs::metadata(&old).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o640);
    assert!(
        std::fs::read_to_string(&old)
            .unwrap()
            .contains("# Uppföljning")
    );

    // A new file: the mode any program gets under this umask.
    let usual = dir.path().join("usual");
    std::fs::write(&usual, "").unwrap();
    let new = dir.path().join("new.md");
    assert_eq!(report_to(&new, "markdown").status.code(), Some(0));
    assert_eq!(
        std::fs::metadata(&new).unwrap().permissions().mode() & 0o777,
        std::fs::metadata(&usual).unwrap().permissions().mode() & 0o777
    );
}

#[test]
fn a_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = report_to(dir.path(), "json");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("it is a directory; name a file"), "{err}");
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

/// Interrupted between writing the temporary file and renaming it (the
/// debug build waits there when told to), insats removes the file and
/// exits as an interrupted command does.
#[test]
fn an_interrupted_write_leaves_no_temporary_file() {
    for signal in ["INT", "TERM"] {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.html");
        let mut child = Command::new(env!("CARGO_BIN_EXE_insats"))
            .current_dir(root())
            .env("INSATS_TEST_STALL_OUTPUT_MS", "20000")
            .args([
                "report",
                "tests/fixtures/report/basic",
                "--as-of",
                "2024-03-31",
            ])
            .args(["--format", "html", "-o"])
            .arg(&target)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while leftovers(dir.path()).is_empty() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(15),
                "no temporary file appeared"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let killed = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(130), "{signal}");
        assert_eq!(leftovers(dir.path()), Vec::<String>::new(), "{signal}");
        assert!(!target.exists());
    }
}

#[test]
fn new_never_overwrites_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_insats"))
            .args(["new", "skolteam", "--dir"])
            .arg(dir.path())
            .output()
            .unwrap()
    };
    assert_eq!(run().status.code(), Some(0));
    let plan = dir.path().join("skolteam.toml");
    std::fs::write(&plan, "mine").unwrap();
    let again = run();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    assert_eq!(std::fs::read_to_string(&plan).unwrap(), "mine");
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

/// A report written over a disk is never meant: a block device of its own
/// (a loop device's numbers, made as root as in CI) is refused, not written.
#[test]
fn a_block_device_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("disk");
    let made = Command::new("mknod")
        .arg(&node)
        .args(["b", "7", "200"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("mknod needs root; the block device case is left to CI");
        return;
    }
    let out = report_to(&node, "json");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("it is a block device (a disk); name a file"),
        "{err}"
    );
    assert!(kind_of(&node).is_block_device());
}
