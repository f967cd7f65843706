//! Budget histories: the decisions on a line's budget or a source's amount.
//!
//! * `INS212` the last decision's amount is not the line's budget (the
//!   source's amount) now;
//! * `INS407` the decisions are not in date order, or a revision (any
//!   decision after the first) is dated outside the initiative's period
//!   (for a source: outside its window). The original decision may come
//!   before the period: budgets are decided in advance.

use super::Checker;
use crate::model::{BudgetDecision, Period, Portfolio};
use crate::money::format_kr;
use crate::rules::Code;
use crate::source::Located;

pub(super) fn check(ctx: &mut Checker<'_>, portfolio: &Portfolio) {
    for initiative in &portfolio.initiatives {
        for line in &initiative.lines {
            history(
                ctx,
                &line.budget_history,
                HistoryOf {
                    what: "line",
                    id: &line.id.value,
                    key: format!("{}.budget_history", line.key_path),
                    now: line.amount,
                    period: Some(&initiative.period),
                    period_name: "the initiative's period",
                },
            );
        }
    }
    for source in &portfolio.funding {
        history(
            ctx,
            &source.amount_history,
            HistoryOf {
                what: "source",
                id: &source.id.value,
                key: format!("{}.amount_history", source.key_path),
                now: source.amount.value,
                period: source.window.as_ref(),
                period_name: "the source's window",
            },
        );
    }
}

struct HistoryOf<'a> {
    what: &'static str,
    id: &'a str,
    key: String,
    now: rust_decimal::Decimal,
    period: Option<&'a Located<Period>>,
    period_name: &'static str,
}

fn history(ctx: &mut Checker<'_>, decisions: &[BudgetDecision], of: HistoryOf<'_>) {
    let Some(last) = decisions.last() else {
        return;
    };
    for (i, pair) in decisions.windows(2).enumerate() {
        if pair[1].date.value <= pair[0].date.value {
            let d = ctx
                .diag(
                    Code::BudgetHistoryDates,
                    format!(
                        "decision {} on {} `{}` ({}) is not after the one before it ({})",
                        i + 2,
                        of.what,
                        of.id,
                        pair[1].date.value,
                        pair[0].date.value
                    ),
                    &pair[1].date.span,
                    format!("{}[{}].date", of.key, i + 1),
                )
                .label("not after the decision before")
                .related(ctx.locate(&pair[0].date.span), "the decision before")
                .help("list the decisions oldest first, the original one first; two decisions on one day are one decision");
            ctx.push(d);
        }
    }
    if let Some(period) = of.period {
        for (i, revision) in decisions.iter().enumerate().skip(1) {
            let day = revision.date.value;
            if day < period.value.start || day > period.value.end {
                let d = ctx
                    .diag(
                        Code::BudgetHistoryDates,
                        format!(
                            "the revision of {} `{}` on {day} is outside {} ({} to {})",
                            of.what, of.id, of.period_name, period.value.start, period.value.end
                        ),
                        &revision.date.span,
                        format!("{}[{i}].date", of.key),
                    )
                    .label("outside the period")
                    .related(ctx.locate(&period.span), of.period_name)
                    .help(
                        "a revision changes a budget while it runs: check the date, or the period",
                    );
                ctx.push(d);
            }
        }
    }
    if last.amount.value != of.now {
        let d = ctx
            .diag(
                Code::BudgetHistoryMismatch,
                format!(
                    "the last decision on {} `{}` is {}, but its {} is {}",
                    of.what,
                    of.id,
                    format_kr(last.amount.value),
                    if of.what == "line" { "budget" } else { "amount" },
                    format_kr(of.now)
                ),
                &last.amount.span,
                format!("{}[{}].amount", of.key, decisions.len() - 1),
            )
            .label("the budget now, by the history")
            .help("the plan states the budget now: make its cost (or `amount`) the last decision's, or add the decision that changed it");
        ctx.push(d);
    }
}
