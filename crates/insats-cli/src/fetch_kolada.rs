//! `insats fetch kolada`: the measurements of targets whose indicator is a
//! Kolada KPI, fetched and written to the portfolio's `kolada.toml`.
//!
//! Everything is fetched before anything is written: a failed request, an
//! answer that is not Kolada's, or a KPI without values for a target ends
//! the command with exit code 2 and every file as it was.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use insats::kolada::recorded::{self, Change, Recorded};
use insats::kolada::{self, api};
use insats::model::{Date, Gender};
use insats::printable::printable;

use crate::http;

#[derive(Debug, clap::Args)]
pub struct KoladaArgs {
    /// The portfolio's directory; `kolada.toml` is written in it.
    #[arg(default_value = "initiatives")]
    path: PathBuf,
    /// The last year to fetch is this date's (YYYY-MM-DD); default today.
    #[arg(long, value_name = "DATE")]
    as_of: Option<Date>,
    /// The Kolada API's address; default the portfolio's `kolada_api_url`,
    /// else https://api.kolada.se/v3.
    #[arg(long, value_name = "URL")]
    api_url: Option<String>,
    /// Show what would change; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// The longest one request may take, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    timeout: u64,
    /// How many times a request Kolada turns away (429, 502-504) is tried
    /// again, pausing as it asks or 1, 2, 4 ... seconds.
    #[arg(long, value_name = "N", default_value_t = 3)]
    retries: u32,
}

pub fn run(args: &KoladaArgs) -> Result<ExitCode, String> {
    if !args.path.is_dir() {
        return Err(format!(
            "{} is not a directory: name the portfolio's directory",
            crate::render::path_shown(&args.path)
        ));
    }
    let owned_path = args.path.join(recorded::FILE_NAME);
    let previous = read_owned(&owned_path)?;

    let (sources, mut validation) =
        insats::validate_paths(std::slice::from_ref(&args.path)).map_err(|e| e.to_string())?;
    // The file this command writes is rewritten whatever its problems.
    let owned_real = std::fs::canonicalize(&owned_path).ok();
    validation.diagnostics.retain(|d| {
        let in_owned = d.location.as_ref().is_some_and(|l| {
            owned_real.is_some()
                && l.file.file_name() == Some(std::ffi::OsStr::new(recorded::FILE_NAME))
                && std::fs::canonicalize(&l.file).ok() == owned_real
        });
        !in_owned
    });
    if !validation.is_ok() {
        let mut out = anstream::stdout().lock();
        crate::output_written(crate::render::human(&mut out, &sources, &validation, true))?;
        let _ = writeln!(
            anstream::stderr(),
            "error: the portfolio has errors; fix them before fetching"
        );
        return Ok(ExitCode::from(1));
    }
    let portfolio = &validation.portfolio;
    let as_of = args.as_of.unwrap_or_else(|| jiff::Zoned::now().date());
    let today = jiff::Zoned::now().date();
    let base = args
        .api_url
        .clone()
        .or_else(|| portfolio.kolada_api_url.clone())
        .unwrap_or_else(|| kolada::DEFAULT_API_URL.to_owned());
    let base = base.trim_end_matches('/').to_owned();
    if !(base.starts_with("https://") || base.starts_with("http://")) {
        return Err(format!(
            "`{base}` is not an http or https address: give the API's base, e.g. {}",
            kolada::DEFAULT_API_URL
        ));
    }

    let plan = kolada::plan(portfolio, as_of);
    let mut client = http::Client::new(http::Settings {
        timeout: Duration::from_secs(args.timeout.max(1)),
        retries: args.retries,
    });
    let mut fetched = Vec::new();
    for query in &plan.queries {
        fetched.extend(fetch_query(&mut client, &base, query, today)?);
    }
    let mut renamed = Vec::new();
    for check in &plan.titles {
        let url = api::kpi_url(&base, &check.kpi);
        let body = client.get(&url).map_err(|e| e.0)?;
        let titles = api::parse_kpi_titles(&body).map_err(|e| format!("{url}: {e}"))?;
        match titles.iter().find(|(id, _)| *id == check.kpi) {
            Some((_, title)) if title.trim() != check.name.trim() => {
                renamed.push((check, title.clone()));
            }
            Some(_) => {}
            None => return Err(format!("{url}: Kolada has no KPI {}", check.kpi)),
        }
    }

    let (records, changes) = recorded::merge(&previous.records, fetched);
    let text = recorded::render(&records);
    let unchanged = previous.text.as_deref() == Some(text.as_str());
    let mut out = anstream::stdout().lock();
    let shown = crate::render::path_shown(&owned_path);
    let mut summary = String::new();
    summary.push_str(&format!(
        "Kolada at {}: {} target{} fetched, {} request{}.\n",
        printable(&base),
        plan.queries.len(),
        plural(plan.queries.len()),
        client.requests,
        plural(client.requests as usize)
    ));
    for change in &changes {
        summary.push_str(&describe(change));
    }
    let kept = records.len()
        - changes
            .iter()
            .filter(|c| !matches!(c, Change::Removed(_)))
            .count();
    summary.push_str(&format!("  {kept} value{} unchanged\n", plural(kept)));
    for skipped in &plan.skipped {
        summary.push_str(&format!(
            "  skipped  {}: {}\n",
            printable(&skipped.target),
            skipped.reason
        ));
    }
    for (check, title) in &renamed {
        summary.push_str(&format!(
            "warning: indicator `{}` is named \"{}\"; Kolada's title of {} is \"{}\"\n",
            printable(&check.indicator),
            printable(&check.name),
            check.kpi,
            printable(title)
        ));
    }
    if !plan.titles.is_empty() {
        summary.push_str(&format!(
            "  {} of {} indicator names match Kolada's titles\n",
            plan.titles.len() - renamed.len(),
            plan.titles.len()
        ));
    }
    if args.dry_run {
        summary.push_str(&format!("Dry run: {shown} not written.\n"));
    } else if unchanged || (records.is_empty() && previous.text.is_none()) {
        summary.push_str(&format!("{shown} is up to date.\n"));
    } else {
        crate::output::write_file(&owned_path, text.as_bytes())?;
        summary.push_str(&format!("Wrote {shown}.\n"));
    }
    crate::output_written(out.write_all(summary.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}

/// The owned file as it is now: its text and records, or nothing.
struct Previous {
    text: Option<String>,
    records: Vec<Recorded>,
}

fn read_owned(path: &Path) -> Result<Previous, String> {
    let shown = crate::render::path_shown(path);
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Previous {
                text: None,
                records: Vec::new(),
            });
        }
        Err(e) => return Err(format!("cannot read {shown}: {e}")),
        Ok(meta) if !meta.is_file() => {
            return Err(format!(
                "{shown} is not a regular file; insats fetch kolada writes only a file it wrote itself"
            ));
        }
        Ok(_) => {}
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if !recorded::is_owned(&text) {
        return Err(format!(
            "{shown} was not written by insats fetch kolada (its first line is not the command's); \
             move it aside, and keep what it holds in another file"
        ));
    }
    let records = recorded::read(&text).map_err(|e| {
        format!("{shown} has been edited out of shape ({e}); remove it and fetch again")
    })?;
    Ok(Previous {
        text: Some(text),
        records,
    })
}

/// One target's values, every page of them, total values only.
fn fetch_query(
    client: &mut http::Client,
    base: &str,
    query: &kolada::Query,
    today: Date,
) -> Result<Vec<Recorded>, String> {
    let mut out: Vec<Recorded> = Vec::new();
    for years in query.years.chunks(kolada::YEARS_PER_REQUEST) {
        let first_url = api::data_url(base, query, years);
        let mut url = first_url.clone();
        for page_number in 1.. {
            if page_number > 1000 {
                return Err(format!("{first_url}: more than 1 000 pages; stopped"));
            }
            let body = client.get(&url).map_err(|e| e.0)?;
            let page = api::parse_data_page(&body).map_err(|e| format!("{url}: {e}"))?;
            for v in page.values {
                let wanted = v.gender == Gender::Total
                    && v.kpi == query.kpi
                    && v.area == query.area.id()
                    && years.contains(&v.year);
                if wanted && !out.iter().any(|r| r.year == v.year) {
                    out.push(Recorded {
                        target: query.target.clone(),
                        year: v.year,
                        gender: v.gender,
                        value: v.value,
                        status: v
                            .status
                            .or_else(|| v.value.is_none().then(|| "missing".to_owned())),
                        source: first_url.clone(),
                        retrieved: today,
                    });
                }
            }
            match page.next {
                // Pages are followed only on the same API: a next page
                // elsewhere would send the request to another server.
                Some(next) if next.starts_with(base) => url = next,
                Some(next) => {
                    return Err(format!(
                        "{url}: the next page is at {}, outside {base}; not followed",
                        printable(&next)
                    ));
                }
                None => break,
            }
        }
    }
    if out.is_empty() {
        let (first, last) = (query.years[0], query.years[query.years.len() - 1]);
        return Err(format!(
            "Kolada has no values of {} for {} in {first}-{last} (target `{}`): check the KPI and the id, or whether Kolada publishes it at this level",
            query.kpi,
            query.area.id(),
            printable(&query.target)
        ));
    }
    out.sort_by_key(|r| r.year);
    Ok(out)
}

fn describe(change: &Change) -> String {
    let figure = |r: &Recorded| {
        let value = r
            .value
            .map_or_else(|| "no value".to_owned(), |v| v.normalize().to_string());
        match &r.status {
            Some(s) => format!("{value} ({})", printable(s)),
            None => value,
        }
    };
    match change {
        Change::Added(r) => format!(
            "  added    {} {}: {}\n",
            printable(&r.target),
            r.year,
            figure(r)
        ),
        Change::Changed { before, after } => format!(
            "  changed  {} {}: {} -> {}\n",
            printable(&after.target),
            after.year,
            figure(before),
            figure(after)
        ),
        Change::Removed(r) => format!(
            "  removed  {} {}: {}\n",
            printable(&r.target),
            r.year,
            figure(r)
        ),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
