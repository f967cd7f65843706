//! Since the last report: a report compared with an earlier one of the
//! same portfolio, figure by figure, with the items that appeared or
//! disappeared and the findings that are new or resolved.
//!
//! Only what changed is listed: a report compared with itself has no
//! changes, no items and no new or resolved findings
//! ([`Comparison::is_unchanged`]).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::Date;
use crate::report::{Finding, MoneyFigures, Report};

/// What a compared figure belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    /// The portfolio (its id is empty).
    Portfolio,
    /// An initiative.
    Initiative,
    /// A budget line (its id is `initiative/line`).
    Line,
    /// A funding source.
    Funding,
    /// An outcome target.
    Target,
}

/// One figure that differs between the reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FigureChange {
    /// What it belongs to.
    pub kind: ItemKind,
    /// Its id.
    pub id: String,
    /// The figure, by its name in the JSON report (`spent_to_date`).
    pub figure: String,
    /// In the earlier report.
    pub previous: Decimal,
    /// In this one.
    pub current: Decimal,
}

impl FigureChange {
    /// Current less previous.
    pub fn change(&self) -> Decimal {
        self.current - self.previous
    }
}

/// An item in one report and not the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemChange {
    /// What it is.
    pub kind: ItemKind,
    /// Its id.
    pub id: String,
    /// Its budget (a source: its amount) in the report that has it; none
    /// for a target.
    pub amount: Option<Decimal>,
}

/// Two reports of a portfolio compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// The earlier report's as-of date.
    pub previous_as_of: Date,
    /// Figures that differ, in the current report's order.
    pub changes: Vec<FigureChange>,
    /// Items only in the current report.
    pub appeared: Vec<ItemChange>,
    /// Items only in the earlier report.
    pub disappeared: Vec<ItemChange>,
    /// Findings only in the current report.
    pub new_findings: Vec<Finding>,
    /// Findings only in the earlier report.
    pub resolved_findings: Vec<Finding>,
    /// Findings in both (by kind and subject; the amount may differ), as
    /// the current report has them.
    pub open_findings: Vec<Finding>,
}

impl Comparison {
    /// Whether nothing changed but the date.
    pub fn is_unchanged(&self) -> bool {
        self.changes.is_empty()
            && self.appeared.is_empty()
            && self.disappeared.is_empty()
            && self.new_findings.is_empty()
            && self.resolved_findings.is_empty()
    }
}

/// The figures of a level that are compared, by their JSON names.
fn money(m: &MoneyFigures) -> [(&'static str, Decimal); 6] {
    [
        ("budget", m.budget),
        ("planned_to_date", m.planned_to_date),
        ("spent_to_date", m.spent_to_date),
        ("remaining", m.remaining),
        ("forecast", m.forecast),
        ("variance", m.variance),
    ]
}

/// Every compared figure of a report: (kind, id, figure, value), in the
/// report's order, and every item with its amount.
#[allow(clippy::type_complexity)]
fn figures(
    r: &Report,
) -> (
    Vec<(ItemKind, String, &'static str, Decimal)>,
    Vec<ItemChange>,
) {
    let mut out = Vec::new();
    let mut items = Vec::new();
    for (name, v) in money(&r.portfolio) {
        out.push((ItemKind::Portfolio, String::new(), name, v));
    }
    for i in &r.initiatives {
        items.push(ItemChange {
            kind: ItemKind::Initiative,
            id: i.id.clone(),
            amount: Some(i.money.budget),
        });
        for (name, v) in money(&i.money) {
            out.push((ItemKind::Initiative, i.id.clone(), name, v));
        }
        for l in &i.lines {
            let id = format!("{}/{}", i.id, l.id);
            items.push(ItemChange {
                kind: ItemKind::Line,
                id: id.clone(),
                amount: Some(l.money.budget),
            });
            for (name, v) in money(&l.money) {
                out.push((ItemKind::Line, id.clone(), name, v));
            }
        }
    }
    for f in &r.funding {
        items.push(ItemChange {
            kind: ItemKind::Funding,
            id: f.id.clone(),
            amount: Some(f.amount),
        });
        let mut fs = vec![
            ("amount", f.amount),
            ("allocated", f.allocated),
            ("spent_to_date", f.spent_to_date),
            ("left", f.left),
            ("forecast_unspent", f.forecast_unspent),
            ("charged", f.charged),
        ];
        fs.extend(f.received.map(|v| ("received", v)));
        fs.extend(f.to_repay.map(|v| ("to_repay", v)));
        for (name, v) in fs {
            out.push((ItemKind::Funding, f.id.clone(), name, v));
        }
    }
    for t in &r.targets {
        items.push(ItemChange {
            kind: ItemKind::Target,
            id: t.id.clone(),
            amount: None,
        });
        if let Some(p) = t.progress {
            out.push((ItemKind::Target, t.id.clone(), "progress", p));
        }
        out.push((
            ItemKind::Target,
            t.id.clone(),
            "spent_to_date",
            t.spent_to_date,
        ));
    }
    (out, items)
}

/// Compares `current` with the `previous` report.
pub fn compare(previous: &Report, current: &Report) -> Comparison {
    let (old, old_items) = figures(previous);
    let (new, new_items) = figures(current);
    let mut old_by_key: std::collections::HashMap<(ItemKind, &str, &str), Decimal> =
        std::collections::HashMap::with_capacity(old.len());
    for (kind, id, name, v) in &old {
        old_by_key.insert((*kind, id.as_str(), *name), *v);
    }
    let changes = new
        .iter()
        .filter_map(|(kind, id, name, v)| {
            let before = old_by_key.get(&(*kind, id.as_str(), *name))?;
            (before != v).then(|| FigureChange {
                kind: *kind,
                id: id.clone(),
                figure: (*name).to_owned(),
                previous: *before,
                current: *v,
            })
        })
        .collect();
    let has = |items: &[ItemChange], i: &ItemChange| {
        items.iter().any(|o| o.kind == i.kind && o.id == i.id)
    };
    let appeared = new_items
        .iter()
        .filter(|i| !has(&old_items, i))
        .cloned()
        .collect();
    let disappeared = old_items
        .iter()
        .filter(|i| !has(&new_items, i))
        .cloned()
        .collect();
    let same = |a: &Finding, b: &Finding| a.kind == b.kind && a.subject == b.subject;
    let new_findings: Vec<Finding> = current
        .findings
        .iter()
        .filter(|f| !previous.findings.iter().any(|p| same(p, f)))
        .cloned()
        .collect();
    let resolved_findings: Vec<Finding> = previous
        .findings
        .iter()
        .filter(|p| !current.findings.iter().any(|f| same(p, f)))
        .cloned()
        .collect();
    let open_findings = current
        .findings
        .iter()
        .filter(|f| previous.findings.iter().any(|p| same(p, f)))
        .cloned()
        .collect();
    Comparison {
        previous_as_of: previous.as_of,
        changes,
        appeared,
        disappeared,
        new_findings,
        resolved_findings,
        open_findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{FindingKind, FindingSeverity};

    fn report(findings: Vec<Finding>) -> Report {
        Report {
            format_version: crate::report::REPORT_FORMAT_VERSION,
            as_of: jiff::civil::date(2024, 6, 30),
            forecast_method: crate::report::ForecastMethod::Plan,
            currency: "SEK".into(),
            portfolio: MoneyFigures::default(),
            initiatives: vec![],
            funding: vec![],
            targets: vec![],
            findings,
        }
    }

    fn finding(kind: FindingKind, subject: &str, amount: i64) -> Finding {
        Finding {
            severity: FindingSeverity::High,
            kind,
            subject: subject.into(),
            amount: Some(Decimal::from(amount)),
        }
    }

    #[test]
    fn a_finding_is_the_same_by_kind_and_subject() {
        let before = report(vec![finding(FindingKind::OverspentLine, "resor", 2_000)]);
        // The same finding with a new amount is still open; another kind
        // on the same line is new, and the first kind resolved.
        let after = report(vec![finding(FindingKind::OverspentLine, "resor", 3_000)]);
        let c = compare(&before, &after);
        assert_eq!(c.open_findings.len(), 1);
        assert_eq!(c.open_findings[0].amount, Some(Decimal::from(3_000)));
        assert!(c.is_unchanged());
        let other = report(vec![finding(
            FindingKind::NoMeasurementForSpending,
            "resor",
            2_000,
        )]);
        let c = compare(&before, &other);
        assert_eq!(c.new_findings.len(), 1);
        assert_eq!(c.resolved_findings.len(), 1);
        assert!(c.open_findings.is_empty());
    }
}
