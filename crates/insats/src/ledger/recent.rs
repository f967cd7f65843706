//! The bytes of a streamed export read so far, kept back to the row being
//! read: what gives a row its line number and its text for an excerpt
//! without holding the file, and what stops a row that runs on past
//! [`MAX_ROW_BYTES`].

use std::io::Read;
use std::ops::Range;

/// The bytes read so far from a streamed export, kept back to the row
/// being read (and a little more), with the count of lines before them:
/// what gives a row its line number and its text for an excerpt.
pub(super) struct Recent {
    /// Offset of `bytes[0]` in the stream.
    base: usize,
    bytes: Vec<u8>,
    /// Offset up to which newlines have been counted, and how many.
    counted: usize,
    newlines: usize,
}

impl Recent {
    /// Kept when trimming: more than any row, less than any export.
    const KEEP: usize = 1 << 20;

    /// For a part of the text starting at `base`, after `newlines` line
    /// breaks.
    pub(super) fn shared(base: usize, newlines: usize) -> SharedRecent {
        std::rc::Rc::new(std::cell::RefCell::new(Recent {
            base,
            bytes: Vec::new(),
            counted: base,
            newlines,
        }))
    }

    /// One-based line of `offset`; offsets must not go backwards.
    pub(super) fn line_of(&mut self, offset: usize) -> usize {
        if offset > self.counted {
            let from = self.counted.saturating_sub(self.base);
            let to = (offset - self.base).min(self.bytes.len());
            self.newlines += memchr::memchr_iter(b'\n', &self.bytes[from.min(to)..to]).count();
            self.counted = offset;
        }
        self.newlines + 1
    }

    /// The row starting at `offset` (after any line breaks there): its
    /// first line's byte range.
    pub(super) fn row(&self, offset: usize) -> Range<usize> {
        let local = offset.saturating_sub(self.base).min(self.bytes.len());
        let rest = &self.bytes[local..];
        let skip = rest
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        let rest = &rest[skip..];
        let len = memchr::memchr2(b'\r', b'\n', rest).unwrap_or(rest.len());
        let start = self.base + local + skip;
        start..start + len
    }

    /// The bytes of `range`, which must still be held.
    pub(super) fn bytes_of(&self, range: &Range<usize>) -> &[u8] {
        let start = range.start.saturating_sub(self.base).min(self.bytes.len());
        let end = range
            .end
            .saturating_sub(self.base)
            .clamp(start, self.bytes.len());
        &self.bytes[start..end]
    }

    /// Line breaks in `range`, which must still be held.
    pub(super) fn line_breaks_in(&self, range: Range<usize>) -> usize {
        memchr::memchr_iter(b'\n', self.bytes_of(&range)).count()
    }

    /// Drops what lies well before `offset`, counting its line breaks
    /// first (in steps of a few times [`Self::KEEP`], to move few bytes).
    pub(super) fn trim(&mut self, offset: usize) {
        let keep_from = offset.saturating_sub(Self::KEEP);
        if keep_from > self.base + 3 * Self::KEEP {
            self.line_of(keep_from);
            let drop = keep_from - self.base;
            self.bytes.drain(..drop);
            self.base += drop;
        }
    }
}

/// Passes bytes through to the CSV reader and keeps them in [`Recent`].
pub(super) struct Tee<R> {
    inner: R,
    recent: SharedRecent,
    /// Bytes of the row going on (since the last line break outside
    /// quotes), whether a quoted field is open, and bytes read in all.
    row_length: usize,
    quoted: bool,
    read: usize,
}

/// The longest row of a CSV export insats reads: a row is a few hundred
/// bytes, and the reader keeps the last 1 MiB. A longer row means the
/// export is not what its profile says (or is not an export); reading it
/// whole once took gigabytes, whether it was one long line or a quoted
/// field running over many.
pub const MAX_ROW_BYTES: usize = 1 << 20;

impl<R> Tee<R> {
    pub(super) fn new(inner: R, recent: &SharedRecent) -> Self {
        Tee {
            inner,
            recent: std::rc::Rc::clone(recent),
            row_length: 0,
            quoted: false,
            read: 0,
        }
    }

    /// The row that started `back` bytes before the end of what was read
    /// so far is too long.
    pub(super) fn too_long(&self, back: usize) -> std::io::Error {
        let mut recent = self.recent.borrow_mut();
        let start = recent.base + self.read - back;
        // `recent` holds up to the last read, where such a row starts.
        let line = recent.line_of(start);
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "the row starting on line {line} is longer than {} MiB, more than any row of an export: check the profile's `delimiter`, and for a `\"` that is never closed",
                MAX_ROW_BYTES >> 20
            ),
        )
    }
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let bytes = &buf[..n];
        // Rows end at line breaks outside quotes; a doubled quote inside a
        // quoted field toggles twice. (A part that starts inside a quoted
        // field is in step again after that field's closing quote.)
        let mut row_start = 0;
        for at in memchr::memchr2_iter(b'"', b'\n', bytes) {
            if bytes[at] == b'"' {
                self.quoted = !self.quoted;
            } else if !self.quoted {
                if self.row_length + at - row_start > MAX_ROW_BYTES {
                    // Longer than any read, so it started before this one.
                    return Err(self.too_long(self.row_length));
                }
                self.row_length = 0;
                row_start = at + 1;
            }
        }
        if self.row_length + n - row_start > MAX_ROW_BYTES {
            return Err(self.too_long(self.row_length));
        }
        self.row_length += n - row_start;
        self.read += n;
        self.recent.borrow_mut().bytes.extend_from_slice(bytes);
        Ok(n)
    }
}

/// Where a streamed export stops being UTF-8.
pub(super) struct Utf8Failure {
    /// One-based line.
    pub(super) line: usize,
    /// Offset of the first byte that is not UTF-8.
    pub(super) at: usize,
    /// Offset where its line starts.
    pub(super) line_start: usize,
    /// The line, with the bad bytes replaced.
    pub(super) text: String,
}

impl Recent {
    /// The first byte that is not UTF-8 at or after `from`.
    pub(super) fn utf8_failure(&self, from: usize) -> Utf8Failure {
        let local = from.saturating_sub(self.base).min(self.bytes.len());
        let bad = match std::str::from_utf8(&self.bytes[local..]) {
            Ok(_) => self.bytes.len(),
            Err(e) => local + e.valid_up_to(),
        };
        let line_start = self.bytes[..bad]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line_end =
            memchr::memchr2(b'\n', b'\r', &self.bytes[bad..]).map_or(self.bytes.len(), |i| bad + i);
        let counted = self.counted.saturating_sub(self.base).min(bad);
        Utf8Failure {
            line: self.newlines + memchr::memchr_iter(b'\n', &self.bytes[counted..bad]).count() + 1,
            at: self.base + bad,
            line_start: self.base + line_start,
            text: String::from_utf8_lossy(&self.bytes[line_start..line_end]).into_owned(),
        }
    }
}

/// Shared between the CSV reader (through [`Tee`]) and the row loop of
/// one part, on that part's thread.
pub(super) type SharedRecent = std::rc::Rc<std::cell::RefCell<Recent>>;
