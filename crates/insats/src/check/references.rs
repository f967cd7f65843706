//! Every reference resolves (`INS112`), every line serves a target of its
//! own initiative, and every target is served (`INS114`). Spending names a
//! budget line and a measurement names a target, anywhere in the portfolio.
//!
//! Funding sources, indicators and source documents are looked up across
//! the portfolio. Targets are looked up within the line's own initiative:
//! the cost-per-outcome figures only make sense when the money and the
//! outcome belong to the same decision.

use crate::hash::{IdMap, IdSet};

use super::Checker;
use crate::keys::did_you_mean;
use crate::model::{Portfolio, Provenance};
use crate::rules::Code;
use crate::source::Located;

pub(super) fn check(ctx: &mut Checker<'_>, portfolio: &Portfolio, complete: bool) {
    // Ids declared by tables that did not load count as existing: their own
    // error is reported, and a reference to them is not a second problem.
    let declared = |kind: &'static str| {
        portfolio
            .declared
            .iter()
            .filter(move |(_, k, _)| k == kind)
            .map(|(_, _, id)| id.as_str())
    };
    let funding: Ids<'_> = portfolio
        .funding
        .iter()
        .map(|f| f.id.value.as_str())
        .chain(declared("funding"))
        .collect();
    let indicators: Ids<'_> = portfolio
        .indicators
        .iter()
        .map(|i| i.id.value.as_str())
        .chain(declared("indicator"))
        .collect();
    let sources: Ids<'_> = portfolio
        .sources
        .iter()
        .map(|s| s.id.value.as_str())
        .chain(declared("source"))
        .collect();
    let mut target_owner: IdMap<&str, &str> = IdMap::with_capacity_and_hasher(
        portfolio.initiatives.iter().map(|i| i.targets.len()).sum(),
        Default::default(),
    );
    target_owner.extend(portfolio.initiatives.iter().flat_map(|i| {
        i.targets
            .iter()
            .map(move |t| (t.id.value.as_str(), i.id.value.as_str()))
    }));

    for f in &portfolio.funding {
        provenance(ctx, &f.provenance, &sources, || f.key_path.clone());
    }
    let lines: Ids<'_> = portfolio
        .initiatives
        .iter()
        .flat_map(|i| &i.lines)
        .map(|l| l.id.value.as_str())
        .chain(declared("line"))
        .collect();
    for s in &portfolio.spending {
        resolve(
            ctx,
            "budget line",
            &s.line,
            &lines,
            || format!("{}.line", s.key_path),
            "book the cost on an existing `[[line]]`, or add the line to its plan",
        );
    }
    for s in &portfolio.submissions {
        resolve(
            ctx,
            "funding source",
            &s.source,
            &funding,
            || format!("{}.source", s.key_path),
            "record the report against an existing `[[funding]]` source",
        );
    }
    // A receipt read from a ledger is checked once, at its rule, below.
    for r in portfolio.receipts.iter().filter(|r| r.ledger.is_none()) {
        resolve(
            ctx,
            "funding source",
            &r.source,
            &funding,
            || format!("{}.source", r.key_path),
            "record the payment against an existing `[[funding]]` source",
        );
    }
    for ledger in &portfolio.ledgers {
        for (i, rule) in ledger.rules.iter().enumerate() {
            resolve(
                ctx,
                "budget line",
                &rule.line,
                &lines,
                || format!("{}.map[{i}].line", ledger.key_path),
                "map the rows to an existing `[[line]]`",
            );
        }
        for (i, rule) in ledger.receipt_rules.iter().enumerate() {
            resolve(
                ctx,
                "funding source",
                &rule.funding,
                &funding,
                || format!("{}.receipt[{i}].funding", ledger.key_path),
                "name the `[[funding]]` source that paid",
            );
        }
    }
    let targets: Ids<'_> = target_owner
        .keys()
        .copied()
        .chain(declared("target"))
        .collect();
    for m in &portfolio.measurements {
        resolve(
            ctx,
            "outcome target",
            &m.target,
            &targets,
            || format!("{}.target", m.key_path),
            "measure an existing `[[target]]`, or add the target to its plan",
        );
    }
    // Targets declared per file, found once: looking them up per
    // initiative in the list of everything declared was quadratic (a third
    // of `insats validate` on 10 000 plans).
    let mut declared_targets: IdMap<crate::source::FileId, Vec<&str>> = IdMap::default();
    for (file, kind, id) in &portfolio.declared {
        if kind == "target" {
            declared_targets.entry(*file).or_default().push(id);
        }
    }
    for initiative in &portfolio.initiatives {
        for s in &initiative.sources {
            resolve(
                ctx,
                "source document",
                s,
                &sources,
                || "initiative.sources".to_owned(),
                "add a `[[source]]` with this id",
            );
        }
        let own_targets: Ids<'_> = initiative
            .targets
            .iter()
            .map(|t| t.id.value.as_str())
            .chain(
                declared_targets
                    .get(&initiative.file)
                    .into_iter()
                    .flatten()
                    .copied(),
            )
            .collect();
        let mut served: IdSet<&str> = IdSet::default();
        for line in &initiative.lines {
            provenance(ctx, &line.provenance, &sources, || line.key_path.clone());
            for payer in &line.payers {
                resolve(
                    ctx,
                    "funding source",
                    &payer.source,
                    &funding,
                    || format!("{}.funded_by", line.key_path),
                    "define it with `[[funding]]` in this file or in a shared file",
                );
            }
            for source in &line.not_co_financing_of {
                resolve(
                    ctx,
                    "funding source",
                    source,
                    &funding,
                    || format!("{}.not_co_financing_of", line.key_path),
                    "name a `[[funding]]` source whose activity the line is no part of",
                );
            }
            for s in &line.serves {
                served.insert(&s.target.value);
                if own_targets.contains(&s.target.value) {
                    continue;
                }
                let path = || format!("{}.serves", line.key_path);
                match target_owner.get(s.target.value.as_str()) {
                    Some(owner) => {
                        let d = ctx
                            .diag(Code::UnknownReference, format!("target `{}` belongs to initiative `{owner}`, not to this one", s.target.value), &s.target.span, path())
                            .label("another initiative's target")
                            .help("a line can only serve targets of its own initiative; add a `[[target]]` to this plan");
                        ctx.push(d);
                    }
                    None => resolve(
                        ctx,
                        "outcome target",
                        &s.target,
                        &own_targets,
                        path,
                        "add a `[[target]]` with this id to this plan",
                    ),
                }
            }
        }
        for target in &initiative.targets {
            resolve(
                ctx,
                "indicator",
                &target.indicator,
                &indicators,
                || format!("{}.indicator", target.key_path),
                "add an `[[indicator]]` with this id, here or in a shared file",
            );
            provenance(ctx, &target.baseline.provenance, &sources, || {
                format!("{}.baseline", target.key_path)
            });
            provenance(ctx, &target.target.provenance, &sources, || {
                format!("{}.target", target.key_path)
            });
            if complete && !served.contains(target.id.value.as_str()) {
                let d = ctx
                    .diag(Code::UnservedTarget, format!("no budget line serves target `{}`", target.id.value), &target.id.span, format!("{}.id", target.key_path))
                    .label("no line's `serves` names it")
                    .help("add this id to the `serves` list of the lines meant to move it, or remove the target");
                ctx.push(d);
            }
        }
    }
}

/// Key paths are made only for a reference that does not resolve: at
/// national scale, formatting one for each of a million references that do
/// was a measurable part of the checks.
fn provenance(
    ctx: &mut Checker<'_>,
    p: &Provenance,
    sources: &Ids<'_>,
    path: impl FnOnce() -> String,
) {
    if let Some(s) = &p.source {
        resolve(
            ctx,
            "source document",
            s,
            sources,
            || format!("{}.source", path()),
            "add a `[[source]]` with this id",
        );
    }
}

fn resolve(
    ctx: &mut Checker<'_>,
    kind: &str,
    reference: &Located<String>,
    known: &Ids<'_>,
    path: impl FnOnce() -> String,
    fix: &str,
) {
    if known.contains(&reference.value) {
        return;
    }
    let mut d = ctx
        .diag(
            Code::UnknownReference,
            format!("no {kind} has the id `{}`", reference.value),
            &reference.span,
            path(),
        )
        .label(format!("unknown {kind}"));
    d = match did_you_mean(&reference.value, known.list.iter().copied()) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help(fix.to_owned()),
    };
    ctx.push(d);
}

/// Ids of one kind: a set for lookups (linear in the number of references,
/// not quadratic) and the list, in file order, for suggestions.
struct Ids<'a> {
    list: Vec<&'a str>,
    set: IdSet<&'a str>,
}

impl Ids<'_> {
    fn contains(&self, id: &str) -> bool {
        self.set.contains(id)
    }
}

impl<'a> FromIterator<&'a str> for Ids<'a> {
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> Self {
        let list: Vec<&str> = iter.into_iter().collect();
        let set = list.iter().copied().collect();
        Ids { list, set }
    }
}
