//! Writers: each lays out a view and decides nothing else.

pub mod csv;
pub mod diagnostics;
pub mod html;
pub mod text;
pub mod xlsx;
