//! The shipped portfolio in `initiatives/`: it validates clean, its computed
//! figures are what the plans say, and every figure is either cited or
//! marked illustrative.

use std::path::{Path, PathBuf};

use insats::model::{Initiative, LineCost, Portfolio};
use rust_decimal::Decimal;

fn load() -> Portfolio {
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../initiatives");
    let (_, validation) = insats::validate_paths(&[dir]).expect("initiatives/ is readable");
    assert!(
        validation.diagnostics.is_empty(),
        "initiatives/ must validate without errors or warnings: {:#?}",
        validation.diagnostics
    );
    validation.portfolio
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn initiative<'a>(p: &'a Portfolio, id: &str) -> &'a Initiative {
    p.initiatives.iter().find(|i| i.id.value == id).unwrap()
}

fn line_amount(p: &Portfolio, id: &str) -> Decimal {
    p.initiatives
        .iter()
        .flat_map(|i| &i.lines)
        .find(|l| l.id.value == id)
        .unwrap()
        .amount
}

#[test]
fn the_five_seed_documents_are_modelled() {
    let p = load();
    let orgs: Vec<&str> = p
        .initiatives
        .iter()
        .map(|i| i.organisation.as_str())
        .collect();
    for org in [
        "Borlänge kommun",
        "Botkyrka kommun",
        "Örebro kommun",
        "Alingsås kommun",
        "Ej namngiven kommun",
    ] {
        assert!(orgs.contains(&org), "{org} missing from {orgs:?}");
    }
    assert_eq!(p.sources.len(), 5);
}

#[test]
fn the_borlange_grant_is_fully_allocated_across_two_plans() {
    let p = load();
    let grant = p
        .funding
        .iter()
        .find(|f| f.id.value == "tillvaxtverket-segregation-2018")
        .unwrap();
    assert_eq!(grant.amount.value, dec("8800000"));
    let mut plans_using_it = 0;
    let mut allocated = Decimal::ZERO;
    let mut cost_base = Decimal::ZERO;
    for i in &p.initiatives {
        let mut uses = false;
        for line in &i.lines {
            for payer in line
                .payers
                .iter()
                .filter(|p| p.source.value == grant.id.value)
            {
                allocated += payer.amount;
                cost_base += line.amount;
                uses = true;
            }
        }
        plans_using_it += usize::from(uses);
    }
    assert_eq!(plans_using_it, 2);
    assert_eq!(allocated, dec("8800000"));
    // 8 800 000 of 9 777 778: within the 90 % ceiling, by 0.2 kr.
    assert_eq!(cost_base, dec("9777778"));
    assert!(allocated * Decimal::ONE_HUNDRED <= cost_base * dec("90"));
}

#[test]
fn staffing_and_flat_rates_compute_exactly() {
    let p = load();
    // 6 FTE x 56 000 x 12 months.
    assert_eq!(line_amount(&p, "borlange-a-teampersonal"), dec("4032000"));
    // 5.5 FTE x 58 000 x 12 months.
    assert_eq!(line_amount(&p, "borlange-b-teampersonal"), dec("3828000"));
    // 7 FTE x 62 000 x 36 months (January 2020 to December 2022).
    assert_eq!(line_amount(&p, "botkyrka-resursteam"), dec("15624000"));
    // 4 FTE x 61 000 x 59 months (August 2022 to June 2027) ...
    assert_eq!(line_amount(&p, "orebro-elevhalsa-syv"), dec("14396000"));
    // ... and 15 % of it as indirect costs.
    assert_eq!(line_amount(&p, "orebro-indirekta"), dec("2159400"));

    let orebro = initiative(&p, "orebro-likvardig-skola");
    let staffing = orebro
        .lines
        .iter()
        .find(|l| l.id.value == "orebro-elevhalsa-syv")
        .unwrap();
    assert!(matches!(staffing.cost, LineCost::Staffing(ref s) if s.months == 59));
    let years: Vec<(i16, Decimal)> = staffing
        .phasing
        .iter()
        .map(|y| (y.year, y.amount))
        .collect();
    assert_eq!(
        years,
        [
            (2022, dec("1220000")), // 5 months
            (2023, dec("2928000")),
            (2024, dec("2928000")),
            (2025, dec("2928000")),
            (2026, dec("2928000")),
            (2027, dec("1464000")), // 6 months
        ]
    );
}

#[test]
fn the_storvretskolan_money_is_the_sourced_three_million() {
    let p = load();
    let total =
        line_amount(&p, "storvret-radgivare") + line_amount(&p, "storvret-bitradande-rektor");
    assert_eq!(total, dec("3000000"));
}

#[test]
fn every_figure_is_cited_or_marked_illustrative() {
    let p = load();
    for f in &p.funding {
        assert!(
            f.provenance.source.is_some() || f.provenance.illustrative,
            "funding {} has neither `source` nor `illustrative = true`",
            f.id.value
        );
    }
    for i in &p.initiatives {
        assert!(
            !i.sources.is_empty(),
            "initiative {} cites no source",
            i.id.value
        );
        for l in &i.lines {
            assert!(
                l.provenance.source.is_some() || l.provenance.illustrative,
                "line {} has neither `source` nor `illustrative = true`",
                l.id.value
            );
        }
        for t in &i.targets {
            for obs in [&t.baseline, &t.target] {
                assert!(
                    obs.provenance.source.is_some() || obs.provenance.illustrative,
                    "target {} has a value with neither `source` nor `illustrative = true`",
                    t.id.value
                );
            }
        }
    }
    for s in &p.sources {
        assert!(!s.publisher.is_empty() && !s.title.is_empty());
        assert!(
            s.published.is_some()
                || s.note
                    .as_deref()
                    .is_some_and(|n| n.contains("date") || n.contains("ndated")),
            "source {} has no date and no note saying why",
            s.id.value
        );
    }
}
