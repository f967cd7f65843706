//! The plan file format as plain serde types, mirroring the TOML.
//!
//! These types say which keys exist and what type each value has, and
//! nothing more: whether an amount adds up, a reference resolves or a date
//! falls within a period is decided by loading and checking (see
//! [`crate::validate`]), which turn these types into the validated [`crate::model`]. Keeping the
//! two apart (as cargo does with `cargo-util-schemas`) lets the schema be
//! exported as JSON Schema for editors while the model stays free to change.
//!
//! Unknown keys are not rejected here: the loader collects every one of them
//! and reports each with a suggestion.
//!
//! A file is one of two kinds. A **plan file** has an `[initiative]` table
//! and holds one initiative's lines and targets. A **shared file** has none
//! and holds what several initiatives use: `[portfolio]` settings, funding
//! sources, indicators and source documents. Both kinds may hold
//! `[[funding]]`, `[[indicator]]` and `[[source]]`.

use std::collections::BTreeMap;

#[cfg(feature = "schema")]
mod editor;
#[cfg(feature = "schema")]
pub use editor::json_schema;

/// The JSON Schema (draft 2020-12) of plan and follow-up files, as
/// `insats schema` prints it: what editors (Even Better TOML, taplo) use
/// for completion, hover documentation and inline errors, and where the
/// loader finds the keys and values it suggests in "did you mean".
///
/// It is committed text, so that the core needs no schema generator
/// (`schemars`) to read plan files; with the `schema` feature,
/// [`json_schema`] derives it from these types, and a test fails when the
/// two differ (`INSATS_UPDATE_SCHEMA=1 cargo test -p insats --test schema`
/// writes it anew).
pub const JSON_SCHEMA: &str = include_str!("insats.schema.json");

use serde::Deserialize;

use crate::vocabulary::{
    CostCategory, Direction, FundingKind, Gender, IndicatorUnit, InitiativeStatus, ScopeLevel,
};
pub use crate::vocabulary::{
    DateFormat, DecimalMark, LedgerEncoding, LedgerFormat, ThousandsSeparator,
};

/// One file as written: a plan file (with `[initiative]`) or a shared file.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlDocument {
    /// Settings for the whole portfolio; at most one file may hold them.
    pub portfolio: Option<TomlPortfolio>,
    /// The initiative this file plans. Its presence makes the file a plan file.
    pub initiative: Option<TomlInitiative>,
    /// Documents that figures in the portfolio are taken from.
    #[serde(default)]
    pub source: Vec<TomlSourceDocument>,
    /// Where money comes from.
    #[serde(default)]
    pub funding: Vec<TomlFundingSource>,
    /// What the money is spent on.
    #[serde(default)]
    pub line: Vec<TomlBudgetLine>,
    /// What the spending is meant to achieve.
    #[serde(default)]
    pub target: Vec<TomlOutcomeTarget>,
    /// How outcomes are measured.
    #[serde(default)]
    pub indicator: Vec<TomlIndicator>,
    /// Costs that have arisen (follow-up).
    #[serde(default)]
    pub spending: Vec<TomlSpending>,
    /// Payments received from funders (follow-up).
    #[serde(default)]
    pub receipt: Vec<TomlReceipt>,
    /// Reports sent to funders (follow-up).
    #[serde(default)]
    pub submission: Vec<TomlSubmission>,
    /// Observed values of targets' indicators (follow-up).
    #[serde(default)]
    pub measurement: Vec<TomlMeasurement>,
    /// Ledger exports to import spending from (follow-up).
    #[serde(default)]
    pub ledger: Vec<TomlLedger>,
}

/// `[portfolio]`: settings for every file in the directory.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlPortfolio {
    /// A name for the portfolio, shown in reports.
    pub name: Option<String>,
    /// ISO 4217 code of the one currency all amounts are in. Default `SEK`.
    pub currency: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// How findings about money are graded by the amount at stake.
    pub materiality: Option<TomlMateriality>,
    /// The Kolada API that `insats fetch kolada` reads, for a mirror or a
    /// proxy. Default `https://api.kolada.se/v3`.
    pub kolada_api_url: Option<String>,
}

/// `[portfolio.materiality]`: when a finding about money is serious. A
/// finding is high when its amount is at least `high_percent` of what it
/// concerns (a line's budget, a source's amount, the co-financing
/// required), medium from `medium_percent`, low below that or under
/// `minimum` kronor.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlMateriality {
    /// Default 5.
    pub high_percent: Option<u32>,
    /// Default 1.
    pub medium_percent: Option<u32>,
    /// Whole kronor below which a finding is low whatever its share.
    /// Default 1 000.
    pub minimum: Option<u64>,
}

/// `[initiative]`: what is being done, by whom, when, and on whose decision.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlInitiative {
    /// Unique id, e.g. `botkyrka-jamlik-kompetensforsorjning`.
    #[cfg_attr(feature = "schema", schemars(example = &"botkyrka-jamlik-kompetensforsorjning"))]
    pub id: String,
    /// Human-readable name.
    #[cfg_attr(feature = "schema", schemars(example = &"Jämlik kompetensförsörjning i grundskolan"))]
    pub name: String,
    /// The organisation that runs it, e.g. `Botkyrka kommun`.
    #[cfg_attr(feature = "schema", schemars(example = &"Botkyrka kommun"))]
    pub organisation: String,
    /// The responsible unit (committee, department, administration).
    pub unit: Option<String>,
    /// When the initiative runs.
    pub period: TomlPeriod,
    /// `planned`, `active`, `completed` or `cancelled`. Default `planned`.
    pub status: Option<InitiativeStatus>,
    /// Free text.
    pub description: Option<String>,
    /// The decision behind the initiative.
    pub decision: Option<TomlDecision>,
    /// Ids of the `[[source]]` documents the plan is built from.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// A period from `start` to `end`, both inclusive TOML dates.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlPeriod {
    /// First day.
    #[cfg_attr(feature = "schema", schemars(with = "editor::DateSchema"))]
    pub start: TomlDate,
    /// Last day.
    #[cfg_attr(feature = "schema", schemars(with = "editor::DateSchema"))]
    pub end: TomlDate,
}

/// The decision behind an initiative.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlDecision {
    /// The deciding body, e.g. `Utbildningsnämnden`.
    pub body: String,
    /// The date of the decision.
    #[cfg_attr(feature = "schema", schemars(with = "Option<editor::DateSchema>"))]
    pub date: Option<TomlDate>,
    /// The record's reference (diarienummer, paragraph).
    pub reference: Option<String>,
    /// Free text, e.g. what is not known about the decision.
    pub note: Option<String>,
}

/// `[[source]]`: a document that figures are taken from.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlSourceDocument {
    /// Unique id, cited by `source = "..."` on figures.
    pub id: String,
    /// Who published it.
    pub publisher: String,
    /// Its title.
    pub title: String,
    /// When it was published or last updated.
    #[cfg_attr(feature = "schema", schemars(with = "Option<editor::DateSchema>"))]
    pub published: Option<TomlDate>,
    /// Where it can be found.
    pub url: Option<String>,
    /// Free text, e.g. "undated web page".
    pub note: Option<String>,
}

/// `[[funding]]`: one source of money and its conditions.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlFundingSource {
    /// Unique id, referred to by budget lines' `funded_by`.
    pub id: String,
    /// Human-readable name.
    pub name: Option<String>,
    /// `state-grant`, `municipal-budget`, `co-financing` or `other`.
    pub kind: FundingKind,
    /// Who provides the money, e.g. `Tillväxtverket`.
    #[cfg_attr(feature = "schema", schemars(example = &"Tillväxtverket"))]
    pub funder: Option<String>,
    /// The amount available, in the portfolio currency.
    #[cfg_attr(feature = "schema", schemars(example = 8_800_000))]
    pub amount: TomlDecimal,
    /// ISO 4217 code; must equal the portfolio currency. Default `SEK`.
    pub currency: Option<String>,
    /// When the money may be spent (costs must arise within it).
    pub window: Option<TomlPeriod>,
    /// The largest share of the costs it co-funds that this source may pay,
    /// in percent (90 for the 2018 segregation grant).
    #[cfg_attr(feature = "schema", schemars(example = 90))]
    pub max_share_percent: Option<TomlDecimal>,
    /// The cost categories it may pay for; all when absent.
    pub eligible_categories: Option<Vec<CostCategory>>,
    /// The funder's own headings for its statement, by cost category:
    /// `{ personnel = "Personal", equipment-premises = "Lärverktyg" }`.
    /// Categories that share a heading are one row; a category without
    /// one keeps its own row.
    pub statement_categories: Option<BTreeMap<CostCategory, String>>,
    /// Dates by which reports to the funder are due.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<editor::DateSchema>"))]
    pub reporting: Vec<TomlDate>,
    /// The rules it is granted under, e.g. `SFS 2018:151`.
    #[cfg_attr(feature = "schema", schemars(example = &"SFS 2018:151"))]
    pub regulation: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// Id of the `[[source]]` document its amount comes from.
    pub source: Option<String>,
    /// True when the amount is not from a source document but made up to
    /// illustrate the plan.
    pub illustrative: Option<bool>,
    /// The decisions on the source's amount, oldest first: the original
    /// grant or appropriation, then each change. The last is the amount now
    /// and must be the source's `amount`.
    pub amount_history: Option<Vec<TomlBudgetDecision>>,
}

/// `[[line]]`: one budget line.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlBudgetLine {
    /// Unique id.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// The grant-reporting cost category.
    pub category: CostCategory,
    /// The unit or school the money is spent at.
    pub unit: Option<String>,
    /// Who pays: one funding source id, or a split.
    pub funded_by: TomlFundedBy,
    /// The total cost.
    pub amount: Option<TomlDecimal>,
    /// The cost per calendar year, keyed by year: `{ 2019 = 1_500_000 }`.
    pub phasing: Option<BTreeMap<String, TomlDecimal>>,
    /// The cost as staffing.
    pub staffing: Option<TomlStaffing>,
    /// The cost as a flat rate of other lines (indirect costs).
    pub flat_rate: Option<TomlFlatRate>,
    /// The outcome targets the line is meant to move: ids, or
    /// `{ target = "id", weight = 2 }` to split its cost unequally.
    pub serves: Vec<TomlServes>,
    /// Funding sources whose activity this line is no part of: its costs
    /// do not count towards their maximum share, as they otherwise do for
    /// every source paying a line of the same initiative.
    #[serde(default)]
    pub not_co_financing_of: Vec<String>,
    /// Free text.
    pub note: Option<String>,
    /// Id of the `[[source]]` document its amount comes from.
    pub source: Option<String>,
    /// True when the amount is made up to illustrate the plan.
    pub illustrative: Option<bool>,
    /// The decisions on the line's budget, oldest first: the original
    /// decision, then each revision. The last is the budget now and must be
    /// the line's cost; the report shows the original beside it.
    pub budget_history: Option<Vec<TomlBudgetDecision>>,
}

/// One decision on a budget or an amount: when, which decision, and the
/// amount decided.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlBudgetDecision {
    /// The day of the decision.
    #[cfg_attr(feature = "schema", schemars(with = "editor::DateSchema"))]
    pub date: TomlDate,
    /// The decision: body, date and paragraph (`BUN 2024-05-20 § 41`).
    pub decision: String,
    /// The amount decided.
    pub amount: TomlDecimal,
}

/// Who pays a budget line.
#[derive(Debug, Clone)]
// Read by hand (below); `untagged` tells schemars how the forms are written.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), serde(untagged))]
pub enum TomlFundedBy {
    /// One funding source pays all of it.
    One(String),
    /// Several sources share it.
    Split(Vec<TomlPayer>),
}

// The two either-or types below are read with plain visitors: the string
// form, or the list (or table) form, chosen by what the TOML holds. Through
// `serde-untagged` (type-erased) reading `funded_by` alone was a tenth of
// the time of `insats validate` on generated portfolios; the messages for
// a wrong type are the same ("invalid type: ..., expected ...").
impl<'de> Deserialize<'de> for TomlFundedBy {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Either;
        impl<'de> serde::de::Visitor<'de> for Either {
            type Value = TomlFundedBy;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "a funding source id, or a list of { source, share_percent } or { source, amount }",
                )
            }
            fn visit_str<E: serde::de::Error>(self, id: &str) -> Result<TomlFundedBy, E> {
                Ok(TomlFundedBy::One(id.to_owned()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<TomlFundedBy, A::Error> {
                Vec::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
                    .map(TomlFundedBy::Split)
            }
        }
        deserializer.deserialize_any(Either)
    }
}

/// One payer in a line's `funded_by`: a funding source with its
/// `share_percent` or `amount` of the line.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlPayer {
    /// The funding source id.
    pub source: String,
    /// Its share of the line, in percent.
    pub share_percent: Option<TomlDecimal>,
    /// Its part of the line, as an amount.
    pub amount: Option<TomlDecimal>,
    /// It pays (its share of) the line's costs from this day: a grant per
    /// year pays the costs of its year. With `from` or `until`, each
    /// period's payers share its costs by `share_percent` (a lone payer of
    /// a period pays all of it).
    #[cfg_attr(feature = "schema", schemars(with = "Option<editor::DateSchema>"))]
    pub from: Option<TomlDate>,
    /// It pays (its share of) the line's costs until this day.
    #[cfg_attr(feature = "schema", schemars(with = "Option<editor::DateSchema>"))]
    pub until: Option<TomlDate>,
}

/// Staffing: the cost of people, FTE x monthly cost x whole months.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlStaffing {
    /// Full-time equivalents, e.g. `7` or `0.5`.
    #[cfg_attr(feature = "schema", schemars(example = 7))]
    pub fte: TomlDecimal,
    /// Cost per FTE and month, salary and on-costs included.
    #[cfg_attr(feature = "schema", schemars(example = 65_000))]
    pub monthly_cost: TomlDecimal,
    /// First day (the first of a month).
    #[cfg_attr(feature = "schema", schemars(with = "editor::DateSchema"))]
    pub from: TomlDate,
    /// Last day (the last of a month).
    #[cfg_attr(feature = "schema", schemars(with = "editor::DateSchema"))]
    pub until: TomlDate,
}

/// A flat rate of the other lines of one category in the same initiative.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlFlatRate {
    /// The rate in percent, e.g. `15`.
    pub percent: TomlDecimal,
    /// The category it is a rate of, usually `personnel`.
    pub of: CostCategory,
}

/// A target a line serves.
#[derive(Debug, Clone)]
// Read by hand (below); `untagged` tells schemars how the forms are written.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), serde(untagged))]
pub enum TomlServes {
    /// A target the line serves, by its id (weight 1).
    Target(String),
    /// A target the line serves, with a weight for splitting the line's
    /// cost between its targets.
    Weighted {
        /// The target's id.
        target: String,
        /// Relative weight (positive).
        weight: TomlDecimal,
    },
}

impl<'de> Deserialize<'de> for TomlServes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Weighted {
            target: String,
            weight: TomlDecimal,
        }
        struct Either;
        impl<'de> serde::de::Visitor<'de> for Either {
            type Value = TomlServes;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a target id, or { target = \"id\", weight = 2 }")
            }
            fn visit_str<E: serde::de::Error>(self, id: &str) -> Result<TomlServes, E> {
                Ok(TomlServes::Target(id.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<TomlServes, A::Error> {
                Weighted::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(|w| {
                    TomlServes::Weighted {
                        target: w.target,
                        weight: w.weight,
                    }
                })
            }
        }
        deserializer.deserialize_any(Either)
    }
}

/// `[[target]]`: an outcome a line is meant to move.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlOutcomeTarget {
    /// Unique id, referred to by lines' `serves`.
    pub id: String,
    /// The indicator id (from an `[[indicator]]`).
    pub indicator: String,
    /// Where it is measured.
    pub scope: TomlScope,
    /// The value before the initiative.
    pub baseline: TomlObservation,
    /// The value aimed for, and when.
    pub target: TomlObservation,
    /// For a percentage: the number of pupils it is a share of, so that
    /// percentage points can be read as pupils.
    #[cfg_attr(feature = "schema", schemars(example = 240))]
    pub cohort: Option<u32>,
    /// Free text.
    pub note: Option<String>,
}

/// Where an outcome is measured.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlScope {
    /// `school`, `area` or `municipality`.
    pub level: ScopeLevel,
    /// The school, area or municipality.
    pub name: String,
    /// Its id in Kolada: a municipality's four-digit code (`2081`), or a
    /// school unit's organisational-unit id (`V15E208100101`). With it,
    /// `insats fetch kolada` reads the target's measurements.
    pub kolada_id: Option<String>,
}

/// A value of an indicator at a time: a year or a date.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlObservation {
    /// The value, in the indicator's unit.
    pub value: TomlDecimal,
    /// The year it refers to (for yearly statistics).
    pub year: Option<i64>,
    /// The date it refers to.
    #[cfg_attr(feature = "schema", schemars(with = "Option<editor::DateSchema>"))]
    pub date: Option<TomlDate>,
    /// Id of the `[[source]]` document the value comes from.
    pub source: Option<String>,
    /// True when the value is made up to illustrate the plan.
    pub illustrative: Option<bool>,
    /// Free text.
    pub note: Option<String>,
}

/// `[[indicator]]`: how an outcome is measured.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlIndicator {
    /// Unique id, e.g. `kolada-n15428`.
    pub id: String,
    /// What it measures.
    pub name: String,
    /// `percent`, `count`, `score`, `days` or `other`.
    pub unit: IndicatorUnit,
    /// `higher-is-better` or `lower-is-better`.
    pub direction: Direction,
    /// An id in an external database, e.g. Kolada's `N15428`.
    #[cfg_attr(feature = "schema", schemars(example = &"N15428"))]
    pub external_id: Option<String>,
    /// Who publishes it, e.g. `Kolada` or the municipality itself.
    pub provider: Option<String>,
    /// Free text, e.g. which curriculum's definition a series uses.
    pub note: Option<String>,
}

/// `[[spending]]`: one cost booked against a budget line.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlSpending {
    /// The budget line id.
    pub line: String,
    /// The booking date.
    #[cfg_attr(feature = "schema", schemars(with = "editor::DateSchema"))]
    pub date: TomlDate,
    /// The amount; negative for a repayment or a correction.
    pub amount: TomlDecimal,
    /// The booking text.
    pub text: Option<String>,
    /// The voucher number (verifikationsnummer): the audit trail back to the
    /// ledger.
    pub voucher: Option<String>,
}

/// `[[receipt]]`: a payment received from a funder: a grant paid out, in
/// whole or in part.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlReceipt {
    /// The funding source id.
    pub source: String,
    /// The day the money was received.
    #[cfg_attr(feature = "schema", schemars(with = "editor::DateSchema"))]
    pub date: TomlDate,
    /// The amount received; negative for money paid back.
    pub amount: TomlDecimal,
    /// The funder's or the ledger's reference (a decision or voucher
    /// number): the audit trail.
    pub reference: Option<String>,
    /// Free text.
    pub note: Option<String>,
}

/// `[[submission]]`: a report (an account) sent to a funder. Each answers
/// the earliest of the source's `reporting` dates not yet answered.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlSubmission {
    /// The funding source id.
    pub source: String,
    /// The day the report was sent.
    #[cfg_attr(feature = "schema", schemars(with = "editor::DateSchema"))]
    pub date: TomlDate,
    /// The funder's case number or the municipality's reference.
    pub reference: Option<String>,
    /// Free text.
    pub note: Option<String>,
}

/// `[[measurement]]`: an observed value of a target's indicator.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlMeasurement {
    /// The outcome target id.
    pub target: String,
    /// The value, in the indicator's unit. May be left out when `parts`
    /// give numerators and denominators.
    pub value: Option<TomlDecimal>,
    /// The year it refers to.
    pub year: Option<i64>,
    /// The date it refers to.
    #[cfg_attr(feature = "schema", schemars(with = "Option<editor::DateSchema>"))]
    pub date: Option<TomlDate>,
    /// For a percentage: the number counted (e.g. pupils eligible).
    pub numerator: Option<TomlDecimal>,
    /// For a percentage: the number it is a share of (e.g. pupils in year 9).
    pub denominator: Option<TomlDecimal>,
    /// For a percentage over several units (schools): each unit's numerator
    /// and denominator. The value is their sums' ratio, never an average of
    /// percentages.
    pub parts: Option<Vec<TomlMeasurementPart>>,
    /// Where the value comes from, e.g. the statistics release.
    pub source: Option<String>,
    /// Whom the value counts: `total` (the default), `female` or `male`.
    /// Only total values count towards a target.
    pub gender: Option<Gender>,
    /// The publisher's flag on the value, as given (Kolada's `status`),
    /// e.g. a provisional value. A measurement without a value records
    /// that the publisher has none for the period; its `status` says why.
    pub status: Option<String>,
    /// The day the value was fetched from its publisher.
    #[cfg_attr(feature = "schema", schemars(with = "Option<editor::DateSchema>"))]
    pub retrieved: Option<TomlDate>,
    /// Free text.
    pub note: Option<String>,
}

/// One unit's numbers in a measurement over several units.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlMeasurementPart {
    /// The unit (school).
    pub unit: String,
    /// The number counted.
    pub numerator: TomlDecimal,
    /// The number it is a share of.
    pub denominator: TomlDecimal,
}

/// `[[ledger]]`: a ledger export (CSV or SIE 4) and how to read it: the
/// import profile and the rules that map its rows to budget lines.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlLedger {
    /// Unique id.
    pub id: String,
    /// The file, relative to the file declaring it; it must lie inside the
    /// portfolio's directory.
    pub file: String,
    /// `csv` or `sie`.
    pub format: LedgerFormat,
    /// `utf-8` (the default for CSV; a byte order mark is allowed),
    /// `windows-1252` or `cp437` (SIE's PC8; the default for SIE when the
    /// file says `#FORMAT PC8`).
    pub encoding: Option<LedgerEncoding>,
    /// CSV: the field separator, default `;`.
    pub delimiter: Option<String>,
    /// CSV: the decimal mark, `comma` (default) or `point`.
    pub decimal: Option<DecimalMark>,
    /// CSV: the thousands separator, `space` (default; also the no-break
    /// spaces), `dot` or `none`.
    pub thousands: Option<ThousandsSeparator>,
    /// CSV: how dates are written, `iso` (default: `2019-03-31` or
    /// `20190331`) or `day-month-year` (`31.03.2019`, `31/03/2019`,
    /// `31-03-2019`).
    pub date_format: Option<DateFormat>,
    /// CSV: the line the header is on, when the export begins with title
    /// lines (a report name, a date range); default 1.
    pub header_row: Option<u32>,
    /// CSV: which header names hold which part of a row.
    pub columns: Option<TomlLedgerColumns>,
    /// Which rows belong to which budget line.
    #[serde(default)]
    pub map: Vec<TomlLedgerRule>,
    /// Rows that knowingly belong to no budget line here (another
    /// project): counted as excluded, not warned about.
    #[serde(default)]
    pub exclude: Vec<TomlLedgerExclude>,
    /// CSV: rows that are not costs at all (the sum rows at the end of an
    /// export, subtotals): skipped and counted, never read as costs.
    #[serde(default)]
    pub skip: Vec<TomlLedgerSkip>,
    /// Rows that are payments from a funder (grant income on a revenue
    /// account): recorded as received from the source, as `[[receipt]]`
    /// entries are.
    #[serde(default)]
    pub receipt: Vec<TomlLedgerReceiptRule>,
}

/// A receipt rule: rows whose codes all match, booked within its dates,
/// are payments from `funding`. A credit on a revenue account (a negative
/// amount) is money received; a debit, money paid back.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlLedgerReceiptRule {
    /// The funding source that paid.
    pub funding: String,
    /// Account pattern (a revenue account: Kommun-Bas class 3).
    pub account: Option<String>,
    /// Responsibility pattern.
    pub responsibility: Option<String>,
    /// Activity pattern.
    pub activity: Option<String>,
    /// Project pattern.
    pub project: Option<String>,
    /// Only rows booked on or after this day (one grant year's payment).
    #[cfg_attr(feature = "schema", schemars(with = "Option<editor::DateSchema>"))]
    pub from: Option<TomlDate>,
    /// Only rows booked on or before this day.
    #[cfg_attr(feature = "schema", schemars(with = "Option<editor::DateSchema>"))]
    pub until: Option<TomlDate>,
}

/// A skip rule: a row whose `column` holds `value` is not a cost.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlLedgerSkip {
    /// A header name of the export.
    pub column: String,
    /// The text that marks the row, whatever its case: exact, or a prefix
    /// when it ends in `*` (`Summa*`); `""` is an empty field.
    pub value: String,
    /// Why these rows are skipped, for the reader of the plan.
    pub reason: Option<String>,
}

/// An exclusion rule: rows whose codes all match belong elsewhere.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlLedgerExclude {
    /// Why these rows are not booked here.
    pub reason: String,
    /// Account pattern.
    pub account: Option<String>,
    /// Responsibility pattern.
    pub responsibility: Option<String>,
    /// Activity pattern.
    pub activity: Option<String>,
    /// Project pattern.
    pub project: Option<String>,
}

/// The header names of a CSV export's columns.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlLedgerColumns {
    /// The booking date (`2019-03-31` or `20190331`).
    pub date: String,
    /// The signed amount; or give `debit` and `credit`.
    pub amount: Option<String>,
    /// Debit amounts (costs).
    pub debit: Option<String>,
    /// Credit amounts (reductions of cost).
    pub credit: Option<String>,
    /// The account (konto).
    pub account: Option<String>,
    /// The responsibility code (ansvar).
    pub responsibility: Option<String>,
    /// The activity code (verksamhet).
    pub activity: Option<String>,
    /// The project code (projekt).
    pub project: Option<String>,
    /// The booking text.
    pub text: Option<String>,
    /// The voucher number (verifikationsnummer).
    pub voucher: Option<String>,
}

/// A mapping rule: rows whose codes all match go to `line`. A code ending
/// in `*` matches by prefix (`54*`).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct TomlLedgerRule {
    /// The budget line id.
    pub line: String,
    /// Account (konto); in SIE the `#TRANS` account.
    pub account: Option<String>,
    /// Responsibility (ansvar); in SIE the object of dimension 1.
    pub responsibility: Option<String>,
    /// Activity (verksamhet).
    pub activity: Option<String>,
    /// Project; in SIE the object of dimension 6.
    pub project: Option<String>,
    /// Only rows booked on or after this day: a project export that runs
    /// over several grant years books each year's rows to its own line.
    #[cfg_attr(feature = "schema", schemars(with = "Option<editor::DateSchema>"))]
    pub from: Option<TomlDate>,
    /// Only rows booked on or before this day.
    #[cfg_attr(feature = "schema", schemars(with = "Option<editor::DateSchema>"))]
    pub until: Option<TomlDate>,
}

/// An exact decimal as written in a plan file: a TOML integer, a TOML float
/// or a string holding a decimal with a point.
///
/// Deserialisation only checks the form. The value is read from the source
/// text when the file is loaded, because serde hands a TOML float over as a
/// binary float, and `999999999999999.99` would arrive as 10^15.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TomlDecimal {
    _form_checked: (),
}

impl<'de> Deserialize<'de> for TomlDecimal {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FormVisitor;
        impl serde::de::Visitor<'_> for FormVisitor {
            type Value = TomlDecimal;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "a number such as 8_800_000 or 1234.50, or a string such as \"1234.50\"",
                )
            }
            fn visit_i64<E>(self, _: i64) -> Result<TomlDecimal, E> {
                Ok(TomlDecimal::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<TomlDecimal, E> {
                Ok(TomlDecimal::default())
            }
            fn visit_i128<E>(self, _: i128) -> Result<TomlDecimal, E> {
                Ok(TomlDecimal::default())
            }
            fn visit_u128<E>(self, _: u128) -> Result<TomlDecimal, E> {
                Ok(TomlDecimal::default())
            }
            // The binary value is deliberately dropped: see the type's docs.
            fn visit_f64<E>(self, _: f64) -> Result<TomlDecimal, E> {
                Ok(TomlDecimal::default())
            }
            fn visit_str<E>(self, _: &str) -> Result<TomlDecimal, E> {
                Ok(TomlDecimal::default())
            }
        }
        deserializer.deserialize_any(FormVisitor)
    }
}

/// A date as a plan file writes it: a TOML local date (`2019-05-01`), or
/// the same in quotes (`"2019-05-01"`). The editor schema cannot tell the
/// two apart (a TOML date reaches a JSON Schema as a string), so validate
/// reads both: an editor and `insats validate` agree on every date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TomlDate(pub toml::value::Datetime);

impl std::ops::Deref for TomlDate {
    type Target = toml::value::Datetime;
    fn deref(&self) -> &toml::value::Datetime {
        &self.0
    }
}

impl<'de> Deserialize<'de> for TomlDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DateVisitor;
        impl<'de> serde::de::Visitor<'de> for DateVisitor {
            type Value = TomlDate;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a date, such as 2024-05-01")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<TomlDate, A::Error> {
                toml::value::Datetime::deserialize(serde::de::value::MapAccessDeserializer::new(
                    map,
                ))
                .map(TomlDate)
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<TomlDate, E> {
                text.trim()
                    .parse::<toml::value::Datetime>()
                    .map(TomlDate)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Str(text), &self))
            }
        }
        deserializer.deserialize_any(DateVisitor)
    }
}
