//! Key paths, and the keys and values the format defines at each of them.
//!
//! The list of known keys is taken from the editor's JSON Schema
//! ([`crate::schema::JSON_SCHEMA`]), which a test holds equal to the one
//! derived from the serde types in [`crate::schema`]: the suggestions in
//! "did you mean" cannot drift from the types that actually deserialise.

use std::fmt;
use std::sync::OnceLock;

use serde_json::Value;

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A key in a table.
    Key(String),
    /// A position in an array.
    Index(usize),
}

/// A path from the document root to a value, such as `line[2].staffing.fte`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Segment>);

impl KeyPath {
    /// This path extended by a key.
    pub fn key(&self, key: &str) -> KeyPath {
        self.then(Segment::Key(key.to_owned()))
    }

    /// This path extended by an index.
    pub fn index(&self, index: usize) -> KeyPath {
        self.then(Segment::Index(index))
    }

    /// This path extended by another.
    pub fn join(&self, rest: &[Segment]) -> KeyPath {
        let mut segments = Vec::with_capacity(self.0.len() + rest.len());
        segments.extend_from_slice(&self.0);
        segments.extend_from_slice(rest);
        KeyPath(segments)
    }

    /// This path and one more segment, in a vector sized once: a clone and
    /// a push would allocate twice, and paths are extended for every table
    /// and field loaded.
    fn then(&self, last: Segment) -> KeyPath {
        let mut segments = Vec::with_capacity(self.0.len() + 1);
        segments.extend_from_slice(&self.0);
        segments.push(last);
        KeyPath(segments)
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Segment::Key(k) if i == 0 => f.write_str(k)?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

fn document_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    // The text is committed and tested to parse (tests/schema.rs), so the
    // fallback, no suggestions, is never taken.
    SCHEMA.get_or_init(|| serde_json::from_str(crate::schema::JSON_SCHEMA).unwrap_or(Value::Null))
}

/// The schema nodes a path can lead to (several where a value may take more
/// than one form).
fn nodes_at(path: &[Segment]) -> Vec<&'static Value> {
    let root = document_schema();
    let mut nodes = expand(root, root);
    for seg in path {
        let mut next = Vec::new();
        for node in nodes {
            let child = match seg {
                Segment::Key(k) => node
                    .get("properties")
                    .and_then(|p| p.get(k))
                    .or_else(|| node.get("additionalProperties").filter(|v| v.is_object())),
                Segment::Index(_) => node.get("items"),
            };
            if let Some(child) = child {
                next.extend(expand(root, child));
            }
        }
        nodes = next;
    }
    nodes
}

/// Follows `$ref` and opens `anyOf`/`oneOf`/`allOf` into their alternatives.
fn expand<'a>(root: &'a Value, node: &'a Value) -> Vec<&'a Value> {
    let node = match node.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix("#/$defs/")
            .and_then(|name| root.get("$defs").and_then(|d| d.get(name)))
            .unwrap_or(node),
        None => node,
    };
    let mut out = vec![node];
    for combinator in ["anyOf", "oneOf", "allOf"] {
        if let Some(alts) = node.get(combinator).and_then(Value::as_array) {
            for alt in alts {
                out.extend(expand(root, alt));
            }
        }
    }
    out
}

/// The keys a table at `path` may hold (empty when unknown).
pub fn known_keys(path: &[Segment]) -> Vec<String> {
    let mut keys: Vec<String> = nodes_at(path)
        .into_iter()
        .filter_map(|n| n.get("properties").and_then(Value::as_object))
        .flat_map(|p| p.keys().cloned())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The string values allowed at `path` when it takes one of a fixed list.
pub fn known_values(path: &[Segment]) -> Vec<String> {
    let mut values = Vec::new();
    for node in nodes_at(path) {
        if let Some(list) = node.get("enum").and_then(Value::as_array) {
            values.extend(list.iter().filter_map(Value::as_str).map(str::to_owned));
        }
        if let Some(c) = node.get("const").and_then(Value::as_str) {
            values.push(c.to_owned());
        }
    }
    values.dedup();
    values
}

/// The closest candidate to `given`, if one is close enough to be a likely
/// typo (Jaro-Winkler similarity of at least 0.8, or one edit apart).
pub fn did_you_mean<'a>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let given_lower = given.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let score = strsim::jaro_winkler(&given_lower, &c.to_lowercase());
            let edits = strsim::damerau_levenshtein(&given_lower, &c.to_lowercase());
            (c, score, edits)
        })
        .filter(|(c, score, edits)| *c != given && (*score >= 0.8 || *edits <= 1))
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.2.cmp(&a.2)))
        .map(|(c, _, _)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str) -> Vec<Segment> {
        text.split('.')
            .map(|s| match s.parse() {
                Ok(n) => Segment::Index(n),
                Err(_) => Segment::Key(s.to_owned()),
            })
            .collect()
    }

    #[test]
    fn keys_come_from_the_schema() {
        assert!(known_keys(&[]).contains(&"line".to_owned()));
        let line = known_keys(&path("line.0"));
        assert!(line.contains(&"amount".to_owned()) && line.contains(&"serves".to_owned()));
        let staffing = known_keys(&path("line.0.staffing"));
        assert_eq!(staffing, ["from", "fte", "monthly_cost", "until"]);
        let payer = known_keys(&path("line.0.funded_by.1"));
        assert!(payer.contains(&"share_percent".to_owned()));
    }

    #[test]
    fn values_come_from_the_schema() {
        let cats = known_values(&path("line.0.category"));
        assert!(cats.contains(&"personnel".to_owned()) && cats.contains(&"indirect".to_owned()));
        assert!(known_values(&path("funding.0.kind")).contains(&"state-grant".to_owned()));
    }

    #[test]
    fn suggests_near_misses_only() {
        assert_eq!(did_you_mean("ammount", ["amount", "name"]), Some("amount"));
        assert_eq!(
            did_you_mean("personel", ["personnel", "other"]),
            Some("personnel")
        );
        assert_eq!(did_you_mean("xyz", ["amount", "name"]), None);
    }
}
