//! What an import gives: the costs and payments found, the control totals
//! that account for every row, and why an import gave nothing.

use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::model::{DayTotal, ImportedCosts};
use crate::source::{Excerpt, Located};

/// A row listed in a summary.
#[derive(Debug, Clone, Serialize)]
pub struct ListedRow {
    /// One-based line in the file.
    pub line: usize,
    /// Its amount.
    pub amount: Decimal,
    /// Its text.
    pub text: Option<String>,
}

/// Control totals of one import; they reconcile exactly.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    /// The ledger id.
    pub ledger: String,
    /// The file read.
    pub file: PathBuf,
    /// Rows read (all data rows, malformed ones included).
    pub rows_read: usize,
    /// Rows booked on a line.
    pub rows_mapped: usize,
    /// Rows matching no rule.
    pub rows_unmapped: usize,
    /// Rows matching an exclusion rule (belonging elsewhere).
    pub rows_excluded: usize,
    /// Rows matching rules of two lines.
    pub rows_ambiguous: usize,
    /// Rows identical to an earlier row.
    pub rows_duplicate: usize,
    /// Rows that could not be read.
    pub rows_malformed: usize,
    /// SIE rows on balance-sheet accounts (classes 1 and 2: bank,
    /// suppliers), the counter-entries of costs, which are not costs.
    pub rows_balance: usize,
    /// CSV rows a skip rule marks as not costs (sum rows); their amounts
    /// are not read.
    pub rows_skipped: usize,
    /// Rows a receipt rule takes: payments from a funder.
    pub rows_received: usize,
    /// Their sum as booked (negative for money received on a revenue
    /// account).
    pub sum_received: Decimal,
    /// The sum of every row whose amount could be read.
    pub sum_read: Decimal,
    /// The sum booked.
    pub sum_mapped: Decimal,
    /// The sum of unmapped rows.
    pub sum_unmapped: Decimal,
    /// The sum of excluded rows.
    pub sum_excluded: Decimal,
    /// The sum of ambiguous rows.
    pub sum_ambiguous: Decimal,
    /// The sum of duplicate rows.
    pub sum_duplicate: Decimal,
    /// The sum of balance-sheet rows (not part of the sum read).
    pub sum_balance: Decimal,
    /// Rows and sum booked per line, in the order the lines were first
    /// booked.
    pub per_line: Vec<LineTotal>,
    /// The first unmapped rows, at most [`UNMAPPED_KEPT`]; `rows_unmapped`
    /// counts them all.
    pub unmapped: Vec<ListedRow>,
}

impl ImportSummary {
    /// True when the sums reconcile: read = mapped + unmapped + excluded +
    /// ambiguous + duplicate, and every row read is counted once.
    pub fn reconciles(&self) -> bool {
        self.sum_read
            == self.sum_mapped
                + self.sum_received
                + self.sum_unmapped
                + self.sum_excluded
                + self.sum_ambiguous
                + self.sum_duplicate
            && self.rows_read
                == self.rows_mapped
                    + self.rows_received
                    + self.rows_unmapped
                    + self.rows_excluded
                    + self.rows_ambiguous
                    + self.rows_duplicate
                    + self.rows_malformed
                    + self.rows_balance
                    + self.rows_skipped
    }
}

/// Rows and sum booked on one line.
#[derive(Debug, Clone, Serialize)]
pub struct LineTotal {
    /// The line id.
    pub line: String,
    /// Rows booked.
    pub rows: usize,
    /// Their sum.
    pub sum: Decimal,
}

/// What an import produced.
#[derive(Debug, Clone, Default)]
pub struct Import {
    /// The costs booked, per line and day.
    pub costs: Vec<ImportedCosts>,
    /// The payments from funders, per source and day.
    pub receipts: Vec<ImportedReceipts>,
    /// Its control totals.
    pub summary: ImportSummary,
    /// Problems found.
    pub diagnostics: Vec<Diagnostic>,
    /// For a streamed file: the rows the diagnostics point at (see
    /// [`crate::SourceFile::streamed`]).
    pub excerpts: Vec<Excerpt>,
}

/// Payments from one funding source found in a ledger, per day.
#[derive(Debug, Clone, Serialize)]
pub struct ImportedReceipts {
    /// The ledger id.
    pub ledger: String,
    /// The funding source, located at the first receipt rule naming it.
    pub funding: Located<String>,
    /// The TOML key path of that rule.
    #[serde(skip)]
    pub key_path: String,
    /// One total per day, as booked: negative for money received.
    pub days: Vec<DayTotal>,
}

/// Why a streamed import produced nothing.
#[derive(Debug, Clone)]
pub struct ImportFailed {
    /// What went wrong (the encoding, or reading the file).
    pub diagnostic: Box<Diagnostic>,
    /// The row it points at.
    pub excerpts: Vec<Excerpt>,
}

/// Unmapped rows kept in [`ImportSummary::unmapped`].
pub const UNMAPPED_KEPT: usize = 1000;
