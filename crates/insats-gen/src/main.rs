//! `insats-gen --plans P --rows N --out DIR [--seed S]`: writes a
//! deterministic synthetic portfolio; see the library docs.

use std::path::PathBuf;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: insats-gen --plans P --rows N --out DIR [--seed S]";
    let (Some(plans), Some(rows), Some(out)) = (
        arg(&args, "--plans").and_then(|v| v.parse().ok()),
        arg(&args, "--rows").and_then(|v| v.parse().ok()),
        arg(&args, "--out").map(PathBuf::from),
    ) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let seed = arg(&args, "--seed")
        .and_then(|v| v.parse().ok())
        .unwrap_or(2018);
    let lines = insats_gen::generate(plans, rows, seed, &out);
    println!(
        "wrote {plans} plans, {lines} budget lines and {rows} ledger rows to {}",
        out.display()
    );
}
