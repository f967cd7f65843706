//! Ids are unique per kind across the whole portfolio (`INS111`).
//!
//! Uniqueness is checked across files, not per file, because references
//! resolve across files: a budget line in one plan may be paid by a funding
//! source defined in a shared file.

use crate::hash::IdMap;

use super::Checker;
use crate::model::Portfolio;
use crate::rules::Code;
use crate::source::Located;

pub(super) fn check(ctx: &mut Checker<'_>, portfolio: &Portfolio) {
    let initiatives = portfolio.initiatives.iter().map(|i| (&i.id, "initiative"));
    unique(ctx, "initiative", initiatives);
    unique(
        ctx,
        "funding source",
        portfolio
            .funding
            .iter()
            .map(|f| (&f.id, f.key_path.as_str())),
    );
    unique(
        ctx,
        "indicator",
        portfolio
            .indicators
            .iter()
            .map(|i| (&i.id, i.key_path.as_str())),
    );
    unique(
        ctx,
        "source document",
        portfolio
            .sources
            .iter()
            .map(|s| (&s.id, s.key_path.as_str())),
    );
    let lines = portfolio.initiatives.iter().flat_map(|i| &i.lines);
    unique(
        ctx,
        "budget line",
        lines.map(|l| (&l.id, l.key_path.as_str())),
    );
    let targets = portfolio.initiatives.iter().flat_map(|i| &i.targets);
    unique(
        ctx,
        "outcome target",
        targets.map(|t| (&t.id, t.key_path.as_str())),
    );
}

fn unique<'a>(
    ctx: &mut Checker<'_>,
    kind: &str,
    ids: impl Iterator<Item = (&'a Located<String>, &'a str)>,
) {
    // Sized for every id at once: growing the table step by step was a
    // few per cent of the checks at national scale.
    let ids = ids.collect::<Vec<_>>();
    let mut seen: IdMap<&str, &Located<String>> =
        IdMap::with_capacity_and_hasher(ids.len(), Default::default());
    for (id, path) in ids {
        match seen.get(id.value.as_str()) {
            Some(first) => {
                let first_location = ctx.locate(&first.span);
                let d = ctx
                    .diag(Code::DuplicateId, format!("{kind} id `{}` is defined twice", id.value), &id.span, format!("{path}.id"))
                    .label("defined again here")
                    .related(first_location, "first defined here")
                    .help(format!("ids are unique across the portfolio so that references are never ambiguous; rename one of the {kind}s"));
                ctx.push(d);
            }
            None => {
                seen.insert(&id.value, id);
            }
        }
    }
}
