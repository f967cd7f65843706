//! What a change to a plan does to the money: two versions of a portfolio
//! compared initiative by initiative, line by line and source by source,
//! in kronor, with the problems the change introduces or fixes.
//!
//! Items are matched by id. A line whose id changed but whose name and
//! category did not is the same line, with its previous id, not one line
//! removed and another added. Only what changed is listed: the diff of a
//! portfolio with itself is empty ([`PortfolioDiff::is_empty`]).

use std::path::Path;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::{BudgetLine, Initiative, Portfolio};
use crate::{Diagnostic, Severity};

/// A figure before and after; none where the item did not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    /// Before the change.
    pub before: Option<Decimal>,
    /// After it.
    pub after: Option<Decimal>,
}

impl Figure {
    fn new(before: Option<Decimal>, after: Option<Decimal>) -> Self {
        Figure { before, after }
    }

    /// After less before, a missing side counting as zero.
    pub fn change(&self) -> Decimal {
        self.after.unwrap_or_default() - self.before.unwrap_or_default()
    }

    /// Whether the figure differs (100 and 100.00 do not).
    pub fn changed(&self) -> bool {
        self.before != self.after
    }
}

/// Whether an item is new, gone, or in both versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Presence {
    /// Only after the change.
    Added,
    /// Only before it.
    Removed,
    /// In both, changed.
    Changed,
}

/// A figure of one calendar year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearFigure {
    /// The year.
    pub year: i16,
    /// Its figure.
    pub figure: Figure,
}

/// What one funding source pays of a line, before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayerFigure {
    /// The funding source.
    pub source: String,
    /// What it pays of the line.
    pub figure: Figure,
}

/// A budget line that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineDiff {
    /// Its id (after the change, for one in both).
    pub id: String,
    /// Its id before the change, when that was another.
    pub previous_id: Option<String>,
    /// Its name after the change (before, for a removed line).
    pub name: String,
    /// Its name before the change, when that was another.
    pub previous_name: Option<String>,
    /// New, gone or changed.
    pub presence: Presence,
    /// Its total cost.
    pub amount: Figure,
    /// Its cost per calendar year, the years that changed.
    pub years: Vec<YearFigure>,
    /// What each source pays of it, the sources whose part changed.
    pub payers: Vec<PayerFigure>,
}

/// An initiative with changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitiativeDiff {
    /// Its id.
    pub id: String,
    /// Its name after the change (before, for a removed one).
    pub name: String,
    /// New, gone or changed.
    pub presence: Presence,
    /// The sum of its lines' costs.
    pub budget: Figure,
    /// Its lines that changed.
    pub lines: Vec<LineDiff>,
}

/// A funding source with changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundingDiff {
    /// Its id.
    pub id: String,
    /// New, gone or changed.
    pub presence: Presence,
    /// Its amount.
    pub amount: Figure,
    /// What lines are planned to take from it.
    pub allocated: Figure,
    /// For a source with a maximum share, what the other payers of its
    /// lines pay of them: the co-financing; none for other sources.
    pub co_financing: Figure,
    /// Its maximum share of the costs, in percent.
    pub max_share_percent: Figure,
}

/// A problem in one version that the other has not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemDiff {
    /// The code, `INS302`.
    pub code: String,
    /// Error or warning.
    pub severity: Severity,
    /// The message.
    pub message: String,
    /// The file, relative to its portfolio's directory.
    pub file: Option<String>,
    /// The line in the version that has it.
    pub line: Option<usize>,
}

/// Problems that differ between the versions. A problem is the same in
/// both when its code, file and message are: an edit that moves it to
/// another line does not introduce it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemsDiff {
    /// Errors before and after.
    pub errors: Figure,
    /// Warnings before and after.
    pub warnings: Figure,
    /// In the new version only.
    pub introduced: Vec<ProblemDiff>,
    /// In the old version only.
    pub fixed: Vec<ProblemDiff>,
}

/// Two versions of a portfolio compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortfolioDiff {
    /// The sum of every initiative's lines.
    pub budget: Figure,
    /// Initiatives with changes, in the new version's order, removed ones
    /// last.
    pub initiatives: Vec<InitiativeDiff>,
    /// Funding sources with changes, in the same order.
    pub funding: Vec<FundingDiff>,
    /// Problems introduced and fixed.
    pub problems: ProblemsDiff,
}

impl PortfolioDiff {
    /// Whether nothing changed: no figure, no item, no problem.
    pub fn is_empty(&self) -> bool {
        !self.budget.changed()
            && self.initiatives.is_empty()
            && self.funding.is_empty()
            && self.problems.introduced.is_empty()
            && self.problems.fixed.is_empty()
    }
}

/// One version: its portfolio, its problems, and the directory its file
/// paths are relative to (for matching problems across versions).
#[derive(Debug, Clone, Copy)]
pub struct Version<'a> {
    /// The portfolio as loaded.
    pub portfolio: &'a Portfolio,
    /// Every problem found.
    pub diagnostics: &'a [Diagnostic],
    /// The portfolio's directory.
    pub root: &'a Path,
}

/// Compares two versions of a portfolio.
pub fn diff(before: Version<'_>, after: Version<'_>) -> PortfolioDiff {
    let budget = Figure::new(
        Some(total_budget(before.portfolio)),
        Some(total_budget(after.portfolio)),
    );
    let mut initiatives = Vec::new();
    for new in &after.portfolio.initiatives {
        let old = find(&before.portfolio.initiatives, |i| {
            i.id.value == new.id.value
        });
        if let Some(d) = initiative_diff(old, Some(new)) {
            initiatives.push(d);
        }
    }
    for old in &before.portfolio.initiatives {
        if find(&after.portfolio.initiatives, |i| i.id.value == old.id.value).is_none() {
            initiatives.extend(initiative_diff(Some(old), None));
        }
    }
    let mut funding = Vec::new();
    let ids = after
        .portfolio
        .funding
        .iter()
        .map(|f| f.id.value.as_str())
        .chain(
            before
                .portfolio
                .funding
                .iter()
                .map(|f| f.id.value.as_str())
                .filter(|id| !after.portfolio.funding.iter().any(|f| f.id.value == *id)),
        )
        .collect::<Vec<_>>();
    for id in ids {
        funding.extend(funding_diff(id, before.portfolio, after.portfolio));
    }
    PortfolioDiff {
        budget,
        initiatives,
        funding,
        problems: problems_diff(before, after),
    }
}

fn find<T>(items: &[T], pred: impl Fn(&T) -> bool) -> Option<&T> {
    items.iter().find(|i| pred(i))
}

fn total_budget(p: &Portfolio) -> Decimal {
    p.initiatives
        .iter()
        .flat_map(|i| &i.lines)
        .map(|l| l.amount)
        .sum()
}

fn initiative_budget(i: &Initiative) -> Decimal {
    i.lines.iter().map(|l| l.amount).sum()
}

fn presence<T>(before: Option<T>, after: Option<T>) -> Presence {
    match (before, after) {
        (None, _) => Presence::Added,
        (_, None) => Presence::Removed,
        _ => Presence::Changed,
    }
}

fn initiative_diff(
    before: Option<&Initiative>,
    after: Option<&Initiative>,
) -> Option<InitiativeDiff> {
    let either = after.or(before)?;
    let empty: &[BudgetLine] = &[];
    let old_lines = before.map_or(empty, |i| &i.lines);
    let new_lines = after.map_or(empty, |i| &i.lines);
    // A line is the same line when its id is, or, for a line only in one
    // version, when the other has one of the same name and category.
    let mut pairs: Vec<(Option<&BudgetLine>, Option<&BudgetLine>)> = Vec::new();
    let mut old_taken = vec![false; old_lines.len()];
    let mut unmatched_new = Vec::new();
    for new in new_lines {
        match old_lines.iter().position(|o| o.id.value == new.id.value) {
            Some(i) => {
                old_taken[i] = true;
                pairs.push((Some(&old_lines[i]), Some(new)));
            }
            None => unmatched_new.push(new),
        }
    }
    for new in unmatched_new {
        let renamed = old_lines
            .iter()
            .enumerate()
            .position(|(i, o)| !old_taken[i] && o.name == new.name && o.category == new.category);
        match renamed {
            Some(i) => {
                old_taken[i] = true;
                pairs.push((Some(&old_lines[i]), Some(new)));
            }
            None => pairs.push((None, Some(new))),
        }
    }
    for (i, old) in old_lines.iter().enumerate() {
        if !old_taken[i] {
            pairs.push((Some(old), None));
        }
    }
    let lines: Vec<LineDiff> = pairs
        .into_iter()
        .filter_map(|(o, n)| line_diff(o, n))
        .collect();
    let budget = Figure::new(before.map(initiative_budget), after.map(initiative_budget));
    let kept = before.is_some() && after.is_some();
    if kept && lines.is_empty() && !budget.changed() {
        return None;
    }
    Some(InitiativeDiff {
        id: either.id.value.clone(),
        name: either.name.clone(),
        presence: presence(before, after),
        budget,
        lines,
    })
}

fn line_diff(before: Option<&BudgetLine>, after: Option<&BudgetLine>) -> Option<LineDiff> {
    let either = after.or(before)?;
    let amount = Figure::new(before.map(|l| l.amount), after.map(|l| l.amount));
    let year_of = |l: Option<&BudgetLine>, year: i16| {
        l.and_then(|l| l.phasing.iter().find(|y| y.year == year).map(|y| y.amount))
    };
    let mut years: Vec<i16> = before
        .into_iter()
        .chain(after)
        .flat_map(|l| l.phasing.iter().map(|y| y.year))
        .collect();
    years.sort_unstable();
    years.dedup();
    let years: Vec<YearFigure> = years
        .into_iter()
        .map(|year| YearFigure {
            year,
            figure: Figure::new(year_of(before, year), year_of(after, year)),
        })
        .filter(|y| y.figure.changed())
        .collect();
    let paid_by = |l: Option<&BudgetLine>, source: &str| {
        l.and_then(|l| {
            let parts: Vec<Decimal> = l
                .payers
                .iter()
                .filter(|p| p.source.value == source)
                .map(|p| p.amount)
                .collect();
            (!parts.is_empty()).then(|| parts.into_iter().sum())
        })
    };
    let mut sources: Vec<&str> = Vec::new();
    for l in after.into_iter().chain(before) {
        for p in &l.payers {
            if !sources.contains(&p.source.value.as_str()) {
                sources.push(&p.source.value);
            }
        }
    }
    let payers: Vec<PayerFigure> = sources
        .into_iter()
        .map(|s| PayerFigure {
            source: s.to_owned(),
            figure: Figure::new(paid_by(before, s), paid_by(after, s)),
        })
        .filter(|p| p.figure.changed())
        .collect();
    let previous_id = match (before, after) {
        (Some(o), Some(n)) if o.id.value != n.id.value => Some(o.id.value.clone()),
        _ => None,
    };
    let previous_name = match (before, after) {
        (Some(o), Some(n)) if o.name != n.name => Some(o.name.clone()),
        _ => None,
    };
    let kept = before.is_some() && after.is_some();
    if kept
        && !amount.changed()
        && years.is_empty()
        && payers.is_empty()
        && previous_id.is_none()
        && previous_name.is_none()
    {
        return None;
    }
    Some(LineDiff {
        id: either.id.value.clone(),
        previous_id,
        name: either.name.clone(),
        previous_name,
        presence: presence(before, after),
        amount,
        years,
        payers,
    })
}

fn funding_diff(id: &str, before: &Portfolio, after: &Portfolio) -> Option<FundingDiff> {
    let old = find(&before.funding, |f| f.id.value == id);
    let new = find(&after.funding, |f| f.id.value == id);
    let allocation = |p: &Portfolio| {
        let mut own = Decimal::ZERO;
        let mut others = Decimal::ZERO;
        for line in p.initiatives.iter().flat_map(|i| &i.lines) {
            if line.payers.iter().any(|x| x.source.value == id) {
                for payer in &line.payers {
                    if payer.source.value == id {
                        own += payer.amount;
                    } else {
                        others += payer.amount;
                    }
                }
            }
        }
        (own, others)
    };
    let (own_before, others_before) = allocation(before);
    let (own_after, others_after) = allocation(after);
    let d = FundingDiff {
        id: id.to_owned(),
        presence: presence(old, new),
        amount: Figure::new(old.map(|f| f.amount.value), new.map(|f| f.amount.value)),
        allocated: Figure::new(old.map(|_| own_before), new.map(|_| own_after)),
        co_financing: Figure::new(
            old.filter(|f| f.max_share_percent.is_some())
                .map(|_| others_before),
            new.filter(|f| f.max_share_percent.is_some())
                .map(|_| others_after),
        ),
        max_share_percent: Figure::new(
            old.and_then(|f| f.max_share_percent.as_ref().map(|m| m.value)),
            new.and_then(|f| f.max_share_percent.as_ref().map(|m| m.value)),
        ),
    };
    let changed = d.amount.changed()
        || d.allocated.changed()
        || d.co_financing.changed()
        || d.max_share_percent.changed();
    (old.is_none() || new.is_none() || changed).then_some(d)
}

fn problem(d: &Diagnostic, root: &Path) -> ProblemDiff {
    ProblemDiff {
        code: d.code.as_str().to_owned(),
        severity: d.severity,
        message: d.message.clone(),
        file: d.location.as_ref().map(|l| {
            let relative = l.file.strip_prefix(root).unwrap_or(&l.file);
            relative.to_string_lossy().replace('\\', "/")
        }),
        line: d.location.as_ref().map(|l| l.line),
    }
}

fn problems_diff(before: Version<'_>, after: Version<'_>) -> ProblemsDiff {
    let old: Vec<ProblemDiff> = before
        .diagnostics
        .iter()
        .map(|d| problem(d, before.root))
        .collect();
    let new: Vec<ProblemDiff> = after
        .diagnostics
        .iter()
        .map(|d| problem(d, after.root))
        .collect();
    let same = |a: &ProblemDiff, b: &ProblemDiff| {
        a.code == b.code && a.file == b.file && a.message == b.message
    };
    // As multisets: the second of two equal problems is introduced even
    // when the first was there before.
    let only_in = |these: &[ProblemDiff], others: &[ProblemDiff]| {
        let mut used = vec![false; others.len()];
        let mut out = Vec::new();
        for p in these {
            match others
                .iter()
                .enumerate()
                .position(|(i, o)| !used[i] && same(p, o))
            {
                Some(i) => used[i] = true,
                None => out.push(p.clone()),
            }
        }
        out
    };
    let count = |ds: &[Diagnostic], s: Severity| {
        Decimal::from(ds.iter().filter(|d| d.severity == s).count())
    };
    ProblemsDiff {
        errors: Figure::new(
            Some(count(before.diagnostics, Severity::Error)),
            Some(count(after.diagnostics, Severity::Error)),
        ),
        warnings: Figure::new(
            Some(count(before.diagnostics, Severity::Warning)),
            Some(count(after.diagnostics, Severity::Warning)),
        ),
        introduced: only_in(&new, &old),
        fixed: only_in(&old, &new),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;
    use crate::diagnostic::Location;

    fn at(file: &str, line: usize) -> Location {
        Location {
            file: file.into(),
            line,
            column: 1,
            end_line: line,
            end_column: 2,
            byte_start: 0,
            byte_end: 1,
        }
    }

    #[test]
    fn a_problem_is_the_same_by_code_file_and_message_not_by_line() {
        let problem = |file: &str, line: usize| {
            Diagnostic::new(
                Code::FundingUnallocated,
                "9 600 kr of `bidrag` is not allocated",
            )
            .at(at(file, line))
        };
        let portfolio = Portfolio::default();
        let (old_root, new_root) = (Path::new("old"), Path::new("new"));
        // Moved ten lines down, in a file of the same name under each root:
        // the same problem.
        let before = [problem("old/plan.toml", 11)];
        let after = [problem("new/plan.toml", 21)];
        let d = diff(
            Version {
                portfolio: &portfolio,
                diagnostics: &before,
                root: old_root,
            },
            Version {
                portfolio: &portfolio,
                diagnostics: &after,
                root: new_root,
            },
        );
        assert!(d.is_empty(), "{d:#?}");
        // The same message in another file: fixed in one, introduced in the
        // other.
        let elsewhere = [problem("new/annan.toml", 11)];
        let d = diff(
            Version {
                portfolio: &portfolio,
                diagnostics: &before,
                root: old_root,
            },
            Version {
                portfolio: &portfolio,
                diagnostics: &elsewhere,
                root: new_root,
            },
        );
        assert_eq!(d.problems.fixed.len(), 1);
        assert_eq!(d.problems.fixed[0].file.as_deref(), Some("plan.toml"));
        assert_eq!(d.problems.introduced.len(), 1);
        assert_eq!(d.problems.introduced[0].file.as_deref(), Some("annan.toml"));
        assert_eq!(d.problems.introduced[0].line, Some(11));
    }
}
