//! Diagnostics written out: for people (rustc style, with the excerpt of
//! the file) and for machines (JSON). The command line and the browser page
//! both write them through here, so they show the same.

use std::io::{self, Write};

use std::borrow::Cow;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use insats::diagnostic::Location;
use insats::printable::printable;
use insats::{Diagnostic, Severity, SourceSet, Validation};

/// Version of the JSON output's shape. Bumped only on a breaking change;
/// adding a field is not one.
pub const JSON_FORMAT_VERSION: u32 = 1;

/// Whether the text for people carries colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    /// ANSI colour, for a terminal (a front end strips it where there is
    /// none).
    Ansi,
    /// Plain text, for a page or a file.
    Plain,
}

/// Writes every diagnostic with its source excerpt, then a summary line.
/// `quiet` leaves out the warnings.
pub fn human(
    out: &mut impl Write,
    sources: &SourceSet,
    validation: &Validation,
    quiet: bool,
    paint: Paint,
) -> io::Result<()> {
    let keep = |d: &Diagnostic| !(quiet && d.severity == Severity::Warning);
    for text in render(sources, validation, paint, keep) {
        writeln!(out, "{text}\n")?;
    }
    writeln!(out, "{}", summary_line(sources, validation))
}

/// Each diagnostic as [`human`] shows it (the message, the excerpt with its
/// labels, the notes and the help), in the order of
/// `validation.diagnostics`.
pub fn shown(sources: &SourceSet, validation: &Validation, paint: Paint) -> Vec<String> {
    render(sources, validation, paint, |_| true).collect()
}

fn render<'a>(
    sources: &'a SourceSet,
    validation: &'a Validation,
    paint: Paint,
    keep: impl Fn(&Diagnostic) -> bool + 'a,
) -> impl Iterator<Item = String> + 'a {
    let renderer = match paint {
        Paint::Ansi => Renderer::styled(),
        Paint::Plain => Renderer::plain(),
    };
    let texts = texts(sources, &validation.diagnostics);
    validation
        .diagnostics
        .iter()
        .filter(move |d| keep(d))
        .map(move |d| renderer.render(&report(&texts, d)))
}

fn report<'a>(texts: &'a Texts<'a>, d: &'a Diagnostic) -> Vec<Group<'a>> {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    // Every piece of user text goes through `printable`: a line break or ESC
    // in a key, a name or a file name must not act on the terminal or start
    // a line of its own (a CI runner reads `::command` at a line's start).
    let mut group = Group::with_title(
        level
            .primary_title(printable(&d.message))
            .id(d.code.as_str()),
    );
    if let Some(loc) = &d.location {
        let here = shown_text(texts, loc);
        let same_text = |r: &&insats::diagnostic::RelatedLocation| {
            here.is_some_and(|h| shown_text(texts, &r.location).is_some_and(|o| o.same_text(&h)))
        };
        match here {
            None => {
                group = group.element(
                    Origin::path(path_shown(&loc.file))
                        .line(loc.line)
                        .char_column(loc.column),
                );
            }
            Some(shown) => {
                let with: Vec<&Location> = std::iter::once(loc)
                    .chain(d.related.iter().filter(same_text).map(|r| &r.location))
                    .collect();
                let shown = shown.window(&with);
                let mut snippet = Snippet::source(shown.text)
                    .line_start(shown.first_line)
                    .path(path_shown(&loc.file))
                    .annotation(
                        AnnotationKind::Primary
                            .span(shown.span(loc))
                            .label(d.label.as_deref().map(printable)),
                    );
                for r in d.related.iter().filter(same_text) {
                    snippet = snippet.annotation(
                        AnnotationKind::Context
                            .span(shown.span(&r.location))
                            .label(printable(&r.label)),
                    );
                }
                group = group.element(snippet);
            }
        }
        for r in d.related.iter().filter(|r| !same_text(r)) {
            group = match shown_text(texts, &r.location) {
                Some(other) => {
                    let other = other.window(&[&r.location]);
                    group.element(
                        Snippet::source(other.text)
                            .line_start(other.first_line)
                            .path(path_shown(&r.location.file))
                            .annotation(
                                AnnotationKind::Context
                                    .span(other.span(&r.location))
                                    .label(printable(&r.label)),
                            ),
                    )
                }
                None => group.element(
                    Origin::path(path_shown(&r.location.file))
                        .line(r.location.line)
                        .char_column(r.location.column),
                ),
            };
        }
    }
    if let Some(path) = &d.key_path {
        group = group.element(Level::NOTE.message(format!("key: {}", printable(path))));
    }
    for note in &d.notes {
        group = group.element(Level::NOTE.message(printable(note)));
    }
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(printable(help)));
    }
    vec![group]
}

/// A path as shown to a person: a file name may hold a line break or ESC.
pub fn path_shown(path: &std::path::Path) -> String {
    printable(&path.to_string_lossy()).into_owned()
}

/// The text a location is shown in: the whole file, or for a streamed
/// ledger export the excerpt (the row) that holds it; after
/// [`Shown::window`], only the lines a diagnostic points at.
#[derive(Debug, Clone, Copy)]
struct Shown<'a> {
    text: &'a str,
    /// Line number of the text's first line.
    first_line: usize,
    /// Byte offset, in the file, of the safe text's start.
    offset: usize,
    /// Where the safe text differs from the file: see [`SafeText`].
    grown_at: &'a [usize],
    /// Bytes of the safe text cut from the front by [`Shown::window`].
    cut: usize,
    /// The file, and the excerpt of a streamed file.
    file: &'a insats::SourceFile,
    excerpt: Option<usize>,
}

impl<'a> Shown<'a> {
    /// The location's byte range in this text, widened to character
    /// boundaries and clamped to it, so that no location, however it was
    /// made, can make the renderer slice inside a character.
    fn span(&self, loc: &Location) -> std::ops::Range<usize> {
        let text = self.text;
        let mut start = self.at(loc.byte_start).min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = self.at(loc.byte_end).clamp(start, text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        start..end
    }

    /// A file offset as an offset in this text (before clamping).
    fn at(&self, offset: usize) -> usize {
        let at = offset.saturating_sub(self.offset);
        (at + self.grown_at.partition_point(|&g| g < at)).saturating_sub(self.cut)
    }

    /// Whether both show the same text (one file, or one excerpt of it).
    fn same_text(&self, other: &Shown<'_>) -> bool {
        std::ptr::eq(self.file, other.file) && self.excerpt == other.excerpt
    }

    /// Only the whole lines that `locations` cover: the renderer's work
    /// then follows what is shown, not the size of the file, which made
    /// thousands of diagnostics in one large file take time in proportion
    /// to their number times the file.
    fn window(self, locations: &[&Location]) -> Shown<'a> {
        let text = self.text;
        let spans: Vec<_> = locations.iter().map(|l| self.span(l)).collect();
        let (Some(first), Some(last)) = (
            spans.iter().map(|s| s.start).min(),
            spans.iter().map(|s| s.end).max(),
        ) else {
            return self;
        };
        let start = text[..first].rfind('\n').map_or(0, |i| i + 1);
        let end = text[last..].find('\n').map_or(text.len(), |i| last + i);
        let first_line = match self.excerpt {
            // A whole file knows its lines (the window starts on the line
            // of the earliest location); an excerpt is a row or two.
            None => {
                let earliest = locations.iter().map(|l| l.byte_start).min().unwrap_or(0);
                self.file.line_col(earliest).0
            }
            Some(_) => self.first_line + text[..start].matches('\n').count(),
        };
        Shown {
            text: &text[start..end],
            first_line,
            cut: self.cut + start,
            ..self
        }
    }
}

/// A text made safe for the terminal. annotate-snippets shows C0 controls,
/// DEL and the bidirectional controls of an excerpt as visible symbols
/// itself; a C1 control (two bytes, U+0080 to U+009F, which some terminals
/// obey as ESC plus a letter) it passes through, so it is replaced here by
/// U+FFFD (three bytes). `grown_at` holds the offset, in the original text,
/// of each replaced character, so that spans can be moved by one byte for
/// each replacement before them.
struct SafeText<'a> {
    text: Cow<'a, str>,
    grown_at: Vec<usize>,
}

impl<'a> SafeText<'a> {
    fn new(text: &'a str) -> Self {
        let is_c1 = |c: char| ('\u{80}'..='\u{9f}').contains(&c);
        if !text.chars().any(is_c1) {
            return SafeText {
                text: Cow::Borrowed(text),
                grown_at: Vec::new(),
            };
        }
        let mut shown = String::with_capacity(text.len() + 8);
        let mut grown_at = Vec::new();
        for (at, c) in text.char_indices() {
            if is_c1(c) {
                grown_at.push(at);
                shown.push('\u{fffd}');
            } else {
                shown.push(c);
            }
        }
        SafeText {
            text: Cow::Owned(shown),
            grown_at,
        }
    }
}

/// Each file a diagnostic points at, by path, with its text (or, for a
/// streamed ledger export, each kept excerpt) made safe, found once per
/// run so that finding a diagnostic's excerpt does not scan every file.
/// Files no diagnostic names are left alone: a clean national portfolio is
/// thousands of files that nothing here needs to look at.
type Texts<'a> = std::collections::HashMap<&'a std::path::Path, SafeFile<'a>>;

struct SafeFile<'a> {
    file: &'a insats::SourceFile,
    text: SafeText<'a>,
    excerpts: Vec<SafeText<'a>>,
}

fn texts<'a>(sources: &'a SourceSet, diagnostics: &[Diagnostic]) -> Texts<'a> {
    let named: std::collections::HashSet<&std::path::Path> = diagnostics
        .iter()
        .flat_map(|d| {
            d.location
                .iter()
                .chain(d.related.iter().map(|r| &r.location))
        })
        .map(|l| l.file.as_path())
        .collect();
    sources
        .iter()
        .filter(|(_, file)| named.contains(file.path.as_path()))
        .map(|(_, file)| {
            let safe = SafeFile {
                file,
                text: SafeText::new(&file.text),
                excerpts: file
                    .excerpts
                    .iter()
                    .map(|e| SafeText::new(&e.text))
                    .collect(),
            };
            (file.path.as_path(), safe)
        })
        .collect()
}

fn shown_text<'a>(texts: &'a Texts<'a>, loc: &Location) -> Option<Shown<'a>> {
    let safe = texts.get(loc.file.as_path())?;
    if !safe.file.text.is_empty() {
        return Some(Shown {
            text: &safe.text.text,
            first_line: 1,
            offset: 0,
            grown_at: &safe.text.grown_at,
            cut: 0,
            file: safe.file,
            excerpt: None,
        });
    }
    let range = loc.byte_start..loc.byte_end;
    let i = safe.file.excerpts.iter().position(|e| e.contains(&range))?;
    let (e, shown) = (&safe.file.excerpts[i], &safe.excerpts[i]);
    Some(Shown {
        text: &shown.text,
        first_line: e.line,
        offset: e.byte_start,
        grown_at: &shown.grown_at,
        cut: 0,
        file: safe.file,
        excerpt: Some(i),
    })
}

/// `3 errors, 1 warning in 2 of 14 files` or `14 files checked: no problems`.
fn summary_line(sources: &SourceSet, validation: &Validation) -> String {
    let s = validation.summary();
    let files = sources.len();
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    if s.errors + s.warnings == 0 {
        return format!(
            "{} checked ({}): no problems",
            plural(files, "file"),
            plural(validation.plan_files, "plan")
        );
    }
    let mut with_problems: Vec<_> = validation
        .diagnostics
        .iter()
        .filter_map(|d| d.location.as_ref().map(|l| &l.file))
        .collect();
    with_problems.sort();
    with_problems.dedup();
    format!(
        "{}, {} in {} of {}",
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        with_problems.len(),
        plural(files, "file")
    )
}

#[derive(serde::Serialize)]
struct JsonReport<'a> {
    tool: &'static str,
    version: &'static str,
    format_version: u32,
    files: usize,
    plan_files: usize,
    summary: insats::Summary,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(serde::Serialize)]
struct JsonDiagnostic<'a> {
    #[serde(flatten)]
    diagnostic: &'a Diagnostic,
    name: &'static str,
}

/// Writes one JSON document with every diagnostic.
pub fn json(out: &mut impl Write, sources: &SourceSet, validation: &Validation) -> io::Result<()> {
    let report = JsonReport {
        tool: "insats",
        version: env!("CARGO_PKG_VERSION"),
        format_version: JSON_FORMAT_VERSION,
        files: sources.len(),
        plan_files: validation.plan_files,
        summary: validation.summary(),
        diagnostics: validation
            .diagnostics
            .iter()
            .map(|d| JsonDiagnostic {
                diagnostic: d,
                name: d.code.name(),
            })
            .collect(),
    };
    write_json(out, &report)
}

/// Writes `value` as pretty JSON and a line break. Serialised whole first,
/// so that a failed write keeps its kind (a reader gone away is a broken
/// pipe, not an error of JSON) and a serialising error writes nothing.
pub fn write_json(out: &mut impl Write, value: &impl serde::Serialize) -> io::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
    bytes.push(b'\n');
    out.write_all(&bytes)
}
