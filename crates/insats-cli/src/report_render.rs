//! Rendering reports: terminal tables, Markdown, JSON, CSV, an Excel
//! workbook and an HTML page, in Swedish or English.
//!
//! Display rounding (documented in docs/report.md): amounts in tables are
//! rounded half away from zero to whole kronor (`kr`), whole thousands
//! (`tkr`) or tenths of millions (`mnkr`); shares to one decimal of a
//! percent. JSON and CSV carry the exact amounts.

mod chart;
pub mod html;

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};
use insats::model::{CostCategory, FundingKind, IndicatorUnit, When};
use insats::report::{
    CostPerChange, FindingKind, FindingSeverity, GrantStatement, MoneyFigures, Report, TargetStatus,
};
use rust_decimal::{Decimal, RoundingStrategy};

/// Label language and number style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// Swedish: `8 800 000 kr`, decimal comma.
    Sv,
    /// English: `8,800,000 SEK`, decimal point.
    En,
}

/// The unit amounts are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// Kronor.
    Kr,
    /// Thousands of kronor (tkr).
    Tkr,
    /// Millions of kronor (mnkr).
    Mnkr,
}

/// How numbers are written.
#[derive(Debug, Clone)]
pub struct Style {
    /// Language.
    pub lang: Lang,
    /// Scale of amounts.
    pub scale: Scale,
    /// The portfolio currency (ISO 4217).
    pub currency: String,
}

fn group(int: &str, sep: char) -> String {
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

impl Style {
    fn number(&self, value: Decimal, decimals: u32) -> String {
        let rounded =
            value.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
        let text = format!("{:.*}", decimals as usize, rounded.abs());
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let (sep, point) = match self.lang {
            Lang::Sv => (' ', ','),
            Lang::En => (',', '.'),
        };
        let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
            "-"
        } else {
            ""
        };
        if frac.is_empty() {
            format!("{sign}{}", group(int, sep))
        } else {
            format!("{sign}{}{point}{frac}", group(int, sep))
        }
    }

    /// An amount in the chosen scale with its unit: `8 800 000 kr`,
    /// `8 800 tkr`, `8,8 mnkr`, `8,800,000 SEK`.
    pub fn money(&self, value: Decimal) -> String {
        let (divisor, decimals, sv_unit, en_unit) = match self.scale {
            Scale::Kr => (Decimal::ONE, 0, "kr", "SEK"),
            Scale::Tkr => (Decimal::from(1000), 0, "tkr", "kSEK"),
            Scale::Mnkr => (Decimal::from(1_000_000), 1, "mnkr", "MSEK"),
        };
        let unit = match (self.lang, self.currency.as_str()) {
            (Lang::Sv, "SEK") => sv_unit.to_owned(),
            (Lang::En, "SEK") => en_unit.to_owned(),
            // Another currency: its code, with the scale's prefix.
            (_, code) => match self.scale {
                Scale::Kr => code.to_owned(),
                Scale::Tkr => format!("k{code}"),
                Scale::Mnkr => format!("M{code}"),
            },
        };
        format!("{} {unit}", self.number(value / divisor, decimals))
    }

    /// A share (0-1) as a percentage with one decimal: `45,2 %`.
    pub fn share(&self, value: Option<Decimal>) -> String {
        value.map_or_else(
            || "–".to_owned(),
            |v| format!("{} %", self.number(v * Decimal::ONE_HUNDRED, 1)),
        )
    }

    /// An indicator value with one decimal and its unit.
    fn indicator(&self, value: Decimal, unit: IndicatorUnit) -> String {
        match unit {
            IndicatorUnit::Percent => format!("{} %", self.number(value, 1)),
            _ => self.number(value, 1),
        }
    }

    /// A plain exact decimal for CSV: no grouping, the language's decimal
    /// mark, so that Excel reads it as a number.
    fn csv_number(&self, value: Decimal) -> String {
        let text = value.normalize().to_string();
        match self.lang {
            Lang::Sv => text.replace('.', ","),
            Lang::En => text,
        }
    }
}

/// Labels in one language.
struct Labels {
    report_as_of: &'static str,
    initiative: &'static str,
    portfolio: &'static str,
    initiatives: &'static str,
    funding: &'static str,
    targets: &'static str,
    findings: &'static str,
    no_findings: &'static str,
    id: &'static str,
    name: &'static str,
    budget: &'static str,
    planned: &'static str,
    spent: &'static str,
    remaining: &'static str,
    share_spent: &'static str,
    share_time: &'static str,
    run_rate: &'static str,
    forecast: &'static str,
    variance: &'static str,
    kind: &'static str,
    amount: &'static str,
    allocated: &'static str,
    left: &'static str,
    window_end: &'static str,
    unspent: &'static str,
    cofinancing: &'static str,
    target: &'static str,
    indicator: &'static str,
    baseline: &'static str,
    latest: &'static str,
    goal: &'static str,
    progress: &'static str,
    expected: &'static str,
    status: &'static str,
    cost_per_change: &'static str,
    severity: &'static str,
    subject: &'static str,
    causal_note: &'static str,
    statement: &'static str,
    category: &'static str,
    costs: &'static str,
    difference: &'static str,
    total: &'static str,
}

const SV: Labels = Labels {
    report_as_of: "Uppföljning per",
    initiative: "Insats",
    portfolio: "Portföljen",
    initiatives: "Insatser och budgetposter",
    funding: "Finansiering",
    targets: "Effektmål",
    findings: "Iakttagelser",
    no_findings: "Inga iakttagelser.",
    id: "Id",
    name: "Namn",
    budget: "Budget",
    planned: "Planerat hittills",
    spent: "Förbrukat",
    remaining: "Kvar",
    share_spent: "Förbrukat %",
    share_time: "Tid %",
    run_rate: "Takt per månad",
    forecast: "Prognos",
    variance: "Avvikelse",
    kind: "Typ",
    amount: "Belopp",
    allocated: "Fördelat",
    left: "Kvar att förbruka",
    window_end: "Får användas t.o.m.",
    unspent: "Prognos oförbrukat",
    cofinancing: "Medfinansiering krävd / betald",
    target: "Mål",
    indicator: "Indikator",
    baseline: "Utgångsvärde",
    latest: "Senaste",
    goal: "Målvärde",
    progress: "Framsteg",
    expected: "Förväntat",
    status: "Status",
    cost_per_change: "Kostnad per förbättring",
    severity: "Allvar",
    subject: "Avser",
    causal_note: "Kostnad per förbättring är observerad förändring mot utgångsvärdet, inte en orsakseffekt: annat än insatsen påverkar också utfallet.",
    statement: "Ekonomisk redovisning",
    category: "Kostnadsslag",
    costs: "Kostnader",
    difference: "Skillnad",
    total: "Summa",
};

const EN: Labels = Labels {
    report_as_of: "Follow-up as of",
    initiative: "Initiative",
    portfolio: "Portfolio",
    initiatives: "Initiatives and budget lines",
    funding: "Funding",
    targets: "Outcome targets",
    findings: "Findings",
    no_findings: "No findings.",
    id: "Id",
    name: "Name",
    budget: "Budget",
    planned: "Planned to date",
    spent: "Spent",
    remaining: "Remaining",
    share_spent: "Spent %",
    share_time: "Time %",
    run_rate: "Run rate per month",
    forecast: "Forecast",
    variance: "Variance",
    kind: "Kind",
    amount: "Amount",
    allocated: "Allocated",
    left: "Left",
    window_end: "Usable until",
    unspent: "Forecast unspent",
    cofinancing: "Co-financing required / paid",
    target: "Target",
    indicator: "Indicator",
    baseline: "Baseline",
    latest: "Latest",
    goal: "Target value",
    progress: "Progress",
    expected: "Expected",
    status: "Status",
    cost_per_change: "Cost per improvement",
    severity: "Severity",
    subject: "Concerns",
    causal_note: "Cost per improvement is observed change against the baseline, not a causal effect: other things than the initiative move outcomes too.",
    statement: "Economic report",
    category: "Cost category",
    costs: "Costs",
    difference: "Difference",
    total: "Total",
};

fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::Sv => &SV,
        Lang::En => &EN,
    }
}

fn category(c: CostCategory, lang: Lang) -> &'static str {
    match (c, lang) {
        (CostCategory::Personnel, Lang::Sv) => "Personal",
        (CostCategory::ExternalServices, Lang::Sv) => "Externa tjänster",
        (CostCategory::Travel, Lang::Sv) => "Resor och logi",
        (CostCategory::EquipmentPremises, Lang::Sv) => "Investeringar, materiel och lokaler",
        (CostCategory::Other, Lang::Sv) => "Övriga kostnader",
        (CostCategory::Indirect, Lang::Sv) => "Indirekta kostnader",
        (CostCategory::Personnel, Lang::En) => "Personnel",
        (CostCategory::ExternalServices, Lang::En) => "External services",
        (CostCategory::Travel, Lang::En) => "Travel and accommodation",
        (CostCategory::EquipmentPremises, Lang::En) => "Investments, equipment and premises",
        (CostCategory::Other, Lang::En) => "Other costs",
        (CostCategory::Indirect, Lang::En) => "Indirect costs",
    }
}

fn funding_kind(k: FundingKind, lang: Lang) -> &'static str {
    match (k, lang) {
        (FundingKind::StateGrant, Lang::Sv) => "statsbidrag",
        (FundingKind::MunicipalBudget, Lang::Sv) => "kommunal budget",
        (FundingKind::CoFinancing, Lang::Sv) => "medfinansiering",
        (FundingKind::Other, Lang::Sv) => "annan",
        (FundingKind::StateGrant, Lang::En) => "state grant",
        (FundingKind::MunicipalBudget, Lang::En) => "municipal budget",
        (FundingKind::CoFinancing, Lang::En) => "co-financing",
        (FundingKind::Other, Lang::En) => "other",
    }
}

fn status(s: TargetStatus, lang: Lang) -> &'static str {
    match (s, lang) {
        (TargetStatus::NoMeasurement, Lang::Sv) => "ingen mätning",
        (TargetStatus::Reached, Lang::Sv) => "uppnått",
        (TargetStatus::OnTrack, Lang::Sv) => "i fas",
        (TargetStatus::OffTrack, Lang::Sv) => "efter plan",
        (TargetStatus::NoMeasurement, Lang::En) => "no measurement",
        (TargetStatus::Reached, Lang::En) => "reached",
        (TargetStatus::OnTrack, Lang::En) => "on track",
        (TargetStatus::OffTrack, Lang::En) => "off track",
    }
}

fn severity(s: FindingSeverity, lang: Lang) -> &'static str {
    match (s, lang) {
        (FindingSeverity::High, Lang::Sv) => "hög",
        (FindingSeverity::Medium, Lang::Sv) => "medel",
        (FindingSeverity::Low, Lang::Sv) => "låg",
        (FindingSeverity::High, Lang::En) => "high",
        (FindingSeverity::Medium, Lang::En) => "medium",
        (FindingSeverity::Low, Lang::En) => "low",
    }
}

fn finding_text(kind: FindingKind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (FindingKind::OverspentLine, Lang::Sv) => "budgetposten har förbrukat mer än sin budget",
        (FindingKind::GrantMoneyAtRisk, Lang::Sv) => {
            "bidrag riskerar att bli oförbrukat när det inte längre får användas och kan behöva betalas tillbaka"
        }
        (FindingKind::CoFinancingShort, Lang::Sv) => {
            "mindre medfinansiering betald än bidragets villkor kräver"
        }
        (FindingKind::MoneyWithoutImpact, Lang::Sv) => {
            "pengarna förbrukas enligt plan men målet ligger efter"
        }
        (FindingKind::NoMeasurementForSpending, Lang::Sv) => {
            "pengar förbrukas men målen saknar mätning efter utgångsvärdet"
        }
        (FindingKind::OverspentLine, Lang::En) => "the line has spent more than its budget",
        (FindingKind::GrantMoneyAtRisk, Lang::En) => {
            "grant money is forecast to be unspent when the grant may no longer be used, and may have to be paid back"
        }
        (FindingKind::CoFinancingShort, Lang::En) => {
            "less co-financing paid than the grant's conditions require"
        }
        (FindingKind::MoneyWithoutImpact, Lang::En) => {
            "the money is spent on schedule but the target is off track"
        }
        (FindingKind::NoMeasurementForSpending, Lang::En) => {
            "money is spent but its targets have no measurement since the baseline"
        }
    }
}

fn when(w: When) -> String {
    w.to_string()
}

/// Table or Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Box-drawn tables fitted to the terminal.
    Terminal,
    /// GitHub-flavoured Markdown.
    Markdown,
}

/// A table whose every cell is user text made safe for its layout: a
/// name, id or file name from a plan reaches these tables as written.
struct Grid {
    table: Table,
    layout: Layout,
}

impl Grid {
    fn add_row(&mut self, cells: Vec<String>) {
        let layout = self.layout;
        self.table
            .add_row(cells.iter().map(|c| shown(layout, c)).collect::<Vec<_>>());
    }
}

impl std::fmt::Display for Grid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.table.fmt(f)
    }
}

fn new_table(layout: Layout, header: Vec<String>) -> Grid {
    let mut t = Table::new();
    match layout {
        Layout::Terminal => {
            t.load_preset(presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic);
            // A terminal that reports 0 columns (as under `script`, or a
            // serial console) has an unknown width, not a width of 0.
            if t.width() == Some(0) {
                t.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        Layout::Markdown => {
            t.load_preset(presets::ASCII_MARKDOWN);
        }
    }
    t.set_header(header.iter().map(|c| shown(layout, c)).collect::<Vec<_>>());
    Grid { table: t, layout }
}

/// User text as it may appear in a layout: on one line, with nothing that
/// acts on a terminal, and in Markdown with nothing read as markup.
fn shown(layout: Layout, text: &str) -> String {
    match layout {
        Layout::Terminal => insats::printable::printable(text).into_owned(),
        Layout::Markdown => insats::printable::markdown_text(text),
    }
}

fn heading(out: &mut impl Write, layout: Layout, text: &str) -> io::Result<()> {
    let text = shown(layout, text);
    match layout {
        Layout::Terminal => writeln!(out, "\n{text}\n{}", "=".repeat(text.chars().count())),
        Layout::Markdown => writeln!(out, "\n## {text}\n"),
    }
}

fn money_cells(style: &Style, m: &MoneyFigures) -> Vec<String> {
    vec![
        style.money(m.budget),
        style.money(m.planned_to_date),
        style.money(m.spent_to_date),
        style.money(m.remaining),
        style.share(m.share_spent),
        style.share(m.share_time_elapsed),
        style.money(m.forecast),
        style.money(m.variance),
    ]
}

fn money_header(l: &Labels) -> Vec<String> {
    [
        l.budget,
        l.planned,
        l.spent,
        l.remaining,
        l.share_spent,
        l.share_time,
        l.forecast,
        l.variance,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Writes the report as terminal tables or Markdown.
pub fn tables(
    out: &mut impl Write,
    report: &Report,
    style: &Style,
    layout: Layout,
    title: Option<&str>,
) -> io::Result<()> {
    let l = labels(style.lang);
    let head = match title {
        Some(t) => format!("{} {}: {t}", l.report_as_of, report.as_of),
        None => format!("{} {}", l.report_as_of, report.as_of),
    };
    let head = shown(layout, &head);
    match layout {
        Layout::Terminal => writeln!(out, "{head}")?,
        Layout::Markdown => writeln!(out, "# {head}")?,
    }

    heading(out, layout, l.portfolio)?;
    let mut t = new_table(layout, money_header(l));
    t.add_row(money_cells(style, &report.portfolio));
    writeln!(out, "{t}")?;

    heading(out, layout, l.initiatives)?;
    let mut header = vec![l.id.to_owned(), l.name.to_owned()];
    header.extend(money_header(l));
    let mut t = new_table(layout, header);
    for i in &report.initiatives {
        let mut row = vec![i.id.clone(), format!("{} ({})", i.name, i.organisation)];
        row.extend(money_cells(style, &i.money));
        t.add_row(row);
        for line in &i.lines {
            let mut row = vec![format!("  {}", line.id), format!("  {}", line.name)];
            row.extend(money_cells(style, &line.money));
            t.add_row(row);
        }
    }
    writeln!(out, "{t}")?;

    heading(out, layout, l.funding)?;
    let mut t = new_table(
        layout,
        [
            l.id,
            l.kind,
            l.amount,
            l.allocated,
            l.spent,
            l.left,
            l.window_end,
            l.unspent,
            l.cofinancing,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    );
    for f in &report.funding {
        t.add_row(vec![
            f.id.clone(),
            funding_kind(f.kind, style.lang).to_owned(),
            style.money(f.amount),
            style.money(f.allocated),
            style.money(f.spent_to_date),
            style.money(f.left),
            f.window_end
                .map_or_else(|| "–".to_owned(), |d| d.to_string()),
            style.money(f.forecast_unspent),
            f.co_financing.as_ref().map_or_else(
                || "–".to_owned(),
                |c| format!("{} / {}", style.money(c.required), style.money(c.paid)),
            ),
        ]);
    }
    writeln!(out, "{t}")?;

    heading(out, layout, l.targets)?;
    let mut t = new_table(
        layout,
        [
            l.target,
            l.indicator,
            l.baseline,
            l.latest,
            l.goal,
            l.progress,
            l.expected,
            l.status,
            l.spent,
            l.cost_per_change,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    );
    for target in &report.targets {
        let value_at =
            |v: Decimal, w: When| format!("{} ({})", style.indicator(v, target.unit), when(w));
        let cost = match &target.cost_per_change {
            CostPerChange::NoMeasurement => {
                status(TargetStatus::NoMeasurement, style.lang).to_owned()
            }
            CostPerChange::NoImprovement => match style.lang {
                Lang::Sv => "ingen förbättring".to_owned(),
                Lang::En => "no improvement".to_owned(),
            },
            CostPerChange::PerUnit {
                per_unit,
                per_pupil,
                ..
            } => {
                let unit = match (target.unit, style.lang) {
                    (IndicatorUnit::Percent, Lang::Sv) => "per procentenhet",
                    (IndicatorUnit::Percent, Lang::En) => "per percentage point",
                    (_, Lang::Sv) => "per enhet",
                    (_, Lang::En) => "per unit",
                };
                let mut text = format!("{} {unit}", style.money(*per_unit));
                if let Some(p) = per_pupil {
                    let per = match style.lang {
                        Lang::Sv => "per elev",
                        Lang::En => "per pupil",
                    };
                    text.push_str(&format!("; {} {per}", style.money(*p)));
                }
                text
            }
        };
        t.add_row(vec![
            format!("{} ({})", target.id, target.scope),
            target.indicator_name.clone(),
            value_at(target.baseline.value, target.baseline.when),
            target
                .latest
                .as_ref()
                .map_or_else(|| "–".to_owned(), |v| value_at(v.value, v.when)),
            value_at(target.target.value, target.target.when),
            style.share(target.progress),
            style.share(Some(target.expected_progress)),
            status(target.status, style.lang).to_owned(),
            style.money(target.spent_to_date),
            cost,
        ]);
    }
    writeln!(out, "{t}")?;
    writeln!(out, "\n{}", l.causal_note)?;

    heading(out, layout, l.findings)?;
    if report.findings.is_empty() {
        writeln!(out, "{}", l.no_findings)?;
    } else {
        let mut t = new_table(
            layout,
            [l.severity, l.subject, l.amount, l.kind]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        );
        for f in &report.findings {
            t.add_row(vec![
                severity(f.severity, style.lang).to_owned(),
                f.subject.clone(),
                f.amount.map_or_else(|| "–".to_owned(), |a| style.money(a)),
                finding_text(f.kind, style.lang).to_owned(),
            ]);
        }
        writeln!(out, "{t}")?;
    }
    Ok(())
}

/// Writes a grant statement as a table or Markdown.
pub fn statement(
    out: &mut impl Write,
    s: &GrantStatement,
    style: &Style,
    layout: Layout,
) -> io::Result<()> {
    let l = labels(style.lang);
    let head = format!(
        "{}: {}{}, {} – {}",
        l.statement,
        s.funding,
        s.funder
            .as_ref()
            .map_or_else(String::new, |f| format!(" ({f})")),
        s.period.start,
        s.period.end
    );
    let head = shown(layout, &head);
    match layout {
        Layout::Terminal => writeln!(out, "{head}\n")?,
        Layout::Markdown => writeln!(out, "# {head}\n")?,
    }
    let mut t = new_table(
        layout,
        [l.category, l.budget, l.costs, l.difference]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    );
    for r in &s.rows {
        t.add_row(vec![
            category(r.category, style.lang).to_owned(),
            style.money(r.budget),
            style.money(r.costs),
            style.money(r.difference),
        ]);
    }
    t.add_row(vec![
        l.total.to_owned(),
        style.money(s.total.budget),
        style.money(s.total.costs),
        style.money(s.total.difference),
    ]);
    writeln!(out, "{t}")
}

/// Which table a CSV export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CsvTable {
    /// One row per budget line.
    Lines,
    /// One row per funding source.
    Funding,
    /// One row per outcome target.
    Targets,
    /// One row per finding.
    Findings,
}

/// Text that a spreadsheet would read as a formula is prefixed with an
/// apostrophe, so that an invoice text cannot run in Excel.
fn safe_text(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// Writes one table of the report as CSV for Excel: UTF-8 with a byte order
/// mark, `;` between fields, exact amounts with the language's decimal mark
/// and no grouping.
pub fn csv(
    out: &mut impl Write,
    report: &Report,
    style: &Style,
    table: CsvTable,
) -> io::Result<()> {
    let l = labels(style.lang);
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(out);
    let n = |d: Decimal| style.csv_number(d);
    let opt = |d: Option<Decimal>| d.map(|d| style.csv_number(d)).unwrap_or_default();
    let result: csv::Result<()> = (|| {
        match table {
            CsvTable::Lines => {
                w.write_record([
                    l.initiative,
                    l.id,
                    l.name,
                    l.category,
                    l.budget,
                    l.planned,
                    l.spent,
                    l.remaining,
                    l.share_spent,
                    l.run_rate,
                    l.forecast,
                    l.variance,
                ])?;
                for i in &report.initiatives {
                    for line in &i.lines {
                        let m = &line.money;
                        w.write_record([
                            safe_text(&i.id),
                            safe_text(&line.id),
                            safe_text(&line.name),
                            category(line.category, style.lang).to_owned(),
                            n(m.budget),
                            n(m.planned_to_date),
                            n(m.spent_to_date),
                            n(m.remaining),
                            opt(m.share_spent.map(|s| s * Decimal::ONE_HUNDRED)),
                            opt(m.run_rate_per_month),
                            n(m.forecast),
                            n(m.variance),
                        ])?;
                    }
                }
            }
            CsvTable::Funding => {
                w.write_record([
                    l.id,
                    l.kind,
                    l.amount,
                    l.allocated,
                    l.spent,
                    l.left,
                    l.window_end,
                    l.unspent,
                ])?;
                for f in &report.funding {
                    w.write_record([
                        safe_text(&f.id),
                        funding_kind(f.kind, style.lang).to_owned(),
                        n(f.amount),
                        n(f.allocated),
                        n(f.spent_to_date),
                        n(f.left),
                        f.window_end.map(|d| d.to_string()).unwrap_or_default(),
                        n(f.forecast_unspent),
                    ])?;
                }
            }
            CsvTable::Targets => {
                w.write_record([
                    l.target,
                    l.indicator,
                    l.baseline,
                    l.latest,
                    l.goal,
                    l.progress,
                    l.expected,
                    l.status,
                    l.spent,
                ])?;
                for t in &report.targets {
                    w.write_record([
                        safe_text(&t.id),
                        safe_text(&t.indicator),
                        n(t.baseline.value),
                        opt(t.latest.as_ref().map(|v| v.value)),
                        n(t.target.value),
                        opt(t.progress.map(|p| p * Decimal::ONE_HUNDRED)),
                        n(t.expected_progress * Decimal::ONE_HUNDRED),
                        status(t.status, style.lang).to_owned(),
                        n(t.spent_to_date),
                    ])?;
                }
            }
            CsvTable::Findings => {
                w.write_record([l.severity, l.subject, l.amount, l.kind])?;
                for f in &report.findings {
                    w.write_record([
                        severity(f.severity, style.lang).to_owned(),
                        safe_text(&f.subject),
                        opt(f.amount),
                        finding_text(f.kind, style.lang).to_owned(),
                    ])?;
                }
            }
        }
        w.flush()?;
        Ok(())
    })();
    result.map_err(io::Error::other)
}

/// Writes the control totals of each ledger import.
pub fn imports(
    out: &mut impl Write,
    imports: &[insats::ledger::ImportSummary],
    lang: Lang,
    layout: Layout,
) -> io::Result<()> {
    let style = Style {
        lang,
        scale: Scale::Kr,
        currency: "SEK".to_owned(),
    };
    let exact = |d: Decimal| {
        // Control totals are shown to the öre: they must match the ledger.
        format!(
            "{} {}",
            style.number(d, 2),
            if lang == Lang::Sv { "kr" } else { "SEK" }
        )
    };
    let (rows_label, sum_label) = match lang {
        Lang::Sv => ("Rader", "Summa"),
        Lang::En => ("Rows", "Sum"),
    };
    let sv = lang == Lang::Sv;
    let label = |sv_text: &'static str, en_text: &'static str| if sv { sv_text } else { en_text };
    if imports.is_empty() {
        let text = match lang {
            Lang::Sv => "Inga reskontraimporter i portföljen.",
            Lang::En => "No ledger imports in the portfolio.",
        };
        return writeln!(out, "{text}");
    }
    for s in imports {
        heading(out, layout, &format!("{} ({})", s.ledger, s.file.display()))?;
        let mut t = new_table(
            layout,
            vec![String::new(), rows_label.to_owned(), sum_label.to_owned()],
        );
        // Each label beside its own figures: a separate list of labels,
        // zipped with the rows, once lost a label and shifted every label
        // after it by one row.
        let rows = [
            (label("lästa", "read"), s.rows_read, Some(s.sum_read)),
            (
                label("bokförda på budgetpost", "booked on a line"),
                s.rows_mapped,
                Some(s.sum_mapped),
            ),
            (
                label("utan regel", "matching no rule"),
                s.rows_unmapped,
                Some(s.sum_unmapped),
            ),
            (
                label("undantagna", "excluded"),
                s.rows_excluded,
                Some(s.sum_excluded),
            ),
            (
                label("tvetydiga", "ambiguous"),
                s.rows_ambiguous,
                Some(s.sum_ambiguous),
            ),
            (
                label("dubbletter", "duplicates"),
                s.rows_duplicate,
                Some(s.sum_duplicate),
            ),
            (label("felaktiga", "malformed"), s.rows_malformed, None),
            (
                label("balansrader (SIE)", "balance rows (SIE)"),
                s.rows_balance,
                Some(s.sum_balance),
            ),
        ];
        for (label, n, sum) in rows {
            t.add_row(vec![
                label.to_owned(),
                n.to_string(),
                sum.map(exact).unwrap_or_else(|| "–".to_owned()),
            ]);
        }
        // A blank line between the tables: in Markdown, a table straight
        // after another is read as more rows of the first.
        writeln!(out, "{t}\n")?;
        let mut t = new_table(
            layout,
            vec![
                labels(lang).id.to_owned(),
                rows_label.to_owned(),
                sum_label.to_owned(),
            ],
        );
        for line in &s.per_line {
            t.add_row(vec![
                line.line.clone(),
                line.rows.to_string(),
                exact(line.sum),
            ]);
        }
        writeln!(out, "{t}")?;
        let check = match (lang, s.reconciles()) {
            (Lang::Sv, true) => {
                "Kontrollsummorna stämmer: varje läst rad är redovisad ovan, och summan av lästa rader (utom balansrader) = bokförda + utan regel + undantagna + tvetydiga + dubbletter."
            }
            (Lang::En, true) => {
                "The control totals reconcile: every row read is accounted for above, and the sum read (balance rows aside) = booked + no rule + excluded + ambiguous + duplicates."
            }
            (Lang::Sv, false) => {
                "Kontrollsummorna stämmer INTE; rapportera detta som ett fel i insats."
            }
            (Lang::En, false) => {
                "The control totals do NOT reconcile; please report this as a bug in insats."
            }
        };
        writeln!(out, "\n{check}")?;
    }
    Ok(())
}

/// Renders the report as an Excel workbook: one sheet each for
/// initiatives, budget lines, funding sources, outcome targets and
/// findings; amounts as numbers in a kronor format, dates as dates, frozen
/// header rows, an autofilter and fitted columns. Text is always written as
/// a string cell, never a formula. The caller writes the bytes (atomically).
///
/// Excel stores numbers as binary floating point: amounts below about
/// 10^13 kr keep every öre, and the JSON and CSV outputs stay exact.
pub fn xlsx(report: &Report, style: &Style, created: Option<i64>) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let l = labels(style.lang);
    let err = |e: rust_xlsxwriter::XlsxError| format!("cannot write the workbook: {e}");
    let header = Format::new().set_bold();
    let kronor = Format::new().set_num_format(match style.lang {
        Lang::Sv => "#,##0.00 \"kr\"",
        Lang::En => "#,##0.00 \"SEK\"",
    });
    let percent = Format::new().set_num_format("0.0%");
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    // The one place a money amount becomes a binary float: the xlsx format
    // has no decimal type.
    let number = |d: Decimal| -> f64 { d.to_string().parse().unwrap_or(0.0) };
    let date = |d: insats::model::Date| {
        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
    };

    let mut workbook = Workbook::new();
    // The same report gives the same bytes: the workbook's creation time
    // is the build time a reproducible build asks for (SOURCE_DATE_EPOCH,
    // read by the caller), or else the report's as-of date, never now.
    let created = match created {
        Some(seconds) => ExcelDateTime::from_timestamp(seconds),
        None => date(report.as_of),
    }
    .map_err(err)?;
    workbook.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let (sheet_initiatives, sheet_lines, sheet_funding, sheet_targets, sheet_findings) =
        match style.lang {
            Lang::Sv => (
                "Insatser",
                "Budgetposter",
                "Finansiering",
                "Effektmål",
                "Iakttagelser",
            ),
            Lang::En => (
                "Initiatives",
                "Budget lines",
                "Funding",
                "Outcome targets",
                "Findings",
            ),
        };
    let money_headers = [
        l.budget,
        l.planned,
        l.spent,
        l.remaining,
        l.share_spent,
        l.share_time,
        l.forecast,
        l.variance,
    ];

    // Writes one sheet from a header and rows of cells.
    enum Cell {
        Text(String),
        Money(Decimal),
        Share(Option<Decimal>),
        Day(Option<insats::model::Date>),
    }
    let mut sheet = |name: &str, headers: Vec<&str>, rows: Vec<Vec<Cell>>| -> Result<(), String> {
        let ws = workbook.add_worksheet();
        ws.set_name(name).map_err(err)?;
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &header)
                .map_err(err)?;
        }
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(t) => {
                        ws.write_string(r, c, t).map_err(err)?;
                    }
                    Cell::Money(d) => {
                        ws.write_number_with_format(r, c, number(*d), &kronor)
                            .map_err(err)?;
                    }
                    Cell::Share(Some(d)) => {
                        ws.write_number_with_format(r, c, number(*d), &percent)
                            .map_err(err)?;
                    }
                    Cell::Day(Some(d)) => {
                        ws.write_datetime_with_format(r, c, date(*d).map_err(err)?, &date_format)
                            .map_err(err)?;
                    }
                    Cell::Share(None) | Cell::Day(None) => {}
                }
            }
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
        let last_row = rows.len() as u32;
        ws.autofilter(0, 0, last_row, headers.len().saturating_sub(1) as u16)
            .map_err(err)?;
        ws.autofit();
        Ok(())
    };
    let money = |m: &MoneyFigures| {
        vec![
            Cell::Money(m.budget),
            Cell::Money(m.planned_to_date),
            Cell::Money(m.spent_to_date),
            Cell::Money(m.remaining),
            Cell::Share(m.share_spent),
            Cell::Share(m.share_time_elapsed),
            Cell::Money(m.forecast),
            Cell::Money(m.variance),
        ]
    };
    let text = |s: &str| Cell::Text(s.to_owned());

    let (start, end) = match style.lang {
        Lang::Sv => ("Start", "Slut"),
        Lang::En => ("Start", "End"),
    };
    let mut headers = vec![l.id, l.name, start, end];
    headers.extend(money_headers);
    let rows = report
        .initiatives
        .iter()
        .map(|i| {
            let mut row = vec![
                text(&i.id),
                text(&format!("{} ({})", i.name, i.organisation)),
                Cell::Day(Some(i.period.start)),
                Cell::Day(Some(i.period.end)),
            ];
            row.extend(money(&i.money));
            row
        })
        .collect();
    sheet(sheet_initiatives, headers, rows)?;

    let mut headers = vec![l.initiative, l.id, l.name, l.category];
    headers.extend(money_headers);
    let rows = report
        .initiatives
        .iter()
        .flat_map(|i| {
            i.lines.iter().map(move |line| {
                let mut row = vec![
                    text(&i.id),
                    text(&line.id),
                    text(&line.name),
                    text(category(line.category, style.lang)),
                ];
                row.extend(money(&line.money));
                row
            })
        })
        .collect();
    sheet(sheet_lines, headers, rows)?;

    let rows = report
        .funding
        .iter()
        .map(|f| {
            vec![
                text(&f.id),
                text(funding_kind(f.kind, style.lang)),
                Cell::Money(f.amount),
                Cell::Money(f.allocated),
                Cell::Money(f.spent_to_date),
                Cell::Money(f.left),
                Cell::Day(f.window_end),
                Cell::Money(f.forecast_unspent),
            ]
        })
        .collect();
    sheet(
        sheet_funding,
        vec![
            l.id,
            l.kind,
            l.amount,
            l.allocated,
            l.spent,
            l.left,
            l.window_end,
            l.unspent,
        ],
        rows,
    )?;

    let rows = report
        .targets
        .iter()
        .map(|t| {
            vec![
                text(&t.id),
                text(&t.indicator_name),
                Cell::Share(Some(t.baseline.value / Decimal::ONE_HUNDRED)),
                Cell::Share(t.latest.as_ref().map(|v| v.value / Decimal::ONE_HUNDRED)),
                Cell::Share(Some(t.target.value / Decimal::ONE_HUNDRED)),
                Cell::Share(t.progress),
                Cell::Share(Some(t.expected_progress)),
                text(status(t.status, style.lang)),
                Cell::Money(t.spent_to_date),
            ]
        })
        .collect();
    sheet(
        sheet_targets,
        vec![
            l.target,
            l.indicator,
            l.baseline,
            l.latest,
            l.goal,
            l.progress,
            l.expected,
            l.status,
            l.spent,
        ],
        rows,
    )?;

    let rows = report
        .findings
        .iter()
        .map(|f| {
            vec![
                text(severity(f.severity, style.lang)),
                text(&f.subject),
                f.amount.map_or(Cell::Share(None), Cell::Money),
                text(finding_text(f.kind, style.lang)),
            ]
        })
        .collect();
    sheet(
        sheet_findings,
        vec![l.severity, l.subject, l.amount, l.kind],
        rows,
    )?;

    workbook.save_to_buffer().map_err(err)
}
