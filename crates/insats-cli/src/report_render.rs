//! The report's outputs, through the one view every format shares
//! (`insats-view`): what the command line adds is its choice of table and
//! the workbook's creation time.

use std::io::{self, Write};

use insats_view::write;
use insats_view::{NumberStyle, View};

pub use insats_view::{Lang, Scale};

/// Which table a CSV export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CsvTable {
    /// The portfolio's sums (one row).
    Portfolio,
    /// One row per initiative.
    Initiatives,
    /// One row per budget line.
    Lines,
    /// One row per initiative and calendar year, then the portfolio's
    /// years: plan and spending per year.
    Years,
    /// One row per funding source.
    Funding,
    /// One row per funding source and calendar year: its part of the plan
    /// and of the spending per year.
    FundingYears,
    /// One row per outcome target.
    Targets,
    /// One row per finding.
    Findings,
    /// With --compare: one row per changed figure and per item that came
    /// or went.
    Since,
    /// With --compare: the findings new, resolved and still open.
    SinceFindings,
    /// A grant statement's settlement (with --period): received, charged,
    /// own contribution, to repay. Otherwise a statement's CSV is its costs
    /// per category.
    Settlement,
}

impl CsvTable {
    /// The view's name of the table.
    pub fn key(self) -> &'static str {
        match self {
            CsvTable::Portfolio => "portfolio",
            CsvTable::Initiatives => "initiatives",
            CsvTable::Lines => "lines",
            CsvTable::Years => "years",
            CsvTable::Funding => "funding",
            CsvTable::FundingYears => "funding-years",
            CsvTable::Targets => "targets",
            CsvTable::Findings => "findings",
            CsvTable::Since => "since",
            CsvTable::SinceFindings => "since-findings",
            CsvTable::Settlement => "settlement",
        }
    }
}

/// Which table of ledger control totals a CSV export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LedgerTable {
    /// Rows and sums of every kind of row of every import.
    ControlTotals,
    /// What each import booked on each budget line.
    PerLine,
}

impl LedgerTable {
    /// The view's name of the table.
    pub fn key(self) -> &'static str {
        match self {
            LedgerTable::ControlTotals => "control-totals",
            LedgerTable::PerLine => "per-line",
        }
    }
}

/// Writes one table of a view as CSV; `key` names it.
pub fn csv(out: &mut impl Write, view: &View, style: &NumberStyle, key: &str) -> io::Result<()> {
    let table = view
        .table(key)
        .ok_or_else(|| io::Error::other(format!("no table `{key}` in this output")))?;
    write::csv::write(out, table, style)
}

/// A view as an Excel workbook. `created` is the creation time to record
/// (`SOURCE_DATE_EPOCH`); without it, `fallback` (the report's as-of
/// date), never now, so the same report gives the same bytes.
pub fn xlsx(
    view: &View,
    style: &NumberStyle,
    created: Option<i64>,
    fallback: insats::model::Date,
) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::ExcelDateTime;
    let err = |e: rust_xlsxwriter::XlsxError| format!("cannot write the workbook: {e}");
    let created = match created {
        Some(seconds) => ExcelDateTime::from_timestamp(seconds).map_err(err)?,
        None => write::xlsx::excel_date(fallback).map_err(err)?,
    };
    write::xlsx::workbook(view, style, created).map_err(|e| e.to_string())
}
