//! Source files and locations inside them.
//!
//! Every diagnostic and every model item points back at the text it came
//! from. A location is stored as a byte range into one [`SourceFile`] (cheap,
//! exact, and what the TOML parser reports); line and column are derived on
//! demand, because most locations are never shown.

use std::ops::Range;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Index of a file in a [`SourceSet`]. Stable for the life of the set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    /// Byte offsets, start inclusive and end exclusive.
    pub range: Range<usize>,
}

impl Span {
    /// A span covering `range` in `file`.
    pub fn new(file: FileId, range: Range<usize>) -> Self {
        Span { file, range }
    }
}

/// A value together with the place in the source it was read from.
///
/// Serialises as the bare value: the span is for diagnostics, not for data
/// consumers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Located<T> {
    /// Pairs a value with its span.
    pub fn new(value: T, span: Span) -> Self {
        Located { value, span }
    }
}

impl<T: Serialize> Serialize for Located<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

/// The text of one input file and the path it was read from.
///
/// A plan file is kept whole. A ledger export is read as a stream and not
/// kept: its `text` is empty and `excerpts` hold the rows that diagnostics
/// point at, so that they can still be shown.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as given to or found by the loader (relative paths stay
    /// relative, so that output is the same on every machine).
    pub path: PathBuf,
    /// The full text, exactly as read (a UTF-8 byte order mark included);
    /// empty for a streamed file.
    pub text: String,
    /// For a streamed file: the rows diagnostics point at.
    pub excerpts: Vec<Excerpt>,
    line_starts: Vec<usize>,
    /// Characters before each [`CHAR_BLOCK`]-byte block, made the first
    /// time a column is asked for far into a line.
    char_marks: std::sync::OnceLock<Vec<usize>>,
}

/// Columns up to this many bytes into a line are counted from the line's
/// start; further in, from the nearest block of [`SourceFile::char_marks`],
/// so that thousands of diagnostics on one long line cost time in
/// proportion to their number, not to their number times the line.
const CHAR_BLOCK: usize = 4096;

/// Some lines of a file that is not kept whole, with where they were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    /// One-based line of the first line of `text`.
    pub line: usize,
    /// Byte offset of `text` in the file.
    pub byte_start: usize,
    /// The text.
    pub text: String,
}

impl Excerpt {
    /// True when the byte range lies within this excerpt.
    pub fn contains(&self, range: &Range<usize>) -> bool {
        self.byte_start <= range.start && range.start <= self.byte_start + self.text.len()
    }
}

impl SourceFile {
    /// Wraps already-read text.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        SourceFile {
            path: path.into(),
            text,
            excerpts: Vec::new(),
            line_starts,
            char_marks: std::sync::OnceLock::new(),
        }
    }

    /// A file read as a stream, of which only `excerpts` are kept.
    pub fn streamed(path: impl Into<PathBuf>, mut excerpts: Vec<Excerpt>) -> Self {
        excerpts.sort_by_key(|e| e.byte_start);
        excerpts.dedup_by_key(|e| e.byte_start);
        SourceFile {
            path: path.into(),
            text: String::new(),
            excerpts,
            line_starts: vec![0],
            char_marks: std::sync::OnceLock::new(),
        }
    }

    /// The excerpt holding `range`, for a streamed file.
    pub fn excerpt(&self, range: &Range<usize>) -> Option<&Excerpt> {
        self.excerpts.iter().find(|e| e.contains(range))
    }

    /// One-based line and column of a byte offset. The column counts
    /// characters (Unicode scalar values), as editors and rustc do, so that
    /// `å` is one column, not two.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let column = if offset - start <= CHAR_BLOCK {
            self.text
                .get(start..offset)
                .map_or(offset - start, |s| s.chars().count())
        } else {
            self.chars_before(offset) - self.chars_before(start)
        };
        (line + 1, column + 1)
    }

    /// The number of characters that start before byte `at`.
    fn chars_before(&self, at: usize) -> usize {
        // A byte starts a character unless it is a continuation byte
        // (10xxxxxx); counted this way, any byte range gives the number of
        // characters that start in it.
        let starts = |bytes: &[u8]| bytes.iter().filter(|&&b| (b as i8) >= -0x40).count();
        let bytes = self.text.as_bytes();
        let marks = self.char_marks.get_or_init(|| {
            let mut marks = Vec::with_capacity(bytes.len() / CHAR_BLOCK + 1);
            let mut count = 0;
            marks.push(0);
            for block in bytes.chunks(CHAR_BLOCK) {
                count += starts(block);
                marks.push(count);
            }
            marks
        });
        let block = at / CHAR_BLOCK;
        marks[block] + starts(&bytes[block * CHAR_BLOCK..at])
    }
}

/// All files of one run, addressed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct SourceSet {
    files: Vec<SourceFile>,
}

impl SourceSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(file);
        id
    }

    /// The file with this id.
    ///
    /// # Panics
    /// If the id did not come from this set.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// All files with their ids, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when no file was added.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let file = SourceFile::new("a.toml", "a = 1\nnamn = \"Örebro\" x\n");
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(6), (2, 1));
        let x = file.text.find(" x").unwrap() + 1;
        assert_eq!(file.line_col(x), (2, 17));
        assert_eq!(file.line_col(file.text.len()), (3, 1));
    }

    /// Far into a long line the column comes from the block counts; it
    /// must agree with counting from the line's start, at every offset
    /// and across multi-byte characters that straddle a block's end.
    #[test]
    fn columns_far_into_a_long_line_agree_with_counting() {
        let line: String = (0..5000).map(|i| ["a", "å", "€", "😀"][i % 4]).collect();
        let text = format!("x = 1\n{line}\nz\n");
        let file = SourceFile::new("a.toml", text.as_str());
        let start = 6;
        for (at, _) in text[start..start + line.len()].char_indices() {
            let expected = text[start..start + at].chars().count() + 1;
            assert_eq!(file.line_col(start + at), (2, expected), "at {at}");
        }
    }
}
