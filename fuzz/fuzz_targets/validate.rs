//! Any text as a plan file: load, check and, when it validates, report.
//! Nothing may panic.
#![no_main]

use insats::{SourceFile, SourceSet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut sources = SourceSet::new();
    sources.add(SourceFile::new("fuzz.toml", text));
    let validation = insats::validate(&sources);
    if validation.is_ok() {
        let options = insats::report::ReportOptions::as_of(jiff::civil::date(2025, 6, 30));
        let _ = insats::report::report(&validation.portfolio, &options);
    }
});
