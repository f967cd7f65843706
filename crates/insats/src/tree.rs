//! Reading schema types straight from the parsed TOML tree.
//!
//! [`crate::load`] keeps each parsed document while it interprets it: the
//! spans of the model come from the tree, and so does the personal-data
//! scan. `toml`'s own `ValueDeserializer` takes a table by value, so every
//! table used to be copied before it was read, and the copy dropped after;
//! on generated portfolios that was about a tenth of `insats validate`.
//! [`read`] walks the tree by reference instead. It also notes unknown keys
//! itself, from a chain of keys on the stack, where `serde_ignored` kept a
//! new string for every key it passed.
//!
//! It is a fast path and nothing more. It has no messages: wherever it
//! could read differently from `toml` (a wrong type, a missing key, an enum
//! written as a table, an integer too large for any Rust integer) it fails
//! with [`Unread`], and the caller reads the table again with `toml`, whose
//! errors the diagnostics are built from. So a table that `toml` rejects
//! is always reported from `toml`'s reading, and a table this reads is read
//! as `toml` reads it: the same visitor calls in the same order. A test
//! reads every table of every shipped plan and every test fixture both ways
//! and requires the same value and the same unknown keys.

use std::cell::RefCell;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use toml::Spanned;
use toml::de::DeValue;
use toml_datetime::de::DatetimeDeserializer;

use crate::keys::Segment;

/// The fast path gave up on a table; read it again with `toml`.
#[derive(Debug)]
pub(crate) struct Unread;

impl std::fmt::Display for Unread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not read by the fast path")
    }
}

impl std::error::Error for Unread {}

impl serde::de::Error for Unread {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Unread
    }
}

/// Reads `node` as a `T`, with the key paths (relative to `node`) of the
/// keys `T` does not have, in the order they occur.
pub(crate) fn read<T: DeserializeOwned>(
    node: &Spanned<DeValue<'_>>,
) -> Result<(T, Vec<Vec<Segment>>), Unread> {
    let unknown = RefCell::new(Vec::new());
    let value = T::deserialize(Reader {
        value: node.get_ref(),
        place: Place::Root,
        unknown: &unknown,
    })?;
    Ok((value, unknown.into_inner()))
}

/// Where a value sits below the table being read. Parents live in the
/// callers' stack frames; a path is built only for an unknown key.
#[derive(Clone, Copy)]
enum Place<'p> {
    Root,
    Key(&'p Place<'p>, &'p str),
    Index(&'p Place<'p>, usize),
}

impl Place<'_> {
    fn segments(&self) -> Vec<Segment> {
        let mut out = Vec::new();
        let mut at = self;
        loop {
            match at {
                Place::Root => break,
                Place::Key(parent, key) => {
                    out.push(Segment::Key((*key).to_owned()));
                    at = parent;
                }
                Place::Index(parent, index) => {
                    out.push(Segment::Index(*index));
                    at = parent;
                }
            }
        }
        out.reverse();
        out
    }
}

/// One value of the tree, as a serde deserializer.
struct Reader<'a, 'p> {
    value: &'a DeValue<'a>,
    place: Place<'p>,
    unknown: &'p RefCell<Vec<Vec<Segment>>>,
}

impl<'a> serde::Deserializer<'a> for Reader<'a, '_> {
    type Error = Unread;

    // The same visitor call for each kind of value as toml's
    // `ValueDeserializer::deserialize_any`.
    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Unread> {
        match self.value {
            DeValue::String(text) => visitor.visit_borrowed_str(text),
            DeValue::Integer(integer) => {
                let (digits, radix) = (integer.as_str(), integer.radix());
                if let Ok(v) = i64::from_str_radix(digits, radix) {
                    visitor.visit_i64(v)
                } else if let Ok(v) = u64::from_str_radix(digits, radix) {
                    visitor.visit_u64(v)
                } else if let Ok(v) = i128::from_str_radix(digits, radix) {
                    visitor.visit_i128(v)
                } else if let Ok(v) = u128::from_str_radix(digits, radix) {
                    visitor.visit_u128(v)
                } else {
                    Err(Unread)
                }
            }
            DeValue::Float(float) => {
                let text = float.as_str();
                match text.parse::<f64>() {
                    // toml calls an infinity that was not written as one an
                    // overflow.
                    Ok(v) if !v.is_infinite() || text.contains("inf") => visitor.visit_f64(v),
                    _ => Err(Unread),
                }
            }
            DeValue::Boolean(v) => visitor.visit_bool(*v),
            DeValue::Datetime(date) => visitor.visit_map(DatetimeDeserializer::new(*date)),
            DeValue::Array(items) => visitor.visit_seq(Items {
                items: items.iter().enumerate(),
                place: self.place,
                unknown: self.unknown,
            }),
            DeValue::Table(table) => visitor.visit_map(Entries {
                entries: table.iter(),
                value: None,
                place: self.place,
                unknown: self.unknown,
            }),
        }
    }

    // As in toml, a value that is there is `Some`; a missing key is `None`.
    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Unread> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Unread> {
        visitor.visit_newtype_struct(self)
    }

    // toml treats two structs specially: a date, which `deserialize_any`
    // already hands over as toml does, and `Spanned`, which the schema does
    // not use and which fails here (its visitor wants keys a table does not
    // have) and so is left to toml.
    fn deserialize_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Unread> {
        self.deserialize_any(visitor)
    }

    // Enums are written as strings (`category = "personnel"`); the table
    // form is left to toml.
    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Unread> {
        match self.value {
            DeValue::String(text) => visitor.visit_enum(BorrowedStrDeserializer::new(text)),
            _ => Err(Unread),
        }
    }

    // Only a key the type does not have is read as ignored.
    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Unread> {
        self.unknown.borrow_mut().push(self.place.segments());
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'a>>
        bool u8 u16 u32 u64 u128 i8 i16 i32 i64 i128 f32 f64 char str string seq
        bytes byte_buf map unit unit_struct tuple_struct tuple identifier
    }
}

/// The items of an array.
struct Items<'a, 'p> {
    items: std::iter::Enumerate<std::slice::Iter<'a, Spanned<DeValue<'a>>>>,
    place: Place<'p>,
    unknown: &'p RefCell<Vec<Vec<Segment>>>,
}

impl<'a> SeqAccess<'a> for Items<'a, '_> {
    type Error = Unread;

    fn next_element_seed<T: DeserializeSeed<'a>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Unread> {
        let Some((index, item)) = self.items.next() else {
            return Ok(None);
        };
        seed.deserialize(Reader {
            value: item.get_ref(),
            place: Place::Index(&self.place, index),
            unknown: self.unknown,
        })
        .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The entries of a table, in key order as toml gives them.
struct Entries<'a, 'p> {
    entries: toml::map::Iter<'a, Spanned<std::borrow::Cow<'a, str>>, Spanned<DeValue<'a>>>,
    value: Option<(&'a str, &'a DeValue<'a>)>,
    place: Place<'p>,
    unknown: &'p RefCell<Vec<Vec<Segment>>>,
}

impl<'a> MapAccess<'a> for Entries<'a, '_> {
    type Error = Unread;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Unread> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        let key: &'a str = key.get_ref();
        self.value = Some((key, value.get_ref()));
        seed.deserialize(BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, Unread> {
        let (key, value) = self.value.take().ok_or(Unread)?;
        seed.deserialize(Reader {
            value,
            place: Place::Key(&self.place, key),
            unknown: self.unknown,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Debug;
    use std::path::{Path, PathBuf};

    use toml::de::DeTable;

    use super::*;
    use crate::schema::*;

    type Node<'i> = Spanned<DeValue<'i>>;

    /// How toml itself reads `node`, as `load` did before the fast path:
    /// the value (or the message), and the unknown keys serde_ignored saw.
    fn by_toml<T: DeserializeOwned>(node: &Node<'_>) -> (Result<T, String>, Vec<Vec<Segment>>) {
        let mut unknown = Vec::new();
        let de = toml::de::ValueDeserializer::from(node.clone());
        let value = T::deserialize(serde_ignored::Deserializer::new(
            de,
            &mut |path: serde_ignored::Path<'_>| unknown.push(crate::load::ignored_segments(&path)),
        ));
        (value.map_err(|e| e.to_string()), unknown)
    }

    /// Tables toml read that the fast path read too, and that it left.
    #[derive(Default, Debug)]
    struct Tally {
        fast: usize,
        left: usize,
    }

    /// Reads `node` both ways. Whatever the fast path reads must be what
    /// toml reads, unknown keys included; it may leave a table to toml.
    fn agree<T: DeserializeOwned + Debug>(node: &Node<'_>, origin: &str, tally: &mut Tally) {
        let (slow, slow_unknown) = by_toml::<T>(node);
        match (read::<T>(node), slow) {
            (Ok((fast, unknown)), Ok(slow)) => {
                assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{origin}");
                assert_eq!(unknown, slow_unknown, "{origin}: unknown keys");
                tally.fast += 1;
            }
            (Ok((fast, _)), Err(message)) => {
                panic!("{origin}: the fast path read {fast:?} where toml says: {message}")
            }
            (Err(Unread), Ok(_)) => tally.left += 1,
            (Err(Unread), Err(_)) => {}
        }
    }

    fn each<T: DeserializeOwned + Debug>(node: &Node<'_>, origin: &str, tally: &mut Tally) {
        match node.get_ref().as_array() {
            Some(items) => {
                for item in items {
                    agree::<T>(item, origin, tally);
                }
            }
            None => agree::<T>(node, origin, tally),
        }
    }

    /// Compares the readings of a document: whole, and table by table as
    /// `load` reads it. Returns false when the text is not TOML.
    fn compare(text: &str, origin: &str, tally: &mut Tally) -> bool {
        let Ok(doc) = DeTable::parse(text) else {
            return false;
        };
        let root = Spanned::new(doc.span(), DeValue::Table(doc.get_ref().clone()));
        agree::<TomlDocument>(&root, origin, tally);
        for (key, value) in doc.get_ref() {
            match key.get_ref().as_ref() {
                "portfolio" => agree::<TomlPortfolio>(value, origin, tally),
                "initiative" => agree::<TomlInitiative>(value, origin, tally),
                "source" => each::<TomlSourceDocument>(value, origin, tally),
                "indicator" => each::<TomlIndicator>(value, origin, tally),
                "funding" => each::<TomlFundingSource>(value, origin, tally),
                "spending" => each::<TomlSpending>(value, origin, tally),
                "receipt" => each::<TomlReceipt>(value, origin, tally),
                "submission" => each::<crate::schema::TomlSubmission>(value, origin, tally),
                "ledger" => each::<TomlLedger>(value, origin, tally),
                "measurement" => each::<TomlMeasurement>(value, origin, tally),
                "line" => each::<TomlBudgetLine>(value, origin, tally),
                "target" => each::<TomlOutcomeTarget>(value, origin, tally),
                _ => {}
            }
        }
        true
    }

    fn toml_files(dir: &Path) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .map(walkdir::DirEntry::into_path)
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        files
    }

    fn repository() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn corpus() -> Vec<(PathBuf, String)> {
        let root = repository();
        let mut files = toml_files(&root.join("initiatives"));
        files.extend(toml_files(&root.join("tests/fixtures")));
        files
            .into_iter()
            .filter_map(|f| Some((f.clone(), std::fs::read_to_string(&f).ok()?)))
            .collect()
    }

    #[test]
    fn reads_every_shipped_and_fixture_table_as_toml_does() {
        let mut tally = Tally::default();
        let files = corpus();
        assert!(files.len() > 60, "the corpus was not found");
        for (path, text) in &files {
            compare(text, &path.display().to_string(), &mut tally);
        }
        // Unchanged files hold no enum written as a table, no huge integer:
        // nothing the fast path should leave to toml.
        assert_eq!(tally.left, 0, "{tally:?}");
        assert!(tally.fast > 400, "{tally:?}");
    }

    /// Every value of the shipped plans replaced by a value of each other
    /// kind, and every key by one no table has: the wrong types, missing
    /// and unknown keys of real users, at every place in the schema.
    #[test]
    fn reads_every_mutated_table_as_toml_does() {
        const VALUES: &[&str] = &[
            "\"text\"",
            "\"1234.50\"",
            "7",
            "-3",
            "1.5",
            "1e400",
            "inf",
            "99999999999999999999999999999999999999999",
            "0x10",
            "true",
            "2020-01-01",
            "2020-01-01T10:00:00",
            "[]",
            "[1, 2]",
            "[\"a\", \"b\"]",
            "[{ source = \"x\", amount = 1 }]",
            "{}",
            "{ target = \"t\", weight = 2 }",
            "{ of = \"personnel\", percent = 15 }",
        ];
        let mut tally = Tally::default();
        let mut documents = 0;
        let root = repository();
        for path in toml_files(&root.join("initiatives")) {
            let text = std::fs::read_to_string(&path).unwrap();
            let doc = DeTable::parse(&text).unwrap();
            let mut values = Vec::new();
            let mut keys = Vec::new();
            spans(
                &Spanned::new(doc.span(), DeValue::Table(doc.get_ref().clone())),
                &mut values,
                &mut keys,
            );
            let origin = path.display().to_string();
            for range in &values {
                for value in VALUES {
                    let mutated = format!("{}{value}{}", &text[..range.start], &text[range.end..]);
                    documents += usize::from(compare(&mutated, &origin, &mut tally));
                }
            }
            for range in &keys {
                let mutated = format!("{}nyckel{}", &text[..range.start], &text[range.end..]);
                documents += usize::from(compare(&mutated, &origin, &mut tally));
            }
        }
        assert!(documents > 5_000, "{documents} documents");
        assert!(tally.fast > 10 * tally.left, "{tally:?}");
        eprintln!("{documents} documents, {tally:?}");
    }

    /// The source ranges of every scalar value and every key under `node`.
    fn spans(
        node: &Node<'_>,
        values: &mut Vec<std::ops::Range<usize>>,
        keys: &mut Vec<std::ops::Range<usize>>,
    ) {
        match node.get_ref() {
            DeValue::Table(table) => {
                for (key, value) in table {
                    keys.push(key.span());
                    spans(value, values, keys);
                }
            }
            DeValue::Array(items) => {
                for item in items {
                    spans(item, values, keys);
                }
            }
            _ => values.push(node.span()),
        }
    }
}
