//! `insats-floor`: the floor insats is measured against (docs/performance.md).
//!
//! ```text
//! insats-floor toml DIR    # parse every *.toml into the same types, nothing else
//! insats-floor csv FILE    # read a ;-separated export and sum its amount column
//! ```
//!
//! Both use the same crates and the same parallelism as insats, so the ratio
//! of insats' time to this is the cost of what insats adds: spans,
//! diagnostics, checks, computation.

use rayon::prelude::*;
use rust_decimal::Decimal;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("toml"), Some(dir)) => {
            let files: Vec<_> = walkdir::WalkDir::new(dir)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
                .map(|e| e.into_path())
                .collect();
            let parsed = files
                .par_iter()
                .filter(|f| {
                    let text = std::fs::read_to_string(f).unwrap_or_default();
                    toml::from_str::<insats::schema::TomlDocument>(&text).is_ok()
                })
                .count();
            println!("{parsed} of {} files parsed", files.len());
        }
        (Some("csv"), Some(file)) => {
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(b';')
                .from_path(file)
                .expect("readable CSV");
            let column = reader
                .headers()
                .expect("a header")
                .iter()
                .position(|h| h == "Belopp")
                .expect("a Belopp column");
            let mut sum = Decimal::ZERO;
            let mut rows = 0u64;
            let mut record = csv::StringRecord::new();
            while reader.read_record(&mut record).expect("a readable row") {
                let text = record[column].replace(' ', "").replace(',', ".");
                sum += text.parse::<Decimal>().unwrap_or_default();
                rows += 1;
            }
            println!("{rows} rows, sum {sum}");
        }
        _ => eprintln!("usage: insats-floor toml DIR | insats-floor csv FILE"),
    }
}
