//! Report views for insats, after hledger's shape: a report part becomes a
//! [`View`], titled tables of typed [`Cell`]s, and thin writers lay a view
//! out as terminal tables, Markdown, CSV or an Excel workbook.
//!
//! ```
//! use insats_view::{Lang, NumberStyle, Scale};
//! let style = NumberStyle { lang: Lang::Sv, scale: Scale::Tkr, currency: "SEK".into() };
//! assert_eq!(style.money("8800000".parse().unwrap()), "8\u{a0}800\u{a0}tkr");
//! ```
//!
//! What is in a view is decided once, here: the columns of each report
//! part ([`report_view`], [`statement_view`], [`ledger_view`]), their
//! labels in every language ([`Label`]), how numbers are written
//! ([`NumberStyle`]), and which rows the report's findings flag. Nothing
//! here reads or writes files: writers write to any `io::Write`, or return
//! bytes.

#![warn(missing_docs)]

mod compare_view;
pub mod labels;
mod ledger_view;
mod report_view;
mod statement_view;
mod style;
mod table;
pub mod write;

pub use compare_view::comparison_tables;
pub use labels::Label;
pub use ledger_view::ledger_view;
pub use report_view::{report_title, report_view};
pub use statement_view::{statement_title, statement_view};
pub use style::{GROUP_SPACE, Lang, NumberStyle, Scale};
pub use table::{Cell, Column, ColumnKind, Preset, Row, RowClass, Table, View};
