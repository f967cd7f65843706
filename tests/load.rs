//! Loading single files: exact numbers, encodings, line ends, and that one
//! broken table does not hide the problems of the next.

use insats::{Code, SourceFile, SourceSet, validate};
use proptest::prelude::*;
use rust_decimal::Decimal;

const HEAD: &str = r#"[initiative]
id = "i"
name = "I"
organisation = "O"
period = { start = 2024-01-01, end = 2024-12-31 }

[[indicator]]
id = "share"
name = "Share"
unit = "percent"
direction = "higher-is-better"

[[target]]
id = "goal"
indicator = "share"
scope = { level = "municipality", name = "O" }
baseline = { value = 50, year = 2023 }
target = { value = 55, year = 2024 }
"#;

fn run(text: &str) -> insats::Validation {
    let mut sources = SourceSet::new();
    sources.add(SourceFile::new("plan.toml", text));
    validate(&sources)
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn with_funding_and_line(amount: &str, line: &str) -> String {
    format!(
        "{HEAD}\n[[funding]]\nid = \"budget\"\nkind = \"other\"\namount = {amount}\n\n[[line]]\nid = \"l\"\nname = \"L\"\ncategory = \"other\"\nfunded_by = \"budget\"\nserves = [\"goal\"]\n{line}\n"
    )
}

#[test]
fn a_float_beyond_f64_precision_is_read_to_the_ore() {
    let v = run(&with_funding_and_line(
        "999999999999999.99",
        "amount = 999999999999999.99",
    ));
    assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
    assert_eq!(
        v.portfolio.funding[0].amount.value.to_string(),
        "999999999999999.99"
    );
    assert_eq!(
        v.portfolio.initiatives[0].lines[0].amount,
        dec("999999999999999.99")
    );
}

#[test]
fn string_and_underscore_forms_are_exact() {
    let v = run(&with_funding_and_line(
        "\"8800000.50\"",
        "amount = 8_800_000.50",
    ));
    assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
    assert_eq!(
        v.portfolio.initiatives[0].lines[0].amount,
        dec("8800000.50")
    );
}

#[test]
fn a_decimal_comma_in_a_string_is_refused_with_the_accepted_forms() {
    let v = run(&with_funding_and_line("\"8800000,50\"", "amount = 1"));
    let d = v
        .diagnostics
        .iter()
        .find(|d| d.code == Code::InvalidAmount)
        .expect("INS201");
    assert!(d.message.contains("decimal comma"), "{}", d.message);
    assert!(d.help.as_deref().unwrap().contains("8_800_000"));
}

#[test]
fn a_byte_order_mark_is_accepted_and_positions_stay_right() {
    let text = format!("\u{feff}{HEAD}colour = 1\n");
    let v = run(&text);
    let unknown: Vec<_> = v
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::UnknownKey)
        .collect();
    assert_eq!(unknown.len(), 1, "{:#?}", v.diagnostics);
    let loc = unknown[0].location.as_ref().unwrap();
    let line = HEAD.lines().count() + 1;
    assert_eq!((loc.line, loc.column), (line, 1));
}

#[test]
fn crlf_line_ends_give_the_same_positions() {
    let text = with_funding_and_line("100", "amount = 100\nnotes = \"x\"").replace('\n', "\r\n");
    let v = run(&text);
    let d = v
        .diagnostics
        .iter()
        .find(|d| d.code == Code::UnknownKey)
        .expect("INS101");
    let expected_line = text
        .split("\r\n")
        .position(|l| l.starts_with("notes"))
        .unwrap()
        + 1;
    assert_eq!(
        d.location.as_ref().map(|l| (l.line, l.column)),
        Some((expected_line, 1))
    );
    assert_eq!(d.help.as_deref(), Some("did you mean `note`?"));
}

#[test]
fn problems_in_two_lines_are_both_reported() {
    let text = format!(
        "{HEAD}\n[[funding]]\nid = \"b\"\nkind = \"other\"\namount = 2\n\n[[line]]\nid = \"one\"\nname = \"1\"\ncategory = \"personel\"\nfunded_by = \"b\"\namount = 1\nserves = [\"goal\"]\n\n[[line]]\nid = \"two\"\nname = \"2\"\ncategory = \"other\"\nfunded_by = \"b\"\namount = \"x\"\nserves = [\"goal\"]\n"
    );
    let codes: Vec<Code> = run(&text).diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::UnknownVariant, Code::InvalidAmount]);
}

/// Shares become amounts by the largest-remainder rule: 33,33 / 33,33 /
/// 33,34 % of 10 kr is exactly 3,333 / 3,333 / 3,334; each is rounded down
/// to 3,33 and the öre left goes to the largest remainder, the third. Each
/// source holds exactly what it is given, so nothing is reported.
#[test]
fn shares_split_a_line_to_the_ore() {
    let text = format!(
        "{HEAD}\n[[funding]]\nid = \"a\"\nkind = \"other\"\namount = 3.33\n\n[[funding]]\nid = \"b\"\nkind = \"other\"\namount = 3.33\n\n[[funding]]\nid = \"c\"\nkind = \"other\"\namount = 3.34\n\n[[line]]\nid = \"l\"\nname = \"L\"\ncategory = \"other\"\nfunded_by = [{{ source = \"a\", share_percent = 33.33 }}, {{ source = \"b\", share_percent = 33.33 }}, {{ source = \"c\", share_percent = 33.34 }}]\namount = 10\nserves = [\"goal\"]\n"
    );
    let v = run(&text);
    assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
    let line = &v.portfolio.initiatives[0].lines[0];
    let parts: Vec<Decimal> = line.payers.iter().map(|p| p.amount).collect();
    assert_eq!(parts, [dec("3.33"), dec("3.33"), dec("3.34")]);
}

/// On equal remainders the earlier payer gets the öre: half of 100,01 is
/// 50,005 each way.
#[test]
fn an_equal_split_gives_the_odd_ore_to_the_first_payer() {
    let text = format!(
        "{HEAD}\n[[funding]]\nid = \"a\"\nkind = \"other\"\namount = 50.01\n\n[[funding]]\nid = \"b\"\nkind = \"other\"\namount = 50\n\n[[line]]\nid = \"l\"\nname = \"L\"\ncategory = \"other\"\nfunded_by = [{{ source = \"a\", share_percent = 50 }}, {{ source = \"b\", share_percent = 50 }}]\namount = 100.01\nserves = [\"goal\"]\n"
    );
    let v = run(&text);
    assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
    let parts: Vec<Decimal> = v.portfolio.initiatives[0].lines[0]
        .payers
        .iter()
        .map(|p| p.amount)
        .collect();
    assert_eq!(parts, [dec("50.01"), dec("50.00")]);
}

#[test]
fn staffing_rounds_each_year_to_the_ore() {
    // 0.333 FTE x 10 000.01 a month: 3 330,00333 a month, not whole öre.
    let v = run(&with_funding_and_line(
        "39960.04",
        "staffing = { fte = 0.333, monthly_cost = 10_000.01, from = 2024-01-01, until = 2024-12-31 }",
    ));
    assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
    // 0.333 x 10 000.01 x 12 = 39 960.03996, rounded half away from zero.
    assert_eq!(v.portfolio.initiatives[0].lines[0].amount, dec("39960.04"));
}

proptest! {
    /// A split of any amount over any weights adds up to the amount to the
    /// öre, and no part is negative.
    #[test]
    fn split_exact_always_adds_up(
        ore in 0i64..10_000_000_000_000,
        weights in proptest::collection::vec(0u32..10_000, 1..12),
    ) {
        let total = Decimal::new(ore, 2);
        let weights: Vec<Decimal> = weights.into_iter().map(Decimal::from).collect();
        match insats::money::split_exact(total, &weights) {
            Some(parts) => {
                prop_assert_eq!(parts.iter().copied().sum::<Decimal>(), total);
                prop_assert!(parts.iter().all(|p| !p.is_sign_negative() && p.scale() <= 2));
            }
            None => prop_assert!(weights.iter().all(|w| w.is_zero())),
        }
    }

    /// Any text fed to the loader gives a result or diagnostics, never a
    /// panic.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let _ = run(&text);
    }

    /// Plan-shaped text with arbitrary values never panics either.
    #[test]
    fn arbitrary_values_in_a_plan_never_panic(
        amount in "[-+0-9_.eE,\"a-z]{1,30}",
        fte in "[-0-9.]{1,8}",
        day in 0u32..40,
    ) {
        let line = format!("staffing = {{ fte = {fte}, monthly_cost = 1000, from = 2024-01-{day:02}, until = 2024-12-31 }}");
        let v = run(&with_funding_and_line(&amount, &line));
        // A plan that validates goes on through the report, whose plan to
        // date lies between nothing and the budget, and is the budget once
        // the period is over.
        if v.is_ok() {
            let at = |date| {
                let options = insats::report::ReportOptions::as_of(date);
                insats::report::report(&v.portfolio, &options).portfolio
            };
            let mid = at(jiff::civil::date(2024, 6, 30));
            prop_assert!(Decimal::ZERO <= mid.planned_to_date && mid.planned_to_date <= mid.budget);
            let after = at(jiff::civil::date(2025, 1, 1));
            prop_assert_eq!(after.planned_to_date, after.budget);
        }
    }
}

#[test]
fn a_broken_initiative_table_does_not_hide_its_lines_problems() {
    // `organisation` is missing, and a line has a misspelt category.
    let text = HEAD.replace("organisation = \"O\"\n", "")
        + "\n[[funding]]\nid = \"b\"\nkind = \"other\"\namount = 1\n\n[[line]]\nid = \"l\"\nname = \"L\"\ncategory = \"personel\"\nfunded_by = \"b\"\namount = 1\nserves = [\"goal\"]\n";
    let codes: Vec<Code> = run(&text).diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::MissingKey, Code::UnknownVariant]);
}

#[test]
fn a_runaway_syntax_error_is_folded_and_does_not_claim_there_is_no_plan() {
    let text = format!("a = {}{}\n", "[".repeat(200), "]".repeat(3));
    let v = run(&text);
    assert!(
        v.diagnostics.iter().all(|d| d.code == Code::TomlSyntax),
        "{:#?}",
        v.diagnostics
    );
    assert!(
        v.diagnostics.len() <= 6,
        "{} diagnostics",
        v.diagnostics.len()
    );
    let folded = v
        .diagnostics
        .iter()
        .flat_map(|d| &d.notes)
        .find(|n| n.contains("more syntax errors"));
    assert!(folded.is_some(), "{:#?}", v.diagnostics);
}

fn run_files(files: &[(&str, &str)]) -> Vec<Code> {
    let mut sources = SourceSet::new();
    for (name, text) in files {
        sources.add(SourceFile::new(*name, *text));
    }
    validate(&sources)
        .diagnostics
        .iter()
        .map(|d| d.code)
        .collect()
}

const LINE: &str = "\n[[funding]]\nid = \"b\"\nkind = \"other\"\namount = 100\n\n[[line]]\nid = \"l\"\nname = \"L\"\ncategory = \"other\"\nfunded_by = \"b\"\namount = 100\nserves = [\"goal\"]\n";

const FOLLOW_UP: &str = "[[spending]]\nline = \"l\"\ndate = 2024-03-01\namount = 10\n\n[[measurement]]\ntarget = \"goal\"\ndate = 2024-06-30\nvalue = 52\n";

// An item that does not load is reported once, for what is wrong with it:
// references to it are not also reported as unknown.

#[test]
fn a_line_that_does_not_compute_is_not_also_an_unknown_reference() {
    let plan = format!(
        "{HEAD}{}",
        LINE.replace(
            "amount = 100\nserves",
            "amount = 100\nphasing = { 2024 = 90 }\nserves"
        )
    );
    assert_eq!(
        run_files(&[("plan.toml", &plan), ("follow-up.toml", FOLLOW_UP)]),
        [Code::PhasingMismatch]
    );
}

#[test]
fn a_funding_source_that_does_not_load_is_not_also_an_unknown_reference() {
    let plan = format!(
        "{HEAD}{}",
        LINE.replace("kind = \"other\"", "kind = \"grnt\"")
    );
    assert_eq!(
        run_files(&[("plan.toml", &plan), ("follow-up.toml", FOLLOW_UP)]),
        [Code::UnknownVariant]
    );
}

#[test]
fn the_lines_and_targets_of_a_plan_whose_initiative_breaks_are_not_unknown_references() {
    let plan = format!("{HEAD}{LINE}").replace(
        "period = { start = 2024-01-01, end = 2024-12-31 }",
        "period = { start = 2024-12-31, end = 2024-01-01 }",
    );
    assert_eq!(
        run_files(&[("plan.toml", &plan), ("follow-up.toml", FOLLOW_UP)]),
        [Code::PeriodReversed]
    );
}

#[test]
fn lines_and_targets_outside_a_plan_are_misplaced_not_unknown_references() {
    let plan = HEAD.replace(
        "[[target]]",
        "[[line]]\nid = \"other\"\nname = \"O\"\ncategory = \"other\"\nfunded_by = \"b\"\namount = 100\nserves = [\"goal\"]\n\n[[funding]]\nid = \"b\"\nkind = \"other\"\namount = 100\n\n[[target]]",
    );
    let stray = format!("{}{FOLLOW_UP}", LINE.replace("serves = [\"goal\"]", "serves = [\"goal\"]\n\n[[target]]\nid = \"goal2\"\nindicator = \"share\"\nscope = { level = \"municipality\", name = \"O\" }\nbaseline = { value = 50, year = 2023 }\ntarget = { value = 55, year = 2024 }\n").replace("id = \"b\"", "id = \"b2\"").replace("funded_by = \"b\"", "funded_by = \"b2\"").replace("target = \"goal\"", "target = \"goal2\""));
    assert_eq!(
        run_files(&[("plan.toml", &plan), ("stray.toml", &stray)]),
        [Code::MisplacedSection]
    );
}

/// A quoted date reads as the date: the editor's schema cannot tell
/// `"2024-03-31"` from `2024-03-31` (both reach it as a string), so
/// validate reads both, and the portfolio is the same either way.
#[test]
fn quoted_dates_read_as_the_dates_they_write() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/report/basic");
    let date = regex::Regex::new(r"(= *|\[ *|, *)(\d{4}-\d{2}-\d{2})\b").unwrap();
    let load = |quote: bool| {
        let mut sources = SourceSet::new();
        for name in ["plan.toml", "followup.toml"] {
            let text = std::fs::read_to_string(dir.join(name)).unwrap();
            let text = if quote {
                date.replace_all(&text, "$1\"$2\"").into_owned()
            } else {
                text
            };
            sources.add(SourceFile::new(name, text));
        }
        validate(&sources)
    };
    let (bare, quoted) = (load(false), load(true));
    assert!(bare.diagnostics.is_empty(), "{:#?}", bare.diagnostics);
    assert!(quoted.diagnostics.is_empty(), "{:#?}", quoted.diagnostics);
    let json = |v: &insats::Validation| serde_json::to_value(&v.portfolio).unwrap();
    assert_eq!(json(&bare), json(&quoted));
    // The quoting did happen: every date of the plan is quoted.
    let plan = std::fs::read_to_string(dir.join("plan.toml")).unwrap();
    let quoted_plan = date.replace_all(&plan, "$1\"$2\"");
    assert!(quoted_plan.matches("\"2024-").count() >= 3, "{quoted_plan}");
}
