//! Writing a file the user named (`-o FILE`, `insats new`): whole or not at
//! all, where the user meant, and without replacing what is there with
//! something else.
//!
//! - Absent, or a regular file: the bytes go to a new temporary file beside
//!   it (created exclusively under a random name, so a link planted at a
//!   predictable name cannot redirect the write), which is renamed into
//!   place. A reader never sees half a file; a replaced file keeps its
//!   permissions, a new one gets the usual ones (0666 less the umask).
//! - A symbolic link: followed, and the rule applied to what it points at,
//!   as the shell's `>` does; the link stays a link.
//! - A character device or a FIFO (`-o /dev/null`, `-o /dev/stdout`, a
//!   named pipe): written in place, never replaced by a regular file.
//! - Anything else (a directory, a socket, a block device): refused.
//!
//! A temporary file is removed when the process is interrupted (SIGINT,
//! SIGTERM, SIGHUP); only SIGKILL can leave one behind.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The temporary file being written, if any, for the signal handler.
static PENDING: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Removes a pending temporary file and ends the process when it is
/// interrupted. Called once, at start.
pub fn remove_temporary_files_on_interrupt() {
    // Without a handler the default action (ending the process) applies,
    // so a failure to install one is no reason to stop.
    let _ = ctrlc::set_handler(|| {
        if let Ok(mut pending) = PENDING.lock()
            && let Some(path) = pending.take()
        {
            let _ = std::fs::remove_file(path);
        }
        // 128 + SIGINT, as a shell reports an interrupted command.
        std::process::exit(130);
    });
}

/// Marks `path` as the temporary file in progress until dropped.
struct Pending;

impl Pending {
    fn new(path: &Path) -> Self {
        if let Ok(mut pending) = PENDING.lock() {
            *pending = Some(path.to_owned());
        }
        Pending
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Ok(mut pending) = PENDING.lock() {
            *pending = None;
        }
    }
}

/// Writes `bytes` to `path` by the rules of this module.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let shown = crate::render::path_shown(path);
    let target = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => match std::fs::canonicalize(path) {
            Ok(real) => {
                let meta =
                    std::fs::metadata(&real).map_err(|e| format!("cannot write {shown}: {e}"))?;
                Some((real, meta))
            }
            // A link to a file not there yet: created where it points.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let dest = std::fs::read_link(path)
                    .map_err(|e| format!("cannot read the link {shown}: {e}"))?;
                let dest = match path.parent() {
                    Some(dir) if dest.is_relative() => dir.join(dest),
                    _ => dest,
                };
                return replace(&dest, None, bytes, &shown);
            }
            Err(e) => return Err(format!("cannot write {shown}: {e}")),
        },
        Ok(meta) => Some((path.to_owned(), meta)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot write {shown}: {e}")),
    };
    let Some((real, meta)) = target else {
        return replace(path, None, bytes, &shown);
    };
    let kind = meta.file_type();
    if kind.is_file() {
        return replace(&real, Some(meta.permissions()), bytes, &shown);
    }
    if is_device_or_fifo(&kind) {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(&real)
            .map_err(|e| format!("cannot write {shown}: {e}"))?;
        return file
            .write_all(bytes)
            .and_then(|()| file.flush())
            .map_err(|e| format!("cannot write {shown}: {e}"));
    }
    let what = if kind.is_dir() {
        "a directory"
    } else if is_block_device(&kind) {
        "a block device (a disk)"
    } else {
        "not a file"
    };
    Err(format!("cannot write {shown}: it is {what}; name a file"))
}

#[cfg(unix)]
fn is_device_or_fifo(kind: &std::fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    // Not a block device: a report written over a disk is never meant.
    kind.is_char_device() || kind.is_fifo()
}

#[cfg(unix)]
fn is_block_device(kind: &std::fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    kind.is_block_device()
}

#[cfg(not(unix))]
fn is_block_device(_: &std::fs::FileType) -> bool {
    false
}

#[cfg(not(unix))]
fn is_device_or_fifo(_: &std::fs::FileType) -> bool {
    false
}

/// Writes a temporary file beside `path` and renames it over `path`.
fn replace(
    path: &Path,
    permissions: Option<std::fs::Permissions>,
    bytes: &[u8],
    shown: &str,
) -> Result<(), String> {
    let (tmp, pending) = filled_temporary(path, bytes, shown)?;
    stall_for_tests();
    if let Some(permissions) = permissions {
        tmp.as_file()
            .set_permissions(permissions)
            .map_err(|e| format!("cannot write {shown}: {e}"))?;
    }
    tmp.persist(path)
        .map_err(|e| format!("cannot write {shown}: {}", e.error))?;
    drop(pending);
    Ok(())
}

/// Writes `bytes` to `path`, which must not exist: never overwrites.
pub fn create_new_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let shown = crate::render::path_shown(path);
    let (tmp, pending) = filled_temporary(path, bytes, &shown)?;
    // Linked into place: refused if anything (a link included) is there.
    tmp.persist_noclobber(path)
        .map_err(|e| match e.error.kind() {
            std::io::ErrorKind::AlreadyExists => {
                format!("{shown} exists already; insats new never overwrites a file")
            }
            _ => format!("cannot create {shown}: {}", e.error),
        })?;
    drop(pending);
    Ok(())
}

/// A new temporary file beside `path` holding `bytes`, marked as pending
/// (removed on an interrupt) until the mark is dropped.
fn filled_temporary(
    path: &Path,
    bytes: &[u8],
    shown: &str,
) -> Result<(tempfile::NamedTempFile, Pending), String> {
    let tmp = temporary_beside(path, shown)?;
    let pending = Pending::new(tmp.path());
    let mut file = tmp.as_file();
    file.write_all(bytes)
        .and_then(|()| file.flush())
        .map_err(|e| format!("cannot write {shown}: {e}"))?;
    Ok((tmp, pending))
}

fn temporary_beside(path: &Path, shown: &str) -> Result<tempfile::NamedTempFile, String> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".insats-").suffix(".tmp");
    // Created with 0666, from which the kernel takes the umask: the mode a
    // new file gets from any other program (tempfile's default is 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder
        .tempfile_in(dir)
        .map_err(|e| format!("cannot write {shown}: {e}"))
}

/// A pause between writing the temporary file and renaming it, for the test
/// that interrupts insats there (tests/output_files.rs). Debug builds only.
fn stall_for_tests() {
    #[cfg(debug_assertions)]
    if let Some(ms) = std::env::var_os("INSATS_TEST_STALL_OUTPUT_MS")
        .and_then(|v| v.to_str().and_then(|v| v.parse::<u64>().ok()))
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}
