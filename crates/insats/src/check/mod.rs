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
//! sums are kept only when the references are sound), so they run side by
//! side.

mod dates;
mod funding;
mod history;
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
    // At national scale the checks are a fifth of `insats validate`, so
    // they run as four tasks spread over the cores (`crate::par`): ids,
    // references, the line-by-line rules, and the sums. Each task fills its
    // own list and the lists are appended in a fixed order, so the output
    // does not depend on scheduling. The sums are only meaningful when
    // every id and reference is sound; they are computed alongside the
    // checks that establish that, and kept only if it holds.
    let run = |task: &(dyn Fn(&mut Checker<'_>) + Sync)| {
        let mut found = Vec::new();
        task(&mut Checker {
            sources,
            diagnostics: &mut found,
        });
        found
    };
    let ((ids, references), (rules, sums)) = crate::par::join(
        || {
            crate::par::join(
                || run(&|ctx| ids::check(ctx, portfolio)),
                || run(&|ctx| references::check(ctx, portfolio, complete)),
            )
        },
        || {
            crate::par::join(
                || {
                    run(&|ctx| {
                        funding::check(ctx, portfolio);
                        dates::check(ctx, portfolio);
                        outcomes::check(ctx, portfolio);
                        history::check(ctx, portfolio);
                    })
                },
                || {
                    if complete {
                        run(&|ctx| funding::check_sums(ctx, portfolio))
                    } else {
                        Vec::new()
                    }
                },
            )
        },
    );
    let resolved = !ids.iter().chain(&references).any(Diagnostic::is_error);
    diagnostics.extend(ids);
    diagnostics.extend(references);
    if resolved {
        diagnostics.extend(sums);
    }
    diagnostics.extend(rules);
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
