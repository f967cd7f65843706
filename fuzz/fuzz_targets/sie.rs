//! Any bytes as a SIE file (decoded as the profile and the file's #FORMAT
//! say; code page 437 decodes every byte) through the importer, which reads
//! it one voucher at a time: nothing may panic, and the control totals must
//! reconcile whatever the file holds.
#![no_main]

use insats::{SourceFile, SourceSet};
use libfuzzer_sys::fuzz_target;

const PLAN: &str = include_str!("../../tests/fixtures/ledger/sie-pc8/plan.toml");

fuzz_target!(|data: &[u8]| {
    let mut sources = SourceSet::new();
    sources.add(SourceFile::new("plan.toml", PLAN));
    let validation = insats::validate(&sources);
    let ledger = &validation.portfolio.ledgers[0];
    let Ok(text) = insats::ledger::decode(ledger, data) else { return };
    let id = sources.add(SourceFile::new("bokforing.se", text));
    let import = insats::ledger::import(ledger, &sources, id);
    assert!(import.summary.reconciles(), "{:#?}", import.summary);
});
