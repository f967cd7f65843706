//! `insats`: the command-line tool. It parses arguments, calls the
//! `insats` library and renders what it returns; all logic lives in the
//! library.
//!
//! Exit codes (stable): 0 no errors (warnings allowed), 1 errors found (or
//! warnings with `--deny warnings`), 2 usage or I/O failure.

mod render;

use std::io::Write;
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
    /// Explain a diagnostic code, e.g. `insats explain INS101`.
    Explain {
        /// The code (`INS101`) or its name (`unknown-key`).
        code: String,
    },
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
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// Located diagnostics with source excerpts, as rustc shows them.
    Human,
    /// One JSON document; see docs/format.md, "JSON output".
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.color {
        ColorWhen::Auto => {}
        ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
        ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
    }
    let result = match cli.command {
        Command::Validate(args) => validate(&args),
        Command::Explain { code } => explain(&code),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
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

    let mut out = anstream::stdout().lock();
    let written = match args.format {
        Format::Human => render::human(&mut out, &sources, &validation, args.quiet),
        Format::Json => render::json(&mut out, &sources, &validation),
    };
    written.map_err(|e| format!("cannot write output: {e}"))?;
    Ok(if validation.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn explain(text: &str) -> Result<ExitCode, String> {
    let Some(code) = Code::find(text) else {
        let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let hint = insats::keys::did_you_mean(&text.to_uppercase(), known.iter().copied())
            .map(|s| format!(" (did you mean {s}?)"))
            .unwrap_or_default();
        return Err(format!(
            "no diagnostic code `{text}`{hint}; codes run {} to {}",
            known[0],
            known[known.len() - 1]
        ));
    };
    let mut out = anstream::stdout().lock();
    writeln!(
        out,
        "{} {} ({}): {}\n\n{}",
        code.as_str(),
        code.name(),
        code.default_severity().as_str(),
        code.summary(),
        code.explanation().trim_end()
    )
    .map_err(|e| format!("cannot write output: {e}"))?;
    Ok(ExitCode::SUCCESS)
}
