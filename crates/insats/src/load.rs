//! Load: the text of one file to typed model items, with spans.
//!
//! Loading one file goes through three steps, each reporting every problem
//! it finds rather than stopping at the first:
//!
//! 1. **Parse** the TOML with error recovery, collecting every syntax
//!    error. A file with syntax errors stops here, since what follows would
//!    only be guesses about a broken file.
//! 2. **Deserialise** each table (`[initiative]`, every `[[line]]`, …)
//!    into the [`crate::schema`] types on its own, so that a wrong type in
//!    one budget line does not hide the problems of the next. Unknown keys
//!    are collected and reported with a suggestion.
//! 3. **Interpret** the schema types into [`crate::model`] items: amounts
//!    read exactly from the source text, dates made real calendar dates,
//!    staffing and flat rates computed, splits allocated to the öre.
//!
//! Checks that need more than one file (references, sums per funding
//! source) are left to [`crate::check`].

use std::collections::BTreeMap;
use std::ops::Range;

use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Diagnostic, Location};
use crate::keys::{KeyPath, Segment, did_you_mean, known_keys, known_values};
use crate::model::{
    BudgetLine, CostCategory, Date, Decision, FundingSource, Indicator, Initiative, LineCost,
    Measurement, Observation, OutcomeTarget, Payer, Period, Provenance, Receipt, Serves,
    SourceDocument, Spending, Staffing, When, YearAmount,
};
use crate::money::{self, DecimalTextError, format_kr as kr};
use crate::privacy;
use crate::rules::Code;
use crate::schema::TomlLedger;
use crate::schema::{
    TomlBudgetLine, TomlFundedBy, TomlFundingSource, TomlIndicator, TomlInitiative,
    TomlMeasurement, TomlObservation, TomlOutcomeTarget, TomlPeriod, TomlPortfolio, TomlReceipt,
    TomlServes, TomlSourceDocument, TomlSpending,
};
use crate::source::{FileId, Located, SourceSet, Span};

/// What one file contributed to the portfolio.
#[derive(Debug, Clone, Default)]
pub struct LoadedFile {
    /// True when the file has an `[initiative]` key (even a broken one).
    pub is_plan: bool,
    /// The `[portfolio]` table, with its span.
    pub portfolio: Option<(TomlPortfolio, Span)>,
    /// The initiative, when it loaded.
    pub initiative: Option<Initiative>,
    /// Funding sources.
    pub funding: Vec<FundingSource>,
    /// Indicators.
    pub indicators: Vec<Indicator>,
    /// Source documents.
    pub sources: Vec<SourceDocument>,
    /// Spending recorded in the file.
    pub spending: Vec<Spending>,
    /// Payments received, recorded in the file.
    pub receipts: Vec<Receipt>,
    /// Reports sent, recorded in the file.
    pub submissions: Vec<crate::model::Submission>,
    /// Measurements recorded in the file.
    pub measurements: Vec<Measurement>,
    /// Ledger exports declared in the file.
    pub ledgers: Vec<crate::ledger::Ledger>,
    /// (table kind, id) of every item of the file that has an id but did
    /// not load (see [`Portfolio::declared`](crate::model::Portfolio)).
    pub declared: Vec<(String, String)>,
}

/// Loads one file of `sources`, appending its diagnostics.
pub fn load_file(
    sources: &SourceSet,
    file: FileId,
    diagnostics: &mut Vec<Diagnostic>,
) -> LoadedFile {
    let text = &sources.get(file).text;
    // A byte order mark is legal in a UTF-8 file but not in TOML: parse past
    // it and shift every span back.
    let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut ctx = Ctx {
        sources,
        file,
        base,
        diagnostics,
        declared: Vec::new(),
    };
    let (doc, errors) = DeTable::parse_recoverable(&text[base..]);
    if !errors.is_empty() {
        // A parser that lost its footing (say, past its nesting limit) can
        // repeat one error many times: show each message at most three
        // times and count the rest.
        const SHOWN_PER_MESSAGE: usize = 3;
        let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        // The parser also recovers within a line: `fte = 3,5` in an inline
        // table reads on as `5` a key, and so on, one error after another.
        // Only the first error of a line is the mistake; the rest follow
        // from it, and are counted on it.
        let source = sources.get(file);
        // (line, its diagnostic, how many more errors it had)
        let mut lines: Vec<(usize, usize, usize)> = Vec::new();
        for error in &errors {
            let line = source
                .line_col(base + error.span().map_or(0, |s| s.start))
                .0;
            if let Some(last) = lines.last_mut()
                && last.0 == line
            {
                last.2 += 1;
                continue;
            }
            let n = seen.entry(error.message().to_owned()).or_insert(0);
            *n += 1;
            if *n <= SHOWN_PER_MESSAGE {
                ctx.syntax_error(error);
                lines.push((line, ctx.diagnostics.len() - 1, 0));
            }
        }
        for (_, index, more) in lines {
            let note = match more {
                0 => continue,
                1 => "1 more syntax error follows from this one on the same line".to_owned(),
                n => format!("{n} more syntax errors follow from this one on the same line"),
            };
            ctx.diagnostics[index].notes.push(note);
        }
        for (message, n) in seen {
            if n > SHOWN_PER_MESSAGE {
                let note = format!(
                    "{} more syntax errors like this one are not shown",
                    n - SHOWN_PER_MESSAGE
                );
                if let Some(last) = ctx
                    .diagnostics
                    .iter_mut()
                    .rev()
                    .find(|d| d.label.as_deref() == Some(message.trim_end_matches('\n')))
                {
                    last.notes.push(note);
                }
            }
        }
        return LoadedFile {
            is_plan: doc.get_ref().get("initiative").is_some(),
            ..LoadedFile::default()
        };
    }
    ctx.load_document(&doc)
}

/// State while loading one file.
struct Ctx<'a> {
    sources: &'a SourceSet,
    file: FileId,
    base: usize,
    diagnostics: &'a mut Vec<Diagnostic>,
    /// (table kind, id) of every item declared in the file.
    declared: Vec<(String, String)>,
}

type Node<'i> = Spanned<DeValue<'i>>;

/// Where each key of a table is written, by name: for looking up many keys
/// of one table, where [`table_get`] per key would take time in the square
/// of the table's size.
type KeyPlaces<'v> = crate::hash::IdMap<&'v str, Range<usize>>;

fn key_places<'v>(node: &'v Node<'_>) -> Option<KeyPlaces<'v>> {
    Some(
        node.get_ref()
            .as_table()?
            .iter()
            .map(|(k, _)| (k.get_ref().as_ref(), k.span()))
            .collect(),
    )
}

fn table_get<'v, 'i>(node: &'v Node<'i>, key: &str) -> Option<(Range<usize>, &'v Node<'i>)> {
    node.get_ref()
        .as_table()?
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(k, v)| (k.span(), v))
}

impl Ctx<'_> {
    fn span(&self, range: Range<usize>) -> Span {
        Span::new(self.file, range.start + self.base..range.end + self.base)
    }

    fn locate(&self, range: Range<usize>) -> Location {
        Diagnostic::resolve(self.sources, &self.span(range))
    }

    fn diag(
        &self,
        code: Code,
        message: impl Into<String>,
        range: Range<usize>,
        path: &KeyPath,
    ) -> Diagnostic {
        let d = Diagnostic::new(code, message).at(self.locate(range));
        if path.0.is_empty() {
            d
        } else {
            d.key_path(path.to_string())
        }
    }

    fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn syntax_error(&mut self, error: &toml::de::Error) {
        let range = error.span().unwrap_or(0..0);
        let message = error.message().trim_end_matches('\n').to_owned();
        let mut d = self
            .diag(
                Code::TomlSyntax,
                format!("invalid TOML: {message}"),
                range,
                &KeyPath::default(),
            )
            .label(message.clone());
        if message.contains("duplicate key") {
            d = d.help("a key may appear only once in a table; remove or rename one of them");
        } else if message.contains("invalid") && message.contains("float")
            || message.contains("expected")
        {
            d = d.help("see the TOML syntax at https://toml.io/en/v1.0.0; strings need quotes, decimals a point (`1.5`, not `1,5`)");
        }
        self.push(d);
    }

    /// Steps 2 and 3 over a parsed document.
    fn load_document(&mut self, doc: &Spanned<DeTable<'_>>) -> LoadedFile {
        let mut out = LoadedFile::default();
        let mut raw_initiative = None;
        let mut raw_lines = Vec::new();
        let mut raw_targets = Vec::new();

        for (key, value) in doc.get_ref().iter() {
            let name = key.get_ref().as_ref();
            let path = KeyPath::default().key(name);
            match name {
                "portfolio" => {
                    if let Some(p) = self.deserialize::<TomlPortfolio>(value, &path) {
                        out.portfolio = Some((p, self.span(value.span())));
                    }
                }
                "initiative" => {
                    out.is_plan = true;
                    raw_initiative = self
                        .deserialize::<TomlInitiative>(value, &path)
                        .map(|r| (r, value));
                }
                "source" => out.sources = self.load_list(value, &path, Self::source_document),
                "indicator" => out.indicators = self.load_list(value, &path, Self::indicator),
                "funding" => out.funding = self.load_list(value, &path, Self::funding),
                "spending" => out.spending = self.load_list(value, &path, Self::spending),
                "receipt" => out.receipts = self.load_list(value, &path, Self::receipt),
                "submission" => out.submissions = self.load_list(value, &path, Self::submission),
                "ledger" => out.ledgers = self.load_list(value, &path, Self::ledger),
                "measurement" => out.measurements = self.load_list(value, &path, Self::measurement),
                "line" => raw_lines = self.deserialize_list::<TomlBudgetLine>(value, &path),
                "target" => raw_targets = self.deserialize_list::<TomlOutcomeTarget>(value, &path),
                _ => self.unknown_key(&[], name, key.span()),
            }
        }

        let mut found = Vec::new();
        for value in doc.get_ref().values() {
            privacy::scan(value, &mut |code, message, range| {
                found.push((code, message, range));
            });
        }
        for (code, message, range) in found {
            let help = match code {
                Code::PersonalIdentityNumber => {
                    "plans are public documents: remove the number and refer to the person by role"
                }
                _ => {
                    "plans are public documents: use the organisation's functional address instead"
                }
            };
            let d = self
                .diag(code, message, range, &KeyPath::default())
                .label("personal data in a public document")
                .help(help);
            self.diagnostics.push(d);
        }

        if out.is_plan {
            // Lines and targets are interpreted even when `[initiative]`
            // itself is broken, so that their problems are reported too.
            let (lines, targets) = self.lines_and_targets(raw_lines, raw_targets);
            let built = match raw_initiative {
                Some((raw, node)) => self.initiative(raw, node, lines, targets),
                None => Err((lines, targets)),
            };
            match built {
                Ok(initiative) => out.initiative = Some(initiative),
                // A broken `[initiative]` takes its lines and targets with
                // it: they did not load either.
                Err((lines, targets)) => {
                    let ids = lines.into_iter().map(|l| ("line", l.id.value));
                    let ids = ids.chain(targets.into_iter().map(|t| ("target", t.id.value)));
                    self.declared
                        .extend(ids.map(|(kind, id)| (kind.to_owned(), id)));
                }
            }
        } else {
            // Lines and targets outside a plan are not interpreted, and
            // are reported as misplaced: they did not load.
            for (_, node, _) in &raw_lines {
                self.unloaded("line", node);
            }
            for (_, node, _) in &raw_targets {
                self.unloaded("target", node);
            }
            self.misplaced_sections(doc);
        }
        out.declared = std::mem::take(&mut self.declared);
        out
    }

    /// `[[line]]` or `[[target]]` in a file without `[initiative]`.
    fn misplaced_sections(&mut self, doc: &Spanned<DeTable<'_>>) {
        if let Some(name) = ["line", "target"].into_iter().find(|n| {
            doc.get_ref()
                .iter()
                .any(|(k, _)| k.get_ref().as_ref() == *n)
        }) {
            let range = doc
                .get_ref()
                .iter()
                .find(|(k, _)| k.get_ref().as_ref() == name)
                .map_or(0..0, |(key, _)| key.span());
            let d = self
                .diag(
                    Code::MisplacedSection,
                    format!("`[[{name}]]` in a file without an `[initiative]` table"),
                    range,
                    &KeyPath::default().key(name),
                )
                .label("budget lines and targets belong to an initiative")
                .help("add an `[initiative]` table to this file, or move the lines and targets into the plan file of their initiative");
            self.push(d);
        }
    }

    /// Deserialises one table into `T`, reporting type errors and every
    /// unknown key. Returns `None` when the table could not be read.
    fn deserialize<T: DeserializeOwned>(&mut self, node: &Node<'_>, path: &KeyPath) -> Option<T> {
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
    fn deserialize_list<'v, 'i, T: DeserializeOwned>(
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
    fn load_list<R: DeserializeOwned, T>(
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
    fn unloaded(&mut self, kind: &str, node: &Node<'_>) {
        if let Some((_, id)) = table_get(node, "id")
            && let Some(id) = id.get_ref().as_str()
        {
            self.declared.push((kind.to_owned(), id.to_owned()));
        }
    }

    /// Reports the unknown keys found reading `node`, given by their paths
    /// relative to it.
    fn unknown_keys(&mut self, node: &Node<'_>, path: &KeyPath, unknown: &[Vec<Segment>]) {
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

    fn unknown_key(&mut self, parent: &[Segment], key: &str, range: Range<usize>) {
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

    fn serde_error(
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

    fn id(&mut self, node: &Node<'_>, path: &KeyPath, id: &str) -> Located<String> {
        let range = field_range(node, "id");
        if !is_valid_id(id) {
            let suggestion = suggest_id(id);
            let mut d = self
                .diag(
                    Code::InvalidId,
                    format!("`{id}` is not a valid id"),
                    range.clone(),
                    &path.key("id"),
                )
                .label("ids use a-z, 0-9, `-` and `_`, starting with a letter");
            if is_valid_id(&suggestion) {
                d = d.help(format!("write it as `{suggestion}`"));
            } else {
                d = d.help("start with a lower-case letter; use a-z, 0-9, `-` and `_`, at most 64 characters");
            }
            self.push(d);
        }
        Located::new(id.to_owned(), self.span(range))
    }

    fn reference(&self, node: &Node<'_>, key: &str, value: &str) -> Located<String> {
        Located::new(value.to_owned(), self.span(field_range(node, key)))
    }

    fn provenance(
        &self,
        node: &Node<'_>,
        source: Option<String>,
        illustrative: Option<bool>,
        note: Option<String>,
    ) -> Provenance {
        Provenance {
            source: source.map(|s| self.reference(node, "source", &s)),
            illustrative: illustrative.unwrap_or(false),
            note,
        }
    }

    /// The source text at `range` (of this item), as the user wrote it.
    fn written(&self, range: Range<usize>) -> &str {
        let text = &self.sources.get(self.file).text;
        text.get(range.start + self.base..range.end + self.base)
            .unwrap_or_default()
    }

    /// Reads an exact decimal at `key` of `node`.
    fn decimal(&mut self, node: &Node<'_>, key: &str, path: &KeyPath) -> Option<Located<Decimal>> {
        let (_, value) = table_get(node, key)?;
        let text: std::borrow::Cow<'_, str> = match value.get_ref() {
            DeValue::Integer(i) if i.radix() != 10 => {
                let d = self
                    .diag(
                        Code::InvalidAmount,
                        format!("`{}` is not a decimal number", self.written(value.span())),
                        value.span(),
                        &path.key(key),
                    )
                    .label("hexadecimal, octal and binary are not accepted")
                    .help(ACCEPTED_NUMBER_FORMS);
                self.push(d);
                return None;
            }
            DeValue::Integer(i) => i.as_str().into(),
            DeValue::Float(f) => f.as_str().into(),
            DeValue::String(s) => s.clone(),
            // The schema step already reported other types.
            _ => return None,
        };
        match money::parse_decimal_text(&text) {
            Ok(d) if !money::within_limit(d) => {
                let d = self
                    .diag(
                        Code::InvalidAmount,
                        format!(
                            "`{text}` is larger than insats accepts (at most {} either way)",
                            money::format_amount(Decimal::from(money::MAX_NUMBER))
                        ),
                        value.span(),
                        &path.key(key),
                    )
                    .label("too large")
                    .help("numbers in a plan are at most a thousand trillion (10^15); look for a misplaced digit group");
                self.push(d);
                None
            }
            Ok(d) => Some(Located::new(d, self.span(value.span()))),
            Err(e) => {
                let label = match e {
                    DecimalTextError::DecimalComma(_) => "decimal comma",
                    DecimalTextError::Exponent(_) => "exponent",
                    DecimalTextError::OutOfRange(_) => "too large to hold exactly",
                    _ => "not an exact decimal",
                };
                // The number as written (`1_0.5e3`), not as TOML read it.
                let e = match value.get_ref() {
                    DeValue::String(_) => e,
                    _ => e.quoting(self.written(value.span())),
                };
                let d = self
                    .diag(
                        Code::InvalidAmount,
                        e.to_string(),
                        value.span(),
                        &path.key(key),
                    )
                    .label(label)
                    .help(ACCEPTED_NUMBER_FORMS);
                self.push(d);
                None
            }
        }
    }

    /// Reads an amount of money: an exact decimal, not negative, whole öre.
    fn amount(&mut self, node: &Node<'_>, key: &str, path: &KeyPath) -> Option<Located<Decimal>> {
        let value = self.signed_amount(node, key, path)?;
        self.non_negative(&value, path, key, "amounts")?;
        Some(value)
    }

    /// `path` is the table's; the key is added only if there is something
    /// to report, since building key paths for every value costs.
    fn non_negative(
        &mut self,
        value: &Located<Decimal>,
        path: &KeyPath,
        key: &str,
        what: &str,
    ) -> Option<()> {
        if value.value.is_sign_negative() && !value.value.is_zero() {
            let d = self
                .diag(
                    Code::NegativeAmount,
                    format!("{} is negative", value.value),
                    self.range_of(&value.span),
                    &path.key(key),
                )
                .label("must be zero or more")
                .help(format!(
                    "{what} cannot be negative; record repayments and corrections as follow-up data"
                ));
            self.push(d);
            return None;
        }
        Some(())
    }

    fn range_of(&self, span: &Span) -> Range<usize> {
        span.range.start - self.base..span.range.end - self.base
    }

    /// Reads the date at `key` of `node`.
    fn date(
        &mut self,
        node: &Node<'_>,
        key: &str,
        path: &KeyPath,
        raw: &toml::value::Datetime,
    ) -> Option<Located<Date>> {
        let range = field_range(node, key);
        match parse_date(raw) {
            Ok(date) => Some(Located::new(date, self.span(range))),
            Err(_) => self.date_at(range, &path.key(key), raw),
        }
    }

    /// Makes a calendar date of a TOML datetime written at `range`.
    fn date_at(
        &mut self,
        range: Range<usize>,
        path: &KeyPath,
        raw: &toml::value::Datetime,
    ) -> Option<Located<Date>> {
        let bad = |ctx: &mut Self, message: String, help: &str| {
            let d = ctx
                .diag(Code::InvalidDate, message, range.clone(), path)
                .label("not a usable date")
                .help(help.to_owned());
            ctx.push(d);
            None
        };
        let Some(date) = raw.date else {
            return bad(
                self,
                format!("`{raw}` is a time of day, not a date"),
                "write a date: `2019-05-01`",
            );
        };
        if raw.time.is_some() || raw.offset.is_some() {
            return bad(
                self,
                format!("`{raw}` has a time of day; a day is expected"),
                "write only the date: `2019-05-01`",
            );
        }
        if !(1900..=2200).contains(&date.year) {
            return bad(
                self,
                format!("year {} is outside 1900-2200", date.year),
                "check the year; plans are dated within 1900-2200",
            );
        }
        match jiff::civil::Date::new(date.year as i16, date.month as i8, date.day as i8) {
            Ok(d) => Some(Located::new(d, self.span(range))),
            Err(_) => bad(
                self,
                format!("{raw} is not a date in the calendar"),
                "check the day of the month",
            ),
        }
    }

    fn period(
        &mut self,
        node: &Node<'_>,
        key: &str,
        path: &KeyPath,
        raw: &TomlPeriod,
    ) -> Option<Located<Period>> {
        let (_, pnode) = table_get(node, key)?;
        let ppath = path.key(key);
        let start = self.date(pnode, "start", &ppath, &raw.start);
        let end = self.date(pnode, "end", &ppath, &raw.end);
        let (start, end) = (start?, end?);
        if start.value > end.value {
            let d = self
                .diag(
                    Code::PeriodReversed,
                    format!("the period starts {} but ends {}", start.value, end.value),
                    pnode.span(),
                    &ppath,
                )
                .label("ends before it starts")
                .help("swap `start` and `end`, or correct the year");
            self.push(d);
            return None;
        }
        Some(Located::new(
            Period {
                start: start.value,
                end: end.value,
            },
            self.span(pnode.span()),
        ))
    }

    fn source_document(
        &mut self,
        raw: TomlSourceDocument,
        node: &Node<'_>,
        path: &KeyPath,
    ) -> Option<SourceDocument> {
        let id = self.id(node, path, &raw.id);
        let published = match &raw.published {
            Some(p) => Some(self.date(node, "published", path, p)?.value),
            None => None,
        };
        Some(SourceDocument {
            key_path: path.to_string(),
            id,
            publisher: raw.publisher,
            title: raw.title,
            published,
            url: raw.url,
            note: raw.note,
        })
    }

    fn indicator(
        &mut self,
        raw: TomlIndicator,
        node: &Node<'_>,
        path: &KeyPath,
    ) -> Option<Indicator> {
        if let Some(kpi) = raw.external_id.as_deref().filter(|k| {
            crate::kolada::is_kolada_provider(raw.provider.as_deref())
                && !crate::kolada::is_kpi_id(k)
        }) {
            let d = self
                .diag(
                    Code::InvalidKoladaId,
                    format!("`{kpi}` is not a Kolada KPI id"),
                    field_range(node, "external_id"),
                    &path.key("external_id"),
                )
                .label("a KPI id is a capital letter and five digits")
                .help("write the KPI's id as Kolada gives it, e.g. `N15428`");
            self.push(d);
        }
        Some(Indicator {
            key_path: path.to_string(),
            id: self.id(node, path, &raw.id),
            name: raw.name,
            unit: raw.unit,
            direction: raw.direction,
            external_id: raw.external_id,
            provider: raw.provider,
            note: raw.note,
        })
    }

    fn funding(
        &mut self,
        raw: TomlFundingSource,
        node: &Node<'_>,
        path: &KeyPath,
    ) -> Option<FundingSource> {
        let id = self.id(node, path, &raw.id);
        let amount = self.amount(node, "amount", path);
        let window = match &raw.window {
            Some(w) => Some(self.period(node, "window", path, w)?),
            None => None,
        };
        let max_share_percent = match table_get(node, "max_share_percent") {
            Some(_) => Some(self.percent(node, "max_share_percent", path)?),
            None => None,
        };
        let mut reporting = Vec::new();
        if let Some((_, rnode)) = table_get(node, "reporting") {
            for (i, raw_date) in raw.reporting.iter().enumerate() {
                let range = rnode
                    .get_ref()
                    .as_array()
                    .and_then(|a| a.get(i))
                    .map_or(rnode.span(), |n| n.span());
                if let Some(d) = self.date_at(range, &path.key("reporting").index(i), raw_date) {
                    reporting.push(d.value);
                }
            }
        }
        let currency = match &raw.currency {
            Some(c) => self.reference(node, "currency", c),
            None => Located::new("SEK".to_owned(), self.span(field_range(node, "id"))),
        };
        let eligible_categories = raw
            .eligible_categories
            .map(|c| Located::new(c, self.span(field_range(node, "eligible_categories"))));
        Some(FundingSource {
            key_path: path.to_string(),
            provenance: self.provenance(node, raw.source, raw.illustrative, raw.note),
            id,
            name: raw.name,
            kind: raw.kind,
            funder: raw.funder,
            amount: amount?,
            currency,
            window,
            max_share_percent,
            eligible_categories,
            reporting,
            statement_categories: raw
                .statement_categories
                .map(|m| m.into_iter().collect())
                .unwrap_or_default(),
            regulation: raw.regulation,
            amount_history: self.budget_history(node, "amount_history", path, raw.amount_history),
            span: self.span(node.span()),
        })
    }

    /// The decisions at `key` (`budget_history`, `amount_history`): each
    /// read like any date and amount; their order and last amount are
    /// checked with the whole portfolio (`check/history.rs`).
    fn budget_history(
        &mut self,
        node: &Node<'_>,
        key: &str,
        path: &KeyPath,
        raw: Option<Vec<crate::schema::TomlBudgetDecision>>,
    ) -> Vec<crate::model::BudgetDecision> {
        let (Some(raw), Some((_, list))) = (raw, table_get(node, key)) else {
            return Vec::new();
        };
        let Some(items) = list.get_ref().as_array() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, decision) in raw.into_iter().enumerate() {
            let Some(item) = items.get(i) else { break };
            let ipath = path.key(key).index(i);
            let date = self.date(item, "date", &ipath, &decision.date);
            let amount = self.amount(item, "amount", &ipath);
            if let (Some(date), Some(amount)) = (date, amount) {
                out.push(crate::model::BudgetDecision {
                    date,
                    decision: decision.decision,
                    amount,
                });
            }
        }
        out
    }

    /// A percentage: an exact decimal from 0 to 100.
    fn percent(&mut self, node: &Node<'_>, key: &str, path: &KeyPath) -> Option<Located<Decimal>> {
        let value = self.decimal(node, key, path)?;
        self.non_negative(&value, path, key, "percentages")?;
        if value.value > Decimal::ONE_HUNDRED {
            let d = self
                .diag(
                    Code::PercentOutOfRange,
                    format!("{} % is more than 100 %", money::format_number(value.value)),
                    self.range_of(&value.span),
                    &path.key(key),
                )
                .label("outside 0-100")
                .help("write the share in percent, from 0 to 100 (90 for 90 %)");
            self.push(d);
            return None;
        }
        Some(value)
    }

    fn initiative(
        &mut self,
        raw: TomlInitiative,
        node: &Node<'_>,
        lines: Vec<BudgetLine>,
        targets: Vec<OutcomeTarget>,
    ) -> Result<Initiative, (Vec<BudgetLine>, Vec<OutcomeTarget>)> {
        let path = KeyPath::default().key("initiative");
        let id = self.id(node, &path, &raw.id);
        let period = self.period(node, "period", &path, &raw.period);
        let decision = match raw.decision {
            Some(d) => {
                let dnode = table_get(node, "decision").map(|(_, n)| n);
                let date = match (&d.date, dnode) {
                    (Some(date), Some(dnode)) => self
                        .date(dnode, "date", &path.key("decision"), date)
                        .map(|d| d.value),
                    _ => None,
                };
                Some(Decision {
                    body: d.body,
                    date,
                    reference: d.reference,
                    note: d.note,
                })
            }
            None => None,
        };
        let sources = match table_get(node, "sources") {
            Some((_, snode)) => raw
                .sources
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let range = snode
                        .get_ref()
                        .as_array()
                        .and_then(|a| a.get(i))
                        .map_or(snode.span(), |n| n.span());
                    Located::new(s.clone(), self.span(range))
                })
                .collect(),
            None => Vec::new(),
        };

        let Some(period) = period else {
            return Err((lines, targets));
        };
        Ok(Initiative {
            id,
            name: raw.name,
            organisation: raw.organisation,
            unit: raw.unit,
            period,
            status: raw.status.unwrap_or_default(),
            description: raw.description,
            decision,
            sources,
            lines,
            targets,
            file: self.file,
        })
    }

    /// Interprets the budget lines and targets of a plan file. Flat-rate
    /// lines are computed after the others, since they are a rate of them.
    fn lines_and_targets(
        &mut self,
        raw_lines: Vec<(TomlBudgetLine, &Node<'_>, KeyPath)>,
        raw_targets: Vec<(TomlOutcomeTarget, &Node<'_>, KeyPath)>,
    ) -> (Vec<BudgetLine>, Vec<OutcomeTarget>) {
        // Lists of the model are made at their final size: at national
        // scale the spare room of grown vectors was a fifth of the memory
        // of `insats validate` (dhat), and memory costs time in page faults.
        let mut lines: Vec<BudgetLine> = Vec::with_capacity(raw_lines.len());
        let mut flat_rate_lines = Vec::new();
        for (raw_line, lnode, lpath) in raw_lines {
            if raw_line.flat_rate.is_some() {
                flat_rate_lines.push((raw_line, lnode, lpath));
            } else {
                match self.budget_line(raw_line, lnode, &lpath, None) {
                    Some(line) => lines.push(line),
                    None => self.unloaded("line", lnode),
                }
            }
        }
        for (raw_line, lnode, lpath) in flat_rate_lines {
            match self.budget_line(raw_line, lnode, &lpath, Some(&lines)) {
                Some(line) => lines.push(line),
                None => self.unloaded("line", lnode),
            }
        }
        // Keep file order for output: flat-rate lines were computed last.
        lines.sort_by_key(|l| l.span.range.start);

        let mut targets = Vec::with_capacity(raw_targets.len());
        for (t, tnode, tpath) in raw_targets {
            match self.outcome_target(t, tnode, &tpath) {
                Some(target) => targets.push(target),
                None => self.unloaded("target", tnode),
            }
        }
        (lines, targets)
    }

    /// Interprets a budget line. `others` is given for flat-rate lines: the
    /// already computed lines of the same initiative.
    fn budget_line(
        &mut self,
        raw: TomlBudgetLine,
        node: &Node<'_>,
        path: &KeyPath,
        others: Option<&[BudgetLine]>,
    ) -> Option<BudgetLine> {
        let id = self.id(node, path, &raw.id);
        let stated = match table_get(node, "amount") {
            Some(_) => Some(self.amount(node, "amount", path)?),
            None => None,
        };

        let staffing = match &raw.staffing {
            Some(s) => Some(self.staffing(node, path, s)?),
            None => None,
        };
        let phasing = match &raw.phasing {
            Some(p) => Some(self.phasing(node, path, p)?),
            None => None,
        };

        let (cost, amount, years, cost_period) = if let Some(flat) = &raw.flat_rate {
            let fpath = path.key("flat_rate");
            let (frange, fnode) = table_get(node, "flat_rate")?;
            let percent = self.percent(fnode, "percent", &fpath)?;
            if flat.of == CostCategory::Indirect {
                let d = self
                    .diag(
                        Code::FlatRateMismatch,
                        "a flat rate cannot be a rate of indirect costs",
                        field_range(fnode, "of"),
                        &fpath.key("of"),
                    )
                    .label("a rate of indirect costs")
                    .help("base the rate on a direct category, usually `of = \"personnel\"`");
                self.push(d);
                return None;
            }
            if raw.staffing.is_some() {
                let d = self
                    .diag(
                        Code::FlatRateMismatch,
                        "a line cannot be both staffing and a flat rate",
                        frange,
                        &fpath,
                    )
                    .label("a flat rate on a staffing line")
                    .help("put the staffing and the flat rate on two lines");
                self.push(d);
                return None;
            }
            let base = money::checked_sum(
                others
                    .unwrap_or_default()
                    .iter()
                    .filter(|l| l.category == flat.of)
                    .map(|l| l.amount),
            );
            let computed = base
                .and_then(|b| b.checked_mul(percent.value))
                .map(|x| money::round_ore(x / Decimal::ONE_HUNDRED));
            let Some(computed) = computed else {
                self.overflow(frange, &fpath);
                return None;
            };
            // The rate is of the base's plan within the days the line's
            // payers may pay it, and their windows may be declared in other
            // files: the whole portfolio rates it again, and checks a stated
            // amount then ([`crate::report`]'s rating of flat rates).
            (
                LineCost::FlatRate {
                    percent: percent.value,
                    of: flat.of,
                    stated: stated.as_ref().map(|s| s.span.clone()),
                },
                stated.as_ref().map_or(computed, |s| s.value),
                Vec::new(),
                None,
            )
        } else if let Some((staffing, years)) = staffing {
            let total = money::checked_sum(years.iter().map(|y| y.amount))?;
            if let Some(s) = &stated
                && s.value != total
            {
                let d = self
                        .diag(Code::StaffingMismatch, format!("stated amount {} but the staffing gives {}", kr(s.value), kr(total)), self.range_of(&s.span), &path.key("amount"))
                        .label(format!(
                            "{} FTE x {} a month x {} months = {}",
                            money::format_number(staffing.fte), kr(staffing.monthly_cost), staffing.months, kr(total)
                        ))
                        .help(format!("set `amount = {}`, or drop `amount` and let insats compute it, or correct the staffing", total.normalize()));
                self.push(d);
                return None;
            }
            if let Some((phased, prange)) = &phasing {
                let phased_total = money::checked_sum(phased.iter().map(|y| y.amount))?;
                if phased_total != total {
                    let d = self
                        .diag(Code::PhasingMismatch, format!("the phasing adds up to {} but the staffing gives {}", kr(phased_total), kr(total)), prange.clone(), &path.key("phasing"))
                        .label(format!("adds up to {}", kr(phased_total)))
                        .help("drop `phasing` (insats phases staffing by its months) or make the years agree");
                    self.push(d);
                    return None;
                }
                // Equal totals can still hide years that disagree, and the
                // report plans staffing by its months, not by the phasing.
                if let Some((year, phased_year, staffed_year)) =
                    first_disagreeing_year(phased, &years)
                {
                    let range = table_get(node, "phasing")
                        .and_then(|(_, pnode)| key_places(pnode))
                        .and_then(|places| places.get(year.to_string().as_str()).cloned())
                        .unwrap_or_else(|| prange.clone());
                    let d = self
                        .diag(Code::PhasingMismatch, format!("the phasing gives {} for {year} but the staffing gives {}", kr(phased_year), kr(staffed_year)), range, &path.key("phasing").key(&year.to_string()))
                        .label(format!("the staffing's months in {year} cost {}", kr(staffed_year)))
                        .help(format!("drop `phasing` (insats phases staffing by its months) or set `{year} = {}`", staffed_year.normalize()));
                    self.push(d);
                    return None;
                }
            }
            let period = staffing.period;
            (LineCost::Staffing(staffing), total, years, Some(period))
        } else if let Some((phased, prange)) = phasing {
            let Some(total) = money::checked_sum(phased.iter().map(|y| y.amount)) else {
                self.overflow(prange, &path.key("phasing"));
                return None;
            };
            if let Some(s) = &stated
                && s.value != total
            {
                let d = self
                        .diag(Code::PhasingMismatch, format!("stated amount {} but the phasing adds up to {}", kr(s.value), kr(total)), self.range_of(&s.span), &path.key("amount"))
                        .label(format!("phasing adds up to {}", kr(total)))
                        .help("make the years add up to the amount, or drop `amount` and let insats add them up");
                self.push(d);
                return None;
            }
            let period = match (phased.first(), phased.last()) {
                (Some(first), Some(last)) => Some(Period {
                    start: jiff::civil::date(first.year, 1, 1),
                    end: jiff::civil::date(last.year, 12, 31),
                }),
                _ => None,
            };
            (LineCost::Phased, total, phased, period)
        } else if let Some(s) = &stated {
            (LineCost::Total, s.value, Vec::new(), None)
        } else {
            let d = self
                .diag(Code::LineWithoutCost, format!("budget line `{}` has no cost", raw.id), table_head(node), path)
                .label("no `amount`, `phasing`, `staffing` or `flat_rate`")
                .help("give the line an `amount = ...`, a `phasing = { 2024 = ... }`, a `staffing = { ... }` or a `flat_rate = { ... }`");
            self.push(d);
            return None;
        };

        let payers = self.payers(node, path, &raw.funded_by, amount)?;
        let serves = self.serves(node, path, &raw.serves, &raw.id)?;
        Some(BudgetLine {
            key_path: path.to_string(),
            provenance: self.provenance(node, raw.source, raw.illustrative, raw.note),
            id,
            name: raw.name,
            category: raw.category,
            unit: raw.unit,
            payers,
            cost,
            amount,
            phasing: years,
            cost_period,
            serves,
            not_co_financing_of: {
                let range = field_range(node, "not_co_financing_of");
                raw.not_co_financing_of
                    .iter()
                    .map(|id| Located::new(id.clone(), self.span(range.clone())))
                    .collect()
            },
            budget_history: self.budget_history(node, "budget_history", path, raw.budget_history),
            span: self.span(node.span()),
        })
    }

    fn overflow(&mut self, range: Range<usize>, path: &KeyPath) {
        let d = self
            .diag(
                Code::AmountOverflow,
                "the sum is too large to compute exactly",
                range,
                path,
            )
            .label("overflows")
            .help("look for a misplaced digit group");
        self.push(d);
    }

    fn staffing(
        &mut self,
        node: &Node<'_>,
        path: &KeyPath,
        raw: &crate::schema::TomlStaffing,
    ) -> Option<(Staffing, Vec<YearAmount>)> {
        let spath = path.key("staffing");
        let (_, snode) = table_get(node, "staffing")?;
        let fte = self.decimal(snode, "fte", &spath);
        if let Some(f) = &fte {
            self.non_negative(f, &spath, "fte", "FTEs")?;
        }
        let monthly = self.amount(snode, "monthly_cost", &spath);
        let from = self.date(snode, "from", &spath, &raw.from);
        let until = self.date(snode, "until", &spath, &raw.until);
        let (fte, monthly, from, until) = (fte?, monthly?, from?, until?);
        if from.value > until.value {
            let d = self
                .diag(
                    Code::PeriodReversed,
                    format!("staffing runs from {} until {}", from.value, until.value),
                    snode.span(),
                    &spath,
                )
                .label("ends before it starts")
                .help("swap `from` and `until`, or correct the year");
            self.push(d);
            return None;
        }
        if from.value.day() != 1 {
            let first = from.value.first_of_month();
            let next = first
                .checked_add(jiff::Span::new().months(1))
                .unwrap_or(first);
            let d = self
                .diag(
                    Code::StaffingPartialMonth,
                    format!(
                        "staffing starts {}, not on the first of a month",
                        from.value
                    ),
                    self.range_of(&from.span),
                    &spath.key("from"),
                )
                .label("not the first of a month")
                .help(format!(
                    "staffing is costed in whole months: use `from = {first}` or `from = {next}`"
                ));
            self.push(d);
            return None;
        }
        if until.value != until.value.last_of_month() {
            let d = self
                .diag(
                    Code::StaffingPartialMonth,
                    format!(
                        "staffing ends {}, not on the last day of a month",
                        until.value
                    ),
                    self.range_of(&until.span),
                    &spath.key("until"),
                )
                .label("not the last day of a month")
                .help(format!(
                    "staffing is costed in whole months: use `until = {}`",
                    until.value.last_of_month()
                ));
            self.push(d);
            return None;
        }
        // Whole months, which the checks above have made sure of.
        let period = Period {
            start: from.value,
            end: until.value,
        };
        let months_in = |year: i16| period.months_in(year).len() as u32;
        let mut years = Vec::new();
        let mut months = 0;
        for year in from.value.year()..=until.value.year() {
            let m = months_in(year);
            months += m;
            let cost = fte
                .value
                .checked_mul(monthly.value)
                .and_then(|c| c.checked_mul(Decimal::from(m)))
                // Written as amounts are (48000, not the 48000.0 that
                // 0.5 FTE leaves).
                .map(|c| money::round_ore(c).normalize())
                .filter(|c| money::within_limit(*c));
            let Some(cost) = cost else {
                let d = self
                    .diag(
                        Code::AmountOverflow,
                        format!(
                            "the staffing costs more in {year} than insats accepts (at most {} a year)",
                            money::format_kr(Decimal::from(money::MAX_NUMBER))
                        ),
                        snode.span(),
                        &spath,
                    )
                    .label("FTE x monthly cost x months")
                    .help("look for a misplaced digit group in `fte` or `monthly_cost`");
                self.push(d);
                return None;
            };
            years.push(YearAmount { year, amount: cost });
        }
        Some((
            Staffing {
                fte: fte.value,
                monthly_cost: monthly.value,
                months,
                period: Period {
                    start: from.value,
                    end: until.value,
                },
            },
            years,
        ))
    }

    fn phasing(
        &mut self,
        node: &Node<'_>,
        path: &KeyPath,
        raw: &BTreeMap<String, crate::schema::TomlDecimal>,
    ) -> Option<(Vec<YearAmount>, Range<usize>)> {
        let ppath = path.key("phasing");
        let (_, pnode) = table_get(node, "phasing")?;
        let mut years = Vec::new();
        let mut ok = true;
        // Each key's place, found once: a phasing of thousands of keys is
        // not searched once per key.
        let places = key_places(pnode)?;
        for key in raw.keys() {
            let krange = places.get(key.as_str())?.clone();
            let year = key
                .parse::<i16>()
                .ok()
                .filter(|y| (1900..=2200).contains(y));
            let Some(year) = year else {
                let d = self
                    .diag(Code::InvalidDate, format!("`{key}` is not a year"), krange, &ppath.key(key))
                    .label("expected a year such as 2024")
                    .help("key each amount by its calendar year: `phasing = { 2019 = 1_000_000, 2020 = 500_000 }`");
                self.push(d);
                ok = false;
                continue;
            };
            match self.amount(pnode, key, &ppath) {
                Some(a) => years.push(YearAmount {
                    year,
                    amount: a.value,
                }),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        years.sort_by_key(|y| y.year);
        Some((years, pnode.span()))
    }

    fn payers(
        &mut self,
        node: &Node<'_>,
        path: &KeyPath,
        raw: &TomlFundedBy,
        amount: Decimal,
    ) -> Option<Vec<Payer>> {
        let fpath = path.key("funded_by");
        let (_, fnode) = table_get(node, "funded_by")?;
        let split = match raw {
            TomlFundedBy::One(id) => {
                return Some(vec![Payer {
                    source: Located::new(id.clone(), self.span(fnode.span())),
                    amount,
                    dated: None,
                }]);
            }
            TomlFundedBy::Split(split) => split,
        };
        let items = fnode.get_ref().as_array()?;
        if split.is_empty() {
            let d = self
                .diag(
                    Code::SplitMismatch,
                    "`funded_by` is an empty list",
                    fnode.span(),
                    &fpath,
                )
                .label("no payer")
                .help("name the funding source that pays the line: `funded_by = \"id\"`");
            self.push(d);
            return None;
        }
        if split.iter().any(|p| p.from.is_some() || p.until.is_some()) {
            return self.payers_by_period(fnode, &fpath, split);
        }
        let mut shares = Vec::new();
        let mut amounts = Vec::new();
        let mut sources = Vec::new();
        for (i, payer) in split.iter().enumerate() {
            let pnode = items.get(i)?;
            let ppath = fpath.index(i);
            sources.push(self.reference(pnode, "source", &payer.source));
            if payer.share_percent.is_some() {
                shares.push(self.percent(pnode, "share_percent", &ppath)?.value);
            }
            if payer.amount.is_some() {
                amounts.push(self.amount(pnode, "amount", &ppath)?.value);
            }
        }
        let fail = |ctx: &mut Self, message: String, label: String, help: &str| {
            let d = ctx
                .diag(Code::SplitMismatch, message, fnode.span(), &fpath)
                .label(label)
                .help(help.to_owned());
            ctx.push(d);
            None
        };
        if shares.len() == split.len() && amounts.is_empty() {
            let total = money::checked_sum(shares.iter().copied())?;
            if total != Decimal::ONE_HUNDRED {
                return fail(
                    self,
                    format!(
                        "the shares add up to {} %, not 100 %",
                        money::format_number(total)
                    ),
                    format!("{} %", money::format_number(total)),
                    "make the `share_percent` values add up to exactly 100",
                );
            }
            let parts = money::split_exact(amount, &shares)?;
            Some(
                sources
                    .into_iter()
                    .zip(parts)
                    .map(|(source, amount)| Payer {
                        source,
                        amount,
                        dated: None,
                    })
                    .collect(),
            )
        } else if amounts.len() == split.len() && shares.is_empty() {
            let total = money::checked_sum(amounts.iter().copied())?;
            if total != amount {
                return fail(
                    self,
                    format!(
                        "the payers' amounts add up to {}, but the line costs {}",
                        kr(total),
                        kr(amount)
                    ),
                    format!("{} of {}", kr(total), kr(amount)),
                    "make the payers' `amount` values add up to the line's amount",
                );
            }
            Some(
                sources
                    .into_iter()
                    .zip(amounts)
                    .map(|(source, amount)| Payer {
                        source,
                        amount,
                        dated: None,
                    })
                    .collect(),
            )
        } else {
            fail(
                self,
                "every payer in a split needs either `share_percent` or `amount`, all the same"
                    .to_owned(),
                "mixed or missing shares".to_owned(),
                "give every payer a `share_percent` (adding up to 100), or every payer an `amount` (adding up to the line's amount)",
            )
        }
    }

    /// A split by period (`from`, `until`): each period's payers share the
    /// line's costs in it. Their amounts follow from the line's plan, which
    /// may depend on funding windows in other files, so they are worked
    /// out once the portfolio is whole ([`crate::report`]'s
    /// apportioning); here the form is checked.
    fn payers_by_period(
        &mut self,
        fnode: &Node<'_>,
        fpath: &KeyPath,
        split: &[crate::schema::TomlPayer],
    ) -> Option<Vec<Payer>> {
        let items = fnode.get_ref().as_array()?;
        let fail = |ctx: &mut Self, message: String, label: &str, help: &str| {
            let d = ctx
                .diag(Code::SplitMismatch, message, fnode.span(), fpath)
                .label(label.to_owned())
                .help(help.to_owned());
            ctx.push(d);
            None
        };
        let mut entries = Vec::with_capacity(split.len());
        for (i, payer) in split.iter().enumerate() {
            let pnode = items.get(i)?;
            let ppath = fpath.index(i);
            let source = self.reference(pnode, "source", &payer.source);
            if payer.amount.is_some() {
                return fail(
                    self,
                    format!(
                        "`{}` is given an `amount` in a split by period",
                        payer.source
                    ),
                    "an amount in a split by period",
                    "a payer by period pays a share of the line's costs in its period: give `share_percent` (or nothing, when it pays the period alone)",
                );
            }
            if payer.from.is_none() && payer.until.is_none() {
                return fail(
                    self,
                    format!(
                        "`{}` has no `from` or `until`, but other payers of the line do",
                        payer.source
                    ),
                    "a payer without a period",
                    "in a split by period every payer says which days it pays for: `from`, `until` or both",
                );
            }
            let day = |ctx: &mut Self, key: &str, raw: &Option<crate::schema::TomlDate>| match raw {
                Some(raw) => ctx.date(pnode, key, &ppath, raw).map(|d| Some(d.value)),
                None => Some(None),
            };
            let (from, until) = (
                day(self, "from", &payer.from)?,
                day(self, "until", &payer.until)?,
            );
            let period = Period {
                start: from.unwrap_or(Date::MIN),
                end: until.unwrap_or(Date::MAX),
            };
            if period.start > period.end {
                let d = self
                    .diag(
                        Code::PeriodReversed,
                        format!(
                            "`{}` pays from {} until {}",
                            payer.source, period.start, period.end
                        ),
                        pnode.span(),
                        &ppath,
                    )
                    .label("ends before it starts")
                    .help("swap `from` and `until`, or correct the year");
                self.push(d);
                return None;
            }
            let share = match payer.share_percent {
                Some(_) => Some(self.percent(pnode, "share_percent", &ppath)?.value),
                None => None,
            };
            entries.push((source, period, share));
        }
        // Payers of the same days share them; different days must not meet.
        let mut periods: Vec<Period> = entries.iter().map(|e| e.1).collect();
        periods.sort_by_key(|p| (p.start, p.end));
        periods.dedup();
        for pair in periods.windows(2) {
            if pair[1].start <= pair[0].end {
                return fail(
                    self,
                    "two payers' periods overlap, but are not the same".to_owned(),
                    "overlapping periods",
                    "give the payers of the same days the same `from` and `until` (and shares adding up to 100), and other payers days of their own",
                );
            }
        }
        let mut shares: Vec<Decimal> = Vec::with_capacity(entries.len());
        for period in &periods {
            let group: Vec<&(Located<String>, Period, Option<Decimal>)> =
                entries.iter().filter(|e| e.1 == *period).collect();
            if let [(_, _, None)] = group.as_slice() {
                continue;
            }
            let given: Option<Vec<Decimal>> = group.iter().map(|e| e.2).collect();
            let total = given
                .as_ref()
                .and_then(|g| money::checked_sum(g.iter().copied()));
            if total != Some(Decimal::ONE_HUNDRED) {
                return fail(
                    self,
                    "the shares of payers of the same period do not add up to 100 %".to_owned(),
                    "shares of one period",
                    "give every payer of a period a `share_percent`, adding up to exactly 100 (a lone payer of a period needs none)",
                );
            }
        }
        for entry in &entries {
            shares.push(entry.2.unwrap_or(Decimal::ONE_HUNDRED));
        }
        Some(
            entries
                .into_iter()
                .zip(shares)
                .map(|((source, period, _), share_percent)| Payer {
                    source,
                    // Worked out from the plan when the portfolio is whole.
                    amount: Decimal::ZERO,
                    dated: Some(crate::model::DatedShare {
                        period,
                        share_percent,
                    }),
                })
                .collect(),
        )
    }

    fn serves(
        &mut self,
        node: &Node<'_>,
        path: &KeyPath,
        raw: &[TomlServes],
        line_id: &str,
    ) -> Option<Vec<Serves>> {
        let spath = path.key("serves");
        let (_, snode) = table_get(node, "serves")?;
        if raw.is_empty() {
            let d = self
                .diag(Code::LineServesNothing, format!("budget line `{line_id}` serves no outcome target"), snode.span(), &spath)
                .label("empty")
                .help("every line must serve at least one target: add the ids of the `[[target]]`s it is meant to move");
            self.push(d);
            return None;
        }
        let items = snode.get_ref().as_array()?;
        let mut out = Vec::with_capacity(raw.len());
        for (i, s) in raw.iter().enumerate() {
            let item = items.get(i)?;
            match s {
                TomlServes::Target(id) => out.push(Serves {
                    target: Located::new(id.clone(), self.span(item.span())),
                    weight: Decimal::ONE,
                }),
                TomlServes::Weighted { target, .. } => {
                    let ipath = spath.index(i);
                    let weight = self.decimal(item, "weight", &ipath)?;
                    if weight.value <= Decimal::ZERO {
                        let d = self
                            .diag(Code::NegativeAmount, format!("weight {} is not positive", weight.value), self.range_of(&weight.span), &ipath.key("weight"))
                            .label("must be more than zero")
                            .help("weights split the line's cost between its targets; give each a positive weight, or drop the target");
                        self.push(d);
                        return None;
                    }
                    out.push(Serves {
                        target: self.reference(item, "target", target),
                        weight: weight.value,
                    });
                }
            }
        }
        Some(out)
    }

    fn outcome_target(
        &mut self,
        raw: TomlOutcomeTarget,
        node: &Node<'_>,
        path: &KeyPath,
    ) -> Option<OutcomeTarget> {
        let id = self.id(node, path, &raw.id);
        let baseline = self.observation(node, "baseline", path, raw.baseline);
        let target = self.observation(node, "target", path, raw.target);
        let kolada_id = raw
            .scope
            .kolada_id
            .map(|k| self.kolada_scope_id(node, path, raw.scope.level, k));
        Some(OutcomeTarget {
            key_path: path.to_string(),
            id,
            indicator: self.reference(node, "indicator", &raw.indicator),
            scope_level: raw.scope.level,
            scope: raw.scope.name,
            kolada_id,
            baseline: baseline?,
            target: target?,
            cohort: raw.cohort,
            note: raw.note,
            span: self.span(node.span()),
        })
    }

    /// A scope's Kolada id, checked against the shape Kolada gives its ids
    /// at the scope's level: a bad one would only fail later, at Kolada.
    fn kolada_scope_id(
        &mut self,
        node: &Node<'_>,
        path: &KeyPath,
        level: crate::model::ScopeLevel,
        id: String,
    ) -> Located<String> {
        let range = table_get(node, "scope").map_or_else(
            || table_head(node),
            |(_, scope)| field_range(scope, "kolada_id"),
        );
        let problem = match level {
            crate::model::ScopeLevel::Municipality if !crate::kolada::is_municipality_id(&id) => {
                Some((
                    "a municipality's Kolada id is its four-digit code",
                    "write the municipality code, e.g. `2081` for Borlänge; a leading zero is part of it (`0127`)",
                ))
            }
            crate::model::ScopeLevel::School if !crate::kolada::is_unit_id(&id) => Some((
                "a school unit's Kolada id is an organisational-unit id",
                "write the id Kolada gives the school unit, e.g. `V15E208100101`: `V`, two digits, `E`, digits",
            )),
            crate::model::ScopeLevel::Area => Some((
                "Kolada has no values for an area",
                "remove `kolada_id`, or give each school its own target",
            )),
            _ => None,
        };
        if let Some((label, help)) = problem {
            let d = self
                .diag(
                    Code::InvalidKoladaId,
                    format!(
                        "`{id}` is not a Kolada id for a scope at the level `{}`",
                        level.as_str()
                    ),
                    range.clone(),
                    &path.key("scope").key("kolada_id"),
                )
                .label(label)
                .help(help);
            self.push(d);
        }
        Located::new(id, self.span(range))
    }

    fn observation(
        &mut self,
        node: &Node<'_>,
        key: &str,
        path: &KeyPath,
        raw: TomlObservation,
    ) -> Option<Observation> {
        let (_, onode) = table_get(node, key)?;
        let opath = path.key(key);
        let value = self.decimal(onode, "value", &opath);
        let when = self.when(onode, &opath, raw.year, raw.date.as_ref());
        Some(Observation {
            provenance: self.provenance(onode, raw.source, raw.illustrative, raw.note),
            value: value?,
            when: when?,
        })
    }

    fn ledger(
        &mut self,
        raw: TomlLedger,
        node: &Node<'_>,
        path: &KeyPath,
    ) -> Option<crate::ledger::Ledger> {
        use crate::ledger::{CodePattern, CodePatterns, ExclusionRule, Ledger, MappingRule};
        use crate::vocabulary::{DecimalMark, LedgerFormat, ThousandsSeparator};
        let id = self.id(node, path, &raw.id);
        let delimiter = match raw.delimiter.as_deref() {
            None => b';',
            Some(d) if d.len() == 1 => d.as_bytes()[0],
            Some("\\t") | Some("tab") => b'\t',
            Some(d) => {
                let diag = self
                    .diag(
                        Code::WrongType,
                        format!("`{d}` is not a single-character separator"),
                        field_range(node, "delimiter"),
                        &path.key("delimiter"),
                    )
                    .label("one character expected")
                    .help("write the separator as one character: `\";\"`, `\",\"` or `\"\\t\"`");
                self.push(diag);
                return None;
            }
        };
        let columns = match (raw.format, raw.columns) {
            (LedgerFormat::Csv, None) => {
                let d = self
                    .diag(Code::MissingKey, "a CSV ledger needs `columns`", table_head(node), &path.key("columns"))
                    .label("which column is which?")
                    .help("add `columns = { date = \"Datum\", amount = \"Belopp\", project = \"Projekt\", ... }` with this file's header names");
                self.push(d);
                return None;
            }
            (LedgerFormat::Csv, Some(c)) => {
                let has_amount = c.amount.is_some() || c.debit.is_some() || c.credit.is_some();
                if !has_amount {
                    let d = self
                        .diag(Code::MissingKey, "the ledger's columns name no amount", field_range(node, "columns"), &path.key("columns"))
                        .label("no `amount`, `debit` or `credit`")
                        .help("name the amount column (`amount = \"Belopp\"`), or the `debit` and `credit` columns");
                    self.push(d);
                    return None;
                }
                Some(crate::ledger::ColumnNames {
                    date: c.date,
                    amount: c.amount,
                    debit: c.debit,
                    credit: c.credit,
                    account: c.account,
                    responsibility: c.responsibility,
                    activity: c.activity,
                    project: c.project,
                    text: c.text,
                    voucher: c.voucher,
                })
            }
            (LedgerFormat::Sie, _) => None,
        };
        let codes = |account: &Option<String>,
                     responsibility: &Option<String>,
                     activity: &Option<String>,
                     project: &Option<String>| {
            let pattern = |p: &Option<String>| p.as_ref().map(|p| CodePattern(p.trim().to_owned()));
            CodePatterns {
                account: pattern(account),
                responsibility: pattern(responsibility),
                activity: pattern(activity),
                project: pattern(project),
            }
        };
        let mut rules = Vec::new();
        if let Some((_, mnode)) = table_get(node, "map") {
            let items = mnode.get_ref().as_array()?;
            for (i, rule) in raw.map.iter().enumerate() {
                let item = items.get(i)?;
                let rpath = path.key("map").index(i);
                let Some((from, until)) = self.rule_dates(item, &rpath, &rule.from, &rule.until)
                else {
                    continue;
                };
                rules.push(MappingRule {
                    line: self.reference(item, "line", &rule.line),
                    codes: codes(
                        &rule.account,
                        &rule.responsibility,
                        &rule.activity,
                        &rule.project,
                    ),
                    from,
                    until,
                });
            }
        }
        let mut receipt_rules = Vec::new();
        if let Some((_, rnode)) = table_get(node, "receipt") {
            let items = rnode.get_ref().as_array()?;
            for (i, rule) in raw.receipt.iter().enumerate() {
                let item = items.get(i)?;
                let rpath = path.key("receipt").index(i);
                let Some((from, until)) = self.rule_dates(item, &rpath, &rule.from, &rule.until)
                else {
                    continue;
                };
                receipt_rules.push(crate::ledger::ReceiptRule {
                    funding: self.reference(item, "funding", &rule.funding),
                    codes: codes(
                        &rule.account,
                        &rule.responsibility,
                        &rule.activity,
                        &rule.project,
                    ),
                    from,
                    until,
                });
            }
        }
        let exclusions = raw
            .exclude
            .iter()
            .map(|rule| ExclusionRule {
                reason: rule.reason.clone(),
                codes: codes(
                    &rule.account,
                    &rule.responsibility,
                    &rule.activity,
                    &rule.project,
                ),
            })
            .collect();
        let declaring = &self.sources.get(self.file).path;
        let path_buf = declaring
            .parent()
            .unwrap_or(std::path::Path::new(""))
            .join(&raw.file);
        Some(Ledger {
            id,
            file: self.reference(node, "file", &raw.file),
            path: path_buf,
            format: raw.format,
            encoding: raw.encoding,
            delimiter,
            decimal: raw.decimal.unwrap_or(DecimalMark::Comma),
            thousands: raw.thousands.unwrap_or(ThousandsSeparator::Space),
            date_format: raw.date_format.unwrap_or_default(),
            title_lines: raw
                .header_row
                .map_or(0, |row| row.saturating_sub(1) as usize),
            columns,
            rules,
            exclusions,
            receipt_rules,
            skip_rules: raw
                .skip
                .iter()
                .map(|rule| crate::ledger::SkipRule {
                    column: rule.column.clone(),
                    value: CodePattern(rule.value.trim().to_owned()),
                    reason: rule.reason.clone(),
                })
                .collect(),
            key_path: path.to_string(),
        })
    }

    /// The `from` and `until` of a ledger rule, each optional; `None` when
    /// one is not a date or they are reversed (both reported).
    fn rule_dates(
        &mut self,
        item: &Node<'_>,
        path: &KeyPath,
        from: &Option<crate::schema::TomlDate>,
        until: &Option<crate::schema::TomlDate>,
    ) -> Option<(Option<Date>, Option<Date>)> {
        let mut day = |key: &str, raw: &Option<crate::schema::TomlDate>| match raw {
            Some(raw) => self.date(item, key, path, raw).map(|d| Some(d.value)),
            None => Some(None),
        };
        let (from, until) = (day("from", from), day("until", until));
        let (from, until) = (from?, until?);
        if let (Some(f), Some(u)) = (from, until)
            && f > u
        {
            let d = self
                .diag(
                    Code::PeriodReversed,
                    format!("the rule takes rows from {f} until {u}"),
                    {
                        let (a, b) = (field_range(item, "from"), field_range(item, "until"));
                        a.start.min(b.start)..a.end.max(b.end)
                    },
                    path,
                )
                .label("ends before it starts")
                .help("swap `from` and `until`, or correct the year");
            self.push(d);
            return None;
        }
        Some((from, until))
    }

    /// Reads "when" a value refers to: exactly one of `year` and `date`.
    fn when(
        &mut self,
        node: &Node<'_>,
        path: &KeyPath,
        year: Option<i64>,
        date: Option<&crate::schema::TomlDate>,
    ) -> Option<Located<When>> {
        match (year, date) {
            (Some(year), None) => {
                let range = field_range(node, "year");
                match i16::try_from(year)
                    .ok()
                    .filter(|y| (1900..=2200).contains(y))
                {
                    Some(y) => Some(Located::new(When::Year(y), self.span(range))),
                    None => {
                        let d = self
                            .diag(
                                Code::InvalidDate,
                                format!("year {year} is outside 1900-2200"),
                                range,
                                &path.key("year"),
                            )
                            .label("not a usable year")
                            .help("check the year");
                        self.push(d);
                        None
                    }
                }
            }
            (None, Some(date)) => self
                .date(node, "date", path, date)
                .map(|d| Located::new(When::Date(d.value), d.span)),
            (y, _) => {
                let d = self
                    .diag(
                        Code::InvalidDate,
                        if y.is_some() { "both `year` and `date` given" } else { "neither `year` nor `date` given" },
                        node.span(),
                        path,
                    )
                    .label("when is this value from?")
                    .help("give exactly one of `year = 2018` (yearly statistics) or `date = 2018-06-30`");
                self.push(d);
                None
            }
        }
    }

    fn spending(&mut self, raw: TomlSpending, node: &Node<'_>, path: &KeyPath) -> Option<Spending> {
        let date = self.date(node, "date", path, &raw.date);
        let amount = self.signed_amount(node, "amount", path);
        Some(Spending {
            line: self.reference(node, "line", &raw.line),
            date: date?,
            amount: amount?.value,
            text: raw.text,
            voucher: raw.voucher,
            key_path: path.to_string(),
        })
    }

    fn submission(
        &mut self,
        raw: crate::schema::TomlSubmission,
        node: &Node<'_>,
        path: &KeyPath,
    ) -> Option<crate::model::Submission> {
        let date = self.date(node, "date", path, &raw.date);
        Some(crate::model::Submission {
            source: self.reference(node, "source", &raw.source),
            date: date?,
            reference: raw.reference,
            note: raw.note,
            key_path: path.to_string(),
        })
    }

    fn receipt(&mut self, raw: TomlReceipt, node: &Node<'_>, path: &KeyPath) -> Option<Receipt> {
        let date = self.date(node, "date", path, &raw.date);
        let amount = self.signed_amount(node, "amount", path);
        Some(Receipt {
            source: self.reference(node, "source", &raw.source),
            date: date?,
            amount: amount?.value,
            reference: raw.reference,
            note: raw.note,
            ledger: None,
            key_path: path.to_string(),
        })
    }

    /// An amount that may be negative (a repayment or correction), in whole öre.
    fn signed_amount(
        &mut self,
        node: &Node<'_>,
        key: &str,
        path: &KeyPath,
    ) -> Option<Located<Decimal>> {
        let value = self.decimal(node, key, path)?;
        if money::decimals(value.value) > 2 {
            let d = self
                .diag(
                    Code::SubOrePrecision,
                    format!("{} has more than two decimals", value.value),
                    self.range_of(&value.span),
                    &path.key(key),
                )
                .label("finer than one öre")
                .help("round it to whole öre (two decimals) yourself; insats will not guess how");
            self.push(d);
            return None;
        }
        Some(value)
    }

    fn measurement(
        &mut self,
        raw: TomlMeasurement,
        node: &Node<'_>,
        path: &KeyPath,
    ) -> Option<Measurement> {
        let when = self.when(node, path, raw.year, raw.date.as_ref());
        let stated = match table_get(node, "value") {
            Some(_) => Some(self.decimal(node, "value", path)?),
            None => None,
        };
        // Numerators and denominators: of the whole, or summed over parts.
        let mut pairs: Vec<(Decimal, Decimal, Range<usize>, KeyPath)> = Vec::new();
        if raw.numerator.is_some() || raw.denominator.is_some() {
            let n = self.decimal(node, "numerator", path);
            let d = self.decimal(node, "denominator", path);
            match (n, d) {
                (Some(n), Some(d)) => pairs.push((n.value, d.value, node.span(), path.clone())),
                _ => {
                    let d = self
                        .diag(
                            Code::ImpossibleMeasurement,
                            "`numerator` and `denominator` go together",
                            table_head(node),
                            path,
                        )
                        .label("only one of them")
                        .help("give both the number counted and the number it is a share of");
                    self.push(d);
                    return None;
                }
            }
        }
        if let (Some(parts), Some((_, pnode))) = (&raw.parts, table_get(node, "parts")) {
            let items = pnode.get_ref().as_array()?;
            for (i, _) in parts.iter().enumerate() {
                let item = items.get(i)?;
                let ppath = path.key("parts").index(i);
                let n = self.decimal(item, "numerator", &ppath)?;
                let d = self.decimal(item, "denominator", &ppath)?;
                pairs.push((n.value, d.value, item.span(), ppath));
            }
        }
        for (n, d, range, p) in &pairs {
            if d.is_sign_negative() || d.is_zero() || n.is_sign_negative() || n > d {
                let diag = self
                    .diag(Code::ImpossibleMeasurement, format!("{n} of {d} is not a possible share"), range.clone(), p)
                    .label("impossible numerator and denominator")
                    .help("the number counted must be between 0 and the number it is a share of, which must be more than 0");
                self.push(diag);
                return None;
            }
        }
        let (numerator, denominator) = if pairs.is_empty() {
            (None, None)
        } else {
            (
                money::checked_sum(pairs.iter().map(|p| p.0)),
                money::checked_sum(pairs.iter().map(|p| p.1)),
            )
        };
        let value = match (stated, numerator, denominator) {
            (Some(v), _, _) => Some(v),
            (None, Some(n), Some(d)) => Some(Located::new(
                n * Decimal::ONE_HUNDRED / d,
                self.span(node.span()),
            )),
            // The publisher has no value for the period, and says why.
            (None, _, _) if raw.status.is_some() => None,
            _ => {
                let d = self
                    .diag(Code::MissingKey, "a measurement needs a `value`, or `numerator` and `denominator`, or `parts`", table_head(node), &path.key("value"))
                    .label("no value")
                    .help("add `value = ...`, or the numbers it is computed from; a value the publisher does not have is recorded with `status`");
                self.push(d);
                return None;
            }
        };
        let retrieved = match &raw.retrieved {
            Some(raw_date) => Some(self.date(node, "retrieved", path, raw_date)?.value),
            None => None,
        };
        Some(Measurement {
            target: self.reference(node, "target", &raw.target),
            value,
            when: when?.value,
            numerator,
            denominator,
            source: raw.source,
            gender: raw.gender.unwrap_or_default(),
            status: raw.status,
            retrieved,
            note: raw.note,
            key_path: path.to_string(),
        })
    }
}

const ACCEPTED_NUMBER_FORMS: &str = "write an exact decimal: `8800000`, `8_800_000`, `8800000.50` or the string `\"8800000.50\"` (a decimal point, no exponent, no spaces)";

/// A TOML local date in 1900-2200 as a calendar date; anything else is
/// left to [`Ctx::date_at`], which explains what is wrong.
/// The first year, in order, in which a stated phasing and the staffing's
/// own years disagree: (year, phased, staffed), a year missing on one side
/// counting as zero.
fn first_disagreeing_year(
    phased: &[YearAmount],
    staffed: &[YearAmount],
) -> Option<(i16, Decimal, Decimal)> {
    let mut years: Vec<i16> = phased.iter().chain(staffed).map(|y| y.year).collect();
    years.sort_unstable();
    years.dedup();
    let of = |list: &[YearAmount], year: i16| {
        list.iter()
            .filter(|y| y.year == year)
            .map(|y| y.amount)
            .sum::<Decimal>()
    };
    years
        .into_iter()
        .map(|year| (year, of(phased, year), of(staffed, year)))
        .find(|(_, p, s)| p != s)
}

fn parse_date(raw: &toml::value::Datetime) -> Result<Date, ()> {
    match (raw.date, raw.time, raw.offset) {
        (Some(d), None, None) if (1900..=2200).contains(&d.year) => {
            jiff::civil::Date::new(d.year as i16, d.month as i8, d.day as i8).map_err(|_| ())
        }
        _ => Err(()),
    }
}

/// The span of `key`'s value in `node`, or of the node itself.
fn field_range(node: &Node<'_>, key: &str) -> Range<usize> {
    table_get(node, key).map_or_else(|| table_head(node), |(_, v)| v.span())
}

/// A short span at the start of a table, for problems of the whole table:
/// underlining a whole `[[line]]` would swamp the output.
fn table_head(node: &Node<'_>) -> Range<usize> {
    let span = node.span();
    span.start..span.end.min(span.start + 1).max(span.start)
}

fn walk<'v, 'i>(node: &'v Node<'i>, path: &[Segment]) -> Option<&'v Node<'i>> {
    let mut cur = node;
    for seg in path {
        cur = match seg {
            Segment::Key(k) => table_get(cur, k)?.1,
            Segment::Index(i) => cur.get_ref().as_array()?.get(*i)?,
        };
    }
    Some(cur)
}

/// A `serde_ignored` path as key-path segments (an option or a newtype
/// leaves none).
pub(crate) fn ignored_segments(path: &serde_ignored::Path<'_>) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut cur = path;
    loop {
        cur = match cur {
            serde_ignored::Path::Root => break,
            serde_ignored::Path::Seq { parent, index } => {
                out.push(Segment::Index(*index));
                parent
            }
            serde_ignored::Path::Map { parent, key } => {
                out.push(Segment::Key(key.clone()));
                parent
            }
            serde_ignored::Path::Some { parent }
            | serde_ignored::Path::NewtypeStruct { parent }
            | serde_ignored::Path::NewtypeVariant { parent } => parent,
        };
    }
    out.reverse();
    out
}

fn list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// True for a well-formed id: `[a-z][a-z0-9_-]{0,63}`.
pub fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('a'..='z'))
        && id.len() <= 64
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '-' | '_'))
}

/// A well-formed id close to `id`: lower case, Swedish letters folded,
/// spaces to `-`.
fn suggest_id(id: &str) -> String {
    id.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            'å' | 'ä' => Some('a'),
            'ö' => Some('o'),
            'é' => Some('e'),
            ' ' | '.' | '/' => Some('-'),
            c if c.is_ascii_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}
