//! The follow-up file `insats fetch kolada` owns: the measurements it
//! fetched, as `[[measurement]]` tables any plan file could hold, and what
//! changed since the last fetch.
//!
//! The file starts with [`MARKER`]; a file without it is someone's own and
//! is never written over. A value that comes back unchanged keeps its
//! entry as it was, `retrieved` date included, so that fetching again
//! when nothing changed leaves the file byte for byte as it was.

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::model::{Date, Gender};

/// The file's name, in the portfolio's directory.
pub const FILE_NAME: &str = "kolada.toml";

/// The first line of a file the command owns.
pub const MARKER: &str = "# Measurements fetched from Kolada by `insats fetch kolada`.";

/// One fetched value, as the file records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The target's id.
    pub target: String,
    /// The year the value is for.
    pub year: i16,
    /// Whom it counts.
    pub gender: Gender,
    /// The value; none when Kolada has none (then `status` says why).
    pub value: Option<Decimal>,
    /// Kolada's status flag, when it gives one.
    pub status: Option<String>,
    /// The address it was fetched from.
    pub source: String,
    /// The day it was fetched in this form.
    pub retrieved: Date,
}

impl Recorded {
    fn key(&self) -> (&str, i16, Gender) {
        (&self.target, self.year, self.gender)
    }

    fn same_figures(&self, other: &Recorded) -> bool {
        self.value == other.value && self.status == other.status
    }
}

/// What a fetch changed, entry by entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A value not recorded before.
    Added(Recorded),
    /// A value or status that differs from the one recorded.
    Changed {
        /// As recorded.
        before: Recorded,
        /// As fetched.
        after: Recorded,
    },
    /// A value recorded before that the fetch no longer gives.
    Removed(Recorded),
}

/// Whether `text` is a file the command owns.
pub fn is_owned(text: &str) -> bool {
    text.lines().next() == Some(MARKER)
}

/// The file's text for `records`, in their order.
pub fn render(records: &[Recorded]) -> String {
    let mut out = String::new();
    out.push_str(MARKER);
    out.push('\n');
    out.push_str(
        "# Run the command again to update them: it rewrites this file, and changes made\n\
         # here by hand are lost. Kolada (RKA) publishes the values; the source of each\n\
         # is the address it was read from, and `retrieved` the day it was read.\n",
    );
    for r in records {
        out.push_str("\n[[measurement]]\n");
        out.push_str(&format!("target = {}\n", quoted(&r.target)));
        out.push_str(&format!("year = {}\n", r.year));
        out.push_str(&format!("gender = \"{}\"\n", gender_name(r.gender)));
        if let Some(v) = r.value {
            out.push_str(&format!("value = {}\n", number(v)));
        }
        if let Some(s) = &r.status {
            out.push_str(&format!("status = {}\n", quoted(s)));
        }
        out.push_str(&format!("source = {}\n", quoted(&r.source)));
        out.push_str(&format!("retrieved = {}\n", r.retrieved));
    }
    out
}

fn gender_name(g: Gender) -> &'static str {
    match g {
        Gender::Total => "total",
        Gender::Female => "female",
        Gender::Male => "male",
    }
}

/// A TOML basic string: quotes, backslashes and control characters
/// escaped, so that no text from a response can end the string.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A decimal as a TOML number: with a point when it has decimals, as an
/// integer otherwise, both of which insats reads exactly.
fn number(v: Decimal) -> String {
    let v = v.normalize();
    v.to_string()
}

#[derive(Deserialize)]
struct RawFile {
    #[serde(default)]
    measurement: Vec<RawRecorded>,
}

#[derive(Deserialize)]
struct RawRecorded {
    target: String,
    year: i16,
    gender: Gender,
    value: Option<toml::Value>,
    status: Option<String>,
    source: String,
    retrieved: toml::value::Datetime,
}

/// The records of a file the command wrote; an error says what is wrong
/// when it has been edited out of shape.
pub fn read(text: &str) -> Result<Vec<Recorded>, String> {
    let raw: RawFile = toml::from_str(text).map_err(|e| e.message().to_owned())?;
    raw.measurement
        .into_iter()
        .map(|m| {
            let value = match m.value {
                None => None,
                Some(toml::Value::Integer(i)) => Some(Decimal::from(i)),
                // A float's shortest decimal form is the text it was
                // written as, since the command wrote it from a decimal.
                Some(toml::Value::Float(f)) => Some(
                    f.to_string()
                        .parse::<Decimal>()
                        .map_err(|_| format!("the value {f} of `{}` is not a decimal", m.target))?,
                ),
                Some(other) => {
                    return Err(format!(
                        "the value {other} of `{}` is not a number",
                        m.target
                    ));
                }
            };
            let retrieved = m
                .retrieved
                .date
                .and_then(|d| {
                    jiff::civil::Date::new(d.year as i16, d.month as i8, d.day as i8).ok()
                })
                .ok_or_else(|| format!("`retrieved` of `{}` is not a date", m.target))?;
            Ok(Recorded {
                target: m.target,
                year: m.year,
                gender: m.gender,
                value,
                status: m.status,
                source: m.source,
                retrieved,
            })
        })
        .collect()
}

/// The records to write: `fetched`, except that a value recorded before
/// with the same figures keeps its old entry. The changes say what
/// differs, added and changed in `fetched`'s order, removed last.
pub fn merge(previous: &[Recorded], fetched: Vec<Recorded>) -> (Vec<Recorded>, Vec<Change>) {
    let mut changes = Vec::new();
    let mut out = Vec::with_capacity(fetched.len());
    for new in fetched {
        match previous.iter().find(|p| p.key() == new.key()) {
            Some(old) if old.same_figures(&new) => out.push(old.clone()),
            Some(old) => {
                changes.push(Change::Changed {
                    before: old.clone(),
                    after: new.clone(),
                });
                out.push(new);
            }
            None => {
                changes.push(Change::Added(new.clone()));
                out.push(new);
            }
        }
    }
    for old in previous {
        if !out.iter().any(|r| r.key() == old.key()) {
            changes.push(Change::Removed(old.clone()));
        }
    }
    (out, changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(year: i16, value: Option<&str>, status: Option<&str>, day: i8) -> Recorded {
        Recorded {
            target: "behorighet".into(),
            year,
            gender: Gender::Total,
            value: value.map(|v| v.parse().unwrap()),
            status: status.map(str::to_owned),
            source: "http://127.0.0.1/v3/data/kpi/N15428/municipality/2081/year/2019".into(),
            retrieved: jiff::civil::date(2026, 12, day),
        }
    }

    #[test]
    fn a_rendered_file_reads_back_as_written() {
        let records = vec![
            record(2019, Some("83.4"), None, 1),
            record(2020, None, Some("Missing \"quoted\"\nnext\u{1b}[31m\\"), 1),
            record(2021, Some("80"), Some("Prel"), 2),
            record(2022, Some("-0.125"), None, 2),
        ];
        let text = render(&records);
        assert!(is_owned(&text));
        assert!(text.contains("value = 83.4\n"), "{text}");
        assert!(text.contains("value = 80\n"), "{text}");
        assert!(
            text.contains(
                r#"status = "Missing \"quoted\"\nnext\u001B[31m\\"
"#
            ),
            "{text}"
        );
        assert_eq!(read(&text).unwrap(), records);
    }

    #[test]
    fn unchanged_values_keep_their_entry_and_changes_are_listed() {
        let before = vec![
            record(2019, Some("83.4"), None, 1),
            record(2020, Some("80.0"), Some("Prel"), 1),
            record(2018, Some("70"), None, 1),
        ];
        let fetched = vec![
            record(2019, Some("83.40"), None, 2),
            record(2020, Some("80.5"), None, 2),
            record(2021, None, Some("Missing"), 2),
        ];
        let (out, changes) = merge(&before, fetched.clone());
        assert_eq!(
            out,
            [before[0].clone(), fetched[1].clone(), fetched[2].clone()]
        );
        assert_eq!(
            changes,
            [
                Change::Changed {
                    before: before[1].clone(),
                    after: fetched[1].clone()
                },
                Change::Added(fetched[2].clone()),
                Change::Removed(before[2].clone()),
            ]
        );
        let (again, none) = merge(&out, out.clone());
        assert_eq!(again, out);
        assert!(none.is_empty());
    }

    #[test]
    fn only_a_file_starting_with_the_marker_is_owned() {
        assert!(!is_owned("[[measurement]]\n"));
        assert!(!is_owned(&format!("# hand-written\n{MARKER}\n")));
    }
}
