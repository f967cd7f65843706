//! Benchmarks of the pipeline on generated portfolios (docs/performance.md):
//! validate (load and check, files in memory), validate with a ledger import
//! (including reading the files), and the report.
//!
//! `cargo bench -p insats-gen`

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use insats::{SourceFile, SourceSet};

fn portfolio(plans: usize, rows: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("insats-bench-{plans}-{rows}"));
    if !dir.exists() {
        insats_gen::generate(plans, rows, 2018, &dir);
    }
    dir
}

fn in_memory(dir: &PathBuf) -> SourceSet {
    let (sources, _) = insats::fs::read_sources(std::slice::from_ref(dir)).unwrap();
    let mut copy = SourceSet::new();
    for (_, f) in sources.iter() {
        copy.add(SourceFile::new(f.path.clone(), f.text.clone()));
    }
    copy
}

fn validate(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate");
    group.sample_size(10);
    for plans in [100, 1000] {
        let sources = in_memory(&portfolio(plans, 0));
        group.bench_function(format!("{plans} plans"), |b| {
            b.iter(|| insats::validate(&sources))
        });
    }
    group.finish();
}

fn import_and_report(c: &mut Criterion) {
    let mut group = c.benchmark_group("ledger");
    group.sample_size(10);
    for rows in [10_000, 100_000] {
        let dir = portfolio(100, rows);
        group.bench_function(format!("validate with import, {rows} rows"), |b| {
            b.iter(|| insats::validate_paths(std::slice::from_ref(&dir)).unwrap())
        });
        let (_, validation) = insats::validate_paths(std::slice::from_ref(&dir)).unwrap();
        let options = insats::report::ReportOptions::as_of("2025-12-31".parse().unwrap());
        group.bench_function(format!("report, {rows} rows"), |b| {
            b.iter(|| insats::report::report(&validation.portfolio, &options))
        });
    }
    group.finish();
}

criterion_group!(benches, validate, import_and_report);
criterion_main!(benches);
