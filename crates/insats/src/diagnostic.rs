//! Diagnostics: what is wrong, where, and how to fix it.
//!
//! A [`Diagnostic`] is plain data. The core never prints one; the CLI
//! renders it for a terminal or as JSON, and an embedding tool can do what it
//! likes with it. Locations are resolved to file, line and column when the
//! diagnostic is made ([`Diagnostic::resolve`]), so a diagnostic stays
//! meaningful after the source text is gone.

use std::path::PathBuf;

use serde::Serialize;

use crate::rules::{Code, Severity};
use crate::source::{SourceSet, Span};

/// A resolved location: file, one-based line and column, and byte range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// Path of the file, as it was found.
    pub file: PathBuf,
    /// One-based line of the start of the span.
    pub line: usize,
    /// One-based column (in characters) of the start of the span.
    pub column: usize,
    /// One-based line of the end of the span.
    pub end_line: usize,
    /// One-based column of the end of the span (exclusive).
    pub end_column: usize,
    /// Byte offsets into the file, start inclusive, end exclusive.
    pub byte_start: usize,
    /// See `byte_start`.
    pub byte_end: usize,
}

/// A secondary location with a short label ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelatedLocation {
    /// Where.
    #[serde(flatten)]
    pub location: Location,
    /// What is there.
    pub label: String,
}

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The stable code of the rule.
    pub code: Code,
    /// Error or warning (after any escalation by the caller).
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where it is wrong. `None` only for problems that concern no single
    /// file, such as an empty directory.
    pub location: Option<Location>,
    /// A short label under the underlined span.
    pub label: Option<String>,
    /// The TOML key path of the offending value, such as `line[2].amount`.
    pub key_path: Option<String>,
    /// Why the rule matters and how to fix the problem.
    pub help: Option<String>,
    /// Further facts, such as the figures behind a sum.
    pub notes: Vec<String>,
    /// Other places that explain the problem.
    pub related: Vec<RelatedLocation>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity and no location.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            location: None,
            label: None,
            key_path: None,
            help: None,
            notes: Vec::new(),
            related: Vec::new(),
        }
    }

    /// Sets the primary location.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Sets the label shown under the span.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the key path.
    pub fn key_path(mut self, path: impl Into<String>) -> Self {
        self.key_path = Some(path.into());
        self
    }

    /// Sets the help text.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Adds a related location.
    pub fn related(mut self, location: Location, label: impl Into<String>) -> Self {
        self.related.push(RelatedLocation {
            location,
            label: label.into(),
        });
        self
    }

    /// Resolves a span to a [`Location`] using the files of the run.
    pub fn resolve(sources: &SourceSet, span: &Span) -> Location {
        let file = sources.get(span.file);
        let (line, column) = file.line_col(span.range.start);
        let (end_line, end_column) = file.line_col(span.range.end);
        Location {
            file: file.path.clone(),
            line,
            column,
            end_line,
            end_column,
            byte_start: span.range.start,
            byte_end: span.range.end,
        }
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Orders diagnostics for output: by file, then position, then code, so that
/// output is the same on every run whatever order the checks ran in.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            d.location
                .as_ref()
                .map(|l| (l.file.clone(), l.byte_start, l.byte_end))
        };
        key(a)
            .cmp(&key(b))
            .then(a.code.cmp(&b.code))
            .then(a.message.cmp(&b.message))
    });
}

/// Counts of errors and warnings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Number of errors.
    pub errors: usize,
    /// Number of warnings.
    pub warnings: usize,
}

impl Summary {
    /// Counts the diagnostics by severity.
    pub fn of(diagnostics: &[Diagnostic]) -> Self {
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        Summary {
            errors,
            warnings: diagnostics.len() - errors,
        }
    }
}
