//! Kolada's API, version 3: the addresses of the values and titles a
//! [`Plan`](super::Plan) needs, and what its answers mean.
//!
//! A data page is `{"count": n, "values": [entry, ...], "next_url": url}`,
//! an entry `{"kpi", "period", "municipality" or "ou", "values": [value,
//! ...]}` and a value `{"gender": "T"|"K"|"M", "count", "status", "value"}`,
//! where `value` is `null` when Kolada has none. Version 2 named the next
//! page `next_page`; both are read.

use rust_decimal::Decimal;
use serde::Deserialize;

use super::{Area, Query, gender_from_code};
use crate::model::Gender;

/// The address of a query's values for `years` (at most
/// [`YEARS_PER_REQUEST`](super::YEARS_PER_REQUEST) of them).
pub fn data_url(base: &str, query: &Query, years: &[i16]) -> String {
    let years = years
        .iter()
        .map(i16::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let base = base.trim_end_matches('/');
    match &query.area {
        Area::Municipality(id) => {
            format!(
                "{base}/data/kpi/{}/municipality/{id}/year/{years}",
                query.kpi
            )
        }
        Area::Unit(id) => format!("{base}/oudata/kpi/{}/ou/{id}/year/{years}", query.kpi),
    }
}

/// The address of a KPI's metadata (its title).
pub fn kpi_url(base: &str, kpi: &str) -> String {
    format!("{}/kpi/{kpi}", base.trim_end_matches('/'))
}

/// A response that is not what Kolada sends.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    /// The body is not UTF-8 text.
    #[error("the response is not UTF-8 text (an invalid byte at offset {0})")]
    NotUtf8(usize),
    /// The body is not JSON of Kolada's shape.
    #[error("the response is not Kolada's JSON: {0}")]
    NotKoladaJson(String),
    /// A value that is not a number insats can hold exactly.
    #[error("the value {0} is not a number insats can read")]
    BadNumber(String),
}

/// One value of a data page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// The KPI.
    pub kpi: String,
    /// The municipality's or unit's id.
    pub area: String,
    /// The year.
    pub year: i16,
    /// Whom it counts.
    pub gender: Gender,
    /// The value; none when Kolada has none.
    pub value: Option<Decimal>,
    /// Kolada's status flag, when it gives one.
    pub status: Option<String>,
}

/// One page of data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataPage {
    /// Its values, of every gender.
    pub values: Vec<Observed>,
    /// The address of the next page, if there is one.
    pub next: Option<String>,
}

#[derive(Deserialize)]
struct RawPage<T> {
    values: Vec<T>,
    #[serde(default, alias = "next_page")]
    next_url: Option<String>,
}

#[derive(Deserialize)]
struct RawEntry {
    kpi: String,
    period: i64,
    #[serde(default)]
    municipality: Option<String>,
    #[serde(default)]
    ou: Option<String>,
    values: Vec<RawValue>,
}

#[derive(Deserialize)]
struct RawValue {
    gender: String,
    #[serde(default)]
    value: Option<serde_json::Number>,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
struct RawKpi {
    id: String,
    title: String,
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<RawPage<T>, ResponseError> {
    let text = std::str::from_utf8(body).map_err(|e| ResponseError::NotUtf8(e.valid_up_to()))?;
    serde_json::from_str(text).map_err(|e| ResponseError::NotKoladaJson(e.to_string()))
}

/// Reads a data page. Values of a gender Kolada does not define and
/// periods that are not a year insats can hold are left out.
pub fn parse_data_page(body: &[u8]) -> Result<DataPage, ResponseError> {
    let page: RawPage<RawEntry> = parse(body)?;
    let mut values = Vec::new();
    for entry in page.values {
        let Ok(year) = i16::try_from(entry.period) else {
            continue;
        };
        let area = entry.municipality.or(entry.ou).unwrap_or_default();
        for v in entry.values {
            let Some(gender) = gender_from_code(&v.gender) else {
                continue;
            };
            let value = match v.value {
                Some(n) => Some(exact(&n)?),
                None => None,
            };
            values.push(Observed {
                kpi: entry.kpi.clone(),
                area: area.clone(),
                year,
                gender,
                value,
                status: v.status.filter(|s| !s.trim().is_empty()),
            });
        }
    }
    Ok(DataPage {
        values,
        next: page.next_url.filter(|u| !u.is_empty()),
    })
}

/// The number as written in the response, exactly: `83.4` stays 83.4,
/// never the nearest binary fraction.
fn exact(n: &serde_json::Number) -> Result<Decimal, ResponseError> {
    let text = n.to_string();
    text.parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(&text))
        .map_err(|_| ResponseError::BadNumber(text))
}

/// Reads a KPI metadata response: the title of each KPI in it, by id.
pub fn parse_kpi_titles(body: &[u8]) -> Result<Vec<(String, String)>, ResponseError> {
    let page: RawPage<RawKpi> = parse(body)?;
    Ok(page.values.into_iter().map(|k| (k.id, k.title)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(area: Area) -> Query {
        Query {
            target: "t".into(),
            kpi: "N15428".into(),
            area,
            years: vec![2018, 2019],
        }
    }

    #[test]
    fn addresses_follow_version_3() {
        let q = query(Area::Municipality("2081".into()));
        assert_eq!(
            data_url("https://api.kolada.se/v3/", &q, &q.years),
            "https://api.kolada.se/v3/data/kpi/N15428/municipality/2081/year/2018,2019"
        );
        let q = query(Area::Unit("V15E208100101".into()));
        assert_eq!(
            data_url("http://127.0.0.1:1/v3", &q, &[2020]),
            "http://127.0.0.1:1/v3/oudata/kpi/N15428/ou/V15E208100101/year/2020"
        );
        assert_eq!(kpi_url("http://x/v3", "N15428"), "http://x/v3/kpi/N15428");
    }

    #[test]
    fn a_page_reads_exactly_with_missing_values_and_statuses() {
        let body = br#"{"count": 1, "values": [{"kpi": "N15428", "period": 2019,
            "municipality": "2081", "values": [
              {"gender": "T", "count": 1, "status": "", "value": 83.4},
              {"gender": "K", "count": 1, "status": "Prel", "value": 0.1},
              {"gender": "M", "count": 0, "status": "Missing", "value": null},
              {"gender": "X", "value": 1}]}],
            "next_url": "http://x/v3/next"}"#;
        let page = parse_data_page(body).unwrap();
        assert_eq!(page.next.as_deref(), Some("http://x/v3/next"));
        let got: Vec<_> = page
            .values
            .iter()
            .map(|v| (v.gender, v.value.map(|d| d.to_string()), v.status.clone()))
            .collect();
        assert_eq!(
            got,
            [
                (Gender::Total, Some("83.4".to_owned()), None),
                (
                    Gender::Female,
                    Some("0.1".to_owned()),
                    Some("Prel".to_owned())
                ),
                (Gender::Male, None, Some("Missing".to_owned())),
            ]
        );
        assert_eq!(page.values[0].area, "2081");
        assert_eq!(page.values[0].year, 2019);
    }

    #[test]
    fn version_2_paging_reads_too() {
        let page = parse_data_page(br#"{"values": [], "next_page": "http://x/2"}"#).unwrap();
        assert_eq!(page.next.as_deref(), Some("http://x/2"));
        let page = parse_data_page(br#"{"values": [], "next_url": null}"#).unwrap();
        assert_eq!(page.next, None);
    }

    #[test]
    fn bodies_that_are_not_kolada_json_are_errors() {
        assert_eq!(
            parse_data_page(b"{\"values\": [\xff]}"),
            Err(ResponseError::NotUtf8(12))
        );
        assert!(matches!(
            parse_data_page(b"<html>busy</html>"),
            Err(ResponseError::NotKoladaJson(_))
        ));
        assert!(matches!(
            parse_data_page(br#"{"count": 0}"#),
            Err(ResponseError::NotKoladaJson(_))
        ));
        assert_eq!(
            parse_data_page(
                br#"{"values": [{"kpi": "N1", "period": 2019, "values": [{"gender": "T", "value": 1e300}]}]}"#
            ),
            Err(ResponseError::BadNumber("1e+300".into()))
        );
    }

    #[test]
    fn titles_read_by_id() {
        let titles = parse_kpi_titles(
            r#"{"count": 1, "values": [{"id": "N15428", "title": "Elever i åk 9 ...", "description": "x"}]}"#
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(titles, [("N15428".into(), "Elever i åk 9 ...".into())]);
    }
}
