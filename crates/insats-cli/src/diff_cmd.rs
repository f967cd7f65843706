//! `insats diff OLD NEW`: what a change to a plan does to the money.
//!
//! Each side is a portfolio directory on disk or a git revision of one
//! (read with `git cat-file`, nothing checked out). The comparison is the
//! library's ([`insats::diff`]); this module reads the sides and lays the
//! result out for a terminal, a pull-request comment (Markdown) or a
//! program (JSON).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use insats::diff::{Figure, PortfolioDiff, Presence, Version};
use insats::printable::{markdown_text, printable};
use insats::{SourceFile, SourceSet, Validation};
use insats_view::{Lang, NumberStyle};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Text for a terminal.
    Human,
    /// A pull-request comment: a short summary, the details folded.
    Markdown,
    /// One JSON document, for programs.
    Json,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The version before: a portfolio directory, or a git revision
    /// (`HEAD~1`, `main`, a commit) of the directory `--dir` names.
    old: String,
    /// The version after: a directory or a revision; default the working
    /// directory's `--dir`.
    new: Option<String>,
    /// The portfolio's directory within a revision.
    #[arg(long, value_name = "DIR", default_value = "initiatives")]
    dir: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
    /// Language of labels and numbers.
    #[arg(long, value_enum, default_value_t = Lang::Sv)]
    lang: Lang,
}

/// One side, loaded.
struct Side {
    label: String,
    root: PathBuf,
    validation: Validation,
}

pub fn run(args: &DiffArgs) -> Result<ExitCode, String> {
    let old = load(&args.old, &args.dir)?;
    let new = match &args.new {
        Some(spec) => load(spec, &args.dir)?,
        None => load(&args.dir.to_string_lossy(), &args.dir)?,
    };
    let result = insats::diff::diff(old.version(), new.version());
    let mut out = anstream::stdout().lock();
    let style = NumberStyle::new(args.lang);
    let text = match args.format {
        DiffFormat::Json => {
            let doc = serde_json::json!({
                "tool": "insats",
                "version": env!("CARGO_PKG_VERSION"),
                "format_version": 1,
                "old": old.label,
                "new": new.label,
                "changed": !result.is_empty(),
                "diff": result,
            });
            let mut bytes = serde_json::to_vec_pretty(&doc).map_err(|e| e.to_string())?;
            bytes.push(b'\n');
            bytes
        }
        DiffFormat::Human => human(&result, &old.label, &new.label, &style).into_bytes(),
        DiffFormat::Markdown => markdown(&result, &old.label, &new.label, &style).into_bytes(),
    };
    crate::output_written(out.write_all(&text))?;
    Ok(if result.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

impl Side {
    fn version(&self) -> Version<'_> {
        Version {
            portfolio: &self.validation.portfolio,
            diagnostics: &self.validation.diagnostics,
            root: &self.root,
        }
    }
}

/// A directory that exists is read from disk; anything else is a git
/// revision of `dir`.
fn load(spec: &str, dir: &Path) -> Result<Side, String> {
    let path = Path::new(spec);
    if path.is_dir() {
        let (_, validation) =
            insats::validate_paths(&[path.to_owned()]).map_err(|e| e.to_string())?;
        return Ok(Side {
            label: spec.to_owned(),
            root: path.to_owned(),
            validation,
        });
    }
    let revision = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{spec}^{{commit}}"),
    ])
    .map_err(|_| {
        format!(
            "`{}` is neither a directory nor a git revision here",
            printable(spec)
        )
    })?;
    let commit = String::from_utf8_lossy(&revision).trim().to_owned();
    let dir_arg = dir.to_string_lossy().into_owned();
    let listing = git(&[
        "ls-tree",
        "-r",
        "-z",
        "--full-name",
        "--name-only",
        &commit,
        "--",
        &dir_arg,
    ])?;
    let names: Vec<String> = listing
        .split(|b| *b == 0)
        .filter(|n| !n.is_empty())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    if names.is_empty() {
        return Err(format!(
            "{} has no files under {}",
            printable(spec),
            printable(&dir_arg)
        ));
    }
    // The directory as the repository names it (`dir` may be relative to
    // a subfolder): git's own answer, the directory listed by itself.
    let listed = git(&[
        "ls-tree",
        "-z",
        "--full-name",
        "--name-only",
        &commit,
        "--",
        &dir_arg,
    ])?;
    let full_dir =
        String::from_utf8_lossy(listed.split(|b| *b == 0).next().unwrap_or_default()).into_owned();
    let plan_names: Vec<&String> = names
        .iter()
        .filter(|n| n.ends_with(".toml"))
        .filter(|n| !n.split('/').any(|part| part.starts_with('.')))
        .collect();
    let blobs = cat_files(&commit, &plan_names)?;
    let mut sources = SourceSet::new();
    for (name, bytes) in plan_names.iter().zip(blobs) {
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("{}:{} is not UTF-8", printable(spec), printable(name)))?;
        sources.add(SourceFile::new(name.as_str(), text));
    }
    let exports = GitFiles { commit: &commit };
    let (_, validation) = insats::validate_with_ledgers(sources, &exports);
    Ok(Side {
        label: spec.to_owned(),
        root: PathBuf::from(full_dir),
        validation,
    })
}

/// The ledger exports of a revision, read as the plans ask for them.
struct GitFiles<'a> {
    commit: &'a str,
}

impl insats::LedgerFiles for GitFiles<'_> {
    fn read(&self, path: &Path) -> Result<Vec<u8>, String> {
        let name = path.to_string_lossy().replace('\\', "/");
        git(&["cat-file", "blob", &format!("{}:{name}", self.commit)])
            .map_err(|_| format!("the revision has no file `{name}`"))
    }
}

/// Runs git with `args`; its standard output, or its message.
fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("git could not be run: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The contents of `names` at `commit`, in one `git cat-file --batch`.
fn cat_files(commit: &str, names: &[&String]) -> Result<Vec<Vec<u8>>, String> {
    let mut child = Command::new("git")
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("git could not be run: {e}"))?;
    let mut request = String::new();
    for n in names {
        request.push_str(&format!("{commit}:{n}\n"));
    }
    let mut stdin = child.stdin.take().ok_or("git cat-file has no input")?;
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut output = Vec::new();
    child
        .stdout
        .take()
        .ok_or("git cat-file has no output")?
        .read_to_end(&mut output)
        .map_err(|e| format!("git cat-file: {e}"))?;
    let _ = writer.join();
    let _ = child.wait();
    let mut blobs = Vec::with_capacity(names.len());
    let mut rest = output.as_slice();
    for n in names {
        let end = rest
            .iter()
            .position(|b| *b == b'\n')
            .ok_or_else(|| format!("git cat-file: no answer for {n}"))?;
        let header = String::from_utf8_lossy(&rest[..end]).into_owned();
        let size: usize = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .filter(|_| header.contains(" blob "))
            .ok_or_else(|| format!("git cat-file: {n}: {header}"))?;
        let body = rest
            .get(end + 1..end + 1 + size)
            .ok_or_else(|| format!("git cat-file: {n} cut short"))?;
        blobs.push(body.to_vec());
        rest = rest.get(end + 2 + size..).unwrap_or_default();
    }
    Ok(blobs)
}

fn t(style: &NumberStyle, sv: &'static str, en: &'static str) -> &'static str {
    match style.lang {
        Lang::Sv => sv,
        Lang::En => en,
    }
}

fn money(style: &NumberStyle, value: Option<rust_decimal::Decimal>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| style.money(v))
}

fn change(style: &NumberStyle, figure: &Figure) -> String {
    let c = figure.change();
    if c.is_sign_positive() && !c.is_zero() {
        format!("+{}", style.money(c))
    } else {
        style.money(c)
    }
}

/// `before → after (change)`.
fn transition(style: &NumberStyle, figure: &Figure) -> String {
    format!(
        "{} → {} ({})",
        money(style, figure.before),
        money(style, figure.after),
        change(style, figure)
    )
}

/// `before | after | change`: three cells of a Markdown table row.
fn cells(style: &NumberStyle, figure: &Figure) -> String {
    format!(
        "{} | {} | {}",
        money(style, figure.before),
        money(style, figure.after),
        change(style, figure)
    )
}

fn presence(style: &NumberStyle, p: Presence) -> &'static str {
    match p {
        Presence::Added => t(style, "ny", "added"),
        Presence::Removed => t(style, "borttagen", "removed"),
        Presence::Changed => t(style, "ändrad", "changed"),
    }
}

fn count(f: Option<rust_decimal::Decimal>) -> String {
    f.map_or_else(String::new, |v| v.to_string())
}

/// One line of detail per changed figure of a line, for both layouts.
fn line_details(style: &NumberStyle, line: &insats::diff::LineDiff) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(previous) = &line.previous_id {
        out.push(format!("{} {}", t(style, "hette förut", "was"), previous));
    }
    if let Some(previous) = &line.previous_name {
        out.push(format!(
            "{} \"{}\"",
            t(style, "namn förut", "named before"),
            previous
        ));
    }
    for y in &line.years {
        out.push(format!("{}: {}", y.year, transition(style, &y.figure)));
    }
    for p in &line.payers {
        out.push(format!(
            "{} {}: {}",
            t(style, "betalas av", "paid by"),
            p.source,
            transition(style, &p.figure)
        ));
    }
    out
}

fn human(d: &PortfolioDiff, old: &str, new: &str, style: &NumberStyle) -> String {
    let mut s = String::new();
    s.push_str(&format!("{} → {}\n", printable(old), printable(new)));
    if d.is_empty() {
        s.push_str(t(style, "Inga ändringar.\n", "No changes.\n"));
        return s;
    }
    s.push_str(&format!(
        "{}: {}\n",
        t(style, "Budget", "Budget"),
        transition(style, &d.budget)
    ));
    for i in &d.initiatives {
        s.push_str(&format!(
            "\n{} {} ({}): {}\n",
            t(style, "Satsning", "Initiative"),
            printable(&i.id),
            presence(style, i.presence),
            transition(style, &i.budget)
        ));
        for l in &i.lines {
            s.push_str(&format!(
                "  {} {} ({}): {}\n",
                t(style, "rad", "line"),
                printable(&l.id),
                presence(style, l.presence),
                transition(style, &l.amount)
            ));
            for detail in line_details(style, l) {
                s.push_str(&format!("    {}\n", printable(&detail)));
            }
        }
    }
    for f in &d.funding {
        s.push_str(&format!(
            "\n{} {} ({}): {} {} → {}, {} {} → {}, {} {} → {}\n",
            t(style, "Finansiering", "Funding"),
            printable(&f.id),
            presence(style, f.presence),
            t(style, "belopp", "amount"),
            money(style, f.amount.before),
            money(style, f.amount.after),
            t(style, "fördelat", "allocated"),
            money(style, f.allocated.before),
            money(style, f.allocated.after),
            t(style, "medfinansiering", "co-financing"),
            money(style, f.co_financing.before),
            money(style, f.co_financing.after),
        ));
    }
    problems_text(&mut s, d, style, |p| printable(p).into_owned(), "\n", "  ");
    s
}

fn problems_text(
    s: &mut String,
    d: &PortfolioDiff,
    style: &NumberStyle,
    escape: impl Fn(&str) -> String,
    heading: &str,
    indent: &str,
) {
    for (list, label) in [
        (
            &d.problems.introduced,
            t(style, "Nya problem", "Problems introduced"),
        ),
        (
            &d.problems.fixed,
            t(style, "Åtgärdade problem", "Problems fixed"),
        ),
    ] {
        if list.is_empty() {
            continue;
        }
        s.push_str(&format!("{heading}{label}:\n"));
        for p in list {
            let place = match (&p.file, p.line) {
                (Some(f), Some(l)) => format!("{}:{l}: ", escape(f)),
                _ => String::new(),
            };
            s.push_str(&format!(
                "{indent}{} {}{}\n",
                p.code,
                place,
                escape(&p.message)
            ));
        }
    }
}

fn markdown(d: &PortfolioDiff, old: &str, new: &str, style: &NumberStyle) -> String {
    let md = |text: &str| markdown_text(text);
    let mut s = String::new();
    s.push_str(&format!(
        "### {}\n\n",
        t(
            style,
            "insats: vad ändringen gör med pengarna",
            "insats: what this change does to the money"
        )
    ));
    s.push_str(&format!("{} → {}\n\n", md(old), md(new)));
    if d.is_empty() {
        s.push_str(t(
            style,
            "Inga ändringar i pengar eller problem.\n",
            "No change to money or problems.\n",
        ));
        return s;
    }
    let (before, after, diff) = (
        t(style, "före", "before"),
        t(style, "efter", "after"),
        t(style, "ändring", "change"),
    );
    s.push_str(&format!(
        "| | {before} | {after} | {diff} |\n|---|---:|---:|---:|\n"
    ));
    s.push_str(&format!(
        "| {} | {} |\n",
        t(style, "Budget, alla satsningar", "Budget, all initiatives"),
        cells(style, &d.budget)
    ));
    for f in &d.funding {
        if f.allocated.changed() {
            s.push_str(&format!(
                "| {} {} | {} |\n",
                t(style, "Fördelat från", "Allocated from"),
                md(&f.id),
                cells(style, &f.allocated)
            ));
        }
    }
    let errors = &d.problems.errors;
    let warnings = &d.problems.warnings;
    s.push_str(&format!(
        "| {} | {} / {} | {} / {} | +{} / -{} |\n",
        t(style, "Fel / varningar", "Errors / warnings"),
        count(errors.before),
        count(warnings.before),
        count(errors.after),
        count(warnings.after),
        d.problems.introduced.len(),
        d.problems.fixed.len()
    ));
    let lines: usize = d.initiatives.iter().map(|i| i.lines.len()).sum();
    if !d.initiatives.is_empty() {
        s.push_str(&format!(
            "\n<details><summary>{}: {}, {}: {}</summary>\n\n",
            t(style, "Ändrade satsningar", "Initiatives changed"),
            d.initiatives.len(),
            t(style, "budgetrader", "budget lines"),
            lines,
        ));
        let (what, item) = (
            t(style, "vad", "what"),
            t(style, "satsning / rad", "initiative / line"),
        );
        s.push_str(&format!(
            "| {item} | {what} | {before} | {after} | {diff} |\n|---|---|---:|---:|---:|\n"
        ));
        for i in &d.initiatives {
            s.push_str(&format!(
                "| **{}** | {} | {} |\n",
                md(&i.id),
                presence(style, i.presence),
                cells(style, &i.budget)
            ));
            for l in &i.lines {
                s.push_str(&format!(
                    "| {} | {} | {} |\n",
                    md(&l.id),
                    presence(style, l.presence),
                    cells(style, &l.amount)
                ));
                for detail in line_details(style, l) {
                    s.push_str(&format!("| | {} | | | |\n", md(&detail)));
                }
            }
        }
        s.push_str("\n</details>\n");
    }
    if !d.funding.is_empty() {
        s.push_str(&format!(
            "\n<details><summary>{} ({})</summary>\n\n",
            t(style, "Finansiering", "Funding sources"),
            d.funding.len()
        ));
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n|---|---|---:|---:|---:|---:|\n",
            t(style, "källa", "source"),
            t(style, "vad", "what"),
            t(style, "belopp", "amount"),
            t(style, "fördelat", "allocated"),
            t(style, "medfinansiering", "co-financing"),
            t(style, "max andel", "max share"),
        ));
        let pct = |v: Option<rust_decimal::Decimal>| {
            v.map_or_else(
                || "–".to_owned(),
                |v| format!("{}\u{a0}%", style.number(v, 0)),
            )
        };
        for f in &d.funding {
            s.push_str(&format!(
                "| {} | {} | {} → {} | {} → {} | {} → {} | {} → {} |\n",
                md(&f.id),
                presence(style, f.presence),
                money(style, f.amount.before),
                money(style, f.amount.after),
                money(style, f.allocated.before),
                money(style, f.allocated.after),
                money(style, f.co_financing.before),
                money(style, f.co_financing.after),
                pct(f.max_share_percent.before),
                pct(f.max_share_percent.after),
            ));
        }
        s.push_str("\n</details>\n");
    }
    if !d.problems.introduced.is_empty() || !d.problems.fixed.is_empty() {
        s.push_str(&format!(
            "\n<details><summary>{} (+{} / -{})</summary>\n\n",
            t(style, "Problem", "Problems"),
            d.problems.introduced.len(),
            d.problems.fixed.len()
        ));
        let mut list = String::new();
        problems_text(&mut list, d, style, |p| md(p), "", "- ");
        // Each list after its label, as Markdown wants a blank line there.
        s.push_str(&list.replace(":\n- ", ":\n\n- "));
        s.push_str("\n</details>\n");
    }
    s
}
