//! Funding sources against the lines they pay.
//!
//! * `INS301` the lines paid by a source, across every file, exceed it;
//! * `INS302` part of a source is not allocated (warning);
//! * `INS303` a source pays a larger share of the costs it co-funds than
//!   its `max_share_percent` allows;
//! * `INS304` a source pays a cost category outside `eligible_categories`;
//! * `INS207` a source is in another currency than the portfolio.
//!
//! Sums are exact and checked: an overflow is reported (`INS210`), never
//! wrapped.

use crate::hash::IdMap;

use rust_decimal::Decimal;

use super::Checker;
use crate::model::{BudgetLine, Initiative, Portfolio};
use crate::money;
use crate::money::format_kr as kr;
use crate::rules::Code;

/// One line a source pays: the line, the amount the source pays of it,
/// and the costs it shares in (the whole line, or for a payer by period
/// the line's costs in its period), which a maximum share is a share of.
type Use<'a> = (&'a BudgetLine, Decimal, Decimal);

/// The lines each funding source pays, in one pass over all lines (linear
/// in the number of lines).
fn uses(portfolio: &Portfolio) -> IdMap<&str, Vec<Use<'_>>> {
    let mut uses: IdMap<&str, Vec<Use<'_>>> =
        IdMap::with_capacity_and_hasher(portfolio.funding.len(), Default::default());
    for line in portfolio.initiatives.iter().flat_map(|i| &i.lines) {
        for (index, payer) in line.payers.iter().enumerate() {
            let shared = if payer.dated.is_some() {
                line.payer_group(index).map(|(_, p)| p.amount).sum()
            } else {
                line.amount
            };
            uses.entry(payer.source.value.as_str())
                .or_default()
                .push((line, payer.amount, shared));
        }
    }
    uses
}

/// `INS207` and `INS304`: rules that hold line by line.
pub(super) fn check(ctx: &mut Checker<'_>, portfolio: &Portfolio) {
    let uses = uses(portfolio);
    for source in &portfolio.funding {
        if source.currency.value != portfolio.currency {
            let d = ctx
                .diag(Code::MixedCurrency, format!("funding source `{}` is in {}, the portfolio in {}", source.id.value, source.currency.value, portfolio.currency), &source.currency.span, format!("{}.currency", source.key_path))
                .label(format!("not {}", portfolio.currency))
                .help(format!("convert the amount to {} and note the rate in `note`, or set `[portfolio] currency`", portfolio.currency));
            ctx.push(d);
        }
        let (Some(eligible), Some(lines)) = (
            &source.eligible_categories,
            uses.get(source.id.value.as_str()),
        ) else {
            continue;
        };
        for (line, _, _) in lines {
            if !eligible.value.contains(&line.category) {
                let payer = line
                    .payers
                    .iter()
                    .find(|p| p.source.value == source.id.value);
                let span = payer.map_or(&line.id.span, |p| &p.source.span);
                let allowed: Vec<&str> = eligible.value.iter().map(|c| c.as_str()).collect();
                let d = ctx
                    .diag(
                        Code::IneligibleCategory,
                        format!(
                            "`{}` does not cover `{}` costs",
                            source.id.value,
                            line.category.as_str()
                        ),
                        span,
                        format!("{}.funded_by", line.key_path),
                    )
                    .label(format!("pays a `{}` line", line.category.as_str()))
                    .help(format!(
                        "it covers {}; pay this line from another source or correct its category",
                        allowed.join(", ")
                    ))
                    .related(ctx.locate(&eligible.span), "eligible categories");
                ctx.push(d);
            }
        }
    }
}

/// `INS301`, `INS302`, `INS303` and `INS210`: sums per source.
pub(super) fn check_sums(ctx: &mut Checker<'_>, portfolio: &Portfolio) {
    let uses = uses(portfolio);
    let windows = crate::report::windows(portfolio);
    // Only a maximum share needs the initiatives each source pays.
    let initiatives = if portfolio
        .funding
        .iter()
        .any(|f| f.max_share_percent.is_some())
    {
        initiatives_paid(portfolio)
    } else {
        IdMap::default()
    };
    for source in &portfolio.funding {
        let Some(usage) = uses.get(source.id.value.as_str()) else {
            unallocated(ctx, source, Decimal::ZERO);
            continue;
        };
        let Some(allocated) = money::checked_sum(usage.iter().map(|(_, a, _)| *a)) else {
            let d = ctx
                .diag(
                    Code::AmountOverflow,
                    format!(
                        "the lines paid by `{}` add up to more than can be computed exactly",
                        source.id.value
                    ),
                    &source.amount.span,
                    format!("{}.amount", source.key_path),
                )
                .help("look for a misplaced digit group in the lines' amounts");
            ctx.push(d);
            continue;
        };

        if allocated > source.amount.value {
            let excess = allocated - source.amount.value;
            let mut d = ctx
                .diag(
                    Code::FundingOverallocated,
                    format!("the lines paid by `{}` add up to {}, {} more than its {}", source.id.value, kr(allocated), kr(excess), kr(source.amount.value)),
                    &source.amount.span,
                    format!("{}.amount", source.key_path),
                )
                .label(format!("{} allocated", kr(allocated)))
                .help("lower the lines, move part of them to another funding source, or correct the source's amount");
            for (line, amount, _) in usage {
                let loc = ctx.locate(&line.id.span);
                d = d.related(loc, format!("`{}` takes {}", line.id.value, kr(*amount)));
            }
            ctx.push(d);
        } else if allocated < source.amount.value {
            unallocated(ctx, source, allocated);
        }

        if let Some(max) = &source.max_share_percent {
            let Some(paid_lines) = money::checked_sum(usage.iter().map(|(_, _, shared)| *shared))
            else {
                continue;
            };
            // The costs of the activity (SFS 2018:151, 7 §): the lines it
            // pays, and the other lines of the same initiatives within its
            // window (the municipality's own premises or staff time),
            // unless a line says it is no part of it.
            let Some(cost_base) = paid_lines.checked_add(activity_costs(
                initiatives
                    .get(source.id.value.as_str())
                    .map_or(&[], Vec::as_slice),
                &windows,
                source,
            )) else {
                continue;
            };
            // Numbers are bounded (`money::MAX_NUMBER`), so this cannot
            // overflow short of ten thousand million lines; checked all the
            // same, as nothing here may panic.
            let Some(limit) = cost_base
                .checked_mul(max.value)
                .map(|x| x / Decimal::ONE_HUNDRED)
            else {
                continue;
            };
            if allocated > limit {
                let required = money::round_ore(cost_base - limit);
                let actual = cost_base - allocated;
                let Some(share) = allocated
                    .checked_mul(Decimal::ONE_HUNDRED)
                    .and_then(|x| x.checked_div(cost_base))
                    .map(money::round_ore)
                else {
                    continue;
                };
                let d = ctx
                    .diag(
                        Code::MaxShareExceeded,
                        format!(
                            "`{}` pays {} % of the {} its activity costs, more than its maximum {} %",
                            source.id.value, money::format_number(share), kr(cost_base), money::format_number(max.value)
                        ),
                        &max.span,
                        format!("{}.max_share_percent", source.key_path),
                    )
                    .label(format!("at most {} %", money::format_number(max.value)))
                    .note(format!("co-financing required: at least {}; co-financing planned: {}", kr(required), kr(actual)))
                    .help("split the lines' `funded_by` so another source pays the required co-financing");
                ctx.push(d);
            }
        }
    }
}

/// The initiatives each source pays a line of, in one pass over all lines.
fn initiatives_paid(portfolio: &Portfolio) -> IdMap<&str, Vec<&Initiative>> {
    let mut paid: IdMap<&str, Vec<&Initiative>> = IdMap::default();
    for initiative in &portfolio.initiatives {
        let mut sources: Vec<&str> = initiative
            .lines
            .iter()
            .flat_map(|l| l.payers.iter().map(|p| p.source.value.as_str()))
            .collect();
        sources.sort_unstable();
        sources.dedup();
        for source in sources {
            paid.entry(source).or_default().push(initiative);
        }
    }
    paid
}

/// What the lines of `initiatives` (those `source` pays a line of) plan,
/// that it does not pay and that do not say they are no part of its
/// activity, within its window.
fn activity_costs(
    initiatives: &[&Initiative],
    windows: &crate::report::Windows<'_>,
    source: &crate::model::FundingSource,
) -> Decimal {
    let id = source.id.value.as_str();
    let pays = |l: &BudgetLine| l.payers.iter().any(|p| p.source.value == id);
    initiatives
        .iter()
        .flat_map(|i| i.lines.iter().map(move |l| (*i, l)))
        .filter(|(_, l)| !pays(l) && !l.not_co_financing_of.iter().any(|n| n.value == id))
        .map(|(i, l)| match &source.window {
            None => l.amount,
            Some(w) => crate::report::planned_within(l, i, windows, w.value),
        })
        .fold(Decimal::ZERO, |sum, x| {
            sum.checked_add(x).unwrap_or(Decimal::MAX)
        })
}

fn unallocated(ctx: &mut Checker<'_>, source: &crate::model::FundingSource, allocated: Decimal) {
    let left = source.amount.value - allocated;
    if left.is_zero() {
        return;
    }
    let d = ctx
        .diag(
            Code::FundingUnallocated,
            format!("{} of `{}` is not allocated to any budget line", kr(left), source.id.value),
            &source.amount.span,
            format!("{}.amount", source.key_path),
        )
        .label(format!("{} of {} allocated", kr(allocated), kr(source.amount.value)))
        .help("allocate it to budget lines, or note why it is held back; unspent grant money may have to be paid back");
    ctx.push(d);
}
