//! insats in the browser: the core and the report writers behind a small
//! JavaScript interface, for `web/` (see its README).
//!
//! The page hands in every file of the folder the user chose ([`Folder`]),
//! asks for the diagnostics, then for the report in the formats the
//! command line writes. Everything runs in the page's WebAssembly module:
//! nothing here reads a file, reaches the network or knows the clock, so
//! what the page shows is what `insats validate` and `insats report` show
//! for the same folder and date. Errors cross into JavaScript as strings.

use std::cell::RefCell;
use std::rc::Rc;

use insats::report::{Report, ReportOptions};
use insats::{CheckedPortfolio, LoadedFiles, PortfolioFiles, Severity};
use insats_view::write::diagnostics::{self, Paint};
use insats_view::{Lang, NumberStyle, Scale};
use wasm_bindgen::prelude::wasm_bindgen;

/// A portfolio's folder handed in file by file, and what validating it
/// found.
#[wasm_bindgen]
#[derive(Default)]
pub struct Folder {
    files: PortfolioFiles,
    /// The plans as loaded to find the exports they declare, kept for
    /// validating, so that a folder's plans are loaded once.
    loaded: Option<LoadedFiles>,
    validated: Option<Validated>,
}

/// A validation, kept as the page shows it: the portfolio itself is kept
/// only when it has no error, as a report needs.
struct Validated {
    json: String,
    shown: Vec<String>,
    severities: Vec<Severity>,
    checked: Option<CheckedPortfolio>,
    /// The last report made, by its as-of date: the page asks for the
    /// shown page, the table list and each download of the same report.
    last_report: RefCell<Option<(jiff::civil::Date, Rc<Report>)>>,
}

#[wasm_bindgen]
impl Folder {
    /// An empty folder.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Folder {
        Folder::default()
    }

    /// Adds a file by its path in the folder (`initiatives/borlange/plan.toml`,
    /// as a folder input gives it). What was validated before is dropped.
    pub fn add_file(&mut self, path: &str, bytes: Vec<u8>) {
        self.validated = None;
        // A plan changes what is loaded; an export (the files handed in
        // after `declared_exports`) does not.
        if path.ends_with(".toml") {
            self.loaded = None;
        }
        self.files.insert(path, bytes);
    }

    /// The ledger exports the `*.toml` files handed in so far declare, by
    /// their paths in the folder: the files to hand in next. The page
    /// reads the plans first and then only these, not every file of the
    /// folder.
    pub fn declared_exports(&mut self) -> Vec<String> {
        let loaded = insats::load_files(&self.files);
        let exports = loaded.declared_exports();
        self.loaded = Some(loaded);
        exports
            .iter()
            .map(|path| path.to_string_lossy().into_owned())
            .collect()
    }

    /// The number of files handed in.
    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    /// Validates the folder and returns the diagnostics as the JSON
    /// document `insats validate --format json` writes.
    pub fn validate(&mut self) -> String {
        let loaded = self
            .loaded
            .take()
            .unwrap_or_else(|| insats::load_files(&self.files));
        let (sources, validation) = loaded.validate(&self.files);
        let mut json = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = diagnostics::json(&mut json, &sources, &validation);
        let validated = Validated {
            json: String::from_utf8_lossy(&json).into_owned(),
            shown: diagnostics::shown(&sources, &validation, Paint::Plain),
            severities: validation.diagnostics.iter().map(|d| d.severity).collect(),
            checked: validation.into_checked().ok(),
            last_report: RefCell::default(),
        };
        let json = validated.json.clone();
        self.validated = Some(validated);
        json
    }

    /// Each diagnostic as `insats validate` prints it (message, excerpt,
    /// notes and help), without colour, in the JSON's order.
    pub fn shown_diagnostics(&self) -> Vec<String> {
        self.validated
            .as_ref()
            .map(|v| v.shown.clone())
            .unwrap_or_default()
    }

    /// Whether each diagnostic of [`Folder::shown_diagnostics`] is an
    /// error (the others are warnings).
    pub fn diagnostic_is_error(&self) -> Vec<u8> {
        self.validated
            .as_ref()
            .map(|v| {
                v.severities
                    .iter()
                    .map(|s| u8::from(*s == Severity::Error))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether the folder was validated without errors, so that it can be
    /// reported on.
    pub fn can_report(&self) -> bool {
        self.validated.as_ref().is_some_and(|v| v.checked.is_some())
    }

    /// The report as of `as_of` (`YYYY-MM-DD`) as the page `insats report
    /// --format html` writes, in `lang` (`sv` or `en`).
    pub fn report_html(&self, as_of: &str, lang: &str) -> Result<String, String> {
        let asked = self.report(as_of, lang)?;
        let portfolio = asked.checked.portfolio();
        let curves = insats::report::spending_curves(portfolio, &asked.report);
        Ok(insats_view::write::html::report_page(
            &asked.report,
            &curves,
            &asked.style,
            portfolio.name.as_deref(),
            None,
        ))
    }

    /// The report as the JSON document `insats report --format json` writes.
    pub fn report_json(&self, as_of: &str) -> Result<String, String> {
        let asked = self.report(as_of, "sv")?;
        let mut json = Vec::new();
        diagnostics::write_json(&mut json, &insats::Envelope::new(&*asked.report))
            .map_err(|e| e.to_string())?;
        Ok(String::from_utf8_lossy(&json).into_owned())
    }

    /// The report's tables as `[{"key": "lines", "title": "Budgetrader"}, …]`:
    /// the keys [`Folder::report_csv`] takes, in the view's order.
    pub fn report_tables(&self, as_of: &str, lang: &str) -> Result<String, String> {
        let asked = self.report(as_of, lang)?;
        let tables: Vec<_> = asked
            .view()
            .tables
            .iter()
            .map(|t| serde_json::json!({ "key": t.key, "title": t.title }))
            .collect();
        serde_json::to_string(&tables).map_err(|e| e.to_string())
    }

    /// One table of the report as the CSV `insats report --format csv
    /// --table KEY` writes (semicolons and decimal commas in Swedish).
    pub fn report_csv(&self, as_of: &str, lang: &str, table: &str) -> Result<String, String> {
        let asked = self.report(as_of, lang)?;
        let view = asked.view();
        let table = view
            .table(table)
            .ok_or_else(|| format!("the report has no table `{table}`"))?;
        let mut csv = Vec::new();
        insats_view::write::csv::write(&mut csv, table, &asked.style).map_err(|e| e.to_string())?;
        String::from_utf8(csv).map_err(|e| e.to_string())
    }

    /// The report as the workbook `insats report --format xlsx` writes,
    /// recording the as-of date as its creation time (as the command line
    /// does without `SOURCE_DATE_EPOCH`).
    pub fn report_xlsx(&self, as_of: &str, lang: &str) -> Result<Vec<u8>, String> {
        let asked = self.report(as_of, lang)?;
        let created =
            insats_view::write::xlsx::excel_date(asked.report.as_of).map_err(|e| e.to_string())?;
        insats_view::write::xlsx::workbook(&asked.view(), &asked.style, created)
            .map_err(|e| e.to_string())
    }
}

/// A report as asked for, with what its writers need.
struct Asked<'a> {
    checked: &'a CheckedPortfolio,
    report: Rc<Report>,
    style: NumberStyle,
}

impl Asked<'_> {
    fn view(&self) -> insats_view::View {
        insats_view::report_view(
            &self.report,
            self.checked.portfolio().name.as_deref(),
            self.style.lang,
        )
    }
}

impl Folder {
    fn report(&self, as_of: &str, lang: &str) -> Result<Asked<'_>, String> {
        let (checked, last_report) = match &self.validated {
            None => return Err("validate the folder first".to_owned()),
            Some(Validated { checked: None, .. }) => {
                return Err("the portfolio has errors; fix them before reporting".to_owned());
            }
            Some(Validated {
                checked: Some(checked),
                last_report,
                ..
            }) => (checked, last_report),
        };
        let as_of: jiff::civil::Date = as_of
            .parse()
            .map_err(|_| format!("`{as_of}` is not a date of the form 2026-12-31"))?;
        let lang = match lang {
            "sv" => Lang::Sv,
            "en" => Lang::En,
            other => return Err(format!("no language `{other}`: sv or en")),
        };
        let cached = last_report
            .borrow()
            .as_ref()
            .filter(|(date, _)| *date == as_of)
            .map(|(_, report)| Rc::clone(report));
        let report = match cached {
            Some(report) => report,
            None => {
                let report = Rc::new(
                    checked
                        .report(&ReportOptions::as_of(as_of))
                        .map_err(|e| e.to_string())?,
                );
                *last_report.borrow_mut() = Some((as_of, Rc::clone(&report)));
                report
            }
        };
        Ok(Asked {
            checked,
            style: NumberStyle {
                lang,
                scale: Scale::Kr,
                currency: checked.portfolio().currency.clone(),
            },
            report,
        })
    }
}
