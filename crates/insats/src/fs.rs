//! Reading a portfolio from disk: the one place the core touches the file
//! system.
//!
//! A directory is walked recursively in sorted order (so output never
//! depends on the order the file system lists entries in), taking every
//! `*.toml` file and skipping hidden files and directories. Directory links
//! are not followed, so a link cannot pull a whole tree into the portfolio;
//! a link named `*.toml` is read like a file, and a broken one is reported.

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::rules::Code;
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

/// The largest plan or shared file insats reads: 16 MiB.
pub const MAX_PLAN_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// The largest ledger export insats imports: 1 GiB. A CSV export is
/// streamed (8 bytes per row are kept, for duplicate detection); a SIE file
/// is parsed whole, so the limit keeps that within an ordinary machine.
pub const MAX_LEDGER_FILE_BYTES: u64 = 1024 * 1024 * 1024;

/// What went wrong reading a file, if anything.
enum ReadProblem {
    None,
    TooLarge(u64),
    /// Still going past the limit when read, though its size said less:
    /// a device, a pipe, or a file being written.
    Endless,
    /// At this byte.
    NotUtf8(usize),
    Unreadable(std::io::Error),
}

/// Reads one file: its text (empty, or with U+FFFD for bad bytes, when
/// there is a problem) and the problem.
fn read_one(path: PathBuf) -> (SourceFile, ReadProblem) {
    use std::io::Read;
    // One open for the size check and the read: a national portfolio is
    // thousands of files, and every lookup of a path is a system call.
    let read = std::fs::File::open(&path).and_then(|file| {
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
    match read.map(|bytes| bytes.map(String::from_utf8)) {
        Ok(Err(problem)) => (SourceFile::new(path, String::new()), problem),
        Ok(Ok(Ok(text))) => (SourceFile::new(path, text), ReadProblem::None),
        Ok(Ok(Err(err))) => {
            let at = err.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            (SourceFile::new(path, text), ReadProblem::NotUtf8(at))
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
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| InputError::Path {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            files.extend(toml_files_in(path));
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    files.dedup();

    // Files are read (and indexed by line) in parallel, a national
    // portfolio being thousands of them, and added in path order, so file
    // ids and everything after do not depend on which thread read what.
    let read: Vec<(SourceFile, ReadProblem)> = {
        use rayon::prelude::*;
        files.into_par_iter().map(read_one).collect()
    };
    let mut sources = SourceSet::new();
    let mut diagnostics = Vec::new();
    for (file, problem) in read {
        let id = sources.add(file);
        let d = match problem {
            ReadProblem::None => continue,
            ReadProblem::TooLarge(size) => Diagnostic::new(
                Code::FileTooLarge,
                format!("the file is {} MiB; insats reads plan files of at most {} MiB", size / (1024 * 1024), MAX_PLAN_FILE_BYTES / (1024 * 1024)),
            )
            .at(Diagnostic::resolve(&sources, &crate::source::Span::new(id, 0..0)))
            .help("a plan this large is probably not a plan; split it, or move ledger data into a [[ledger]] export"),
            ReadProblem::Endless => Diagnostic::new(
                Code::FileTooLarge,
                format!("the file did not end within {} MiB, though its size said less; insats reads plan files of at most {} MiB", MAX_PLAN_FILE_BYTES / (1024 * 1024), MAX_PLAN_FILE_BYTES / (1024 * 1024)),
            )
            .at(Diagnostic::resolve(&sources, &crate::source::Span::new(id, 0..0)))
            .help("a plan is a text file of modest size: is this a link to a device, a pipe, or a file still being written?"),
            // The lossy text has U+FFFD (three bytes) where the bad byte was.
            ReadProblem::NotUtf8(at) => Diagnostic::new(Code::NotUtf8, "the file is not valid UTF-8")
                .at(Diagnostic::resolve(&sources, &crate::source::Span::new(id, at..at + '\u{fffd}'.len_utf8())))
                .label("first byte that is not UTF-8")
                .help("re-save the file as UTF-8 (in most editors: \"Save with encoding\", UTF-8)"),
            ReadProblem::Unreadable(err) => Diagnostic::new(
                Code::UnreadableFile,
                format!("the file could not be read: {err}"),
            )
            .at(Diagnostic::resolve(&sources, &crate::source::Span::new(id, 0..0)))
            .help("check that the file exists and that you may read it"),
        };
        diagnostics.push(d);
    }
    Ok((sources, diagnostics))
}

fn toml_files_in(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        // An entry that cannot be listed is skipped here; a file that cannot
        // be read is reported when it is read.
        .filter_map(Result::ok)
        .filter(|e| {
            (e.file_type().is_file() || e.file_type().is_symlink())
                && e.path().extension().is_some_and(|x| x == "toml")
        })
        .map(|e| e.into_path())
        .collect()
}

/// Reads a ledger export, refusing a path outside every one of `roots`
/// (the portfolio's directories): a plan names files inside its portfolio,
/// and `../` or a link must not reach beyond it.
pub fn read_ledger(path: &Path, roots: &[PathBuf]) -> Result<Vec<u8>, String> {
    let real = find_ledger(path, roots)?;
    std::fs::read(&real).map_err(|e| e.to_string())
}

/// Finds a ledger export for streaming: the real path of `path`, when it
/// lies inside one of `roots` and is within the size limit.
pub fn find_ledger(path: &Path, roots: &[PathBuf]) -> Result<PathBuf, String> {
    let real = std::fs::canonicalize(path).map_err(|e| e.to_string())?;
    let inside = roots
        .iter()
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .any(|root| real.starts_with(root));
    if !inside {
        return Err("it lies outside the portfolio's directory".to_owned());
    }
    let size = std::fs::metadata(&real).map_err(|e| e.to_string())?.len();
    if size > MAX_LEDGER_FILE_BYTES {
        return Err(format!(
            "it is {} MiB, more than the {} MiB insats imports; export a shorter period",
            size / (1024 * 1024),
            MAX_LEDGER_FILE_BYTES / (1024 * 1024)
        ));
    }
    Ok(real)
}
