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

// Loading in stages, one file each, all methods of the one context `Ctx`:
// this file reads the document and dispatches its tables; `shape` reads a
// table's shape through the schema types, `values` the values items are
// made of, `plan` and `follow_up` interpret the items.
mod follow_up;
mod plan;
mod shape;
mod values;

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
}

const ACCEPTED_NUMBER_FORMS: &str = "write an exact decimal: `8800000`, `8_800_000`, `8800000.50` or the string `\"8800000.50\"` (a decimal point, no exponent, no spaces)";

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

/// A TOML local date in 1900-2200 as a calendar date; anything else is
/// left to [`Ctx::date_at`], which explains what is wrong.
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
