//! The catalogue of diagnostic codes.
//!
//! Every problem insats can report has a [`Code`]: a stable identifier
//! (`INS101`), a short kebab-case name (`unknown-key`), a default
//! [`Severity`] and a long explanation. The explanation is the variant's doc
//! comment, so the rustdoc, `docs/format.md` and the CLI all read one text.
//!
//! Codes are grouped by hundreds: `INS0xx` input files and TOML syntax,
//! `INS1xx` structure, ids and references, `INS2xx` money, `INS3xx` funding,
//! `INS4xx` dates, `INS5xx` outcome targets, `INS6xx` public-document
//! hygiene, `INS7xx` ledger imports. A code, once released, keeps its
//! meaning; retired codes are not reused. `docs/adding-a-rule.md` says
//! what a new rule needs besides its line here.
//!
//! Errors are what a plan *must* fix before it can be trusted; warnings are
//! what it *should* fix.

use serde::{Deserialize, Serialize};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The plan should be fixed, but its figures are still usable.
    Warning,
    /// The plan is wrong or incomplete; its figures cannot be trusted.
    Error,
}

impl Severity {
    /// `"error"` or `"warning"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

macro_rules! rules {
    ($(
        $(#[doc = $doc:expr])*
        $variant:ident = ($code:literal, $name:literal, $severity:ident, $summary:literal),
    )*) => {
        /// A diagnostic code. See the module documentation for the scheme.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable identifier, e.g. `"INS101"`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// The short name, e.g. `"unknown-key"`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The severity a diagnostic with this code has unless the
            /// caller escalates warnings.
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// One line saying what the rule checks.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }

            /// The long explanation: why the rule exists and how to fix what
            /// it reports (the variant's doc comment).
            pub fn explanation(self) -> String {
                let raw = match self { $(Code::$variant => concat!($($doc, "\n"),*),)* };
                raw.lines().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect::<Vec<_>>().join("\n")
            }
        }
    };
}

impl Code {
    /// The code whose number or name is closest to `text`, for a "did
    /// you mean" after [`Code::find`] found none.
    pub fn suggest(text: &str) -> Option<Code> {
        let upper = text.to_uppercase();
        let numbers = crate::keys::did_you_mean(&upper, Code::ALL.iter().map(|c| c.as_str()));
        let names = || crate::keys::did_you_mean(text, Code::ALL.iter().map(|c| c.name()));
        numbers.or_else(names).and_then(Code::find)
    }

    /// Looks a code up by identifier (`INS101`, case-insensitive) or name
    /// (`unknown-key`).
    pub fn find(text: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(text) || c.name() == text)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

rules! {
    /// A file in the portfolio could not be read (permissions, a broken
    /// link, a file removed while insats ran). Nothing in it was checked.
    /// Check that the file exists and is readable by the user running insats.
    UnreadableFile = ("INS001", "unreadable-file", Error, "a file could not be read"),

    /// Plan files must be UTF-8 (with or without a byte order mark). Files
    /// saved as Windows-1252 or Latin-1 by an older editor turn `å`, `ä` and
    /// `ö` into bytes insats cannot read safely. Re-save the file as UTF-8
    /// (in most editors: "Save with encoding", UTF-8).
    NotUtf8 = ("INS002", "not-utf8", Error, "a file is not valid UTF-8"),

    /// The path given to `insats validate` holds no `*.toml` file with an
    /// `[initiative]` table, so there is nothing to check. Point insats at
    /// the directory that holds the plans (by default `./initiatives`), or
    /// create one with an `[initiative]` table.
    NoPlanFiles = ("INS003", "no-plan-files", Error, "no plan file was found"),

    /// A plan or shared file larger than the limit (16 MiB). Plans are
    /// small: a file this large is almost certainly not a plan (an export
    /// saved with the wrong name, say), and reading it whole could exhaust
    /// memory. Split a genuinely large plan, or move ledger data into a
    /// `[[ledger]]` export.
    FileTooLarge = ("INS005", "file-too-large", Error, "a file larger than insats reads"),

    /// A `*.toml` file in the portfolio holds nothing but white space and
    /// comments. Such a file checks clean and adds nothing, which is how a
    /// plan truncated by a failed save or a bad merge would otherwise drop
    /// out of validation and reports unnoticed. Restore the file's content
    /// (from version control), or remove the file.
    EmptyFile = ("INS006", "empty-file", Warning, "a file with nothing in it but comments"),

    /// The file is not valid TOML. Every syntax error in the file is
    /// reported, each at its position; fix them from the top, since a later
    /// error is sometimes a consequence of an earlier one. Common causes: a
    /// missing closing quote, a decimal comma (`1,5` must be written `1.5`),
    /// or a key written twice.
    TomlSyntax = ("INS004", "toml-syntax", Error, "the file is not valid TOML"),

    /// A key that the format does not define. Misspelt keys are the most
    /// common cause (`ammount` for `amount`): an unknown key is an error
    /// rather than being ignored, because an ignored amount is a budget
    /// silently lost. The help line suggests the closest known key.
    UnknownKey = ("INS101", "unknown-key", Error, "a key the format does not define"),

    /// A value of the wrong type, such as a number where a date is
    /// expected (`start = 2024` for `start = 2024-01-01`; a date in quotes,
    /// `"2024-01-01"`, is read as the date), or a table where a list is
    /// expected.
    WrongType = ("INS102", "wrong-type", Error, "a value has the wrong type"),

    /// A required key is missing from a table. Every initiative needs an
    /// `id`, a `name`, an `organisation` and a `period`; every funding
    /// source an `id`, a `kind` and an `amount`; every budget line an `id`,
    /// a `name`, a `category`, `funded_by` and `serves`; every outcome
    /// target an `id`, an `indicator`, a `baseline` and a `target`.
    MissingKey = ("INS103", "missing-key", Error, "a required key is missing"),

    /// A value outside a fixed list, such as a cost category or a funding
    /// kind. The message lists the accepted values and suggests the closest.
    UnknownVariant = ("INS104", "unknown-variant", Error, "a value outside the accepted list"),

    /// A file holds budget lines or outcome targets but no `[initiative]`
    /// table. Lines and targets always belong to an initiative; files
    /// without one may only hold what several initiatives share
    /// (`[portfolio]`, `[[funding]]`, `[[indicator]]`, `[[source]]`).
    MisplacedSection = ("INS105", "misplaced-section", Error, "a table is in a file where it does not belong"),

    /// Ids name things so that other things can refer to them. An id starts
    /// with a lower-case ASCII letter and continues with lower-case ASCII
    /// letters, digits, `-` or `_`, at most 64 characters: `resursteam`,
    /// `tillvaxtverket-2018`. Spaces, capitals and letters such as `å` are
    /// refused because ids travel into file names, ledger project codes and
    /// URLs, and because look-alike characters make two ids seem equal.
    InvalidId = ("INS110", "invalid-id", Error, "an id is not well-formed"),

    /// Two things of the same kind share an id anywhere in the portfolio
    /// (ids are unique across all files, so a reference is never
    /// ambiguous). Rename one of them; the diagnostic points at both.
    DuplicateId = ("INS111", "duplicate-id", Error, "an id is defined twice"),

    /// A reference names an id that does not exist: a budget line funded by
    /// an unknown source, serving an unknown target, a target measured by an
    /// unknown indicator, or a figure citing an unknown source document. The
    /// help line suggests the closest existing id.
    UnknownReference = ("INS112", "unknown-reference", Error, "a reference to an id that does not exist"),

    /// Every budget line must serve at least one outcome target: that tie is
    /// what lets insats report spending against impact. Add the ids of the
    /// targets the line is meant to move to its `serves` list.
    LineServesNothing = ("INS113", "line-serves-nothing", Error, "a budget line serves no outcome target"),

    /// No budget line serves this outcome target, so no money is tied to
    /// it and its cost per unit of change can never be computed. Add its id
    /// to the `serves` list of the lines meant to move it, or remove it.
    UnservedTarget = ("INS114", "unserved-target", Warning, "an outcome target no budget line serves"),

    /// An amount that is not a number insats can read exactly. Amounts are
    /// written as a TOML integer (`8800000` or `8_800_000`), a TOML decimal
    /// (`8800000.50`) or a string holding a decimal with a point
    /// (`"8800000.50"`). Exponents (`8.8e6`), `inf`, `nan`, spaces and
    /// decimal commas are refused, and so is any number larger than 10^15
    /// either way (a thousand times the Swedish state budget): it is a
    /// misplaced digit group, and the limit keeps every sum exact.
    InvalidAmount = ("INS201", "invalid-amount", Error, "an amount insats cannot read exactly"),

    /// Budget amounts, shares and rates cannot be negative. Record a
    /// repayment or a correction as follow-up data, not as a negative budget.
    NegativeAmount = ("INS202", "negative-amount", Error, "a negative amount"),

    /// Money is counted in kronor and öre: at most two decimals. A third
    /// decimal is usually a typo or a value pasted from a spreadsheet that
    /// showed rounded figures; insats refuses to guess how to round it.
    SubOrePrecision = ("INS203", "sub-ore-precision", Error, "an amount with more than two decimals"),

    /// A staffing line states an `amount` that differs from what its staffing
    /// gives (FTE x monthly cost x months, computed exactly and rounded to
    /// whole öre, half away from zero). Correct one of them, or drop the
    /// stated amount and let insats compute it.
    StaffingMismatch = ("INS204", "staffing-mismatch", Error, "a stated amount disagrees with the staffing"),

    /// The per-year `phasing` of a line does not add up to its stated
    /// `amount`, or disagrees with its staffing cost in total or in any
    /// year (the report plans staffing by its months, so a phasing that
    /// says otherwise would be ignored). Correct the years or the total.
    PhasingMismatch = ("INS205", "phasing-mismatch", Error, "a per-year phasing disagrees with the total"),

    /// A line paid by several sources (`funded_by` as a list) must say how
    /// the cost is split: every payer with a `share_percent` adding up to
    /// exactly 100, or every payer with an `amount` adding up to exactly the
    /// line's amount. Mixing the two forms is refused. In a split by period
    /// (`from`, `until`), the shares of each period add up to 100, periods
    /// do not overlap, and together they cover every day the line plans
    /// costs on.
    SplitMismatch = ("INS206", "split-mismatch", Error, "a funding split that does not add up"),

    /// All money in a portfolio is in one currency, set by `[portfolio]`
    /// `currency` (default `SEK`). A funding source in another currency
    /// cannot be added to the rest; convert it and note the rate.
    MixedCurrency = ("INS207", "mixed-currency", Error, "a funding source in another currency"),

    /// A budget line has no cost: give it an `amount`, a per-year
    /// `phasing`, a `staffing` table or, for indirect costs, a `flat_rate`.
    LineWithoutCost = ("INS208", "line-without-cost", Error, "a budget line with no cost"),

    /// Staffing is costed in whole calendar months: `from` must be the first
    /// day of a month and `until` the last day of a month. A person starting
    /// mid-month is costed from the next whole month, or with an explicit
    /// `amount` on a line without staffing.
    StaffingPartialMonth = ("INS209", "staffing-partial-month", Error, "a staffing period that is not whole months"),

    /// A computed amount grew beyond what insats computes with: a
    /// staffing costing more than 10^15 kr in a year (FTE x monthly cost x
    /// months), or a sum beyond what exact decimal arithmetic can hold. No
    /// real budget is that large: look for a misplaced digit group.
    AmountOverflow = ("INS210", "amount-overflow", Error, "a sum too large to compute exactly"),

    /// A flat-rate line (indirect costs, `flat_rate = { percent, of }`)
    /// must be based on another category, not on indirect costs itself, and
    /// a stated `amount` must agree with the computed one.
    FlatRateMismatch = ("INS211", "flat-rate-mismatch", Error, "a flat-rate line that does not compute"),

    /// The last decision of a line's `budget_history` (a source's
    /// `amount_history`) is not the budget (the amount) the plan states
    /// now. The history is the decisions that led to the budget, the
    /// original first; the plan's cost is the budget now, so the two must
    /// meet: change the cost, or add the decision that changed it.
    BudgetHistoryMismatch = ("INS212", "budget-history-mismatch", Error, "a budget history that does not end at the budget"),

    /// The budget lines paid by a funding source, counted across every file
    /// of the portfolio, add up to more than the source holds. Money that is
    /// not there cannot be spent: lower the lines, move part of them to
    /// another source, or correct the source's amount.
    FundingOverallocated = ("INS301", "funding-overallocated", Error, "lines paid by a source exceed its amount"),

    /// Part of a funding source is not allocated to any budget line. For a
    /// grant that money may have to be paid back at the end of its window;
    /// allocate it or note why it is held back.
    FundingUnallocated = ("INS302", "funding-unallocated", Warning, "part of a funding source is not allocated"),

    /// A funding source with `max_share_percent` pays a larger share of the
    /// costs of the activity it funds than its rules allow. The 2018
    /// segregation grant (SFS 2018:151, section 7) covered at most 90 % of
    /// the costs, so the municipality pays at least 10 %. The costs of the
    /// activity are the lines it pays (for a payer by period, their costs in
    /// its period) and the other lines of the same initiatives within its
    /// window, the municipality's own included, unless a line says
    /// `not_co_financing_of` it. The message shows the required
    /// co-financing; add a co-financing payer or the own contribution's line.
    MaxShareExceeded = ("INS303", "max-share-exceeded", Error, "a source pays more than its maximum share"),

    /// A funding source with `eligible_categories` pays a line whose cost
    /// category it does not cover. Move the line to another source or
    /// correct its category.
    IneligibleCategory = ("INS304", "ineligible-category", Error, "a source pays a cost category it does not cover"),

    /// A date insats cannot use: an impossible calendar date, a date with a
    /// time of day where a day is expected, or a year outside 1900-2200.
    InvalidDate = ("INS401", "invalid-date", Error, "an invalid or unusable date"),

    /// A period whose start is after its end.
    PeriodReversed = ("INS402", "period-reversed", Error, "a period that ends before it starts"),

    /// Budget lines (their phasing years and staffing months) and outcome
    /// targets must fall within the initiative's period: money planned or a
    /// result promised outside it belongs to another decision.
    OutsideInitiativePeriod = ("INS403", "outside-initiative-period", Error, "a line or target outside the initiative period"),

    /// A line paid by a funding source plans costs outside the window in
    /// which that source may be spent, or (a line given as an amount or a
    /// flat rate, planned on the days its payers may pay it) has no day
    /// within the initiative's period on which any payer may pay. Grant
    /// rules (Tillväxtverket's among them) only accept costs that arise
    /// within the project period.
    OutsideFundingWindow = ("INS404", "outside-funding-window", Error, "spending planned outside a funding window"),

    /// An outcome target is set for a time before (or at) its baseline, so
    /// there is no path from one to the other.
    TargetBeforeBaseline = ("INS405", "target-before-baseline", Error, "a target dated at or before its baseline"),

    /// A budget history out of order, or a revision dated outside the
    /// initiative's period (a source's: outside its window). The decisions
    /// are listed oldest first; the original decision may come before the
    /// period, since budgets are decided in advance, but a revision changes
    /// a budget while it runs.
    BudgetHistoryDates = ("INS407", "budget-history-dates", Error, "budget decisions out of order or outside the period"),

    /// The target moves the indicator the wrong way: lower than the baseline
    /// for an indicator where higher is better, or the reverse. Often a
    /// swapped pair of values; if the aim really is to limit a decline, say
    /// so in the target's `note`.
    TargetAgainstDirection = ("INS501", "target-against-direction", Warning, "a target moves the indicator the wrong way"),

    /// A cost is booked on a date outside the window of a funding source
    /// that pays its line. Grant rules only accept costs that arise, and are
    /// paid and booked, within the project period; such a cost may have to
    /// be moved to another source, or the grant may be reclaimed.
    SpendingOutsideWindow = ("INS406", "spending-outside-window", Error, "a cost booked outside a funding window"),

    /// A value for a percentage indicator outside 0-100.
    PercentOutOfRange = ("INS502", "percent-out-of-range", Error, "a percentage outside 0-100"),

    /// A measurement's numbers cannot be: a denominator of zero or less, a
    /// negative numerator, more counted than there are, or only one of
    /// `numerator` and `denominator`.
    ImpossibleMeasurement = ("INS503", "impossible-measurement", Error, "a measurement whose numbers cannot be"),

    /// A Kolada id of the wrong shape. A target's `scope.kolada_id` is, for
    /// a municipality, its four-digit code (`2081` for Borlänge, `0127` for
    /// Botkyrka) and, for a school unit, an organisational-unit id (`V15E`
    /// and digits); Kolada keeps no values for an area. The `external_id`
    /// of an indicator whose `provider` is Kolada is a KPI id: a capital
    /// letter and five digits (`N15428`). `insats fetch kolada` reads a
    /// target's measurements with these ids, so a wrong one fetches nothing
    /// or another place's figures.
    InvalidKoladaId = ("INS504", "invalid-kolada-id", Error, "a Kolada id of the wrong shape"),

    /// A target has two measurements (of everyone, with a value) for the
    /// same year or day, such as a value typed into a follow-up file and
    /// the same year fetched into `kolada.toml`. The report takes the one
    /// read last, which depends on the order of the files: keep one.
    DuplicateMeasurement = ("INS505", "duplicate-measurement", Warning, "a target measured twice for the same period"),

    /// A ledger export named in `[[ledger]]` cannot be read: it does not
    /// exist, it cannot be opened, or its path leads outside the portfolio's
    /// directory (insats reads nothing outside it). Correct `file`, relative
    /// to the file that declares the ledger.
    LedgerUnreadable = ("INS701", "ledger-unreadable", Error, "a ledger file cannot be read"),

    /// The ledger file is not in the encoding its profile says. Exports from
    /// older Windows programs are usually Windows-1252: set
    /// `encoding = "windows-1252"`. SIE files in `#FORMAT PC8` are code page
    /// 437 (`encoding = "cp437"`). insats does not guess, because a wrong
    /// guess turns `å`, `ä` and `ö` into other letters.
    LedgerEncoding = ("INS702", "ledger-encoding", Error, "a ledger file in another encoding than its profile says"),

    /// A CSV ledger's header does not have a column the profile names, or
    /// the file seems to use another separator. The message lists the
    /// columns the file has.
    LedgerColumns = ("INS703", "ledger-columns", Error, "a ledger's columns do not match its profile"),

    /// A ledger row cannot be read: a date or amount in another form than
    /// the profile says, a ragged row (too many or too few fields), or an
    /// unterminated quote. The row is counted as malformed in the control
    /// totals and is not booked.
    LedgerMalformedRow = ("INS704", "ledger-malformed-row", Error, "a ledger row that cannot be read"),

    /// A ledger row matches mapping rules for two different budget lines.
    /// insats will not guess which; make the rules exclusive.
    LedgerAmbiguousRow = ("INS705", "ledger-ambiguous-row", Error, "a ledger row that matches two budget lines"),

    /// A ledger row is identical, field for field, to an earlier row. It is
    /// booked once, not twice, and listed so that nothing is dropped
    /// silently.
    LedgerDuplicateRow = ("INS706", "ledger-duplicate-row", Warning, "a ledger row repeated exactly"),

    /// Ledger rows match no mapping rule, so they are not booked on any
    /// budget line. That is normal when the export holds other projects; the
    /// warning lists the rows so that a missing rule is noticed.
    LedgerUnmappedRows = ("INS707", "ledger-unmapped-rows", Warning, "ledger rows that match no mapping rule"),

    /// Plans are public documents (offentlighetsprincipen). Text that looks
    /// like a Swedish personal identity number (personnummer, checked with
    /// its control digit) does not belong in one. Refer to people by role.
    PersonalIdentityNumber = ("INS601", "personal-identity-number", Warning, "text that looks like a personal identity number"),

    /// Plans are public documents. A private e-mail address (at a webmail
    /// provider) does not belong in one; use the organisation's functional
    /// address instead.
    PrivateEmail = ("INS602", "private-email", Warning, "a private e-mail address"),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for code in Code::ALL {
            assert!(codes.insert(code.as_str()), "{code} twice");
            assert!(names.insert(code.name()), "{} twice", code.name());
            assert!(code.as_str().starts_with("INS") && code.as_str().len() == 6);
            assert!(!code.explanation().trim().is_empty());
            assert_eq!(Code::find(code.as_str()), Some(*code));
            assert_eq!(Code::find(code.name()), Some(*code));
        }
    }
}
