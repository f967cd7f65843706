//! Rendering diagnostics: for people (rustc style) and for machines (JSON).

use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use insats::diagnostic::Location;
use insats::{Diagnostic, Severity, SourceSet, Validation};

/// Version of the JSON output's shape. Bumped only on a breaking change;
/// adding a field is not one.
pub const JSON_FORMAT_VERSION: u32 = 1;

/// Writes every diagnostic with its source excerpt, then a summary line.
pub fn human(
    out: &mut impl Write,
    sources: &SourceSet,
    validation: &Validation,
    quiet: bool,
) -> io::Result<()> {
    let renderer = Renderer::styled();
    let texts = texts(sources);
    for d in &validation.diagnostics {
        if quiet && d.severity == Severity::Warning {
            continue;
        }
        writeln!(out, "{}\n", renderer.render(&report(&texts, d)))?;
    }
    writeln!(out, "{}", summary_line(sources, validation))
}

fn report<'a>(texts: &Texts<'a>, d: &'a Diagnostic) -> Vec<Group<'a>> {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let mut group = Group::with_title(level.primary_title(d.message.as_str()).id(d.code.as_str()));
    if let Some(loc) = &d.location {
        match shown_text(texts, loc) {
            None => {
                group = group.element(
                    Origin::path(loc.file.to_string_lossy().into_owned())
                        .line(loc.line)
                        .char_column(loc.column),
                );
            }
            Some(shown) => {
                let mut snippet = Snippet::source(shown.text)
                    .line_start(shown.first_line)
                    .path(loc.file.to_string_lossy().into_owned())
                    .annotation(
                        AnnotationKind::Primary
                            .span(shown.span(loc))
                            .label(d.label.as_deref()),
                    );
                for r in d
                    .related
                    .iter()
                    .filter(|r| shown_text(texts, &r.location) == Some(shown))
                {
                    snippet = snippet.annotation(
                        AnnotationKind::Context
                            .span(shown.span(&r.location))
                            .label(r.label.as_str()),
                    );
                }
                group = group.element(snippet);
            }
        }
        let here = shown_text(texts, loc);
        for r in d
            .related
            .iter()
            .filter(|r| here.is_none() || shown_text(texts, &r.location) != here)
        {
            group = match shown_text(texts, &r.location) {
                Some(other) => group.element(
                    Snippet::source(other.text)
                        .line_start(other.first_line)
                        .path(r.location.file.to_string_lossy().into_owned())
                        .annotation(
                            AnnotationKind::Context
                                .span(other.span(&r.location))
                                .label(r.label.as_str()),
                        ),
                ),
                None => group.element(
                    Origin::path(r.location.file.to_string_lossy().into_owned())
                        .line(r.location.line)
                        .char_column(r.location.column),
                ),
            };
        }
    }
    if let Some(path) = &d.key_path {
        group = group.element(Level::NOTE.message(format!("key: {path}")));
    }
    for note in &d.notes {
        group = group.element(Level::NOTE.message(note.as_str()));
    }
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    vec![group]
}

/// The text a location is shown in: the whole file, or for a streamed
/// ledger export the excerpt (the row) that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shown<'a> {
    text: &'a str,
    /// Line number of the text's first line.
    first_line: usize,
    /// Byte offset of the text in the file.
    offset: usize,
}

impl Shown<'_> {
    /// The location's byte range in this text, widened to character
    /// boundaries and clamped to it, so that no location, however it was
    /// made, can make the renderer slice inside a character.
    fn span(&self, loc: &Location) -> std::ops::Range<usize> {
        let text = self.text;
        let mut start = loc.byte_start.saturating_sub(self.offset).min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = loc
            .byte_end
            .saturating_sub(self.offset)
            .clamp(start, text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        start..end
    }
}

/// Each file by path, found once per run so that finding a diagnostic's
/// excerpt does not scan every file.
type Texts<'a> = std::collections::HashMap<&'a std::path::Path, &'a insats::SourceFile>;

fn texts(sources: &SourceSet) -> Texts<'_> {
    sources.iter().map(|(_, f)| (f.path.as_path(), f)).collect()
}

fn shown_text<'a>(texts: &Texts<'a>, loc: &Location) -> Option<Shown<'a>> {
    let file = texts.get(loc.file.as_path())?;
    if !file.text.is_empty() {
        return Some(Shown {
            text: &file.text,
            first_line: 1,
            offset: 0,
        });
    }
    file.excerpt(&(loc.byte_start..loc.byte_end))
        .map(|e| Shown {
            text: &e.text,
            first_line: e.line,
            offset: e.byte_start,
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
    serde_json::to_writer_pretty(&mut *out, &report).map_err(io::Error::other)?;
    writeln!(out)
}
