//! Helpers shared by the end-to-end tests.

use std::path::Path;

/// Makes the files a fixture needs but the repository does not carry: the
/// 17 MiB file of `INS005-file-too-large`. Written to a temporary name and
/// renamed, so tests running at the same time never see half a file.
pub fn prepare_fixture(dir: &Path) {
    if dir
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("INS005"))
    {
        let big = dir.join("big.toml");
        if std::fs::metadata(&big).map(|m| m.len()).unwrap_or(0) != 17 * 1024 * 1024 {
            let tmp = dir.join(format!("big.toml.{}.tmp", std::process::id()));
            let line = "# padding padding padding padding padding padding padding padding\n";
            let text = line.repeat(17 * 1024 * 1024 / line.len() + 1);
            std::fs::write(&tmp, &text.as_bytes()[..17 * 1024 * 1024]).unwrap();
            std::fs::rename(&tmp, &big).unwrap();
        }
    }
}
