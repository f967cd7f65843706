//! A wrong and a corrected example of every diagnostic, for `insats
//! explain`.
//!
//! Each example is an edit of the code's fixture,
//! `tests/fixtures/diagnostics/<CODE>-<name>/`: the fixture is the wrong
//! example, and applying the edits to its `file` gives the corrected one. A
//! test (`tests/explain.rs`) applies every edit and checks that the fixture
//! produces its code and the corrected version nothing at all, so an example
//! can never show a fix that does not work.

use crate::rules::Code;

/// How the corrected example is made from the fixture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    /// Replace each `wrong` text of `file` with its `right` text.
    Edit,
    /// Remove `file` (a broken link).
    RemoveFile,
    /// Save `file` as UTF-8 instead of Latin-1.
    ReencodeLatin1,
    /// Add a plan file (`insats new` writes one).
    AddPlan,
}

/// A wrong and a corrected example of one diagnostic.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// The file of the fixture the edits apply to.
    pub file: &'static str,
    /// `(wrong, right)` pairs of text; for a [`Fix`] other than `Edit`, a
    /// description of the two states.
    pub edits: &'static [(&'static str, &'static str)],
    /// How the corrected example is made.
    pub fix: Fix,
}

/// The example of `code`. The match names every code, so a code added to
/// the catalogue without its example does not compile.
pub fn example(code: Code) -> Example {
    match code {
        Code::UnreadableFile => Example {
            file: "broken.toml",
            edits: &[(
                "broken.toml: a link to missing-plan.toml, which is not there",
                "(the link removed, or pointed at an existing plan)",
            )],
            fix: Fix::RemoveFile,
        },
        Code::FileTooLarge => Example {
            file: "big.toml",
            edits: &[(
                "big.toml: 17 MiB, more than a plan file may be",
                "(removed: plans are small; ledger data belongs in a [[ledger]] export)",
            )],
            fix: Fix::RemoveFile,
        },
        Code::EmptyFile => Example {
            file: "notes.toml",
            edits: &[(
                "notes.toml: only a comment, the plan it held lost in a failed save",
                "(removed, or its content restored from version control)",
            )],
            fix: Fix::RemoveFile,
        },
        Code::NotUtf8 => Example {
            file: "plan.toml",
            edits: &[(
                "name = \"Skola i Bor\u{fffd}nge\"   (the file saved as Latin-1)",
                "name = \"Skola i Borlänge\"   (the file saved as UTF-8)",
            )],
            fix: Fix::ReencodeLatin1,
        },
        Code::NoPlanFiles => Example {
            file: "plan.toml",
            edits: &[(
                "(no file with an [initiative] table)",
                "[initiative]\nid = \"skolstod\"\n...   (a plan: `insats new skolstod` writes one)",
            )],
            fix: Fix::AddPlan,
        },
        Code::TomlSyntax => Example {
            file: "plan.toml",
            edits: &[
                ("name = \"Fixture\n", "name = \"Fixture\"\n"),
                ("amount = 100_000,50", "amount = 100_000"),
            ],
            fix: Fix::Edit,
        },
        Code::UnknownKey => Example {
            file: "plan.toml",
            edits: &[
                (
                    "descripton = \"Stöd i skolan\"",
                    "description = \"Stöd i skolan\"",
                ),
                ("direktion = \"x\"\n", ""),
            ],
            fix: Fix::Edit,
        },
        Code::WrongType => Example {
            file: "plan.toml",
            edits: &[("start = 2024,", "start = 2024-01-01,")],
            fix: Fix::Edit,
        },
        Code::MissingKey => Example {
            file: "plan.toml",
            edits: &[(
                "name = \"Fixture\"\n",
                "name = \"Fixture\"\norganisation = \"Exempel kommun\"\n",
            )],
            fix: Fix::Edit,
        },
        Code::UnknownVariant => Example {
            file: "plan.toml",
            edits: &[("category = \"personel\"", "category = \"personnel\"")],
            fix: Fix::Edit,
        },
        Code::MisplacedSection => Example {
            file: "shared.toml",
            edits: &[(
                "[[line]]\nid = \"stray\"\nname = \"Stray\"\ncategory = \"other\"\nfunded_by = \"budget\"\namount = 1\nserves = [\"goal\"]\n",
                "# The line now stands in plan.toml, under its [initiative]; this\n# file keeps what plans share.\n[portfolio]\nname = \"Exempel kommun\"\n",
            )],
            fix: Fix::Edit,
        },
        Code::InvalidId => Example {
            file: "plan.toml",
            edits: &[("id = \"Skolteam Åby\"", "id = \"skolteam-aby\"")],
            fix: Fix::Edit,
        },
        Code::DuplicateId => Example {
            file: "shared.toml",
            edits: &[("id = \"share\"", "id = \"share-2\"")],
            fix: Fix::Edit,
        },
        Code::UnknownReference => Example {
            file: "plan.toml",
            edits: &[("funded_by = \"budgett\"", "funded_by = \"budget\"")],
            fix: Fix::Edit,
        },
        Code::LineServesNothing => Example {
            file: "plan.toml",
            edits: &[("serves = []", "serves = [\"goal\"]")],
            fix: Fix::Edit,
        },
        Code::UnservedTarget => Example {
            file: "plan.toml",
            edits: &[("serves = [\"goal\"]", "serves = [\"goal\", \"orphan\"]")],
            fix: Fix::Edit,
        },
        Code::InvalidAmount => Example {
            file: "plan.toml",
            edits: &[("amount = 1e5", "amount = 100_000")],
            fix: Fix::Edit,
        },
        Code::NegativeAmount => Example {
            file: "plan.toml",
            edits: &[("amount = -100_000", "amount = 100_000")],
            fix: Fix::Edit,
        },
        Code::SubOrePrecision => Example {
            file: "plan.toml",
            edits: &[("amount = 100_000.005", "amount = 100_000.00")],
            fix: Fix::Edit,
        },
        Code::StaffingMismatch => Example {
            file: "plan.toml",
            edits: &[("amount = 90_000", "amount = 100_000")],
            fix: Fix::Edit,
        },
        Code::PhasingMismatch => Example {
            file: "plan.toml",
            edits: &[(
                "phasing = { 2024 = 60_000 }",
                "phasing = { 2024 = 100_000 }",
            )],
            fix: Fix::Edit,
        },
        Code::SplitMismatch => Example {
            file: "plan.toml",
            edits: &[("share_percent = 30 }", "share_percent = 40 }")],
            fix: Fix::Edit,
        },
        Code::MixedCurrency => Example {
            file: "plan.toml",
            edits: &[("currency = \"EUR\"", "currency = \"SEK\"")],
            fix: Fix::Edit,
        },
        Code::LineWithoutCost => Example {
            file: "plan.toml",
            edits: &[(
                "funded_by = \"budget\"\nserves",
                "funded_by = \"budget\"\namount = 100_000\nserves",
            )],
            fix: Fix::Edit,
        },
        Code::StaffingPartialMonth => Example {
            file: "plan.toml",
            edits: &[("from = 2024-01-15", "from = 2024-01-01")],
            fix: Fix::Edit,
        },
        Code::AmountOverflow => Example {
            file: "plan.toml",
            edits: &[(
                "staffing = { fte = 1_000_000, monthly_cost = 1_000_000_000_000,",
                "staffing = { fte = 1, monthly_cost = 100_000,",
            )],
            fix: Fix::Edit,
        },
        Code::FlatRateMismatch => Example {
            file: "plan.toml",
            edits: &[
                ("of = \"indirect\"", "of = \"personnel\""),
                (
                    "amount = 100_000\n\n[[line]]",
                    "amount = 115_000\n\n[[line]]",
                ),
            ],
            fix: Fix::Edit,
        },
        Code::FundingOverallocated => Example {
            file: "plan.toml",
            edits: &[("amount = 150_000", "amount = 100_000")],
            fix: Fix::Edit,
        },
        Code::FundingUnallocated => Example {
            file: "plan.toml",
            edits: &[("amount = 80_000", "amount = 100_000")],
            fix: Fix::Edit,
        },
        Code::MaxShareExceeded => Example {
            file: "plan.toml",
            edits: &[
                (
                    "amount = 100_000\n\n[[line]]",
                    "amount = 100_000\n\n[[funding]]\nid = \"kommunen\"\nkind = \"municipal-budget\"\namount = 11_112\n\n[[line]]",
                ),
                (
                    "funded_by = \"budget\"\namount = 100_000",
                    "funded_by = [{ source = \"budget\", amount = 100_000 }, { source = \"kommunen\", amount = 11_112 }]\namount = 111_112",
                ),
            ],
            fix: Fix::Edit,
        },
        Code::IneligibleCategory => Example {
            file: "plan.toml",
            edits: &[(
                "eligible_categories = [\"external-services\"]",
                "eligible_categories = [\"external-services\", \"personnel\"]",
            )],
            fix: Fix::Edit,
        },
        Code::InvalidDate => Example {
            file: "plan.toml",
            edits: &[("end = 2024-12-31T17:00:00", "end = 2024-12-31")],
            fix: Fix::Edit,
        },
        Code::PeriodReversed => Example {
            file: "plan.toml",
            edits: &[(
                "start = 2024-12-31, end = 2024-01-01",
                "start = 2024-01-01, end = 2024-12-31",
            )],
            fix: Fix::Edit,
        },
        Code::OutsideInitiativePeriod => Example {
            file: "plan.toml",
            edits: &[(
                "phasing = { 2025 = 100_000 }",
                "phasing = { 2024 = 100_000 }",
            )],
            fix: Fix::Edit,
        },
        Code::OutsideFundingWindow => Example {
            file: "plan.toml",
            edits: &[(
                "window = { start = 2024-01-01, end = 2024-06-30 }",
                "window = { start = 2024-01-01, end = 2024-12-31 }",
            )],
            fix: Fix::Edit,
        },
        Code::TargetBeforeBaseline => Example {
            file: "plan.toml",
            edits: &[
                (
                    "baseline = { value = 50, year = 2024 }",
                    "baseline = { value = 50, year = 2023 }",
                ),
                (
                    "target = { value = 55, year = 2023 }",
                    "target = { value = 55, year = 2024 }",
                ),
            ],
            fix: Fix::Edit,
        },
        Code::SpendingOutsideWindow => Example {
            file: "plan.toml",
            edits: &[("date = 2024-09-30", "date = 2024-06-30")],
            fix: Fix::Edit,
        },
        Code::TargetAgainstDirection => Example {
            file: "plan.toml",
            edits: &[("target = { value = 45", "target = { value = 55")],
            fix: Fix::Edit,
        },
        Code::PercentOutOfRange => Example {
            file: "plan.toml",
            edits: &[("target = { value = 105", "target = { value = 55")],
            fix: Fix::Edit,
        },
        Code::ImpossibleMeasurement => Example {
            file: "plan.toml",
            edits: &[(
                "numerator = 80, denominator = 70",
                "numerator = 60, denominator = 70",
            )],
            fix: Fix::Edit,
        },
        Code::BudgetHistoryMismatch => Example {
            file: "plan.toml",
            edits: &[("amount = 450_000 }", "amount = 400_000 }")],
            fix: Fix::Edit,
        },
        Code::BudgetHistoryDates => Example {
            file: "plan.toml",
            edits: &[("date = 2023-05-20", "date = 2024-05-20")],
            fix: Fix::Edit,
        },
        Code::InvalidKoladaId => Example {
            file: "plan.toml",
            edits: &[("kolada_id = \"127\"", "kolada_id = \"0127\"")],
            fix: Fix::Edit,
        },
        Code::DuplicateMeasurement => Example {
            file: "plan.toml",
            edits: &[("year = 2024\nvalue = 52", "year = 2023\nvalue = 52")],
            fix: Fix::Edit,
        },
        Code::PersonalIdentityNumber => Example {
            file: "plan.toml",
            edits: &[(
                "description = \"Kontaktperson 811218-9876\"",
                "description = \"Kontaktperson: rektor\"",
            )],
            fix: Fix::Edit,
        },
        Code::PrivateEmail => Example {
            file: "plan.toml",
            edits: &[(
                "description = \"Frågor till anna.svensson@gmail.com\"",
                "description = \"Frågor till barn-och-utbildning@kommunen.se\"",
            )],
            fix: Fix::Edit,
        },
        Code::LedgerUnreadable => Example {
            file: "plan.toml",
            edits: &[("file = \"saknas.csv\"", "file = \"huvudbok.csv\"")],
            fix: Fix::Edit,
        },
        Code::LedgerEncoding => Example {
            file: "plan.toml",
            edits: &[(
                "# encoding not set: UTF-8 is assumed",
                "encoding = \"windows-1252\"",
            )],
            fix: Fix::Edit,
        },
        Code::LedgerColumns => Example {
            file: "plan.toml",
            edits: &[("amount = \"Belopp kr\"", "amount = \"Belopp\"")],
            fix: Fix::Edit,
        },
        Code::LedgerMalformedRow => Example {
            file: "huvudbok.csv",
            edits: &[("50.000,00", "50 000,00")],
            fix: Fix::Edit,
        },
        Code::LedgerAmbiguousRow => Example {
            file: "plan.toml",
            edits: &[("account = \"5*\"", "account = \"50*\"")],
            fix: Fix::Edit,
        },
        Code::LedgerDuplicateRow => Example {
            file: "huvudbok.csv",
            edits: &[(
                "F 8\r\n2024-01-31;5010;3200;4711;50 000,00;Lön januari;L 1\r\n",
                "F 8\r\n",
            )],
            fix: Fix::Edit,
        },
        Code::LedgerUnmappedRows => Example {
            file: "plan.toml",
            edits: &[(
                "\n[[ledger.map]]\nline = \"material\"",
                "\n[[ledger.exclude]]\nproject = \"9999\"\nreason = \"Another project in the same export.\"\n\n[[ledger.map]]\nline = \"material\"",
            )],
            fix: Fix::Edit,
        },
    }
}
