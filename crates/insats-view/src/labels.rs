//! Every label a view shows, in every language, in one place.
//!
//! A label is a variant and its translations are one `match`: a label
//! added without a translation, or a language added without its labels,
//! does not compile.

use insats::model::{CostCategory, FundingKind};
use insats::report::{FindingKind, FindingSeverity, TargetStatus};

use crate::Lang;

/// A label of a table, a column or a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // each variant is named by its Swedish and English text below
pub enum Label {
    ReportAsOf,
    Portfolio,
    Initiative,
    Initiatives,
    Lines,
    Funding,
    Targets,
    Findings,
    NoFindings,
    Id,
    Name,
    Organisation,
    Start,
    End,
    Category,
    Unit,
    Budget,
    PlannedToDate,
    Spent,
    Remaining,
    ShareSpent,
    SharePlanned,
    ShareTime,
    RunRate,
    Forecast,
    Variance,
    Kind,
    Funder,
    Amount,
    Allocated,
    Left,
    WindowEnd,
    ForecastSpent,
    ForecastUnspent,
    MaxSharePercent,
    CoFinancing,
    CoFinancingRequired,
    CoFinancingPaid,
    Target,
    Scope,
    Indicator,
    IndicatorUnit,
    Baseline,
    BaselineWhen,
    Latest,
    LatestWhen,
    Goal,
    GoalWhen,
    Change,
    Progress,
    Expected,
    Status,
    CostPerImprovement,
    ImprovementInPupils,
    CostPerPupil,
    NoImprovement,
    Severity,
    Concerns,
    Finding,
    CausalNote,
    Statement,
    Costs,
    Difference,
    Total,
    Ledger,
    File,
    Rows,
    RowKind,
    Sum,
    RowsRead,
    RowsBooked,
    RowsNoRule,
    RowsExcluded,
    RowsAmbiguous,
    RowsDuplicate,
    RowsMalformed,
    RowsBalance,
    RowsSkipped,
    RowsReceived,
    PerLine,
    ControlTotals,
    NoImports,
    Reconciles,
    DoesNotReconcile,
    Document,
    Contents,
    Overview,
    Period,
    BudgetLine,
    Date,
    Measured,
    PlannedCumulative,
    SpentCumulative,
    StraightPath,
    Measurements,
    LinesChart,
    InitiativesChart,
    CurveChart,
    TargetChart,
    BarsDescription,
    CurveDescription,
    TargetDescription,
    AsOf,
    NoTargets,
    RoundingNote,
    MadeBy,
    NextReport,
    ReportOverdue,
    Received,
    Charged,
    ToRepay,
    Settlement,
    SettlementItem,
    OwnContribution,
    ForecastByPlan,
    ForecastByRunRate,
    Years,
    Year,
    YearStatus,
    PlannedInYear,
    SpentInYear,
    PlanLessSpent,
    YearsNote,
    Since,
    SinceFindings,
    Figure,
    Previous,
    Now,
    NoChangeSince,
    NoFindingsEitherTime,
    OriginalBudget,
    VarianceOriginal,
    OriginalAmount,
    FundingYears,
}

impl Label {
    /// The label in `lang`.
    pub fn text(self, lang: Lang) -> &'static str {
        let (sv, en) = self.translations();
        match lang {
            Lang::Sv => sv,
            Lang::En => en,
        }
    }

    /// (Swedish, English).
    fn translations(self) -> (&'static str, &'static str) {
        use Label::*;
        match self {
            ReportAsOf => ("Uppföljning per", "Follow-up as of"),
            Portfolio => ("Portföljen", "Portfolio"),
            Initiative => ("Insats", "Initiative"),
            Initiatives => ("Insatser", "Initiatives"),
            Lines => ("Budgetposter", "Budget lines"),
            Funding => ("Finansiering", "Funding"),
            Targets => ("Effektmål", "Outcome targets"),
            Findings => ("Iakttagelser", "Findings"),
            NoFindings => ("Inga iakttagelser.", "No findings."),
            Id => ("Id", "Id"),
            Name => ("Namn", "Name"),
            Organisation => ("Organisation", "Organisation"),
            Start => ("Start", "Start"),
            End => ("Slut", "End"),
            Category => ("Kostnadsslag", "Cost category"),
            Unit => ("Enhet eller skola", "Unit or school"),
            Budget => ("Budget", "Budget"),
            PlannedToDate => ("Planerat hittills", "Planned to date"),
            Spent => ("Förbrukat", "Spent"),
            Remaining => ("Kvar", "Remaining"),
            ShareSpent => ("Förbrukat %", "Spent %"),
            SharePlanned => ("Planerat %", "Planned %"),
            ShareTime => ("Tid %", "Time %"),
            RunRate => ("Takt per månad", "Run rate per month"),
            Forecast => ("Prognos", "Forecast"),
            Variance => ("Avvikelse", "Variance"),
            Kind => ("Typ", "Kind"),
            Funder => ("Bidragsgivare", "Funder"),
            Amount => ("Belopp", "Amount"),
            Allocated => ("Fördelat", "Allocated"),
            Left => ("Kvar att förbruka", "Left"),
            WindowEnd => ("Får användas t.o.m.", "Usable until"),
            ForecastSpent => ("Prognos förbrukat", "Forecast spent"),
            ForecastUnspent => ("Prognos oförbrukat", "Forecast unspent"),
            MaxSharePercent => ("Högsta andel %", "Maximum share %"),
            CoFinancing => (
                "Medfinansiering krävd / betald",
                "Co-financing required / paid",
            ),
            CoFinancingRequired => ("Medfinansiering krävd", "Co-financing required"),
            CoFinancingPaid => ("Medfinansiering betald", "Co-financing paid"),
            Target => ("Mål", "Target"),
            Scope => ("Avgränsning", "Scope"),
            Indicator => ("Indikator", "Indicator"),
            IndicatorUnit => ("Måttenhet", "Unit of measure"),
            Baseline => ("Utgångsvärde", "Baseline"),
            BaselineWhen => ("Utgångsvärde avser", "Baseline as of"),
            Latest => ("Senaste", "Latest"),
            LatestWhen => ("Senaste avser", "Latest as of"),
            Goal => ("Målvärde", "Target value"),
            GoalWhen => ("Målvärde avser", "Target value by"),
            Change => ("Förändring", "Change"),
            Progress => ("Framsteg", "Progress"),
            Expected => ("Förväntat", "Expected"),
            Status => ("Status", "Status"),
            CostPerImprovement => ("Kostnad per förbättring", "Cost per improvement"),
            ImprovementInPupils => ("Förbättring i elever", "Improvement in pupils"),
            CostPerPupil => ("Kostnad per elev", "Cost per pupil"),
            NoImprovement => ("ingen förbättring", "no improvement"),
            Severity => ("Allvar", "Severity"),
            Concerns => ("Avser", "Concerns"),
            Finding => ("Iakttagelse", "Finding"),
            CausalNote => (
                "Kostnad per förbättring är observerad förändring mot utgångsvärdet, inte en orsakseffekt: annat än insatsen påverkar också utfallet.",
                "Cost per improvement is observed change against the baseline, not a causal effect: other things than the initiative move outcomes too.",
            ),
            Statement => ("Ekonomisk redovisning", "Economic report"),
            Costs => ("Kostnader", "Costs"),
            Difference => ("Skillnad", "Difference"),
            Total => ("Summa", "Total"),
            Ledger => ("Reskontra", "Ledger"),
            File => ("Fil", "File"),
            Rows => ("Rader", "Rows"),
            RowKind => ("Slag av rader", "Kind of rows"),
            Sum => ("Summa", "Sum"),
            RowsRead => ("lästa", "read"),
            RowsBooked => ("bokförda på budgetpost", "booked on a line"),
            RowsNoRule => ("utan regel", "matching no rule"),
            RowsExcluded => ("undantagna", "excluded"),
            RowsAmbiguous => ("tvetydiga", "ambiguous"),
            RowsDuplicate => ("dubbletter", "duplicates"),
            RowsMalformed => ("felaktiga", "malformed"),
            RowsBalance => ("balansrader (SIE)", "balance rows (SIE)"),
            RowsSkipped => ("överhoppade enligt regel", "skipped by a rule"),
            RowsReceived => ("inbetalningar från finansiär", "payments from a funder"),
            PerLine => ("Per budgetpost", "Per budget line"),
            ControlTotals => ("Kontrollsummor", "Control totals"),
            NoImports => (
                "Inga reskontraimporter i portföljen.",
                "No ledger imports in the portfolio.",
            ),
            Reconciles => (
                "Kontrollsummorna stämmer: varje läst rad är redovisad ovan, och summan av lästa rader (utom balansrader) = bokförda + utan regel + undantagna + tvetydiga + dubbletter.",
                "The control totals reconcile: every row read is accounted for above, and the sum read (balance rows aside) = booked + no rule + excluded + ambiguous + duplicates.",
            ),
            DoesNotReconcile => (
                "Kontrollsummorna stämmer INTE; rapportera detta som ett fel i insats.",
                "The control totals do NOT reconcile; please report this as a bug in insats.",
            ),
            Document => ("Uppföljning av insatser", "Follow-up of initiatives"),
            Contents => ("Innehåll", "Contents"),
            Overview => ("Översikt", "Overview"),
            Period => ("Period", "Period"),
            BudgetLine => ("Budgetpost", "Budget line"),
            Date => ("Datum", "Date"),
            Measured => ("Uppmätt", "Measured"),
            PlannedCumulative => ("Plan, ackumulerad", "Plan, cumulative"),
            SpentCumulative => ("Förbrukat, ackumulerat", "Spent, cumulative"),
            StraightPath => ("Rak väg mot målet", "Straight path to the target"),
            Measurements => ("Mätningar", "Measurements"),
            LinesChart => (
                "Budget, planerat hittills och förbrukat per budgetpost",
                "Budget, planned to date and spent per budget line",
            ),
            InitiativesChart => (
                "Budget, planerat hittills och förbrukat per insats",
                "Budget, planned to date and spent per initiative",
            ),
            CurveChart => (
                "Förbrukat över tid mot plan",
                "Spending over time against the plan",
            ),
            TargetChart => ("Målets utveckling", "The target's path"),
            BarsDescription => (
                "Liggande stapeldiagram. Samma belopp står i tabellen under diagrammet.",
                "Horizontal bar chart. The same amounts are in the table below the chart.",
            ),
            CurveDescription => (
                "Linjediagram över ackumulerade belopp per månad. Tabellen under diagrammet ger beloppen vid varje årsskifte, uppföljningsdagen och periodens slut.",
                "Line chart of cumulative amounts by month. The table below the chart gives the amounts at each year end, the as-of date and the end of the period.",
            ),
            TargetDescription => (
                "Linjediagram från utgångsvärdet till målvärdet. Tabellen under diagrammet ger värdena.",
                "Line chart from the baseline to the target value. The table below the chart gives the values.",
            ),
            AsOf => ("per", "as of"),
            NoTargets => (
                "Insatsen har inga effektmål.",
                "The initiative has no outcome targets.",
            ),
            RoundingNote => (
                "Beloppen är avrundade för visning; JSON, CSV och Excel har de exakta beloppen.",
                "Amounts are rounded for display; JSON, CSV and Excel carry the exact amounts.",
            ),
            MadeBy => ("Skapad av", "Made by"),
            NextReport => ("Nästa redovisning", "Next report due"),
            ReportOverdue => ("Försenad redovisning", "Report overdue since"),
            Received => ("Mottaget", "Received"),
            Charged => ("Avräknat", "Charged"),
            ToRepay => ("Att återbetala", "To repay"),
            Settlement => ("Avräkning", "Settlement"),
            ForecastByPlan => (
                "Prognos: förbrukat hittills och det planen har kvar.",
                "Forecast: spent so far and what the plan has still to come.",
            ),
            ForecastByRunRate => (
                "Prognos: förbrukat hittills och förbrukningstakten hittills över resten av planen.",
                "Forecast: spent so far and the run rate so far over the rest of the plan.",
            ),
            SettlementItem => ("Post", "Item"),
            Years => ("Per kalenderår", "By calendar year"),
            Since => ("Sedan förra rapporten", "Since the previous report"),
            OriginalBudget => ("Ursprunglig budget", "Original budget"),
            VarianceOriginal => (
                "Avvikelse mot ursprunglig budget",
                "Variance against the original budget",
            ),
            OriginalAmount => ("Ursprungligt belopp", "Original amount"),
            FundingYears => ("Finansiering per kalenderår", "Funding by calendar year"),
            SinceFindings => (
                "Iakttagelser sedan förra rapporten",
                "Findings since the previous report",
            ),
            Figure => ("Siffra", "Figure"),
            Previous => ("Förra", "Previous"),
            Now => ("Nu", "Now"),
            NoChangeSince => (
                "Ingen förändring sedan förra rapporten.",
                "No change since the previous report.",
            ),
            NoFindingsEitherTime => (
                "Inga iakttagelser, varken förra gången eller nu.",
                "No findings, neither then nor now.",
            ),
            Year => ("År", "Year"),
            YearStatus => ("Läge", "Actual or plan"),
            PlannedInYear => ("Plan för året", "Plan for the year"),
            SpentInYear => ("Utfall", "Spent in the year"),
            PlanLessSpent => ("Plan − utfall", "Plan − spent in the year"),
            YearsNote => (
                "Utfall: året är slut per rapportdagen. Pågår: utfallet hittills mot hela årets plan. Plan: året har inte börjat.",
                "Actual: the year is over by the report date. Current: spent so far against the whole year's plan. Plan: the year has not begun.",
            ),
            OwnContribution => (
                "Egen insats (medfinansiering)",
                "Own contribution (co-financing)",
            ),
        }
    }
}

/// Where a year stands, as a word.
pub fn year_status(status: insats::report::YearStatus, lang: Lang) -> &'static str {
    let (sv, en) = match status {
        insats::report::YearStatus::Actual => ("utfall", "actual"),
        insats::report::YearStatus::Current => ("pågår", "current"),
        insats::report::YearStatus::Plan => ("plan", "plan"),
    };
    pick(lang, sv, en)
}

/// A cost category's name.
pub fn category(c: CostCategory, lang: Lang) -> &'static str {
    let (sv, en) = match c {
        CostCategory::Personnel => ("Personal", "Personnel"),
        CostCategory::ExternalServices => ("Externa tjänster", "External services"),
        CostCategory::Travel => ("Resor och logi", "Travel and accommodation"),
        CostCategory::EquipmentPremises => (
            "Investeringar, materiel och lokaler",
            "Investments, equipment and premises",
        ),
        CostCategory::Other => ("Övriga kostnader", "Other costs"),
        CostCategory::Indirect => ("Indirekta kostnader", "Indirect costs"),
    };
    pick(lang, sv, en)
}

/// A funding kind's name.
pub fn funding_kind(k: FundingKind, lang: Lang) -> &'static str {
    let (sv, en) = match k {
        FundingKind::StateGrant => ("statsbidrag", "state grant"),
        FundingKind::MunicipalBudget => ("kommunal budget", "municipal budget"),
        FundingKind::CoFinancing => ("medfinansiering", "co-financing"),
        FundingKind::Other => ("annan", "other"),
    };
    pick(lang, sv, en)
}

/// A target status.
pub fn status(s: TargetStatus, lang: Lang) -> &'static str {
    let (sv, en) = match s {
        TargetStatus::NoMeasurement => ("ingen mätning", "no measurement"),
        TargetStatus::Reached => ("uppnått", "reached"),
        TargetStatus::OnTrack => ("i fas", "on track"),
        TargetStatus::OffTrack => ("efter plan", "off track"),
    };
    pick(lang, sv, en)
}

/// A finding's severity.
pub fn severity(s: FindingSeverity, lang: Lang) -> &'static str {
    let (sv, en) = match s {
        FindingSeverity::High => ("hög", "high"),
        FindingSeverity::Medium => ("medel", "medium"),
        FindingSeverity::Low => ("låg", "low"),
    };
    pick(lang, sv, en)
}

/// What a finding says.
pub fn finding(kind: FindingKind, lang: Lang) -> &'static str {
    let (sv, en) = match kind {
        FindingKind::OverspentLine => (
            "budgetposten har förbrukat mer än sin budget",
            "the line has spent more than its budget",
        ),
        FindingKind::GrantMoneyAtRisk => (
            "bidrag riskerar att bli oförbrukat när det inte längre får användas och kan behöva betalas tillbaka",
            "grant money is forecast to be unspent when the grant may no longer be used, and may have to be paid back",
        ),
        FindingKind::GrantMoneyUnspent => (
            "bidraget förbrukades inte helt innan det slutade få användas; det oförbrukade ska redovisas och kan behöva betalas tillbaka",
            "the grant was not all spent before it could no longer be used; the unspent money is to be accounted for and may have to be paid back",
        ),
        FindingKind::RepaymentDue => (
            "mer har betalats ut av bidraget än som kan belasta det; mellanskillnaden ska betalas tillbaka",
            "more of the grant was paid out than can be charged to it; the difference is to be paid back",
        ),
        FindingKind::ReportDue => (
            "en redovisning till bidragsgivaren ska lämnas inom 30 dagar",
            "a report to the funder is due within 30 days",
        ),
        FindingKind::ReportOverdue => (
            "en redovisning till bidragsgivaren har inte lämnats fast den skulle ha lämnats",
            "a report to the funder was due and has not been sent",
        ),
        FindingKind::CoFinancingShort => (
            "mindre medfinansiering betald än bidragets villkor kräver",
            "less co-financing paid than the grant's conditions require",
        ),
        FindingKind::MoneyWithoutImpact => (
            "pengarna förbrukas enligt plan men målet ligger efter",
            "the money is spent on schedule but the target is off track",
        ),
        FindingKind::NoMeasurementForSpending => (
            "pengar förbrukas men målen saknar mätning efter utgångsvärdet",
            "money is spent but its targets have no measurement since the baseline",
        ),
    };
    pick(lang, sv, en)
}

/// The unit a cost per improvement is counted in.
pub fn per_unit(unit: insats::model::IndicatorUnit, lang: Lang) -> &'static str {
    use insats::model::IndicatorUnit as U;
    let (sv, en) = match unit {
        U::Percent => ("per procentenhet", "per percentage point"),
        U::Count | U::Score | U::Days | U::Other => ("per enhet", "per unit"),
    };
    pick(lang, sv, en)
}

/// An indicator unit's name.
pub fn indicator_unit(unit: insats::model::IndicatorUnit, lang: Lang) -> &'static str {
    use insats::model::IndicatorUnit as U;
    let (sv, en) = match unit {
        U::Percent => ("procent", "percent"),
        U::Count => ("antal", "count"),
        U::Score => ("poäng", "score"),
        U::Days => ("dagar", "days"),
        U::Other => ("annan", "other"),
    };
    pick(lang, sv, en)
}

pub(crate) fn pick(lang: Lang, sv: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Sv => sv,
        Lang::En => en,
    }
}
