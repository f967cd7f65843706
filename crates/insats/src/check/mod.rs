//! Check: rules over the whole portfolio.
//!
//! [`crate::load`] checks what one table can tell on its own. The rules
//! here need the whole portfolio: ids unique across files, references that
//! resolve, sums per funding source, dates against the periods they must
//! fall within. Each theme is a module of its own; every rule it applies is
//! documented with its code in the module docs (see [`crate::rules`]).
//!
//! Every check is a function over the plain [`Portfolio`] and appends to a
//! list of diagnostics; none depends on another's output (except that the
//! sums wait for sound references), so they run in two groups side by
//! side.

mod dates;
mod funding;
mod ids;
mod outcomes;
mod references;

use crate::diagnostic::{Diagnostic, Location};
use crate::model::Portfolio;
use crate::rules::Code;
use crate::source::{SourceSet, Span};

/// Runs every portfolio-wide rule, appending to `diagnostics`.
///
/// `complete` says whether every table loaded. When one did not, or when a
/// reference does not resolve, the rules about completeness (sums per
/// funding source, targets no line serves) are skipped: a budget line that
/// failed to load, or that names a misspelt source, would otherwise also be
/// reported as money missing, which is noise on top of the real error.
pub fn check(
    sources: &SourceSet,
    portfolio: &Portfolio,
    complete: bool,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // Two groups of checks run side by side (at national scale they take
    // a fifth of `insats validate`), each into its own list; the lists are
    // appended in the order the checks are written, so the output does not
    // depend on scheduling.
    let (mut first, mut second) = (Vec::new(), Vec::new());
    rayon::join(
        || {
            let mut ctx = Checker {
                sources,
                diagnostics: &mut first,
            };
            ids::check(&mut ctx, portfolio);
            references::check(&mut ctx, portfolio, complete);
            // The sums only when every id and reference is sound.
            let resolved = !ctx.diagnostics.iter().any(Diagnostic::is_error);
            if complete && resolved {
                funding::check_sums(&mut ctx, portfolio);
            }
        },
        || {
            let mut ctx = Checker {
                sources,
                diagnostics: &mut second,
            };
            funding::check(&mut ctx, portfolio);
            dates::check(&mut ctx, portfolio);
            outcomes::check(&mut ctx, portfolio);
        },
    );
    diagnostics.append(&mut first);
    diagnostics.append(&mut second);
}

/// Shared state of the checks: where to resolve spans and where to report.
struct Checker<'a> {
    sources: &'a SourceSet,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Checker<'_> {
    fn locate(&self, span: &Span) -> Location {
        Diagnostic::resolve(self.sources, span)
    }

    fn diag(
        &self,
        code: Code,
        message: impl Into<String>,
        span: &Span,
        key_path: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(code, message)
            .at(self.locate(span))
            .key_path(key_path)
    }

    fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }
}
