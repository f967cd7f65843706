//! Dates against the periods they must fall within.
//!
//! * `INS403` a line's cost period (its phasing years or staffing months)
//!   or a target's date falls outside the initiative's period;
//! * `INS404` a line's cost period falls outside the window of a funding
//!   source that pays it;
//! * `INS405` a target is dated at or before its baseline;
//! * `INS406` a cost is booked outside the window of a source that pays
//!   its line (for a ledger import: once per line and source, at the
//!   mapping rule).
//!
//! A line stated as a plain total or a flat rate has no cost period of its
//! own: it is planned on the days its payers may pay it (the span of their
//! windows within the initiative's period, or the whole period when one of
//! them has no window), and `INS404` reports one whose payers' windows miss
//! the period altogether. A per-year `phasing` says only
//! which calendar years the money belongs to, so a phased year counts as
//! inside a period when the period includes any day of it (an initiative
//! starting in May may still phase money to that year). Staffing months
//! must lie wholly inside.

use super::Checker;
use crate::hash::IdMap;
use crate::model::{LineCost, Period, Portfolio, When};
use crate::rules::Code;

pub(super) fn check(ctx: &mut Checker<'_>, portfolio: &Portfolio) {
    let windows: IdMap<&str, &crate::source::Located<Period>> = portfolio
        .funding
        .iter()
        .filter_map(|f| f.window.as_ref().map(|w| (f.id.value.as_str(), w)))
        .collect();

    // Only costs need the lines by id; a portfolio of plans alone (the
    // common case before a year's follow-up) skips building the table.
    let mut lines: IdMap<&str, &crate::model::BudgetLine> = IdMap::default();
    if !portfolio.spending.is_empty() || !portfolio.imported.is_empty() {
        let all = portfolio.initiatives.iter().flat_map(|i| &i.lines);
        lines.reserve(all.clone().count());
        lines.extend(all.map(|l| (l.id.value.as_str(), l)));
    }
    for spending in &portfolio.spending {
        let Some(line) = lines.get(spending.line.value.as_str()) else {
            continue;
        };
        for payer in &line.payers {
            let Some(window) = windows.get(payer.source.value.as_str()) else {
                continue;
            };
            // A payer by period pays only the costs of its days.
            if payer
                .dated
                .is_some_and(|d| !d.period.contains(spending.date.value))
            {
                continue;
            }
            if !window.value.contains(spending.date.value) {
                let d = ctx
                    .diag(
                        Code::SpendingOutsideWindow,
                        format!("a cost booked {} on `{}` falls outside the window of `{}` ({})", spending.date.value, line.id.value, payer.source.value, window.value),
                        &spending.date.span,
                        format!("{}.date", spending.key_path),
                    )
                    .label("booked outside the funding window")
                    .related(ctx.locate(&window.span), "the funding window")
                    .help("a grant only pays costs that arise and are booked within its window: correct the date, or book the cost on a line paid by another source");
                ctx.push(d);
            }
        }
    }

    // Imported costs are summed per day as they are read, so a ledger's
    // costs outside a window are reported once per line and source, at the
    // mapping rule that books them, not once per row.
    for imported in &portfolio.imported {
        let Some(line) = lines.get(imported.line.value.as_str()) else {
            continue;
        };
        for payer in &line.payers {
            let Some(window) = windows.get(payer.source.value.as_str()) else {
                continue;
            };
            let outside: Vec<&crate::model::DayTotal> = imported
                .days
                .iter()
                .filter(|d| payer.dated.is_none_or(|p| p.period.contains(d.date)))
                .filter(|d| !window.value.contains(d.date))
                .collect();
            let (Some(first), Some(last)) = (outside.first(), outside.last()) else {
                continue;
            };
            let rows: u32 = outside.iter().map(|d| d.rows).sum();
            let sum: rust_decimal::Decimal = outside.iter().map(|d| d.amount).sum();
            let when = if first.date == last.date {
                format!("on {}", first.date)
            } else {
                format!("from {} to {}", first.date, last.date)
            };
            let d = ctx
                .diag(
                    Code::SpendingOutsideWindow,
                    format!(
                        "{} of ledger `{}` booked on `{}` {when} ({}) {} outside the window of `{}` ({})",
                        if rows == 1 { "1 row".to_owned() } else { format!("{rows} rows") },
                        imported.ledger,
                        line.id.value,
                        crate::money::format_kr(sum),
                        if rows == 1 { "falls" } else { "fall" },
                        payer.source.value,
                        window.value
                    ),
                    &imported.line.span,
                    imported.key_path.clone(),
                )
                .label("books costs outside the funding window")
                .related(ctx.locate(&window.span), "the funding window")
                .help("a grant only pays costs that arise and are booked within its window: narrow the mapping rule (by account or project, or to the window with `from` and `until`), or book the costs on a line paid by another source");
            ctx.push(d);
        }
    }

    for initiative in &portfolio.initiatives {
        let period = initiative.period.value;
        for line in &initiative.lines {
            let Some(cost_period) = line.cost_period else {
                // An amount or a flat rate is planned on the days its
                // payers may pay it; a line none of whose payers may pay
                // on any day of the period has nowhere to be planned.
                let hull = line.payers.iter().try_fold(None::<Period>, |hull, payer| {
                    let w = windows.get(payer.source.value.as_str())?.value;
                    Some(Some(hull.map_or(w, |h| h.hull(&w))))
                });
                if let Some(Some(hull)) = hull
                    && (hull.end < period.start || period.end < hull.start)
                {
                    let d = ctx
                        .diag(Code::OutsideFundingWindow, format!("line `{}` has no day within the initiative's period {period} on which its payers may pay it (their windows: {hull})", line.id.value), &line.id.span, format!("{}.funded_by", line.key_path))
                        .label("no day to plan its costs on")
                        .related(ctx.locate(&initiative.period.span), "the initiative's period")
                        .help("pay the line from a source whose window overlaps the period, or correct the windows");
                    ctx.push(d);
                }
                // A payer by period of a line given as an amount: its days
                // within the initiative's period must lie in its window.
                for payer in &line.payers {
                    let (Some(d), Some(window)) =
                        (payer.dated, windows.get(payer.source.value.as_str()))
                    else {
                        continue;
                    };
                    if let Some(days) = period.overlap(&d.period)
                        && !window.value.covers(&days)
                    {
                        let d = ctx
                            .diag(
                                Code::OutsideFundingWindow,
                                format!(
                                    "line `{}` is paid by `{}` {days}, outside its window ({})",
                                    line.id.value, payer.source.value, window.value
                                ),
                                &payer.source.span,
                                format!("{}.funded_by", line.key_path),
                            )
                            .label("paid outside its window")
                            .related(ctx.locate(&window.span), "the funding window")
                            .help("let the payer's `from` and `until` lie within its window");
                        ctx.push(d);
                    }
                }
                continue;
            };
            if !costs_lie_within(&line.cost, cost_period, period) {
                let d = ctx
                    .diag(Code::OutsideInitiativePeriod, format!("line `{}` plans costs {cost_period}, outside the initiative's period {period}", line.id.value), &line.id.span, format!("{}.id", line.key_path))
                    .label("costs outside the initiative's period")
                    .related(ctx.locate(&initiative.period.span), "the initiative's period")
                    .help("move the costs into the period, or extend the initiative's `period`");
                ctx.push(d);
            }
            for payer in &line.payers {
                let Some(window) = windows.get(payer.source.value.as_str()) else {
                    continue;
                };
                // A payer by period answers for the costs of its days only.
                let cost_period = match payer.dated {
                    None => cost_period,
                    Some(d) => match cost_period.overlap(&d.period) {
                        Some(days) => days,
                        None => continue,
                    },
                };
                if !costs_lie_within(&line.cost, cost_period, window.value) {
                    let d = ctx
                        .diag(Code::OutsideFundingWindow, format!("line `{}` plans costs {cost_period}, outside the window of `{}` ({})", line.id.value, payer.source.value, window.value), &payer.source.span, format!("{}.funded_by", line.key_path))
                        .label("paid outside its window")
                        .related(ctx.locate(&window.span), "the funding window")
                        .help("costs must arise within the funding window: move them, or pay the rest from another source");
                    ctx.push(d);
                }
            }
        }
        for target in &initiative.targets {
            let when = target.target.when.value;
            let inside = match when {
                When::Year(y) => period.start.year() <= y && y <= period.end.year(),
                When::Date(d) => period.contains(d),
            };
            if !inside {
                let d = ctx
                    .diag(Code::OutsideInitiativePeriod, format!("target `{}` is set for {when}, outside the initiative's period {period}", target.id.value), &target.target.when.span, format!("{}.target", target.key_path))
                    .label("outside the initiative's period")
                    .related(ctx.locate(&initiative.period.span), "the initiative's period")
                    .help("set the target within the period, or extend the initiative's `period`");
                ctx.push(d);
            }
            let baseline = target.baseline.when.value;
            if when.last_day() <= baseline.last_day() {
                let d = ctx
                    .diag(
                        Code::TargetBeforeBaseline,
                        format!(
                            "target `{}` is set for {when}, not after its baseline ({baseline})",
                            target.id.value
                        ),
                        &target.target.when.span,
                        format!("{}.target", target.key_path),
                    )
                    .label("not after the baseline")
                    .related(ctx.locate(&target.baseline.when.span), "the baseline")
                    .help("a target must lie after its baseline; check the years");
                ctx.push(d);
            }
        }
    }
}

/// Whether the `days` of a line's costs lie within `period`: a phased
/// line's days are whole years, inside when the period includes any day of
/// each; staffing months must lie wholly inside.
fn costs_lie_within(cost: &LineCost, days: Period, period: Period) -> bool {
    match cost {
        LineCost::Phased => {
            period.start.year() <= days.start.year() && days.end.year() <= period.end.year()
        }
        _ => period.covers(&days),
    }
}
