//! Helpers shared by the end-to-end tests.

// Each test target includes this module and uses only some of it.
#![allow(dead_code)]

pub mod chromium;

use std::path::Path;
use std::sync::Mutex;

/// Makes the files a fixture needs but the repository does not carry: the
/// 17 MiB file of `INS005-file-too-large`. Tests in one process run on
/// several threads, so the file is made under a lock (once), written to a
/// temporary name and renamed, so no test ever sees half a file.
pub fn prepare_fixture(dir: &Path) {
    static LOCK: Mutex<()> = Mutex::new(());
    if !dir
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("INS005"))
    {
        return;
    }
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let big = dir.join("big.toml");
    const SIZE: usize = 17 * 1024 * 1024;
    if std::fs::metadata(&big).map(|m| m.len()).unwrap_or(0) == SIZE as u64 {
        return;
    }
    let tmp = dir.join(format!("big.toml.{}.tmp", std::process::id()));
    let line = "# padding padding padding padding padding padding padding padding\n";
    let text = line.repeat(SIZE / line.len() + 1);
    std::fs::write(&tmp, &text.as_bytes()[..SIZE]).unwrap();
    std::fs::rename(&tmp, &big).unwrap();
}

/// Makes a FIFO (named pipe) at `path`, with the system's `mkfifo`.
#[cfg(unix)]
pub fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", path.display());
}
