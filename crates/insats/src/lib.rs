//! # insats
//!
//! Plan and follow up funded initiatives in the public sector: where the
//! money comes from, what it is spent on, and which outcomes it is meant to
//! move.
//!
//! An initiative is a TOML **plan file**: its funding sources (grants,
//! municipal budget, co-financing, with their conditions), its **budget
//! lines** (amounts, per-year phasing, staffing), and the **outcome
//! targets** every line serves. A **portfolio** is a directory of plan files
//! plus optional shared files (funding and indicators several initiatives
//! use). The format is documented in `docs/format.md`.
//!
//! The library is a pipeline over plain data, in the manner of beancount:
//!
//! 1. [`fs::read_sources`] reads the files (the only I/O), or build a
//!    [`SourceSet`] yourself from text you already hold;
//! 2. each file is loaded into typed [`model`] items with source spans
//!    ([`schema`] is the format as serde types), reporting the problems a
//!    file shows on its own;
//! 3. the rules that need the whole portfolio are checked (the catalogue
//!    of codes is [`rules`]);
//! 4. [`Validation::into_checked`] gives a [`CheckedPortfolio`] when there
//!    is no error, and its reports ([`report`]) check their filters.
//!
//! [`validate`] runs steps 2 and 3 and returns the [`Portfolio`] with every
//! [`Diagnostic`]; [`validate_with_ledgers`] also imports the ledger
//! exports the plans declare, from bytes the caller hands in, and
//! [`validate_paths`] reads files and exports from disk. Nothing here
//! prints or exits; money is [`rust_decimal::Decimal`] throughout and
//! never passes through a float.
//!
//! ```
//! use insats::{SourceFile, SourceSet, validate};
//!
//! let plan = r#"
//! [initiative]
//! id = "skolteam"
//! name = "Skolteam"
//! organisation = "Exempel kommun"
//! period = { start = 2018-01-01, end = 2018-12-31 }
//!
//! [[funding]]
//! id = "statsbidrag"
//! kind = "state-grant"
//! amount = 1_000_000
//! max_share_percent = 90
//!
//! [[funding]]
//! id = "kommunen"
//! kind = "municipal-budget"
//! amount = 100_000
//!
//! [[line]]
//! id = "team"
//! name = "Team"
//! category = "personnel"
//! funded_by = [{ source = "statsbidrag", share_percent = 90 }, { source = "kommunen", share_percent = 10 }]
//! amount = 1_000_000
//! serves = ["behorighet"]
//!
//! [[indicator]]
//! id = "behorighet-yrkesprogram"
//! name = "Andel behöriga till yrkesprogram"
//! unit = "percent"
//! direction = "higher-is-better"
//!
//! [[target]]
//! id = "behorighet"
//! indicator = "behorighet-yrkesprogram"
//! scope = { level = "municipality", name = "Exempel kommun" }
//! baseline = { value = 75.0, year = 2017 }
//! target = { value = 80.0, year = 2018 }
//! "#;
//!
//! let mut sources = SourceSet::new();
//! sources.add(SourceFile::new("skolteam.toml", plan));
//! let result = validate(&sources);
//!
//! // The grant holds 1 000 000 kr but its lines take 900 000 kr.
//! assert_eq!(result.diagnostics.len(), 1);
//! assert_eq!(result.diagnostics[0].code.as_str(), "INS302");
//! let line = &result.portfolio.initiatives[0].lines[0];
//! assert_eq!(line.payers[0].amount.to_string(), "900000");
//! ```
#![deny(missing_docs)]

mod check;
mod checked;
pub mod compare;
pub mod diagnostic;
pub mod diff;
pub mod examples;
#[cfg(feature = "fs")]
pub mod fs;
mod hash;
mod keys;
pub mod kolada;
pub mod ledger;
mod load;
pub mod model;
pub mod money;
mod par;
mod portfolio_files;
pub mod printable;
mod privacy;
mod read;
pub mod report;
pub mod rules;
pub mod schema;
pub mod source;
mod tree;
mod vocabulary;

pub use checked::{CheckedPortfolio, ReportError};
pub use diagnostic::{Diagnostic, Location, Summary};
pub use load::is_valid_id;
pub use model::Portfolio;
pub use portfolio_files::PortfolioFiles;
pub use rules::{Code, Severity};
/// The decimal type of every amount, so that an embedder uses the same
/// version insats does.
pub use rust_decimal;
pub use rust_decimal::Decimal;
pub use source::{FileId, SourceFile, SourceSet};

use diagnostic::sort;

/// A JSON document as insats writes it: the tool's name and version, then
/// the document's own fields (a [`report::Report`], a grant statement).
/// The CLI's `--format json` is this; reading it back with
/// `serde_json::from_str::<Envelope<Report>>` gives the insats types.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Envelope<T> {
    /// Always `insats`.
    pub tool: String,
    /// The version of insats that wrote it.
    pub version: String,
    /// The document.
    #[serde(flatten)]
    pub body: T,
}

impl<T> Envelope<T> {
    /// `body` as this version of insats writes it.
    pub fn new(body: T) -> Self {
        Envelope {
            tool: "insats".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            body,
        }
    }
}

/// The outcome of validating a portfolio.
#[derive(Debug, Clone)]
pub struct Validation {
    /// Everything that loaded. Items with errors of their own are left out,
    /// so the portfolio is only trustworthy when there are no errors.
    pub portfolio: Portfolio,
    /// Every problem found, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// How many plan files (files with an `[initiative]` table) there were.
    pub plan_files: usize,
    /// Control totals of each ledger import, in declaration order (empty
    /// from [`validate`], which reads no files).
    pub imports: Vec<ledger::ImportSummary>,
}

impl Validation {
    /// Error and warning counts.
    pub fn summary(&self) -> Summary {
        Summary::of(&self.diagnostics)
    }

    /// True when no diagnostic is an error.
    pub fn is_ok(&self) -> bool {
        self.summary().errors == 0
    }
}

/// Reads the plan and shared files under `paths`, imports the ledger
/// exports they declare, and validates everything as one portfolio. Files
/// that cannot be read, or are not UTF-8, are reported as diagnostics like
/// any other problem; only a path that does not exist is an error. Returns
/// the files read, ledger exports included (for rendering excerpts), with
/// the result.
#[cfg(feature = "fs")]
pub fn validate_paths(
    paths: &[std::path::PathBuf],
) -> Result<(SourceSet, Validation), fs::InputError> {
    let (mut sources, read_problems) = fs::read_sources(paths)?;
    let mut stage = load_all(&sources, read_problems);
    let roots: Vec<std::path::PathBuf> = paths
        .iter()
        .map(|p| {
            if p.is_dir() {
                p.clone()
            } else {
                p.parent().map(|d| d.to_path_buf()).unwrap_or_default()
            }
        })
        .collect();
    let ledgers = stage.portfolio.ledgers.clone();
    for ledger in &ledgers {
        if ledger.format == schema::LedgerFormat::Csv {
            // CSV is streamed: the export is never held whole, and only the
            // rows that diagnostics point at are kept, as excerpts.
            match fs::find_ledger(&ledger.path, &roots) {
                Ok(real) => match ledger::import_file(ledger, &sources, &real) {
                    Ok(import) => {
                        sources.add(SourceFile::streamed(ledger.path.clone(), import.excerpts));
                        stage.portfolio.add_receipts(import.receipts);
                        stage.portfolio.imported.extend(import.costs);
                        stage.diagnostics.extend(import.diagnostics);
                        stage.imports.push(import.summary);
                    }
                    Err(failed) => {
                        sources.add(SourceFile::streamed(ledger.path.clone(), failed.excerpts));
                        stage.diagnostics.push(*failed.diagnostic);
                    }
                },
                Err(why) => stage
                    .diagnostics
                    .push(ledger_unreadable(&sources, ledger, &why)),
            }
            continue;
        }
        match fs::read_ledger(&ledger.path, &roots) {
            Ok(bytes) => import_bytes(&mut stage, &mut sources, ledger, &bytes),
            Err(why) => stage
                .diagnostics
                .push(ledger_unreadable(&sources, ledger, &why)),
        }
    }
    let validation = check_all(&sources, stage);
    Ok((sources, validation))
}

#[cfg(feature = "fs")]
fn ledger_unreadable(sources: &SourceSet, ledger: &ledger::Ledger, why: &str) -> Diagnostic {
    ledger_not_read(sources, ledger, why).help(EXPORT_IN_FOLDER)
}

/// The help for an export not found in a portfolio's folder, on disk or
/// handed in whole.
const EXPORT_IN_FOLDER: &str =
    "give the path relative to this file, inside the portfolio's directory";

fn ledger_not_read(sources: &SourceSet, ledger: &ledger::Ledger, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::LedgerUnreadable,
        format!("ledger `{}` cannot be read: {why}", ledger.id.value),
    )
    .at(Diagnostic::resolve(sources, &ledger.file.span))
    .key_path(format!("{}.file", ledger.key_path))
    .label("this file")
}

/// Imports an export held whole as bytes: decoded by its profile, added to
/// `sources` (so diagnostics can show its rows), and booked.
fn import_bytes(stage: &mut Stage, sources: &mut SourceSet, ledger: &ledger::Ledger, bytes: &[u8]) {
    match ledger::decode(ledger, bytes) {
        Ok(text) => {
            let id = sources.add(SourceFile::new(ledger.path.clone(), text));
            let import = ledger::import(ledger, sources, id);
            stage.portfolio.add_receipts(import.receipts);
            stage.portfolio.imported.extend(import.costs);
            stage.diagnostics.extend(import.diagnostics);
            stage.imports.push(import.summary);
        }
        Err(at) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let id = sources.add(SourceFile::new(ledger.path.clone(), text));
            let span = source::Span::new(id, at..at + '\u{fffd}'.len_utf8());
            stage.diagnostics.push(
                Diagnostic::new(Code::LedgerEncoding, format!("ledger `{}` is not valid UTF-8", ledger.id.value))
                    .at(Diagnostic::resolve(sources, &span))
                    .key_path(format!("{}.encoding", ledger.key_path))
                    .label("first byte that is not UTF-8")
                    .help("set `encoding = \"windows-1252\"` (older Windows exports) or `\"cp437\"` (SIE PC8) in the ledger's profile"),
            );
        }
    }
}

/// The ledger exports a portfolio declares, handed in by the caller, so
/// that an embedder holding their bytes (an upload, a database, a
/// browser's file input) validates with its ledgers and no file system.
pub trait LedgerFiles {
    /// The bytes of the export at `path`: the ledger's `file` resolved
    /// against the directory of the plan file declaring it, as in
    /// [`ledger::Ledger::path`] (`kommun/huvudbok.csv` for a plan
    /// `kommun/plan.toml` declaring `file = "huvudbok.csv"`). An error says
    /// why there is none, and becomes the ledger's `INS701`.
    fn read(&self, path: &std::path::Path) -> Result<Vec<u8>, String>;
}

impl<S: std::hash::BuildHasher> LedgerFiles
    for std::collections::HashMap<std::path::PathBuf, Vec<u8>, S>
{
    fn read(&self, path: &std::path::Path) -> Result<Vec<u8>, String> {
        self.get(path)
            .cloned()
            .ok_or_else(|| format!("no export was handed in for `{}`", path.display()))
    }
}

/// Loads and checks every file of `sources` as one portfolio, importing
/// each declared ledger export from `ledgers`: [`validate_paths`] without
/// the file system. Returns the sources with the exports added (for
/// rendering excerpts of their rows) and the validation.
///
/// ```
/// use std::collections::HashMap;
/// use std::path::PathBuf;
/// use insats::{SourceFile, SourceSet, validate_with_ledgers};
///
/// let plan = r#"
/// [initiative]
/// id = "skolteam"
/// name = "Skolteam"
/// organisation = "Exempel kommun"
/// period = { start = 2024-01-01, end = 2024-12-31 }
///
/// [[funding]]
/// id = "kommunen"
/// kind = "municipal-budget"
/// amount = 100_000
///
/// [[line]]
/// id = "team"
/// name = "Team"
/// category = "personnel"
/// funded_by = "kommunen"
/// amount = 100_000
/// serves = ["mal"]
///
/// [[indicator]]
/// id = "andel"
/// name = "Andel behöriga"
/// unit = "percent"
/// direction = "higher-is-better"
///
/// [[target]]
/// id = "mal"
/// indicator = "andel"
/// scope = { level = "municipality", name = "Exempel kommun" }
/// baseline = { value = 75.0, year = 2023 }
/// target = { value = 80.0, year = 2024 }
///
/// [[ledger]]
/// id = "huvudbok"
/// file = "huvudbok.csv"
/// format = "csv"
/// columns = { date = "Datum", amount = "Belopp", project = "Projekt" }
///
/// [[ledger.map]]
/// line = "team"
/// project = "4711"
/// "#;
/// let mut sources = SourceSet::new();
/// sources.add(SourceFile::new("skolteam/plan.toml", plan));
/// // The export's path: its `file`, beside the plan that declares it.
/// let exports = HashMap::from([(
///     PathBuf::from("skolteam/huvudbok.csv"),
///     "Datum;Projekt;Belopp\n2024-01-31;4711;41 000,00\n".as_bytes().to_vec(),
/// )]);
/// let (_, result) = validate_with_ledgers(sources, &exports);
/// assert!(result.diagnostics.is_empty(), "{:?}", result.diagnostics);
/// assert_eq!(result.imports[0].sum_mapped.to_string(), "41000.00");
/// ```
pub fn validate_with_ledgers(
    sources: SourceSet,
    ledgers: &dyn LedgerFiles,
) -> (SourceSet, Validation) {
    validate_importing(
        sources,
        Vec::new(),
        ledgers,
        "hand in the export's bytes under this path",
    )
}

/// Validates a portfolio handed in as bytes, as [`validate_paths`]
/// validates a directory: the plan and shared files are its `*.toml`
/// files outside hidden folders, each read as UTF-8 within
/// [`fs::MAX_PLAN_FILE_BYTES`](read::MAX_PLAN_FILE_BYTES), and the ledger
/// exports the plans declare come from the same files. The same folder
/// gives the same diagnostics either way. Returns the files read, exports
/// included (for rendering excerpts), with the result.
///
/// ```
/// use insats::{PortfolioFiles, validate_files};
///
/// let mut files = PortfolioFiles::new();
/// files.insert("p/plan.toml", b"[initiative]\nid = \"x\"\n".to_vec());
/// files.insert("p/.git/config.toml", b"not a plan".to_vec());
/// files.insert("p/trasig.toml", vec![b'a', 0xff]);
/// let (sources, result) = validate_files(&files);
/// assert_eq!(sources.len(), 2);
/// // The file that is not UTF-8 is a diagnostic at its first bad byte.
/// let bad = result.diagnostics.iter().find(|d| d.code.as_str() == "INS002").unwrap();
/// assert_eq!(bad.location.as_ref().unwrap().column, 2);
/// ```
pub fn validate_files(files: &PortfolioFiles) -> (SourceSet, Validation) {
    load_files(files).validate(files)
}

/// The plan and shared files of a folder, loaded (decoded, each file's own
/// problems found) but neither checked as one portfolio nor joined by its
/// ledger exports yet: where [`declared_exports`] and [`validate_files`]
/// both start. A caller that reads the exports only once it knows which
/// the plans declare (a browser's folder input) loads the plans once:
///
/// ```
/// use insats::{PortfolioFiles, load_files};
///
/// let mut files = PortfolioFiles::new();
/// files.insert("p/plan.toml", b"[portfolio]\nname = \"Exempel\"\n".to_vec());
/// let loaded = load_files(&files);
/// assert!(loaded.declared_exports().is_empty());
/// // Hand in what it declares, then validate.
/// let (_, result) = loaded.validate(&files);
/// assert_eq!(result.diagnostics[0].code.as_str(), "INS003");
/// ```
#[derive(Debug)]
pub struct LoadedFiles {
    sources: SourceSet,
    stage: Stage,
}

/// Loads the plan and shared files among `files` (`*.toml`, outside
/// hidden folders), as [`validate_files`] does first.
pub fn load_files(files: &PortfolioFiles) -> LoadedFiles {
    let (sources, problems) = plan_sources(files);
    let stage = load_all(&sources, problems);
    LoadedFiles { sources, stage }
}

impl LoadedFiles {
    /// The ledger exports the plans declare, each by its path in the
    /// folder with `.` and `..` worked out, in the order declared; an
    /// export whose path climbs out of the folder is left out.
    pub fn declared_exports(&self) -> Vec<std::path::PathBuf> {
        self.stage
            .portfolio
            .ledgers
            .iter()
            .filter_map(|ledger| portfolio_files::lexical(&ledger.path))
            .collect()
    }

    /// Imports the declared exports from `exports` and checks the whole
    /// portfolio: [`validate_files`], without loading the plans again.
    /// Only the exports are read from `exports`; its plan files are those
    /// loaded, and one handed in since is not seen.
    pub fn validate(self, exports: &PortfolioFiles) -> (SourceSet, Validation) {
        import_and_check(self.sources, self.stage, exports, EXPORT_IN_FOLDER)
    }
}

/// The ledger exports that the plan files among `files` declare, each by
/// its path in the folder with `.` and `..` worked out, in the order
/// declared; an export whose path climbs out of the folder is left out.
/// A caller that holds only the names of a folder's files (a browser's
/// folder input) hands in the `*.toml` files, asks this, and then reads
/// only these exports, not every file of the folder.
///
/// ```
/// use insats::{PortfolioFiles, declared_exports};
///
/// let mut files = PortfolioFiles::new();
/// let follow_up = r#"
/// [[ledger]]
/// id = "huvudbok"
/// file = "../delat/huvudbok.csv"
/// format = "csv"
/// columns = { date = "Datum", amount = "Belopp", project = "Projekt" }
/// "#;
/// files.insert("p/kommun/uppfoljning.toml", follow_up.as_bytes().to_vec());
/// assert_eq!(declared_exports(&files), vec![std::path::PathBuf::from("p/delat/huvudbok.csv")]);
/// ```
pub fn declared_exports(files: &PortfolioFiles) -> Vec<std::path::PathBuf> {
    load_files(files).declared_exports()
}

/// The plan and shared files of `files` as sources, with the problems of
/// reading them (too large, not UTF-8).
fn plan_sources(files: &PortfolioFiles) -> (SourceSet, Vec<Diagnostic>) {
    let mut sources = SourceSet::new();
    let mut problems = Vec::new();
    for (path, bytes) in files.plan_files() {
        let (file, problem) = read::decode(path.to_owned(), bytes.to_vec());
        let id = sources.add(file);
        problems.extend(read::diagnostic(&sources, id, problem));
    }
    (sources, problems)
}

fn validate_importing(
    sources: SourceSet,
    problems: Vec<Diagnostic>,
    ledgers: &dyn LedgerFiles,
    not_found_help: &str,
) -> (SourceSet, Validation) {
    let stage = load_all(&sources, problems);
    import_and_check(sources, stage, ledgers, not_found_help)
}

/// Imports each ledger `stage` declares from `ledgers`, then checks the
/// portfolio.
fn import_and_check(
    mut sources: SourceSet,
    mut stage: Stage,
    ledgers: &dyn LedgerFiles,
    not_found_help: &str,
) -> (SourceSet, Validation) {
    let declared = stage.portfolio.ledgers.clone();
    for ledger in &declared {
        match ledgers.read(&ledger.path) {
            Ok(bytes) => import_bytes(&mut stage, &mut sources, ledger, &bytes),
            Err(why) => stage
                .diagnostics
                .push(ledger_not_read(&sources, ledger, &why).help(not_found_help)),
        }
    }
    let validation = check_all(&sources, stage);
    (sources, validation)
}

/// Loads and checks every file of `sources` as one portfolio. It reads no
/// files, so a declared ledger export is not imported: each is an
/// `INS701` error saying so, rather than a follow-up that silently shows
/// nothing spent. Hand the exports in with [`validate_with_ledgers`], or
/// read everything from disk with [`validate_paths`].
pub fn validate(sources: &SourceSet) -> Validation {
    let mut stage = load_all(sources, Vec::new());
    for ledger in &stage.portfolio.ledgers {
        stage.diagnostics.push(
            ledger_not_read(sources, ledger, "`validate` reads no files")
                .help("hand the export in with `validate_with_ledgers`, or read the portfolio from disk with `validate_paths` (the CLI does)"),
        );
    }
    check_all(sources, stage)
}

/// The portfolio after loading, before the portfolio-wide checks.
#[derive(Debug)]
struct Stage {
    portfolio: Portfolio,
    diagnostics: Vec<Diagnostic>,
    plan_files: usize,
    imports: Vec<ledger::ImportSummary>,
}

fn load_all(sources: &SourceSet, mut diagnostics: Vec<Diagnostic>) -> Stage {
    let mut portfolio = Portfolio {
        currency: "SEK".to_owned(),
        ..Portfolio::default()
    };
    let mut plan_files = 0;
    let mut settings: Option<source::Span> = None;
    // Files load independently, so they load in parallel; the results are
    // merged in file order, so the output does not depend on scheduling.
    let unreadable: std::collections::HashSet<&std::path::Path> = diagnostics
        .iter()
        .filter(|d| {
            matches!(
                d.code,
                Code::UnreadableFile | Code::NotUtf8 | Code::FileTooLarge
            )
        })
        .filter_map(|d| d.location.as_ref().map(|l| l.file.as_path()))
        .collect();
    let files: Vec<(FileId, &SourceFile)> = sources
        .iter()
        .filter(|(_, f)| !unreadable.contains(f.path.as_path()))
        .collect();
    let results: Vec<(FileId, load::LoadedFile, Vec<Diagnostic>)> = par::map(files, |(id, _)| {
        let mut found = Vec::new();
        let loaded = load::load_file(sources, id, &mut found);
        (id, loaded, found)
    });
    // Made at their final size, as the lists of each file are (see
    // `load::Ctx::lines_and_targets`).
    let total = |len: fn(&load::LoadedFile) -> usize| results.iter().map(|r| len(&r.1)).sum();
    portfolio.sources.reserve_exact(total(|l| l.sources.len()));
    portfolio
        .indicators
        .reserve_exact(total(|l| l.indicators.len()));
    portfolio.funding.reserve_exact(total(|l| l.funding.len()));
    portfolio
        .initiatives
        .reserve_exact(total(|l| usize::from(l.initiative.is_some())));
    portfolio
        .spending
        .reserve_exact(total(|l| l.spending.len()));
    portfolio
        .receipts
        .reserve_exact(total(|l| l.receipts.len()));
    portfolio
        .measurements
        .reserve_exact(total(|l| l.measurements.len()));
    portfolio.ledgers.reserve_exact(total(|l| l.ledgers.len()));
    portfolio
        .declared
        .reserve_exact(total(|l| l.declared.len()));
    for (file_id, loaded, found) in results {
        diagnostics.extend(found);
        if is_blank(&sources.get(file_id).text) {
            diagnostics.push(
                Diagnostic::new(
                    Code::EmptyFile,
                    "the file holds nothing but comments and white space",
                )
                .at(Diagnostic::resolve(sources, &source::Span::new(file_id, 0..0)))
                .help("restore its content (a failed save or merge can empty a plan), or remove the file"),
            );
        }
        plan_files += usize::from(loaded.is_plan);
        if let Some((p, span)) = loaded.portfolio {
            if let Some(first) = &settings {
                diagnostics.push(
                    Diagnostic::new(Code::MisplacedSection, "a second `[portfolio]` table")
                        .at(Diagnostic::resolve(sources, &span))
                        .key_path("portfolio")
                        .label("portfolio settings again")
                        .related(Diagnostic::resolve(sources, first), "first given here")
                        .help("keep the portfolio settings in one shared file"),
                );
            } else {
                settings = Some(span);
                portfolio.name = p.name;
                portfolio.kolada_api_url = p.kolada_api_url;
                if let Some(c) = p.currency {
                    portfolio.currency = c;
                }
                if let Some(m) = p.materiality {
                    let d = model::Materiality::default();
                    portfolio.materiality = model::Materiality {
                        high_percent: m.high_percent.unwrap_or(d.high_percent),
                        medium_percent: m.medium_percent.unwrap_or(d.medium_percent),
                        minimum: m.minimum.map_or(d.minimum, rust_decimal::Decimal::from),
                    };
                }
            }
        }
        portfolio.sources.extend(loaded.sources);
        portfolio.indicators.extend(loaded.indicators);
        portfolio.funding.extend(loaded.funding);
        portfolio.initiatives.extend(loaded.initiative);
        portfolio.spending.extend(loaded.spending);
        portfolio.receipts.extend(loaded.receipts);
        portfolio.submissions.extend(loaded.submissions);
        portfolio.measurements.extend(loaded.measurements);
        portfolio.ledgers.extend(loaded.ledgers);
        portfolio.declared.extend(
            loaded
                .declared
                .into_iter()
                .map(|(kind, id)| (file_id, kind, id)),
        );
    }
    // With an unreadable or unparsable file among them, that file may be
    // the plan: saying there is none would be a guess on top of the real
    // error.
    let all_read = !diagnostics.iter().any(|d| {
        matches!(
            d.code,
            Code::UnreadableFile | Code::NotUtf8 | Code::FileTooLarge | Code::TomlSyntax
        )
    });
    if plan_files == 0 && all_read {
        diagnostics.push(
            Diagnostic::new(
                Code::NoPlanFiles,
                "no plan file found: no `*.toml` file has an `[initiative]` table",
            )
            .help("point insats at the directory holding the plans (default `./initiatives`), or create a plan with an `[initiative]` table"),
        );
    }
    Stage {
        portfolio,
        diagnostics,
        plan_files,
        imports: Vec::new(),
    }
}

/// Whether a TOML text holds nothing: only white space and comments (a
/// byte order mark aside).
fn is_blank(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .lines()
        .map(str::trim)
        .all(|line| line.is_empty() || line.starts_with('#'))
}

fn check_all(sources: &SourceSet, stage: Stage) -> Validation {
    let Stage {
        mut portfolio,
        mut diagnostics,
        plan_files,
        imports,
    } = stage;
    diagnostics.extend(report::rate_flat_lines(sources, &mut portfolio));
    diagnostics.extend(report::apportion_by_period(sources, &mut portfolio));
    let complete = !diagnostics.iter().any(Diagnostic::is_error);
    check::check(sources, &portfolio, complete, &mut diagnostics);
    sort(&mut diagnostics);
    cap_per_file_and_code(&mut diagnostics);
    Validation {
        portfolio,
        diagnostics,
        plan_files,
        imports,
    }
}

/// Diagnostics of one code shown per file; beyond this many, one more
/// diagnostic counts the rest. Above the ledger's own cap of 50 rows of a
/// kind plus its count, so that those are never cut here.
pub const SHOWN_PER_FILE_AND_CODE: usize = 100;

/// Keeps the first [`SHOWN_PER_FILE_AND_CODE`] diagnostics of each code in
/// each file (of `diagnostics`, sorted) and puts one diagnostic that counts
/// the rest where the first of them was. Ten thousand misspelt keys are one
/// mistake made many times; showing each would bury everything else, and
/// rendering each with its excerpt costs time in proportion to the file.
fn cap_per_file_and_code(diagnostics: &mut Vec<Diagnostic>) {
    type Key = (Option<std::path::PathBuf>, Code);
    let key = |d: &Diagnostic| -> Key { (d.location.as_ref().map(|l| l.file.clone()), d.code) };
    let mut seen: hash::IdMap<Key, usize> = hash::IdMap::default();
    for d in diagnostics.iter() {
        *seen.entry(key(d)).or_default() += 1;
    }
    if seen.values().all(|&n| n <= SHOWN_PER_FILE_AND_CODE) {
        return;
    }
    let mut shown: hash::IdMap<Key, usize> = hash::IdMap::default();
    let mut kept = Vec::with_capacity(diagnostics.len());
    for d in diagnostics.drain(..) {
        let k = key(&d);
        let n = shown.entry(k.clone()).or_default();
        *n += 1;
        if *n <= SHOWN_PER_FILE_AND_CODE {
            kept.push(d);
        } else if *n == SHOWN_PER_FILE_AND_CODE + 1 {
            let more = seen[&k] - SHOWN_PER_FILE_AND_CODE;
            let mut count = Diagnostic::new(
                d.code,
                format!(
                    "{more} more `{}` problems ({}) in this file are not shown, the first of them here",
                    d.code.as_str(),
                    d.code.summary()
                ),
            )
            .help(format!(
                "fix the {SHOWN_PER_FILE_AND_CODE} shown above and run again; `insats explain {}` explains the code",
                d.code.as_str()
            ));
            count.severity = d.severity;
            count.location = d.location;
            kept.push(count);
        }
    }
    *diagnostics = kept;
}
