//! Diagnostics for the command line: the writers are the view crate's
//! (shared with the browser page); the terminal's are in colour, which
//! anstream strips where the output is not a terminal.

use std::io::{self, Write};

use insats::{SourceSet, Validation};
use insats_view::write::diagnostics::Paint;
pub use insats_view::write::diagnostics::{json, path_shown, write_json};

/// Writes every diagnostic with its source excerpt, then a summary line.
pub fn human(
    out: &mut impl Write,
    sources: &SourceSet,
    validation: &Validation,
    quiet: bool,
) -> io::Result<()> {
    insats_view::write::diagnostics::human(out, sources, validation, quiet, Paint::Ansi)
}
