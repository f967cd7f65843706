//! The validated model: a portfolio of initiatives, their funding, budget
//! lines and outcome targets, with exact money and real dates.
//!
//! These types are what loading produces from the files and what the
//! checks and the reports work on. Amounts are
//! [`rust_decimal::Decimal`] in the portfolio currency with at most two
//! decimals; dates are [`jiff::civil::Date`]. Items keep the [`Located`]
//! spans of the values that diagnostics point at. Every type serialises with
//! serde, amounts as exact decimal strings.

use rust_decimal::Decimal;
use serde::Serialize;

pub use jiff::civil::Date;

use crate::source::{FileId, Located, Span};
pub use crate::vocabulary::{
    CostCategory, Direction, FundingKind, Gender, IndicatorUnit, InitiativeStatus, ScopeLevel,
};

/// A directory of plan files and shared files, loaded.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Portfolio {
    /// A name for reports (from `[portfolio]`).
    pub name: Option<String>,
    /// The one currency of every amount (ISO 4217). Default `SEK`.
    pub currency: String,
    /// How findings about money are graded (from `[portfolio]`).
    pub materiality: Materiality,
    /// The Kolada API to fetch measurements from, when not the public one
    /// (from `[portfolio]`).
    pub kolada_api_url: Option<String>,
    /// Source documents, in file order.
    pub sources: Vec<SourceDocument>,
    /// Indicator catalogue, in file order.
    pub indicators: Vec<Indicator>,
    /// Funding sources from every file, in file order.
    pub funding: Vec<FundingSource>,
    /// Initiatives, one per plan file, in file order.
    pub initiatives: Vec<Initiative>,
    /// Costs that have arisen, from `[[spending]]` in follow-up files.
    pub spending: Vec<Spending>,
    /// Costs imported from ledger exports, summed per line and day.
    pub imported: Vec<ImportedCosts>,
    /// Payments received from funders, from `[[receipt]]` and from
    /// ledger rows that `[[ledger.receipt]]` rules take.
    pub receipts: Vec<Receipt>,
    /// Reports sent to funders, from `[[submission]]`.
    pub submissions: Vec<Submission>,
    /// Observed values of targets' indicators.
    pub measurements: Vec<Measurement>,
    /// Declared ledger exports.
    pub ledgers: Vec<crate::ledger::Ledger>,
    /// (file, table kind, id) of every item that has an id but did not
    /// load (the loaded ones are in the lists above): a reference to a
    /// broken item is not reported as unknown on top of the item's own
    /// error.
    #[serde(skip)]
    pub declared: Vec<(FileId, String, String)>,
}

/// When a finding about money is serious: by the share its amount is of
/// what it concerns, with a floor below which it is never more than low.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Materiality {
    /// A finding of at least this share (percent) is high.
    pub high_percent: u32,
    /// A finding of at least this share (percent) is medium.
    pub medium_percent: u32,
    /// An amount below this is low, whatever its share.
    pub minimum: Decimal,
}

impl Default for Materiality {
    fn default() -> Self {
        Materiality {
            high_percent: 5,
            medium_percent: 1,
            minimum: Decimal::from(1_000),
        }
    }
}

/// A cost on a budget line on a day, whichever way it was recorded: the
/// one view of spending that the report reads ([`Portfolio::costs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost<'a> {
    /// The budget line id.
    pub line: &'a str,
    /// The booking day.
    pub date: Date,
    /// The amount; negative for a repayment or a correction.
    pub amount: Decimal,
}

impl Portfolio {
    /// Records the payments a ledger import found, one receipt per source
    /// and day. A ledger books income as a credit (a negative amount):
    /// received is its negation, so a debit on the account (money paid
    /// back) is a negative receipt, as in `[[receipt]]`.
    pub fn add_receipts(&mut self, imported: Vec<crate::ledger::ImportedReceipts>) {
        for source in imported {
            for day in &source.days {
                self.receipts.push(Receipt {
                    source: source.funding.clone(),
                    date: Located::new(day.date, source.funding.span.clone()),
                    amount: -day.amount,
                    reference: None,
                    note: None,
                    ledger: Some(source.ledger.clone()),
                    key_path: source.key_path.clone(),
                });
            }
        }
    }

    /// Every cost: each `[[spending]]` entry, then each imported day
    /// total, in the order they were loaded.
    pub fn costs(&self) -> impl Iterator<Item = Cost<'_>> {
        let entered = self.spending.iter().map(|s| Cost {
            line: &s.line.value,
            date: s.date.value,
            amount: s.amount,
        });
        let imported = self.imported.iter().flat_map(|i| {
            i.days.iter().map(move |d| Cost {
                line: &i.line.value,
                date: d.date,
                amount: d.amount,
            })
        });
        entered.chain(imported)
    }
}

/// The costs one ledger export books on one budget line, summed per day.
///
/// An import is aggregated as it is read, so that its memory does not grow
/// with the number of rows: the rows stay in the export, and the import's
/// control totals ([`crate::ledger::ImportSummary`]) account for each one.
#[derive(Debug, Clone, Serialize)]
pub struct ImportedCosts {
    /// The ledger id.
    pub ledger: String,
    /// The budget line id, located at the first mapping rule that names it.
    pub line: Located<String>,
    /// The TOML key path of that mapping rule, for messages.
    #[serde(skip)]
    pub key_path: String,
    /// One total per day with bookings, by day.
    pub days: Vec<DayTotal>,
}

/// The rows of one day booked on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayTotal {
    /// The booking day.
    pub date: Date,
    /// The sum of the rows.
    pub amount: Decimal,
    /// How many rows.
    pub rows: u32,
}

/// One cost booked against a budget line.
#[derive(Debug, Clone, Serialize)]
pub struct Spending {
    /// The budget line id.
    pub line: Located<String>,
    /// The booking date.
    pub date: Located<Date>,
    /// The amount; negative for a repayment or a correction.
    pub amount: Decimal,
    /// The booking text.
    pub text: Option<String>,
    /// The voucher number.
    pub voucher: Option<String>,
    /// The TOML key path or ledger row it came from, for messages.
    #[serde(skip)]
    pub key_path: String,
}

/// A payment received from a funder.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    /// The funding source id.
    pub source: Located<String>,
    /// The day it was received.
    pub date: Located<Date>,
    /// The amount; negative for money paid back.
    pub amount: Decimal,
    /// The funder's or the ledger's reference.
    pub reference: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// The ledger it was read from (a `[[ledger.receipt]]` rule), or
    /// `None` for a `[[receipt]]` written in a plan.
    pub ledger: Option<String>,
    /// The TOML key path, for messages.
    #[serde(skip)]
    pub key_path: String,
}

/// A report sent to a funder: it answers the earliest of the source's
/// `reporting` dates not yet answered by an earlier one.
#[derive(Debug, Clone, Serialize)]
pub struct Submission {
    /// The funding source id.
    pub source: Located<String>,
    /// The day it was sent.
    pub date: Located<Date>,
    /// The funder's case number or the municipality's reference.
    pub reference: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// The TOML key path, for messages.
    #[serde(skip)]
    pub key_path: String,
}

/// An observed value of a target's indicator.
#[derive(Debug, Clone, Serialize)]
pub struct Measurement {
    /// The outcome target id.
    pub target: Located<String>,
    /// The value, in the indicator's unit; none when the publisher has no
    /// value for the period (then `status` says why).
    pub value: Option<Located<Decimal>>,
    /// When it refers to.
    pub when: When,
    /// The number counted, for a share.
    pub numerator: Option<Decimal>,
    /// The number it is a share of.
    pub denominator: Option<Decimal>,
    /// Where it comes from.
    pub source: Option<String>,
    /// Whom it counts; only total values count towards a target.
    pub gender: Gender,
    /// The publisher's flag on the value, as given.
    pub status: Option<String>,
    /// The day it was fetched from its publisher.
    pub retrieved: Option<Date>,
    /// Free text.
    pub note: Option<String>,
    /// The TOML key path of the table.
    #[serde(skip)]
    pub key_path: String,
}

impl Measurement {
    /// Whether the value counts towards its target: a value, of everyone.
    pub fn counts(&self) -> bool {
        self.value.is_some() && self.gender == Gender::Total
    }
}

/// One initiative: a plan file.
#[derive(Debug, Clone, Serialize)]
pub struct Initiative {
    /// Unique id.
    pub id: Located<String>,
    /// Human-readable name.
    pub name: String,
    /// The organisation running it.
    pub organisation: String,
    /// The responsible unit.
    pub unit: Option<String>,
    /// When it runs.
    pub period: Located<Period>,
    /// Where it stands.
    pub status: InitiativeStatus,
    /// Free text.
    pub description: Option<String>,
    /// The decision behind it.
    pub decision: Option<Decision>,
    /// Ids of the source documents the plan is built from.
    pub sources: Vec<Located<String>>,
    /// The budget lines, in file order.
    pub lines: Vec<BudgetLine>,
    /// The outcome targets, in file order.
    pub targets: Vec<OutcomeTarget>,
    /// The plan file.
    #[serde(skip)]
    pub file: FileId,
}

/// An inclusive period of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Period {
    /// First day.
    pub start: Date,
    /// Last day.
    pub end: Date,
}

impl Period {
    /// The first days of the whole months of the period that fall in
    /// `year`: the months a staffing line is costed for in that year.
    pub fn months_in(&self, year: i16) -> Vec<Date> {
        (1..=12)
            .map(|month| jiff::civil::date(year, month, 1))
            .filter(|first| self.start <= *first && first.last_of_month() <= self.end)
            .collect()
    }

    /// True when `date` is within the period, both ends included.
    pub fn contains(&self, date: Date) -> bool {
        self.start <= date && date <= self.end
    }

    /// True when `other` lies entirely within this period.
    pub fn covers(&self, other: &Period) -> bool {
        self.contains(other.start) && self.contains(other.end)
    }

    /// The days both periods share, if they share any.
    pub fn overlap(&self, other: &Period) -> Option<Period> {
        let (start, end) = (self.start.max(other.start), self.end.min(other.end));
        (start <= end).then_some(Period { start, end })
    }

    /// The span from the earlier start to the later end.
    pub fn hull(&self, other: &Period) -> Period {
        Period {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} to {}", self.start, self.end)
    }
}

/// The decision behind an initiative.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    /// The deciding body.
    pub body: String,
    /// When.
    pub date: Option<Date>,
    /// The record's reference.
    pub reference: Option<String>,
    /// Free text.
    pub note: Option<String>,
}

/// A document that figures come from.
#[derive(Debug, Clone, Serialize)]
pub struct SourceDocument {
    /// The TOML key path of the table, such as `line[2]`.
    #[serde(skip)]
    pub key_path: String,

    /// Unique id.
    pub id: Located<String>,
    /// Publisher.
    pub publisher: String,
    /// Title.
    pub title: String,
    /// Publication or update date.
    pub published: Option<Date>,
    /// Address.
    pub url: Option<String>,
    /// Free text.
    pub note: Option<String>,
}

/// Where a figure comes from.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Provenance {
    /// The id of the source document it is taken from.
    pub source: Option<Located<String>>,
    /// True when the figure is made up to illustrate the plan.
    pub illustrative: bool,
    /// Free text.
    pub note: Option<String>,
}

/// One source of money.
#[derive(Debug, Clone, Serialize)]
pub struct FundingSource {
    /// The TOML key path of the table, such as `line[2]`.
    #[serde(skip)]
    pub key_path: String,

    /// Unique id.
    pub id: Located<String>,
    /// Human-readable name.
    pub name: Option<String>,
    /// Kind.
    pub kind: FundingKind,
    /// Who provides it.
    pub funder: Option<String>,
    /// The amount available.
    pub amount: Located<Decimal>,
    /// The currency as written (checked against the portfolio's).
    pub currency: Located<String>,
    /// When it may be spent.
    pub window: Option<Located<Period>>,
    /// The largest share of co-funded costs it may pay, in percent.
    pub max_share_percent: Option<Located<Decimal>>,
    /// Cost categories it may pay for; `None` for all.
    pub eligible_categories: Option<Located<Vec<CostCategory>>>,
    /// Report due dates.
    pub reporting: Vec<Date>,
    /// The funder's headings for its statement, by cost category.
    pub statement_categories: Vec<(CostCategory, String)>,
    /// The governing rules.
    pub regulation: Option<String>,
    /// Where the amount comes from.
    pub provenance: Provenance,
    /// The decisions on its amount, oldest first; the last is `amount`.
    /// Empty when none are recorded.
    pub amount_history: Vec<BudgetDecision>,
    /// The whole `[[funding]]` table.
    #[serde(skip)]
    pub span: Span,
}

/// One budget line.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetLine {
    /// The TOML key path of the table, such as `line[2]`.
    #[serde(skip)]
    pub key_path: String,

    /// Unique id.
    pub id: Located<String>,
    /// Human-readable name.
    pub name: String,
    /// Cost category.
    pub category: CostCategory,
    /// Unit or school.
    pub unit: Option<String>,
    /// Who pays how much. The parts add up to `amount` exactly.
    pub payers: Vec<Payer>,
    /// How the cost was stated.
    pub cost: LineCost,
    /// The total cost, computed exactly.
    pub amount: Decimal,
    /// The cost per calendar year, when known (from `phasing` or staffing).
    pub phasing: Vec<YearAmount>,
    /// The period in which the cost arises, when known.
    pub cost_period: Option<Period>,
    /// The targets it serves, with weights.
    pub serves: Vec<Serves>,
    /// Sources whose activity it is no part of (its costs do not count
    /// towards their maximum share).
    pub not_co_financing_of: Vec<Located<String>>,
    /// Where the amount comes from.
    pub provenance: Provenance,
    /// The decisions on its budget, oldest first: the original, then each
    /// revision; the last is `amount`. Empty when none are recorded.
    pub budget_history: Vec<BudgetDecision>,
    /// The whole `[[line]]` table.
    #[serde(skip)]
    pub span: Span,
}

/// How a line's cost was stated.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case", tag = "form")]
pub enum LineCost {
    /// A total amount.
    Total,
    /// Per-year amounts.
    Phased,
    /// FTE x monthly cost x months.
    Staffing(Staffing),
    /// A rate of other lines of one category: of their plan within the
    /// days the line's payers may pay it.
    FlatRate {
        /// Rate in percent.
        percent: Decimal,
        /// Category it is a rate of.
        of: CostCategory,
        /// Where the plan states the amount too (`amount = ...`), which
        /// must then agree with the rate.
        #[serde(skip)]
        stated: Option<Span>,
    },
}

/// Staffing figures of a line.
#[derive(Debug, Clone, Serialize)]
pub struct Staffing {
    /// Full-time equivalents.
    pub fte: Decimal,
    /// Cost per FTE and month.
    pub monthly_cost: Decimal,
    /// Whole months covered.
    pub months: u32,
    /// The months' span.
    pub period: Period,
}

/// The cost of a line in one calendar year.
#[derive(Debug, Clone, Serialize)]
pub struct YearAmount {
    /// The year.
    pub year: i16,
    /// The amount.
    pub amount: Decimal,
}

/// A funding source's part of a line.
#[derive(Debug, Clone, Serialize)]
pub struct Payer {
    /// The funding source id.
    pub source: Located<String>,
    /// The amount it pays, exact.
    pub amount: Decimal,
    /// For a payer of the costs of one period only (`from`, `until` in
    /// `funded_by`): that period, and its share of the line's costs in it.
    /// Its amount is that share of what the line plans in the period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dated: Option<DatedShare>,
}

/// A decision on a budget or a source's amount: the original, or a
/// revision.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetDecision {
    /// The day of the decision.
    pub date: Located<Date>,
    /// Which decision.
    pub decision: String,
    /// The amount decided.
    pub amount: Located<Decimal>,
}

/// A payer's period and share in a line paid by period (a grant per year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DatedShare {
    /// The days whose costs it shares in.
    pub period: Period,
    /// Its share of the line's costs in those days, in percent.
    pub share_percent: Decimal,
}

impl BudgetLine {
    /// The payers that share the costs the payer at `index` shares in:
    /// every payer of an undated line; the payers of the same period of a
    /// line paid by period.
    pub fn payer_group(&self, index: usize) -> impl Iterator<Item = (usize, &Payer)> + '_ {
        let period = self.payers[index].dated.map(|d| d.period);
        self.payers
            .iter()
            .enumerate()
            .filter(move |(_, p)| p.dated.map(|d| d.period) == period)
    }

    /// Whether the line is paid by period.
    pub fn is_paid_by_period(&self) -> bool {
        self.payers.iter().any(|p| p.dated.is_some())
    }
}

/// A target a line serves, with the weight its cost is split by.
#[derive(Debug, Clone, Serialize)]
pub struct Serves {
    /// The target id.
    pub target: Located<String>,
    /// Relative weight, 1 unless stated.
    pub weight: Decimal,
}

/// An outcome target.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeTarget {
    /// The TOML key path of the table, such as `line[2]`.
    #[serde(skip)]
    pub key_path: String,

    /// Unique id.
    pub id: Located<String>,
    /// The indicator id.
    pub indicator: Located<String>,
    /// Scope level.
    pub scope_level: ScopeLevel,
    /// Scope name.
    pub scope: String,
    /// The scope's id in Kolada (a municipality code or a school unit's
    /// organisational-unit id).
    pub kolada_id: Option<Located<String>>,
    /// The starting value.
    pub baseline: Observation,
    /// The value aimed for.
    pub target: Observation,
    /// For percentages, the cohort size.
    pub cohort: Option<u32>,
    /// Free text.
    pub note: Option<String>,
    /// The whole `[[target]]` table.
    #[serde(skip)]
    pub span: Span,
}

/// A value at a time.
#[derive(Debug, Clone, Serialize)]
pub struct Observation {
    /// The value.
    pub value: Located<Decimal>,
    /// When.
    pub when: Located<When>,
    /// Where the value comes from.
    pub provenance: Provenance,
}

/// The time an observation refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum When {
    /// A calendar year (yearly statistics).
    Year(i16),
    /// A day.
    Date(Date),
}

impl When {
    /// The last day the observation can refer to: 31 December for a year.
    pub fn last_day(self) -> Date {
        match self {
            When::Year(y) => jiff::civil::date(y, 12, 31),
            When::Date(d) => d,
        }
    }

    /// The first day the observation can refer to: 1 January for a year.
    pub fn first_day(self) -> Date {
        match self {
            When::Year(y) => jiff::civil::date(y, 1, 1),
            When::Date(d) => d,
        }
    }
}

impl std::fmt::Display for When {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            When::Year(y) => write!(f, "{y}"),
            When::Date(d) => write!(f, "{d}"),
        }
    }
}

/// An indicator in the catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct Indicator {
    /// The TOML key path of the table, such as `line[2]`.
    #[serde(skip)]
    pub key_path: String,

    /// Unique id.
    pub id: Located<String>,
    /// What it measures.
    pub name: String,
    /// Unit.
    pub unit: IndicatorUnit,
    /// Direction of improvement.
    pub direction: Direction,
    /// An id in an external database.
    pub external_id: Option<String>,
    /// Publisher.
    pub provider: Option<String>,
    /// Free text.
    pub note: Option<String>,
}
