//! Any bytes as a CSV ledger export (read as Windows-1252, which decodes
//! every byte): the import must not panic, and its control totals must
//! reconcile whatever the rows hold.
#![no_main]

use insats::{SourceFile, SourceSet};
use libfuzzer_sys::fuzz_target;

const PLAN: &str = include_str!("../../tests/fixtures/diagnostics/INS707-ledger-unmapped-rows/plan.toml");

fuzz_target!(|data: &[u8]| {
    let mut sources = SourceSet::new();
    sources.add(SourceFile::new("plan.toml", PLAN));
    let validation = insats::validate(&sources);
    let ledger = &validation.portfolio.ledgers[0];
    let Ok(text) = insats::ledger::decode(ledger, data) else { return };
    let id = sources.add(SourceFile::new("huvudbok.csv", text));
    let import = insats::ledger::import(ledger, &sources, id);
    assert!(import.summary.reconciles(), "{:#?}", import.summary);
});
