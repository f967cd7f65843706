//! Outcomes from Kolada, the municipalities' open statistics database
//! (run by RKA): which values a portfolio's targets need, how Kolada's API
//! is asked for them and how its answers read, and the follow-up file the
//! fetched values are written to.
//!
//! Nothing here does I/O: the CLI's `insats fetch kolada` makes the
//! requests [`plan`] lists, hands each response body to [`api`], and
//! writes what [`recorded`] renders. Kolada's current API is version 3
//! (`https://api.kolada.se/v3`; version 2 is retired): data per KPI ×
//! municipality or organisational unit (a school unit) × year, each value
//! with a gender (`T`, `K`, `M`), a status and the value, in pages of
//! `{"values": [...], "next_url": ...}`.

pub mod api;
pub mod recorded;

use crate::model::{Date, Gender, Portfolio, ScopeLevel, When};

/// The public Kolada API, used unless the portfolio or the command names
/// another (a mirror, a proxy, a test server).
pub const DEFAULT_API_URL: &str = "https://api.kolada.se/v3";

/// The years one request may ask for: Kolada refuses longer lists.
pub const YEARS_PER_REQUEST: usize = 25;

/// Whether `id` is a municipality's code as Kolada keys it: four digits
/// (`2081`; `0127`, the leading zero included).
pub fn is_municipality_id(id: &str) -> bool {
    id.len() == 4 && id.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `id` has the shape of a Kolada organisational-unit id: `V`, two
/// digits for the kind of unit (15 for compulsory schools), `E`, and the
/// unit's digits (`V15E208100101`).
pub fn is_unit_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() >= 5
        && b.len() <= 32
        && b[0] == b'V'
        && b[1].is_ascii_digit()
        && b[2].is_ascii_digit()
        && b[3] == b'E'
        && b[4..].iter().all(u8::is_ascii_alphanumeric)
}

/// Whether `id` has the shape of a Kolada KPI id: a capital letter and
/// five digits (`N15428`, `U15461`).
pub fn is_kpi_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 6 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit)
}

/// Whether an indicator is Kolada's: its `provider` is Kolada, in any case.
pub fn is_kolada_provider(provider: Option<&str>) -> bool {
    provider.is_some_and(|p| p.trim().eq_ignore_ascii_case("kolada"))
}

/// What Kolada keeps a target's values for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Area {
    /// A municipality, by its four-digit code.
    Municipality(String),
    /// An organisational unit (a school unit), by its id.
    Unit(String),
}

impl Area {
    /// The Kolada id.
    pub fn id(&self) -> &str {
        match self {
            Area::Municipality(id) | Area::Unit(id) => id,
        }
    }
}

/// The values one target needs: one KPI, one area, its years.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The target's id.
    pub target: String,
    /// The KPI (the indicator's `external_id`).
    pub kpi: String,
    /// Where.
    pub area: Area,
    /// The baseline's year to the as-of date's year, in order.
    pub years: Vec<i16>,
}

/// A target of a Kolada indicator that cannot be fetched, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The target's id.
    pub target: String,
    /// Why, as a sentence without a full stop.
    pub reason: String,
}

/// An indicator whose name is to be compared with Kolada's title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleCheck {
    /// The indicator's id.
    pub indicator: String,
    /// Its KPI.
    pub kpi: String,
    /// Its `name`.
    pub name: String,
}

/// What to ask Kolada for a portfolio, as of a date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// One query per target that can be fetched, in portfolio order.
    pub queries: Vec<Query>,
    /// Targets of Kolada indicators that cannot be.
    pub skipped: Vec<Skipped>,
    /// Every Kolada indicator, for the title check.
    pub titles: Vec<TitleCheck>,
}

/// Which values the targets of Kolada indicators need, up to `as_of`.
pub fn plan(portfolio: &Portfolio, as_of: Date) -> Plan {
    let mut out = Plan::default();
    let kpis: Vec<(&str, &str)> = portfolio
        .indicators
        .iter()
        .filter(|i| is_kolada_provider(i.provider.as_deref()))
        .filter_map(|i| {
            let kpi = i.external_id.as_deref().filter(|k| is_kpi_id(k))?;
            out.titles.push(TitleCheck {
                indicator: i.id.value.clone(),
                kpi: kpi.to_owned(),
                name: i.name.clone(),
            });
            Some((i.id.value.as_str(), kpi))
        })
        .collect();
    for target in portfolio.initiatives.iter().flat_map(|i| &i.targets) {
        let Some(&(_, kpi)) = kpis.iter().find(|(id, _)| *id == target.indicator.value) else {
            continue;
        };
        let skip = |reason: &str| Skipped {
            target: target.id.value.clone(),
            reason: reason.to_owned(),
        };
        let area = match (target.scope_level, &target.kolada_id) {
            (_, None) => {
                out.skipped.push(skip("its scope has no `kolada_id`"));
                continue;
            }
            (ScopeLevel::Municipality, Some(id)) if is_municipality_id(&id.value) => {
                Area::Municipality(id.value.clone())
            }
            (ScopeLevel::School, Some(id)) if is_unit_id(&id.value) => Area::Unit(id.value.clone()),
            (_, Some(_)) => {
                out.skipped
                    .push(skip("its `kolada_id` is not one Kolada has (INS504)"));
                continue;
            }
        };
        let first = year_of(target.baseline.when.value);
        let last = as_of.year();
        if first > last {
            out.skipped
                .push(skip("its baseline is after the as-of date"));
            continue;
        }
        out.queries.push(Query {
            target: target.id.value.clone(),
            kpi: kpi.to_owned(),
            area,
            years: (first..=last).collect(),
        });
    }
    out
}

fn year_of(when: When) -> i16 {
    match when {
        When::Year(y) => y,
        When::Date(d) => d.year(),
    }
}

/// Kolada's letter for a gender.
pub fn gender_code(gender: Gender) -> &'static str {
    match gender {
        Gender::Total => "T",
        Gender::Female => "K",
        Gender::Male => "M",
    }
}

/// The gender Kolada's letter stands for.
pub fn gender_from_code(code: &str) -> Option<Gender> {
    match code {
        "T" => Some(Gender::Total),
        "K" => Some(Gender::Female),
        "M" => Some(Gender::Male),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_kolada_shapes() {
        assert!(is_municipality_id("0127"));
        assert!(!is_municipality_id("127"));
        assert!(!is_municipality_id("01270"));
        assert!(!is_municipality_id("O127"));
        assert!(is_unit_id("V15E208100101"));
        assert!(!is_unit_id("V15208100101"));
        assert!(!is_unit_id("V15E"));
        assert!(!is_unit_id("V15E1/../x"));
        assert!(is_kpi_id("N15428"));
        assert!(!is_kpi_id("n15428"));
        assert!(!is_kpi_id("N1542"));
        assert!(!is_kpi_id("N15428/"));
    }

    #[test]
    fn genders_map_to_kolada_letters_and_back() {
        for g in [Gender::Total, Gender::Female, Gender::Male] {
            assert_eq!(gender_from_code(gender_code(g)), Some(g));
        }
        assert_eq!(gender_from_code("X"), None);
    }
}
