//! The words plan files and the model share: cost categories, kinds of
//! funding, units and directions of indicators, ledger formats and number
//! styles. Each is a closed list, the same in a file as in the model, so
//! it lives here, below both: the TOML schema ([`crate::schema`]) and the
//! validated model ([`crate::model`]) use these types, and neither needs
//! the other for them.

use serde::{Deserialize, Serialize};

/// Where an initiative stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum InitiativeStatus {
    /// Decided or proposed, not started.
    #[default]
    Planned,
    /// Under way.
    Active,
    /// Finished.
    Completed,
    /// Stopped before it finished.
    Cancelled,
}

/// The kind of a funding source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum FundingKind {
    /// A grant from a state agency (statsbidrag), e.g. Tillväxtverket's.
    StateGrant,
    /// The organisation's own budget.
    MunicipalBudget,
    /// Co-financing from a partner.
    CoFinancing,
    /// Anything else.
    Other,
}

/// The grant-reporting cost categories (kostnadsslag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum CostCategory {
    /// Personal: salaries and on-costs.
    Personnel,
    /// Externa tjänster: purchased services.
    ExternalServices,
    /// Resor och logi: travel and accommodation.
    Travel,
    /// Investeringar, materiel och lokaler: investments (economic life of at
    /// least three years), equipment and premises.
    EquipmentPremises,
    /// Övriga kostnader: anything else.
    Other,
    /// Indirekta kostnader: overheads, usually a flat rate of personnel costs.
    Indirect,
}

impl CostCategory {
    /// The name used in plan files.
    pub fn as_str(self) -> &'static str {
        match self {
            CostCategory::Personnel => "personnel",
            CostCategory::ExternalServices => "external-services",
            CostCategory::Travel => "travel",
            CostCategory::EquipmentPremises => "equipment-premises",
            CostCategory::Other => "other",
            CostCategory::Indirect => "indirect",
        }
    }
}

/// Where an outcome is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ScopeLevel {
    /// One school unit.
    School,
    /// A district or group of schools.
    Area,
    /// The whole municipality.
    Municipality,
}

/// Whom a measured value counts: everyone, or girls or boys only (Kolada's
/// `T`, `K` and `M`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Gender {
    /// Everyone (Kolada's `T`, totalt): the value a target follows.
    #[default]
    Total,
    /// Girls and women only (Kolada's `K`, kvinnor).
    Female,
    /// Boys and men only (Kolada's `M`, män).
    Male,
}

impl ScopeLevel {
    /// The name used in plan files.
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeLevel::School => "school",
            ScopeLevel::Area => "area",
            ScopeLevel::Municipality => "municipality",
        }
    }
}

/// The unit of an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum IndicatorUnit {
    /// A share in percent, 0-100.
    Percent,
    /// A count of people or events.
    Count,
    /// A score or index (merit value, survey index).
    Score,
    /// A number of days.
    Days,
    /// Anything else.
    Other,
}

/// Which way an indicator improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Larger values are better (eligibility, safety).
    HigherIsBetter,
    /// Smaller values are better (absence).
    LowerIsBetter,
}

/// Ledger file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum LedgerFormat {
    /// A CSV or semicolon export from a municipal finance system.
    Csv,
    /// SIE 4, the Swedish accounting exchange format.
    Sie,
}

/// Text encodings of ledger files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum LedgerEncoding {
    /// UTF-8, with or without a byte order mark.
    #[serde(rename = "utf-8")]
    Utf8,
    /// Windows-1252, what older Windows programs write.
    #[serde(rename = "windows-1252")]
    Windows1252,
    /// Code page 437 (SIE's `#FORMAT PC8`).
    Cp437,
}

/// Decimal marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum DecimalMark {
    /// `1234,50`.
    Comma,
    /// `1234.50`.
    Point,
}

/// How a CSV export writes its dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum DateFormat {
    /// `2019-03-31` or `20190331`.
    #[default]
    Iso,
    /// `31.03.2019`, `31/03/2019` or `31-03-2019`: day, month, four-digit
    /// year.
    DayMonthYear,
}

/// Thousands separators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ThousandsSeparator {
    /// `1 234,50`, with a space or a no-break space.
    Space,
    /// `1.234,50`.
    Dot,
    /// No separator.
    None,
}
