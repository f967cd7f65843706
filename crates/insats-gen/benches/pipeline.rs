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

/// One plan with many mistakes of one kind: unknown keys one per line, and
/// a `phasing` of bad years on one line. Time must grow with their number,
/// not its square (it once took 19 s for 20 000 keys).
fn many_diagnostics(c: &mut Criterion) {
    let mut group = c.benchmark_group("diagnostics in one file");
    group.sample_size(10);
    let base = "[initiative]\nid = \"x\"\nname = \"X\"\norganisation = \"O\"\nperiod = { start = 2024-01-01, end = 2024-12-31 }\n";
    for n in [10_000, 100_000] {
        let keys: String = (0..n).map(|i| format!("unknown_key_{i} = 1\n")).collect();
        let mut sources = SourceSet::new();
        sources.add(SourceFile::new("plan.toml", format!("{base}{keys}")));
        group.bench_function(format!("{n} unknown keys"), |b| {
            b.iter(|| insats::validate(&sources))
        });
        let years: Vec<String> = (0..n)
            .map(|i| format!("\"{}x{i}\" = 1", 2000 + i % 200))
            .collect();
        let line = format!(
            "[[line]]\nid = \"l\"\nname = \"L\"\ncategory = \"other\"\nfunded_by = \"f\"\nphasing = {{ {} }}\n",
            years.join(", ")
        );
        let mut sources = SourceSet::new();
        sources.add(SourceFile::new("plan.toml", format!("{base}{line}")));
        group.bench_function(format!("phasing of {n} bad years"), |b| {
            b.iter(|| insats::validate(&sources))
        });
    }
    group.finish();
}

criterion_group!(benches, validate, import_and_report, many_diagnostics);
criterion_main!(benches);
