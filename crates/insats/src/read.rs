//! A plan file's bytes as text, or the problem that keeps them from being
//! one. The file system's reader (`fs`) and a portfolio handed in as bytes
//! ([`crate::PortfolioFiles`]) both go through here, so a file too large or
//! not UTF-8 gets the same diagnostic whichever way it arrived.

use std::path::PathBuf;

use crate::diagnostic::Diagnostic;
use crate::rules::Code;
use crate::source::{FileId, SourceFile, SourceSet};

/// The largest plan or shared file insats reads: 16 MiB.
pub const MAX_PLAN_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A size against a limit, in MiB, or in bytes where MiB would show the
/// two as equal ("17 MiB, more than 16 MiB"; "16777217 bytes, more than
/// 16777216 bytes").
pub(crate) fn sizes(size: u64, limit: u64) -> (String, String) {
    const MIB: u64 = 1024 * 1024;
    if size / MIB == limit / MIB {
        (format!("{size} bytes"), format!("{limit} bytes"))
    } else {
        (
            format!("{} MiB", size / MIB),
            format!("{} MiB", limit / MIB),
        )
    }
}

/// What went wrong reading a file, if anything. Without the file system,
/// only what bytes can show happens.
#[cfg_attr(not(feature = "fs"), allow(dead_code))]
pub(crate) enum ReadProblem {
    None,
    /// A link that resolves outside the portfolio's directory.
    Outside,
    /// A FIFO, a device, a socket or a directory.
    NotAFile,
    TooLarge(u64),
    /// Still going past the limit when read, though its size said less:
    /// a device, a pipe, or a file being written.
    Endless,
    /// At this byte.
    NotUtf8(usize),
    Unreadable(std::io::Error),
}

/// A plan file's bytes as its text: empty when it is too large, with
/// U+FFFD for the bad bytes when it is not UTF-8.
pub(crate) fn decode(path: PathBuf, bytes: Vec<u8>) -> (SourceFile, ReadProblem) {
    if bytes.len() as u64 > MAX_PLAN_FILE_BYTES {
        return (
            SourceFile::new(path, String::new()),
            ReadProblem::TooLarge(bytes.len() as u64),
        );
    }
    match String::from_utf8(bytes) {
        Ok(text) => (SourceFile::new(path, text), ReadProblem::None),
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            (SourceFile::new(path, text), ReadProblem::NotUtf8(at))
        }
    }
}

/// The diagnostic for the file `id` of `sources`, read with `problem`.
pub(crate) fn diagnostic(
    sources: &SourceSet,
    id: FileId,
    problem: ReadProblem,
) -> Option<Diagnostic> {
    let d = match problem {
    ReadProblem::None => return None,
        // The message says nothing of what the link points at.
        ReadProblem::Outside => Diagnostic::new(
            Code::UnreadableFile,
            "the file is a link to a place outside the portfolio's directory; insats does not read it",
        )
        .at(Diagnostic::resolve(sources, &crate::source::Span::new(id, 0..0)))
        .help("keep plan files inside the portfolio's directory: replace the link by the file itself, or remove it"),
        ReadProblem::NotAFile => Diagnostic::new(
            Code::UnreadableFile,
            "the file is not a regular file (a pipe or a device named `*.toml`); insats reads only files",
        )
        .at(Diagnostic::resolve(sources, &crate::source::Span::new(id, 0..0)))
        .help("rename it, or replace it by the plan file it stands for"),
        ReadProblem::TooLarge(size) => Diagnostic::new(
            Code::FileTooLarge,
            {
                let (size, limit) = sizes(size, MAX_PLAN_FILE_BYTES);
                format!("the file is {size}; insats reads plan files of at most {limit}")
            },
        )
        .at(Diagnostic::resolve(sources, &crate::source::Span::new(id, 0..0)))
        .help("a plan this large is probably not a plan; split it, or move ledger data into a [[ledger]] export"),
        ReadProblem::Endless => Diagnostic::new(
            Code::FileTooLarge,
            format!("the file did not end within {} MiB, though its size said less; insats reads plan files of at most {} MiB", MAX_PLAN_FILE_BYTES / (1024 * 1024), MAX_PLAN_FILE_BYTES / (1024 * 1024)),
        )
        .at(Diagnostic::resolve(sources, &crate::source::Span::new(id, 0..0)))
        .help("a plan is a text file of modest size: is this a link to a device, a pipe, or a file still being written?"),
        // The lossy text has U+FFFD (three bytes) where the bad byte was.
        ReadProblem::NotUtf8(at) => Diagnostic::new(Code::NotUtf8, "the file is not valid UTF-8")
            .at(Diagnostic::resolve(sources, &crate::source::Span::new(id, at..at + '\u{fffd}'.len_utf8())))
            .label("first byte that is not UTF-8")
            .help("re-save the file as UTF-8 (in most editors: \"Save with encoding\", UTF-8)"),
        ReadProblem::Unreadable(err) => Diagnostic::new(
            Code::UnreadableFile,
            format!("the file could not be read: {err}"),
        )
        .at(Diagnostic::resolve(sources, &crate::source::Span::new(id, 0..0)))
        .help("check that the file exists and that you may read it"),
    };
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_show_bytes_where_mebibytes_would_look_equal() {
        let mib = 1024 * 1024;
        assert_eq!(
            sizes(17 * mib, 16 * mib),
            ("17 MiB".to_owned(), "16 MiB".to_owned())
        );
        assert_eq!(
            sizes(16 * mib + 1, 16 * mib),
            ("16777217 bytes".to_owned(), "16777216 bytes".to_owned())
        );
        assert_eq!(
            sizes(1024 * mib + 5, 1024 * mib),
            ("1073741829 bytes".to_owned(), "1073741824 bytes".to_owned())
        );
    }
}
