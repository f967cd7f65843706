//! A value's shape, read through the schema's serde types (`crate::schema`):
//! a table deserialized with its unknown keys and serde's errors turned
//! into located diagnostics.

use super::*;

impl Ctx<'_> {
    /// Deserialises one table into `T`, reporting type errors and every
    /// unknown key. Returns `None` when the table could not be read.
    pub(super) fn deserialize<T: DeserializeOwned>(
        &mut self,
        node: &Node<'_>,
        path: &KeyPath,
    ) -> Option<T> {
        // Nearly every table is read straight from the tree; one that the
        // fast path does not take is read again by toml, which does the
        // reporting (see `crate::tree`).
        if let Ok((value, unknown)) = crate::tree::read::<T>(node) {
            self.unknown_keys(node, path, &unknown);
            return Some(value);
        }
        let mut unknown: Vec<Vec<Segment>> = Vec::new();
        let de = toml::de::ValueDeserializer::from(node.clone());
        let result = {
            let mut collect = |p: serde_ignored::Path<'_>| unknown.push(ignored_segments(&p));
            T::deserialize(serde_ignored::Deserializer::new(de, &mut collect))
        };
        // Most tables are fine: the path of an error is tracked only on a
        // second reading of a table that failed, which costs less than
        // tracking it on every table.
        let result = result.map_err(|_| {
            let de = toml::de::ValueDeserializer::from(node.clone());
            let mut ignore = |_: serde_ignored::Path<'_>| {};
            let ignored = serde_ignored::Deserializer::new(de, &mut ignore);
            serde_path_to_error::deserialize::<_, T>(ignored)
        });
        let result = match result {
            Ok(value) => Ok(value),
            Err(Ok(value)) => Ok(value),
            Err(Err(err)) => Err(err),
        };
        if result.is_err() {
            // Reading stopped at the error: the keys of the table after it
            // were never looked at. Each one the format does not know is
            // reported as well, as an editor's schema check would.
            let known = known_keys(&path.0);
            if !known.is_empty()
                && let Some(keys) = key_places(node)
            {
                let reported = |key: &str| {
                    unknown
                        .iter()
                        .any(|u| matches!(u.as_slice(), [Segment::Key(k)] if k == key))
                };
                let mut late: Vec<(&str, Range<usize>)> = keys
                    .iter()
                    .filter(|(k, _)| !known.iter().any(|n| n == **k) && !reported(k))
                    .map(|(k, r)| (*k, r.clone()))
                    .collect();
                late.sort_by_key(|(_, r)| r.start);
                for (key, _) in late {
                    unknown.push(vec![Segment::Key(key.to_owned())]);
                }
            }
        }
        self.unknown_keys(node, path, &unknown);
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                let rel: Vec<Segment> = err
                    .path()
                    .iter()
                    .filter_map(|s| match s {
                        serde_path_to_error::Segment::Seq { index } => Some(Segment::Index(*index)),
                        serde_path_to_error::Segment::Map { key } => {
                            Some(Segment::Key(key.clone()))
                        }
                        _ => None,
                    })
                    .collect();
                // A missing key that an unknown key of the same table
                // misspells (`montly_cost`) is one mistake, reported once:
                // as the unknown key, whose help names the missing one.
                let message = err.inner().message();
                let missing = message
                    .strip_prefix("missing field `")
                    .and_then(|m| m.split('`').next());
                let misspelt = missing.is_some_and(|field| {
                    unknown.iter().any(|u| {
                        u.split_last().is_some_and(|(last, parent)| {
                            parent == rel.as_slice()
                                && matches!(last, Segment::Key(k) if did_you_mean(k, [field]).is_some())
                        })
                    })
                });
                if !misspelt {
                    self.serde_error(node, path, &rel, err.inner());
                }
                None
            }
        }
    }

    /// Deserialises every table of an array of tables.
    pub(super) fn deserialize_list<'v, 'i, T: DeserializeOwned>(
        &mut self,
        value: &'v Node<'i>,
        path: &KeyPath,
    ) -> Vec<(T, &'v Node<'i>, KeyPath)> {
        let Some(items) = value.get_ref().as_array() else {
            let name = path.to_string();
            let d = self
                .diag(
                    Code::WrongType,
                    format!("`{name}` must be an array of tables"),
                    value.span(),
                    path,
                )
                .label(format!("found {}", value.get_ref().type_str()))
                .help(format!(
                    "write each entry as `[[{name}]]` (double brackets): a file may hold several"
                ));
            self.push(d);
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let p = path.index(i);
            match self.deserialize::<T>(item, &p) {
                Some(t) => out.push((t, item, p)),
                None => {
                    if let Some(Segment::Key(kind)) = path.0.first() {
                        self.unloaded(kind, item);
                    }
                }
            }
        }
        out
    }

    /// Reads an array of tables and interprets each with `interpret`; the
    /// id of an item that does not load is recorded (see `unloaded`).
    pub(super) fn load_list<R: DeserializeOwned, T>(
        &mut self,
        value: &Node<'_>,
        path: &KeyPath,
        interpret: impl Fn(&mut Self, R, &Node<'_>, &KeyPath) -> Option<T>,
    ) -> Vec<T> {
        let list = self.deserialize_list::<R>(value, path);
        let mut out = Vec::with_capacity(list.len());
        for (raw, node, item_path) in list {
            match interpret(self, raw, node, &item_path) {
                Some(item) => out.push(item),
                None => {
                    if let Some(Segment::Key(kind)) = path.0.first() {
                        self.unloaded(kind, node);
                    }
                }
            }
        }
        out
    }

    /// Records the id of a table that did not load, so that references to
    /// it are not reported as unknown on top of its own error. Only such
    /// ids are kept: the loaded ones are in the model, and keeping every
    /// id twice was a tenth of the memory of a national portfolio.
    pub(super) fn unloaded(&mut self, kind: &str, node: &Node<'_>) {
        if let Some((_, id)) = table_get(node, "id")
            && let Some(id) = id.get_ref().as_str()
        {
            self.declared.push((kind.to_owned(), id.to_owned()));
        }
    }

    /// Reports the unknown keys found reading `node`, given by their paths
    /// relative to it.
    pub(super) fn unknown_keys(
        &mut self,
        node: &Node<'_>,
        path: &KeyPath,
        unknown: &[Vec<Segment>],
    ) {
        // The keys of the table last looked in, by name: a table with
        // thousands of unknown keys is looked in once, not once per key
        // (which made ten thousand keys take seconds).
        let mut index: Option<(&[Segment], KeyPlaces<'_>)> = None;
        for rel in unknown {
            let Some((Segment::Key(key), parent)) = rel.split_last() else {
                continue;
            };
            if index.as_ref().is_none_or(|(p, _)| *p != parent) {
                let keys = walk(node, parent).and_then(key_places).unwrap_or_default();
                index = Some((parent, keys));
            }
            let key_range = index
                .as_ref()
                .and_then(|(_, keys)| keys.get(key.as_str()).cloned())
                .unwrap_or_else(|| node.span());
            self.unknown_key(&path.join(parent).0, key, key_range);
        }
    }

    pub(super) fn unknown_key(&mut self, parent: &[Segment], key: &str, range: Range<usize>) {
        let candidates = known_keys(parent);
        let path = KeyPath(parent.to_vec()).key(key);
        let mut d = self
            .diag(
                Code::UnknownKey,
                format!("unknown key `{key}`"),
                range,
                &path,
            )
            .label("not a key of this table");
        d = match did_you_mean(key, candidates.iter().map(String::as_str)) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None if candidates.is_empty() => d.help("remove it"),
            None => d.help(format!("remove it; this table takes {}", list(&candidates))),
        };
        self.push(d);
    }

    pub(super) fn serde_error(
        &mut self,
        item: &Node<'_>,
        path: &KeyPath,
        rel: &[Segment],
        err: &toml::de::Error,
    ) {
        let full = path.join(rel);
        let target = walk(item, rel);
        let range = target
            .map(|n| n.span())
            .or_else(|| err.span())
            .unwrap_or_else(|| item.span());
        let message = err.message().to_owned();
        let d = if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
        {
            // serde names the missing field but the path stops at its table.
            let table = walk(item, rel).unwrap_or(item);
            let key_path = full.key(field);
            self.diag(
                Code::MissingKey,
                format!("missing required key `{field}`"),
                table_head(table),
                &key_path,
            )
            .label(format!("this table needs `{field}`"))
            .help(format!(
                "add `{field} = ...`; see `insats explain INS103` for what each table requires"
            ))
        } else if message.starts_with("unknown variant") {
            let given = message.split('`').nth(1).unwrap_or_default().to_owned();
            let values = known_values(&full.0);
            let d = self
                .diag(
                    Code::UnknownVariant,
                    format!("`{given}` is not an accepted value"),
                    range,
                    &full,
                )
                .label("not accepted here");
            match did_you_mean(&given, values.iter().map(String::as_str)) {
                Some(s) => d.help(format!("did you mean `{s}`? accepted: {}", list(&values))),
                None => d.help(format!("accepted: {}", list(&values))),
            }
        } else if message.contains("invalid value: string") && message.contains("expected a date") {
            // A quoted text that is no date (`"31/12/2018"`).
            let given = message.split('"').nth(1).unwrap_or_default().to_owned();
            self.diag(
                Code::InvalidDate,
                format!("`{given}` is not a date"),
                range,
                &full,
            )
            .label("not year-month-day")
            .help("write the date as year-month-day: `2018-12-31`")
        } else {
            let mut d = self
                .diag(
                    Code::WrongType,
                    format!("wrong type: {message}"),
                    range,
                    &full,
                )
                .label(message.clone());
            if message.contains("datetime") || message.contains("date") {
                d = d.help("write the date as year-month-day: `2019-05-01`");
            } else if message.contains("expected a sequence") {
                d = d.help("write a list in square brackets: `[\"a\", \"b\"]`");
            } else if message.contains("overflowed") {
                // `1e400`: TOML reads it as a float, which cannot hold it.
                d = d.help(ACCEPTED_NUMBER_FORMS);
            }
            d
        };
        self.push(d);
    }

    // ---- step 3: interpretation ---------------------------------------
}
