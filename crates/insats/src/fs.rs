//! Reading a portfolio from disk: the one place the core touches the file
//! system.
//!
//! A directory is walked recursively in sorted order (so output never
//! depends on the order the file system lists entries in), taking every
//! `*.toml` file and skipping hidden files and directories. Directory links
//! are not followed, so a link cannot pull a whole tree into the portfolio.
//! A file link is read only when it resolves inside the directory it was
//! found in (or, for a file named directly, the file's own directory), like
//! a ledger export: git stores links, so a pull request could otherwise add
//! `x.toml -> /proc/self/environ` and have a CI job print what it points
//! at. Only regular files are read, and they are opened without blocking,
//! so a FIFO or a device named `*.toml` is reported, never waited on.

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::read::{ReadProblem, sizes};
use crate::source::{SourceFile, SourceSet};

/// A path given to the loader could not be used at all.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The path does not exist or cannot be inspected.
    #[error("cannot read {}: {source}", path.display())]
    Path {
        /// The path as given.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

pub use crate::read::MAX_PLAN_FILE_BYTES;
/// The largest CSV ledger export insats imports: 1 GiB. It is streamed, in
/// bounded memory (docs/performance.md).
pub const MAX_LEDGER_FILE_BYTES: u64 = 1024 * 1024 * 1024;
/// The largest SIE file insats imports: 64 MiB. It is read one voucher at
/// a time, but its text is held whole (diagnostics show its rows), so it
/// takes about 2.5 times its size in memory.
pub const MAX_SIE_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Opens a file for reading only if it is a regular file. On Unix it is
/// opened non-blocking (a FIFO would otherwise block in `open` until a
/// writer came) and checked on the open handle, so a file swapped after a
/// check cannot slip through; a refused file is `InvalidInput`.
pub(crate) fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            NotAFile,
        ));
    }
    Ok(file)
}

/// The error [`open_regular`] refuses a file with.
#[derive(Debug, thiserror::Error)]
#[error("it is not a regular file (a pipe, a device or a directory)")]
struct NotAFile;

fn is_not_a_file(err: &std::io::Error) -> bool {
    err.get_ref().is_some_and(|e| e.is::<NotAFile>())
}

/// Where `path` really is, when that lies inside one of `roots` (real
/// paths). A path that does not exist is resolved as far as it exists, so
/// that the answer for a place outside the portfolio is the same whether
/// or not something is there: nothing is revealed about the rest of the
/// machine.
fn resolve_inside(path: &Path, roots: &[PathBuf]) -> Result<PathBuf, Refused> {
    let inside = |real: &Path| roots.iter().any(|root| real.starts_with(root));
    if let Ok(real) = std::fs::canonicalize(path) {
        return if inside(&real) {
            Ok(real)
        } else {
            Err(Refused::Outside)
        };
    }
    // A dangling link: judged by where it points, as far as that exists
    // (a chain of links is followed as the system would, up to its limit).
    let mut path = path.to_owned();
    for _ in 0..40 {
        match std::fs::read_link(&path) {
            Ok(dest) => {
                path = match path.parent() {
                    Some(dir) if dest.is_relative() => dir.join(dest),
                    _ => dest,
                };
            }
            Err(_) => break,
        }
    }
    let path = path.as_path();
    // The longest part of the path that exists, resolved, and the rest
    // appended as written (`..` taken lexically: nothing below exists).
    let mut existing = path;
    let mut rest = Vec::new();
    let base = loop {
        match existing.parent() {
            Some(parent) => {
                rest.push(existing.file_name().map(|n| n.to_owned()));
                existing = parent;
                let probe = if existing.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    existing
                };
                if let Ok(real) = std::fs::canonicalize(probe) {
                    break real;
                }
            }
            None => return Err(Refused::Missing),
        }
    };
    let mut real = base;
    for part in rest.into_iter().rev() {
        match part {
            Some(name) => real.push(name),
            // `..` has no file name.
            None => {
                real.pop();
            }
        }
    }
    if inside(&real) {
        Err(Refused::Missing)
    } else {
        Err(Refused::Outside)
    }
}

/// Why a path was not read.
#[derive(Debug, PartialEq, Eq)]
enum Refused {
    Outside,
    Missing,
}

/// Real paths of `roots`, those that exist.
fn real_roots(roots: &[PathBuf]) -> Vec<PathBuf> {
    roots
        .iter()
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .collect()
}

/// Reads one file: its text (empty, or with U+FFFD for bad bytes, when
/// there is a problem) and the problem. `link_root`, for a link, is the
/// real path of the directory it must resolve inside.
fn read_one((path, link_root): (PathBuf, Option<PathBuf>)) -> (SourceFile, ReadProblem) {
    use std::io::Read;
    if let Some(root) = link_root
        && resolve_inside(&path, std::slice::from_ref(&root)) == Err(Refused::Outside)
    {
        return (SourceFile::new(path, String::new()), ReadProblem::Outside);
    }
    // One open for the size check and the read: a national portfolio is
    // thousands of files, and every lookup of a path is a system call.
    let read = open_regular(&path).and_then(|file| {
        let size = file.metadata()?.len();
        if size > MAX_PLAN_FILE_BYTES {
            return Ok(Err(ReadProblem::TooLarge(size)));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        // At most one byte past the limit, whatever the size said: a link
        // to a device that never ends must not be read until memory runs
        // out. (`take` also spares a second look at the size.)
        file.take(MAX_PLAN_FILE_BYTES + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_PLAN_FILE_BYTES {
            return Ok(Err(ReadProblem::Endless));
        }
        Ok(Ok(bytes))
    });
    match read {
        Ok(Err(problem)) => (SourceFile::new(path, String::new()), problem),
        Ok(Ok(bytes)) => crate::read::decode(path, bytes),
        Err(err) if is_not_a_file(&err) => {
            (SourceFile::new(path, String::new()), ReadProblem::NotAFile)
        }
        Err(err) => (
            SourceFile::new(path, String::new()),
            ReadProblem::Unreadable(err),
        ),
    }
}

/// Reads every plan and shared file under `paths` (directories are walked,
/// files taken as they are). Files that cannot be read or are not UTF-8
/// become diagnostics; only a path that does not exist at all is an error.
pub fn read_sources(paths: &[PathBuf]) -> Result<(SourceSet, Vec<Diagnostic>), InputError> {
    // Each file and, for a link, the real path of the directory it must
    // resolve inside. The walk knows which entries are links: no file
    // costs a system call more than its open.
    let mut files: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| InputError::Path {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            let root = std::fs::canonicalize(path).ok();
            files.extend(
                toml_files_in(path)
                    .into_iter()
                    .map(|(f, link)| (f, root.clone().filter(|_| link))),
            );
        } else {
            let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            let root = if link {
                std::fs::canonicalize(dir).ok()
            } else {
                None
            };
            files.push((path.clone(), root));
        }
    }
    files.sort();
    files.dedup_by(|a, b| a.0 == b.0);

    // Files are read (and indexed by line) in parallel, a national
    // portfolio being thousands of them, and added in path order, so file
    // ids and everything after do not depend on which thread read what.
    let read: Vec<(SourceFile, ReadProblem)> = crate::par::map(files, read_one);
    let mut sources = SourceSet::new();
    let mut diagnostics = Vec::new();
    for (file, problem) in read {
        let id = sources.add(file);
        diagnostics.extend(crate::read::diagnostic(&sources, id, problem));
    }
    Ok((sources, diagnostics))
}

/// The `*.toml` entries below `dir`, each with whether it is a link.
fn toml_files_in(dir: &Path) -> Vec<(PathBuf, bool)> {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        // An entry that cannot be listed is skipped here; a file that cannot
        // be read is reported when it is read.
        .filter_map(Result::ok)
        // Anything named `*.toml` but a directory: a FIFO or a device is
        // reported when read, not passed over.
        .filter(|e| !e.file_type().is_dir() && e.path().extension().is_some_and(|x| x == "toml"))
        .map(|e| {
            let link = e.path_is_symlink();
            (e.into_path(), link)
        })
        .collect()
}

/// Reads a ledger export, refusing a path outside every one of `roots`
/// (the portfolio's directories): a plan names files inside its portfolio,
/// and `../` or a link must not reach beyond it.
pub(crate) fn read_ledger(path: &Path, roots: &[PathBuf]) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let real = find_ledger(path, roots)?;
    let size = std::fs::metadata(&real).map_err(|e| e.to_string())?.len();
    if size > MAX_SIE_FILE_BYTES {
        let (size, limit) = sizes(size, MAX_SIE_FILE_BYTES);
        return Err(format!(
            "it is {size}, more than the {limit} insats reads of a SIE file (held whole, unlike CSV); export a shorter period, or export as CSV"
        ));
    }
    let mut bytes = Vec::new();
    open_regular(&real)
        .and_then(|mut file| file.read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// Finds a ledger export for streaming: the real path of `path`, when it
/// lies inside one of `roots`, is a regular file, and is within the size
/// limit. A path outside the portfolio gets the same answer whether or not
/// a file is there.
pub(crate) fn find_ledger(path: &Path, roots: &[PathBuf]) -> Result<PathBuf, String> {
    let real = match resolve_inside(path, &real_roots(roots)) {
        Ok(real) => real,
        Err(Refused::Outside) => return Err("it lies outside the portfolio's directory".to_owned()),
        Err(Refused::Missing) => return Err("no such file".to_owned()),
    };
    let meta = std::fs::metadata(&real).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(NotAFile.to_string());
    }
    if meta.len() > MAX_LEDGER_FILE_BYTES {
        let (size, limit) = sizes(meta.len(), MAX_LEDGER_FILE_BYTES);
        return Err(format!(
            "it is {size}, more than the {limit} insats imports; export a shorter period"
        ));
    }
    Ok(real)
}
