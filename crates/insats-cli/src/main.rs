//! `insats`: the command-line tool. It parses arguments, calls the
//! `insats` library and renders what it returns; all logic lives in the
//! library.
//!
//! Exit codes (stable): 0 no errors (warnings allowed), 1 errors found (or
//! warnings with `--deny warnings`), 2 usage or I/O failure.

mod ci_render;
mod diff_cmd;
mod fetch_kolada;
mod http;
mod output;
mod render;
mod repo_paths;
mod report_render;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use insats::{Code, Severity};

/// Plan and follow up funded initiatives: validate plan files and report
/// spending against budget and impact.
#[derive(Debug, Parser)]
#[command(name = "insats", version, about, long_about = None)]
struct Cli {
    /// When to use colour: `auto` colours only a terminal (and honours
    /// NO_COLOR and CLICOLOR_FORCE).
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true)]
    color: ColorWhen,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check plan files and report every problem with its location.
    Validate(ValidateArgs),
    /// Report spending against budget and impact, as of a date.
    Report(ReportArgs),
    /// Show the control totals of every ledger import: rows read, mapped,
    /// unmapped and more, with sums that reconcile.
    Ledger(LedgerArgs),
    /// What a change to a plan does to the money: two versions of a
    /// portfolio (directories or git revisions) compared. Exit code 0: no
    /// change; 1: changes; 2: a side could not be read.
    Diff(diff_cmd::DiffArgs),
    /// Fetch follow-up data from outside: `insats fetch kolada`.
    #[command(subcommand)]
    Fetch(FetchCommand),
    /// Print the JSON Schema of plan files, for editors (Even Better TOML,
    /// taplo): completion, hover docs and inline errors.
    Schema,
    /// Write a new plan file that validates as written, with placeholders
    /// to replace. Never overwrites a file.
    New(NewArgs),
    /// Print a shell completion script: `insats completions bash > FILE`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `insats man > insats.1`; with
    /// `--out-dir`, write it and a page per command (`insats-validate.1`, ...).
    Man {
        /// Write `insats.1` and a page per command into this directory.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
    /// Explain a diagnostic code, e.g. `insats explain INS101`; without a
    /// code, list them all.
    Explain {
        /// The code (`INS101`) or its name (`unknown-key`).
        #[arg(value_parser = CodeArg, hide_possible_values = true)]
        code: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum FetchCommand {
    /// Targets' measurements from Kolada, into the portfolio's `kolada.toml`.
    ///
    /// For every target whose indicator is a Kolada KPI and whose scope has
    /// a `kolada_id`: the values from the baseline's year to the as-of
    /// date's, written to `kolada.toml` in the portfolio, a file this
    /// command owns. Indicator names are checked against Kolada's titles.
    /// Exit codes: 0 fetched (or nothing to fetch), 1 the portfolio has
    /// errors, 2 a request or an answer failed (nothing written).
    Kolada(fetch_kolada::KoladaArgs),
}

#[derive(Debug, clap::Args)]
struct ValidateArgs {
    /// Directories or files to check. Directories are searched recursively
    /// for `*.toml`.
    #[arg(default_value = "initiatives")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Treat warnings as errors (`--deny warnings`).
    #[arg(long, value_name = "LEVEL", value_parser = ["warnings"])]
    deny: Option<String>,
    /// Print only errors and the summary line (human format).
    #[arg(long, short)]
    quiet: bool,
    /// The repository's root, which paths in the CI formats (github,
    /// gitlab, junit, sarif) are relative to; default: the nearest
    /// directory above the working directory holding `.git`.
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct ReportArgs {
    /// Directories or files of the portfolio.
    #[arg(default_value = "initiatives")]
    paths: Vec<PathBuf>,
    /// The date the report is as of (YYYY-MM-DD); default today. A fixed date
    /// makes the output reproducible.
    #[arg(long, value_name = "DATE")]
    as_of: Option<insats::model::Date>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
    /// Language of labels and numbers.
    #[arg(long, value_enum, default_value_t = report_render::Lang::Sv)]
    lang: report_render::Lang,
    /// Unit of amounts in tables: kr, tkr or mnkr.
    #[arg(long, value_enum, default_value_t = report_render::Scale::Kr)]
    scale: report_render::Scale,
    /// Only this initiative.
    #[arg(long, value_name = "ID")]
    initiative: Option<String>,
    /// Only this funding source and the lines it pays.
    #[arg(long, value_name = "ID")]
    funding: Option<String>,
    /// Only lines of this unit or school.
    #[arg(long, value_name = "UNIT")]
    unit: Option<String>,
    /// With --funding: a grant statement for this period (FROM..TO), costs
    /// per cost category against budget.
    #[arg(long, value_name = "FROM..TO", requires = "funding")]
    period: Option<String>,
    /// Compare with an earlier report: its JSON (`--format json`), written
    /// by insats. Every changed figure, the lines, sources and targets that
    /// came or went, and the findings new, resolved and still open.
    #[arg(long, value_name = "REPORT.json", conflicts_with = "period")]
    compare: Option<PathBuf>,
    /// How the grant statement is broken down (only `category`).
    #[arg(long, value_parser = ["category"], default_value = "category")]
    by: String,
    /// Write to this file instead of standard output (required for xlsx).
    /// The file is written whole and renamed into place.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// With --format csv: which table to export.
    #[arg(long, value_enum, default_value_t = report_render::CsvTable::Lines)]
    table: report_render::CsvTable,
    /// How spending still to come is forecast: by the plan (spent plus the
    /// plan still to come), or by each line's run rate so far.
    #[arg(long, value_enum, default_value_t = Forecast::Plan)]
    forecast: Forecast,
}

/// `--forecast`: the report's forecast method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Forecast {
    /// Spent plus the plan still to come.
    Plan,
    /// Spent plus the run rate over the rest of the plan.
    RunRate,
}

#[derive(Debug, clap::Args)]
struct LedgerArgs {
    /// Directories or files of the portfolio.
    #[arg(default_value = "initiatives")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
    /// Language of labels and numbers.
    #[arg(long, value_enum, default_value_t = report_render::Lang::Sv)]
    lang: report_render::Lang,
    /// Write to this file instead of standard output (required for xlsx).
    /// The file is written whole and renamed into place.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// With --format csv: which table to export.
    #[arg(long, value_enum, default_value_t = report_render::LedgerTable::ControlTotals)]
    table: report_render::LedgerTable,
}

#[derive(Debug, clap::Args)]
struct NewArgs {
    /// The initiative's id: lower-case letters, digits, `-` and `_`.
    #[arg(required_unless_present = "example")]
    id: Option<String>,
    /// Write a complete worked example instead (`example.toml`).
    #[arg(long)]
    example: bool,
    /// The directory to write into.
    #[arg(long, default_value = "initiatives")]
    dir: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ReportFormat {
    /// Tables fitted to the terminal.
    Table,
    /// Markdown, for a memo.
    Markdown,
    /// JSON with exact amounts as strings; see docs/report.md.
    Json,
    /// CSV for Excel (`;`, UTF-8 with BOM); see docs/report.md.
    Csv,
    /// An Excel workbook (needs `-o FILE`); see docs/report.md.
    Xlsx,
    /// One self-contained HTML page with charts, to open, mail or print on
    /// A4; see docs/report.md.
    Html,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// Located diagnostics with source excerpts, as rustc shows them.
    Human,
    /// One JSON document; see docs/format.md, section Output and exit codes.
    Json,
    /// GitHub Actions workflow commands (annotations on pull requests).
    Github,
    /// GitLab's code-quality report (JSON).
    Gitlab,
    /// JUnit XML: one test case per file.
    Junit,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    output::remove_temporary_files_on_interrupt();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help, the version, or a usage error: clap's own exit code (0 or
        // 2), unless the text could not be written.
        Err(e) => {
            let code = u8::try_from(e.exit_code()).unwrap_or(2);
            return match output_written(e.print()) {
                Ok(()) => ExitCode::from(code),
                Err(message) => {
                    let _ = writeln!(anstream::stderr(), "error: {message}");
                    ExitCode::from(2)
                }
            };
        }
    };
    match cli.color {
        ColorWhen::Auto => {}
        ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
        ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
    }
    let result = match cli.command {
        Command::Validate(args) => validate(&args),
        Command::Report(args) => report(&args),
        Command::Ledger(args) => ledger(&args),
        Command::Fetch(FetchCommand::Kolada(args)) => fetch_kolada::run(&args),
        Command::Diff(args) => diff_cmd::run(&args),
        Command::Explain { code: Some(code) } => explain(&code),
        Command::Explain { code: None } => list_codes(),
        Command::New(args) => new_plan(&args),
        Command::Completions { shell } => {
            // Into a buffer: clap_complete panics when its writer fails.
            let mut script = Vec::new();
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "insats",
                &mut script,
            );
            if shell == clap_complete::Shell::Fish {
                // clap's fish script offers no values for a positional
                // argument: the codes `explain` takes, added here.
                for c in sorted_codes() {
                    script.extend_from_slice(
                        format!(
                            "complete -c insats -n \"__fish_insats_using_subcommand explain\" -f -a {} -d '{}'\n",
                            c.as_str(),
                            c.summary().replace('\\', "\\\\").replace('\'', "\\'")
                        )
                        .as_bytes(),
                    );
                }
            }
            output_written(std::io::stdout().lock().write_all(&script)).map(|()| ExitCode::SUCCESS)
        }
        Command::Man { out_dir: None } => {
            let page = man_page(&man_command());
            output_written(std::io::stdout().lock().write_all(&page)).map(|()| ExitCode::SUCCESS)
        }
        Command::Man { out_dir: Some(dir) } => man_pages(&dir),
        Command::Schema => output_written(
            std::io::stdout()
                .lock()
                .write_all(insats::schema::JSON_SCHEMA.as_bytes()),
        )
        .map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            // A message names paths and ids as the user wrote them.
            let message = insats::printable::printable(&message);
            let _ = writeln!(anstream::stderr(), "error: {message}");
            ExitCode::from(2)
        }
    }
}

fn validate(args: &ValidateArgs) -> Result<ExitCode, String> {
    let (sources, mut validation) =
        insats::validate_paths(&args.paths).map_err(|e| e.to_string())?;
    if args.deny.is_some() {
        for d in &mut validation.diagnostics {
            d.severity = Severity::Error;
        }
    }

    // The CI formats map onto the repository: paths relative to its root.
    let (root, files) = match args.format {
        Format::Human | Format::Json => (PathBuf::new(), Vec::new()),
        _ => {
            let cwd = std::env::current_dir()
                .map_err(|e| format!("the working directory cannot be read: {e}"))?;
            let root = repo_paths::root(args.root.as_deref(), &cwd);
            let files = repo_paths::make_relative(&sources, &mut validation, &root, &cwd);
            (root, files)
        }
    };
    let mut out = anstream::stdout().lock();
    let written = match args.format {
        Format::Human => render::human(&mut out, &sources, &validation, args.quiet),
        Format::Json => render::json(&mut out, &sources, &validation),
        Format::Github => ci_render::github(&mut out, &validation),
        Format::Gitlab => ci_render::gitlab(&mut out, &validation),
        Format::Junit => ci_render::junit(&mut out, &files, &validation),
        Format::Sarif => ci_render::sarif(&mut out, &validation, &root),
    };
    output_written(written)?;
    let code = if validation.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    // The process ends here. A national portfolio's model is millions of
    // small allocations (about 330 MB for 10 000 plans); the operating
    // system takes the memory back at once, while freeing it piece by
    // piece took a few per cent of the run.
    std::mem::forget((sources, validation));
    Ok(code)
}

fn report(args: &ReportArgs) -> Result<ExitCode, String> {
    let (sources, validation) = insats::validate_paths(&args.paths).map_err(|e| e.to_string())?;
    let checked = match validation.into_checked() {
        Ok(checked) => checked,
        Err(validation) => {
            let mut err = anstream::stderr().lock();
            render::human(&mut err, &sources, &validation, true).map_err(|e| e.to_string())?;
            let _ = writeln!(
                err,
                "error: the portfolio has errors; fix them before reporting (`insats validate` shows them all)"
            );
            return Ok(ExitCode::from(1));
        }
    };
    let portfolio = checked.portfolio();
    let style = insats_view::NumberStyle {
        lang: args.lang,
        scale: args.scale,
        currency: portfolio.currency.clone(),
    };

    if let Some(period) = &args.period {
        let funding = args.funding.as_deref().unwrap_or_default();
        let period = parse_period(period)?;
        let statement = checked
            .grant_statement(funding, period)
            .map_err(|e| e.to_string())?;
        let view = insats_view::statement_view(&statement, args.lang);
        emit(
            &Emit {
                format: args.format,
                output: args.output.as_deref(),
                style: &style,
                csv_table: if args.table == report_render::CsvTable::Settlement {
                    "settlement"
                } else {
                    "statement"
                },
                created_fallback: period.end,
            },
            &view,
            &|out| json_out(out, &statement),
            &|| insats_view::write::html::view_page(&view, &style),
        )?;
        return Ok(ExitCode::SUCCESS);
    }

    if args.table == report_render::CsvTable::Settlement {
        return Err(
            "`--table settlement` is a grant statement's: add `--funding ID --period FROM..TO`"
                .into(),
        );
    }
    if matches!(
        args.table,
        report_render::CsvTable::Since | report_render::CsvTable::SinceFindings
    ) && args.compare.is_none()
    {
        return Err(format!(
            "`--table {}` is a comparison's: add `--compare EARLIER.json`",
            args.table.key()
        ));
    }
    let as_of = match args.as_of {
        Some(d) => d,
        None => jiff::Zoned::now().date(),
    };
    let options = insats::report::ReportOptions {
        as_of,
        initiative: args.initiative.clone(),
        funding: args.funding.clone(),
        unit: args.unit.clone(),
        forecast: match args.forecast {
            Forecast::Plan => insats::report::ForecastMethod::Plan,
            Forecast::RunRate => insats::report::ForecastMethod::RunRate,
        },
    };
    let report = checked.report(&options).map_err(|e| e.to_string())?;
    let comparison = match &args.compare {
        Some(path) => Some(insats::compare::compare(&previous_report(path)?, &report)),
        None => None,
    };
    let mut view = insats_view::report_view(&report, portfolio.name.as_deref(), args.lang);
    if let Some(c) = &comparison {
        view.tables
            .extend(insats_view::comparison_tables(c, args.lang));
    }
    emit(
        &Emit {
            format: args.format,
            output: args.output.as_deref(),
            style: &style,
            csv_table: args.table.key(),
            created_fallback: report.as_of,
        },
        &view,
        &|out| match &comparison {
            Some(c) => json_out(
                out,
                &WithComparison {
                    report: &report,
                    comparison: c,
                },
            ),
            None => json_out(out, &report),
        },
        &|| {
            let curves = insats::report::spending_curves(portfolio, &report);
            insats_view::write::html::report_page(
                &report,
                &curves,
                &style,
                portfolio.name.as_deref(),
                comparison.as_ref(),
            )
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

/// How a view goes out.
struct Emit<'a> {
    format: ReportFormat,
    output: Option<&'a std::path::Path>,
    style: &'a insats_view::NumberStyle,
    /// The table a CSV export holds.
    csv_table: &'a str,
    /// The creation date a workbook records without `SOURCE_DATE_EPOCH`.
    created_fallback: insats::model::Date,
}

/// Writes a view in the format asked for, whole: to standard output, or to
/// the `-o` file through a temporary file and a rename, so a file is never
/// left half written. JSON is the data itself, not its view.
fn emit(
    how: &Emit<'_>,
    view: &insats_view::View,
    json: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>,
    html: &dyn Fn() -> String,
) -> Result<(), String> {
    let io = |e: std::io::Error| format!("cannot write output: {e}");
    if let ReportFormat::Xlsx = how.format {
        let path = how
            .output
            .ok_or("an xlsx workbook is a file: give it with -o report.xlsx")?;
        // SOURCE_DATE_EPOCH: seconds since 1970, as reproducible builds set it.
        let created = std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok());
        let bytes = report_render::xlsx(view, how.style, created, how.created_fallback)?;
        output::write_file(path, &bytes)?;
        let _ = writeln!(anstream::stderr(), "wrote {}", render::path_shown(path));
        return Ok(());
    }
    let mut buf: Vec<u8> = Vec::new();
    let rendered = match how.format {
        ReportFormat::Table => insats_view::write::text::write(
            &mut buf,
            view,
            how.style,
            insats_view::write::text::Layout::Terminal {
                width: table_width(how.output.is_none()),
            },
        ),
        ReportFormat::Markdown => insats_view::write::text::write(
            &mut buf,
            view,
            how.style,
            insats_view::write::text::Layout::Markdown,
        ),
        ReportFormat::Json => json(&mut buf),
        ReportFormat::Csv => report_render::csv(&mut buf, view, how.style, how.csv_table),
        ReportFormat::Html => buf.write_all(html().as_bytes()),
        ReportFormat::Xlsx => Ok(()),
    };
    rendered.map_err(io)?;
    match how.output {
        Some(path) => {
            output::write_file(path, &buf)?;
            let _ = writeln!(anstream::stderr(), "wrote {}", render::path_shown(path));
        }
        // Only the terminal tables can carry colour for anstream to strip;
        // the other formats go out as rendered, not scanned byte by byte
        // (4 % of a report over 10^5 ledger rows).
        None if matches!(how.format, ReportFormat::Table) => {
            output_written(anstream::stdout().lock().write_all(&buf))?
        }
        None => output_written(std::io::stdout().lock().write_all(&buf))?,
    }
    Ok(())
}

/// The width terminal tables are fitted to: `COLUMNS` when set (also when
/// piped, as a script asks for it), else the terminal's width when writing
/// to one, else no limit.
fn table_width(to_stdout: bool) -> Option<u16> {
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|&c| c > 0)
    {
        return Some(columns);
    }
    if to_stdout && std::io::stdout().is_terminal() {
        // comfy-table asks the terminal; a terminal that reports 0 columns
        // (as under `script`) has an unknown width.
        return comfy_table::Table::new().width().filter(|&w| w > 0);
    }
    None
}

fn ledger(args: &LedgerArgs) -> Result<ExitCode, String> {
    let (sources, validation) = insats::validate_paths(&args.paths).map_err(|e| e.to_string())?;
    let style = insats_view::NumberStyle::new(args.lang);
    let view = insats_view::ledger_view(&validation.imports, args.lang);
    #[derive(serde::Serialize)]
    struct Imports<'a> {
        format_version: u32,
        imports: &'a [insats::ledger::ImportSummary],
    }
    emit(
        &Emit {
            format: args.format,
            output: args.output.as_deref(),
            style: &style,
            csv_table: args.table.key(),
            // Control totals have no as-of date: a fixed date keeps the
            // workbook's bytes the same for the same ledgers.
            created_fallback: insats::model::Date::constant(2000, 1, 1),
        },
        &view,
        &|out| {
            json_out(
                out,
                &Imports {
                    format_version: insats::report::REPORT_FORMAT_VERSION,
                    imports: &validation.imports,
                },
            )
        },
        &|| insats_view::write::html::view_page(&view, &style),
    )?;
    if !validation.is_ok() {
        let mut err = anstream::stderr().lock();
        render::human(&mut err, &sources, &validation, true).map_err(|e| e.to_string())?;
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `{ "tool", "version", ...value }` as pretty JSON: the library's
/// envelope, which reads back into insats types.
/// A report with its comparison: the report's fields, then `comparison`.
#[derive(serde::Serialize)]
struct WithComparison<'a> {
    #[serde(flatten)]
    report: &'a insats::report::Report,
    comparison: &'a insats::compare::Comparison,
}

/// The earlier report `--compare` names: insats' JSON of this format
/// version, or a message saying why not.
fn previous_report(path: &std::path::Path) -> Result<insats::report::Report, String> {
    let shown = render::path_shown(path);
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!(
            "{shown} is not a file: name an earlier report's JSON"
        ));
    }
    // A report of a national portfolio is tens of megabytes; more is not one.
    if meta.len() > 512 * 1024 * 1024 {
        return Err(format!("{shown} is larger than a report insats reads"));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        format!("{shown} is not JSON ({e}); write the earlier report with --format json")
    })?;
    if value.get("tool").and_then(|t| t.as_str()) != Some("insats") {
        return Err(format!(
            "{shown} is not a report written by insats: write it with `insats report --format json`"
        ));
    }
    let version = value.get("format_version").and_then(|v| v.as_u64());
    let current = u64::from(insats::report::REPORT_FORMAT_VERSION);
    if version != Some(current) {
        return Err(format!(
            "{shown} is a report of format version {}; this insats reads version {current}: write it again with this insats (`--as-of` its date)",
            version.map_or_else(|| "none".to_owned(), |v| v.to_string())
        ));
    }
    serde_json::from_value::<insats::Envelope<insats::report::Report>>(value)
        .map(|e| e.body)
        .map_err(|e| format!("{shown} is not a report insats can read: {e}"))
}

fn json_out(out: &mut impl Write, value: &impl serde::Serialize) -> std::io::Result<()> {
    render::write_json(out, &insats::Envelope::new(value))
}

const SKELETON: &str = include_str!("templates/skeleton.toml");
const EXAMPLE: &str = include_str!("templates/example.toml");

fn new_plan(args: &NewArgs) -> Result<ExitCode, String> {
    let (file, text) = if args.example {
        ("example.toml".to_owned(), EXAMPLE.to_owned())
    } else {
        let id = args.id.as_deref().unwrap_or_default();
        if !insats::is_valid_id(id) {
            return Err(format!(
                "`{id}` is not a valid id: start with a lower-case letter and use a-z, 0-9, `-` and `_` (at most 64 characters)"
            ));
        }
        (format!("{id}.toml"), SKELETON.replace("{id}", id))
    };
    let path = args.dir.join(file);
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| format!("cannot create {}: {e}", render::path_shown(&args.dir)))?;
    // The plan names its schema, so that an editor checks it as it is
    // written: the portfolio's, or one written beside it.
    let (schema, wrote_schema) = match schema_above(&args.dir) {
        Some(relative) => (relative, None),
        None => {
            let beside = args.dir.join("insats.schema.json");
            output::create_new_file(&beside, insats::schema::JSON_SCHEMA.as_bytes())?;
            ("insats.schema.json".to_owned(), Some(beside))
        }
    };
    let text = format!("#:schema {schema}\n{text}");
    output::create_new_file(&path, text.as_bytes())?;
    if let Some(beside) = wrote_schema {
        let _ = writeln!(anstream::stdout(), "wrote {}", render::path_shown(&beside));
    }
    let _ = writeln!(anstream::stdout(), "wrote {}", render::path_shown(&path));
    Ok(ExitCode::SUCCESS)
}

/// The path, relative to `dir`, of the nearest schema of plan files in
/// `dir` or above it: `insats.schema.json`, or `docs/insats.schema.json`
/// as in this repository.
fn schema_above(dir: &std::path::Path) -> Option<String> {
    let absolute = std::path::absolute(dir).ok()?;
    for (up, ancestor) in absolute.ancestors().enumerate() {
        for candidate in ["insats.schema.json", "docs/insats.schema.json"] {
            if ancestor.join(candidate).is_file() {
                return Some(format!("{}{candidate}", "../".repeat(up)));
            }
        }
    }
    None
}

/// A write to standard output that ends because its reader stopped early
/// (`insats report | head`) is not an error: every command then stops
/// writing, says nothing more, and exits as it would have (0, or 1 for a
/// portfolio with errors). Any other failure (a full disk: `> /dev/full`)
/// is exit code 2 with a message.
fn output_written(result: std::io::Result<()>) -> Result<(), String> {
    match result {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write output: {e}"))
        }
        _ => Ok(()),
    }
}

/// Parses `FROM..TO` (inclusive dates).
fn parse_period(text: &str) -> Result<insats::model::Period, String> {
    let bad = || format!("`{text}` is not a period: write FROM..TO, e.g. 2018-01-01..2018-06-30");
    let (from, to) = text.split_once("..").ok_or_else(bad)?;
    let start: insats::model::Date = from.trim().parse().map_err(|_| bad())?;
    let end: insats::model::Date = to.trim().parse().map_err(|_| bad())?;
    if start > end {
        return Err(format!("the period `{text}` ends before it starts"));
    }
    Ok(insats::model::Period { start, end })
}

/// The command as the man pages show it: without the `help` command, which
/// has no page of its own (`--help` is listed under each command).
fn man_command() -> clap::Command {
    let mut cmd = <Cli as clap::CommandFactory>::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// `insats.1` and a page per command, `insats-validate.1` and so on, as
/// the main page's list of commands refers to them.
fn man_pages(dir: &std::path::Path) -> Result<ExitCode, String> {
    let cmd = man_command();
    output::write_file(&dir.join("insats.1"), &man_page(&cmd))?;
    for sub in cmd.get_subcommands() {
        // clap takes a command's name as `&'static str`: a few short names,
        // kept for the rest of a process that ends right after.
        let name: &'static str = Box::leak(format!("insats-{}", sub.get_name()).into_boxed_str());
        let page = man_page(
            &sub.clone()
                .name(name)
                .display_name(name)
                .bin_name(format!("insats {}", sub.get_name()))
                .version(env!("CARGO_PKG_VERSION")),
        );
        output::write_file(&dir.join(format!("{name}.1")), &page)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A man page: clap's sections, and the exit status every command shares.
fn man_page(cmd: &clap::Command) -> Vec<u8> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut page = Vec::new();
    // Into a buffer, which cannot fail to be written.
    let _ = man.render_title(&mut page);
    let _ = man.render_name_section(&mut page);
    let _ = man.render_synopsis_section(&mut page);
    let _ = man.render_description_section(&mut page);
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        let _ = man.render_options_section(&mut page);
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        let _ = man.render_subcommands_section(&mut page);
    }
    page.extend_from_slice(
        b".SH \"EXIT STATUS\"\n\
.TP\n0\nSuccess: no errors (with \\fB--deny warnings\\fR, no warnings either).\n\
.TP\n1\nThe portfolio has errors (\\fBvalidate\\fR, \\fBreport\\fR, \\fBledger\\fR, \\fBfetch\\fR), or warnings with \\fB--deny warnings\\fR; for \\fBdiff\\fR, the two versions differ.\n\
.TP\n2\nA usage error, a failure to read the input or write the output, or a request that failed (\\fBfetch\\fR).\n",
    );
    if cmd.get_version().is_some() {
        let _ = man.render_version_section(&mut page);
    }
    page
}

/// A diagnostic code as an argument: any text (an unknown one gets
/// insats' own error, with a suggestion), with the codes offered to shell
/// completion.
#[derive(Clone)]
struct CodeArg;

impl clap::builder::TypedValueParser for CodeArg {
    type Value = String;

    fn parse_ref(
        &self,
        _: &clap::Command,
        _: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        Ok(value.to_string_lossy().into_owned())
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(sorted_codes().into_iter().map(|c| {
            clap::builder::PossibleValue::new(c.as_str()).help(c.summary())
        })))
    }
}

/// Every code in the order of its number.
fn sorted_codes() -> Vec<Code> {
    let mut codes = Code::ALL.to_vec();
    codes.sort_by_key(|c| c.as_str());
    codes
}

/// `insats explain` without a code: each code, its name, severity and what
/// it is about, one a line.
fn list_codes() -> Result<ExitCode, String> {
    let mut out = anstream::stdout().lock();
    for c in sorted_codes() {
        let line = writeln!(
            out,
            "{} {:<28} {:<7} {}",
            c.as_str(),
            c.name(),
            c.default_severity().as_str(),
            c.summary()
        );
        output_written(line)?;
    }
    let hint = writeln!(
        out,
        "\n`insats explain CODE` explains one, with an example."
    );
    output_written(hint)?;
    Ok(ExitCode::SUCCESS)
}

fn explain(text: &str) -> Result<ExitCode, String> {
    let Some(code) = Code::find(text) else {
        let hint = Code::suggest(text)
            .map(|c| format!(" (did you mean {c}?)"))
            .unwrap_or_default();
        return Err(format!(
            "no diagnostic code `{text}`{hint}; `insats explain` lists them all"
        ));
    };
    let mut out = anstream::stdout().lock();
    let written = writeln!(
        out,
        "{} {} ({}): {}\n\n{}",
        code.as_str(),
        code.name(),
        code.default_severity().as_str(),
        code.summary(),
        code.explanation().trim_end()
    );
    output_written(written)?;
    let example = insats::examples::example(code);
    let indent = |text: &str| {
        let text = text.replace('\r', "");
        if text.trim().is_empty() {
            "    (removed)".to_owned()
        } else {
            text.trim_end_matches('\n')
                .lines()
                .map(|l| format!("    {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        }
    };
    let mut text = format!(
        "\nExample (tests/fixtures/diagnostics/{}-{}/{}):\n",
        code.as_str(),
        code.name(),
        example.file
    );
    for (wrong, right) in example.edits {
        text.push_str(&format!(
            "\n  wrong:\n{}\n  corrected:\n{}\n",
            indent(wrong),
            indent(right)
        ));
    }
    output_written(write!(out, "{text}"))?;
    Ok(ExitCode::SUCCESS)
}
