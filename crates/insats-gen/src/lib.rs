//! Deterministic synthetic portfolios for benchmarks (`insats-gen`).
//!
//! ```text
//! insats-gen --plans P --rows N --out DIR [--seed S]
//! ```
//!
//! P plan files in directories of 100 (one municipality each, sharing a
//! state grant that pays 90 % of every line, the rest from the plan's own
//! budget), 5-20 budget lines per plan (totals, phasing and staffing), two
//! outcome targets with a measurement each, and a Swedish-style ledger export
//! of N rows (`;`, decimal comma, space thousands) with one mapping rule per
//! line. The portfolio validates without a diagnostic. The same arguments
//! give the same bytes on every machine: the generator uses its own seeded
//! splitmix64, not a library whose sequence could change between versions.

use std::fmt::Write as _;
use std::path::Path;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }
}

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// `1234567.5` as `1 234 567,50`.
fn swedish(ore: u64) -> String {
    let kr = (ore / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in kr.chars().enumerate() {
        if i > 0 && (kr.len() - i).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    format!("{grouped},{:02}", ore % 100)
}

/// Writes a portfolio of `plans` plans and a ledger export of `rows` rows
/// into `out`; returns the number of budget lines.
///
/// # Panics
/// If `out` cannot be written: this is a benchmark tool, not a library for
/// untrusted input.
pub fn generate(plans: usize, rows: usize, seed: u64, out: &Path) -> usize {
    let mut rng = Rng(seed);

    let indicators = [
        "behorighet",
        "kunskapskrav",
        "trygghet",
        "studiero",
        "narvaro",
    ];
    let mut catalogue =
        String::from("[portfolio]\nname = \"Synthetic portfolio\"\ncurrency = \"SEK\"\n");
    for id in indicators {
        write!(catalogue, "\n[[indicator]]\nid = \"{id}\"\nname = \"{id}\"\nunit = \"percent\"\ndirection = \"higher-is-better\"\n").unwrap();
    }
    write(&out.join("portfolio.toml"), &catalogue);

    let categories = ["personnel", "external-services", "other", "travel"];
    let mut all_lines: Vec<(String, String)> = Vec::new(); // (line id, project code)
    for municipality in 0..plans.div_ceil(100) {
        let mut grant_total: u64 = 0;
        for p in municipality * 100..((municipality + 1) * 100).min(plans) {
            let mut plan = format!(
                "[initiative]\nid = \"p{p}\"\nname = \"Plan {p}\"\norganisation = \"Kommun {municipality}\"\nperiod = {{ start = 2024-01-01, end = 2026-12-31 }}\nstatus = \"active\"\n"
            );
            let mut budget_total: u64 = 0;
            let mut lines = String::new();
            for k in 0..rng.range(5, 20) {
                let id = format!("p{p}-l{k}");
                let category = categories[rng.range(0, 3) as usize];
                let (cost, amount) = match (category, rng.range(0, 2)) {
                    ("personnel", _) => {
                        let fte = rng.range(1, 5);
                        let monthly = rng.range(40, 70) * 1000;
                        (
                            format!(
                                "staffing = {{ fte = {fte}, monthly_cost = {monthly}, from = 2024-01-01, until = 2026-12-31 }}"
                            ),
                            fte * monthly * 36,
                        )
                    }
                    (_, 0) => {
                        let a = rng.range(50, 2000) * 1000;
                        (format!("amount = {a}"), a)
                    }
                    _ => {
                        let y = [
                            rng.range(10, 700) * 1000,
                            rng.range(10, 700) * 1000,
                            rng.range(10, 700) * 1000,
                        ];
                        (
                            format!(
                                "phasing = {{ 2024 = {}, 2025 = {}, 2026 = {} }}",
                                y[0], y[1], y[2]
                            ),
                            y.iter().sum(),
                        )
                    }
                };
                let grant = amount * 9 / 10;
                grant_total += grant;
                budget_total += amount - grant;
                let serves = if k == 0 {
                    format!("[\"p{p}-t1\", \"p{p}-t2\"]")
                } else {
                    format!("[\"p{p}-t{}\"]", rng.range(1, 2))
                };
                write!(
                    lines,
                    "\n[[line]]\nid = \"{id}\"\nname = \"Line {k}\"\ncategory = \"{category}\"\nfunded_by = [{{ source = \"m{municipality}-grant\", amount = {grant} }}, {{ source = \"p{p}-budget\", amount = {} }}]\n{cost}\nserves = {serves}\n",
                    amount - grant
                )
                .unwrap();
                all_lines.push((id, format!("P{p}-{k}")));
            }
            write!(plan, "\n[[funding]]\nid = \"p{p}-budget\"\nkind = \"municipal-budget\"\namount = {budget_total}\n{lines}").unwrap();
            for t in 1..=2 {
                let baseline = rng.range(400, 800);
                let target = baseline + rng.range(30, 100);
                let indicator = indicators[rng.range(0, 4) as usize];
                write!(
                    plan,
                    "\n[[target]]\nid = \"p{p}-t{t}\"\nindicator = \"{indicator}\"\nscope = {{ level = \"school\", name = \"Skola {p}\" }}\nbaseline = {{ value = {}.{}, year = 2023 }}\ntarget = {{ value = {}.{}, year = 2026 }}\ncohort = {}\n\n[[measurement]]\ntarget = \"p{p}-t{t}\"\nyear = 2025\nvalue = {}.{}\n",
                    baseline / 10, baseline % 10, target / 10, target % 10, rng.range(100, 400), (baseline + 20) / 10, (baseline + 20) % 10
                )
                .unwrap();
            }
            write(&out.join(format!("m{municipality:03}/p{p:05}.toml")), &plan);
        }
        write(
            &out.join(format!("m{municipality:03}/grant.toml")),
            &format!(
                "[[funding]]\nid = \"m{municipality}-grant\"\nkind = \"state-grant\"\nfunder = \"Tillväxtverket\"\namount = {grant_total}\nwindow = {{ start = 2024-01-01, end = 2026-12-31 }}\nmax_share_percent = 90\n"
            ),
        );
    }

    if rows > 0 {
        let mut ledger = String::from(
            "[[ledger]]\nid = \"export\"\nfile = \"export.csv\"\nformat = \"csv\"\ncolumns = { date = \"Datum\", amount = \"Belopp\", account = \"Konto\", responsibility = \"Ansvar\", project = \"Projekt\", text = \"Text\", voucher = \"Verifikationsnummer\" }\n",
        );
        for (line, project) in &all_lines {
            write!(
                ledger,
                "\n[[ledger.map]]\nline = \"{line}\"\nproject = \"{project}\"\n"
            )
            .unwrap();
        }
        write(&out.join("ledger/ledger.toml"), &ledger);
        let mut csv = String::with_capacity(rows * 80);
        csv.push_str("Datum;Konto;Ansvar;Projekt;Belopp;Text;Verifikationsnummer\n");
        for r in 0..rows {
            let (_, project) = &all_lines[rng.range(0, all_lines.len() as u64 - 1) as usize];
            let account = if rng.range(0, 1) == 0 { 5010 } else { 6490 };
            let month = rng.range(1, 12);
            let day = rng.range(1, 28);
            let year = rng.range(2024, 2025);
            let ore = rng.range(10_000, 5_000_000);
            writeln!(
                csv,
                "{year}-{month:02}-{day:02};{account};3200;{project};{};Kostnad {r};V {r}",
                swedish(ore)
            )
            .unwrap();
        }
        write(&out.join("ledger/export.csv"), &csv);
    }
    all_lines.len()
}
