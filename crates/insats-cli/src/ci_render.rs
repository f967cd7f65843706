//! Diagnostics in the formats CI systems read natively: GitHub Actions
//! workflow commands, GitLab's code-quality report, JUnit XML and SARIF
//! 2.1.0. Each is checked in `tests/ci_formats.rs` against its schema or a
//! real parser of it.

use std::io::{self, Write};

use insats::printable::xml_text;
use std::path::{Path, PathBuf};

use insats::{Code, Diagnostic, Severity, Validation};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde_json::json;
use sha2::{Digest, Sha256};

/// The message with its help, as one text.
fn full_message(d: &Diagnostic) -> String {
    match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    }
}

/// The message with its help, each made visible where it holds control
/// characters: for a CI log, which renders ESC sequences, and where the
/// runner obeys `::command` at the start of a line.
fn full_message_shown(d: &Diagnostic) -> String {
    use insats::printable::printable;
    match &d.help {
        Some(help) => format!("{}\nhelp: {}", printable(&d.message), printable(help)),
        None => printable(&d.message).into_owned(),
    }
}

/// A path as written in reports: forward slashes on every platform.
fn slashed(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The path of a diagnostic's file, as written in reports.
fn path_text(d: &Diagnostic) -> Option<String> {
    d.location.as_ref().map(|l| slashed(&l.file))
}

/// A stable fingerprint: the code, the file, the key path and the message,
/// but not the line, so that an unchanged problem keeps its fingerprint when
/// lines above it move.
fn fingerprint(d: &Diagnostic) -> String {
    let mut h = Sha256::new();
    for part in [
        d.code.as_str(),
        &path_text(d).unwrap_or_default(),
        d.key_path.as_deref().unwrap_or(""),
        &d.message,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// GitHub Actions workflow commands: `::error file=…,line=…::message`, so
/// problems are annotated on the lines of a pull request.
pub fn github(out: &mut impl Write, validation: &Validation) -> io::Result<()> {
    // https://docs.github.com/actions/reference/workflow-commands-for-github-actions
    fn data(text: &str) -> String {
        text.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    }
    fn property(text: &str) -> String {
        data(text).replace(':', "%3A").replace(',', "%2C")
    }
    let file = |l: &insats::Location| property(&insats::printable::printable(&slashed(&l.file)));
    for d in &validation.diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let title = property(&format!("{} {}", d.code.as_str(), d.code.name()));
        // The notes carry the figures ("co-financing required: …") and the
        // related places say where else to look: both belong in the
        // annotation, not only in the terminal's rendering.
        let mut text = full_message_shown(d);
        for note in &d.notes {
            text.push_str(&format!("\nnote: {}", insats::printable::printable(note)));
        }
        for r in &d.related {
            text.push_str(&format!(
                "\nsee: {}:{}:{}: {}",
                insats::printable::printable(&slashed(&r.location.file)),
                r.location.line,
                r.location.column,
                insats::printable::printable(&r.label)
            ));
        }
        match &d.location {
            Some(l) => writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={title}::{}",
                file(l),
                l.line,
                l.column,
                l.end_line,
                l.end_column,
                data(&text)
            )?,
            None => writeln!(out, "::{command} title={title}::{}", data(&text))?,
        }
        // A notice at each related place too: the line a pull request
        // changed may be the related one (a plan's `funded_by`), not the
        // primary one (the source in a shared file).
        for r in &d.related {
            let l = &r.location;
            writeln!(
                out,
                "::notice file={},line={},col={},endLine={},endColumn={},title={}::{}",
                file(l),
                l.line,
                l.column,
                l.end_line,
                l.end_column,
                property(&format!("{} {} (related)", d.code.as_str(), d.code.name())),
                data(&format!(
                    "{}: {}",
                    insats::printable::printable(&r.label),
                    insats::printable::printable(&d.message)
                ))
            )?;
        }
    }
    Ok(())
}

/// GitLab's code-quality report: a JSON array of issues.
pub fn gitlab(out: &mut impl Write, validation: &Validation) -> io::Result<()> {
    // https://docs.gitlab.com/ci/testing/code_quality/ (the Code Climate subset)
    let issues: Vec<serde_json::Value> = validation
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "type": "issue",
                "check_name": format!("{} {}", d.code.as_str(), d.code.name()),
                "description": full_message(d),
                "categories": ["Bug Risk"],
                "fingerprint": fingerprint(d),
                "severity": match d.severity { Severity::Error => "major", Severity::Warning => "minor" },
                "location": {
                    "path": path_text(d).unwrap_or_else(|| ".".to_owned()),
                    "lines": { "begin": d.location.as_ref().map_or(1, |l| l.line) },
                },
            })
        })
        .collect();
    crate::render::write_json(out, &issues)
}

/// JUnit XML: one test case per file, failing with one `<failure>` that
/// lists every error of the file; warnings go to the test case's output. Problems of no single file
/// belong to a test case named `portfolio`.
pub fn junit(out: &mut impl Write, files: &[PathBuf], validation: &Validation) -> io::Result<()> {
    let mut cases: Vec<(String, Vec<&Diagnostic>)> =
        files.iter().map(|f| (slashed(f), Vec::new())).collect();
    let mut index: std::collections::HashMap<String, usize> = cases
        .iter()
        .enumerate()
        .map(|(i, (n, _))| (n.clone(), i))
        .collect();
    for d in &validation.diagnostics {
        let name = path_text(d).unwrap_or_else(|| "portfolio".to_owned());
        match index.get(&name) {
            Some(&i) => cases[i].1.push(d),
            None => {
                index.insert(name.clone(), cases.len());
                cases.push((name, vec![d]));
            }
        }
    }

    let failures = cases
        .iter()
        .filter(|(_, ds)| ds.iter().any(|d| d.is_error()))
        .count();
    let tests = cases.len().to_string();
    let failures = failures.to_string();

    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let emit = |w: &mut Writer<Vec<u8>>, e: Event<'_>| w.write_event(e);
    emit(
        &mut w,
        Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)),
    )?;
    let mut suites = BytesStart::new("testsuites");
    suites.push_attribute(("name", "insats validate"));
    suites.push_attribute(("tests", tests.as_str()));
    suites.push_attribute(("failures", failures.as_str()));
    emit(&mut w, Event::Start(suites))?;
    let mut suite = BytesStart::new("testsuite");
    suite.push_attribute(("name", "insats validate"));
    suite.push_attribute(("tests", tests.as_str()));
    suite.push_attribute(("failures", failures.as_str()));
    suite.push_attribute(("errors", "0"));
    suite.push_attribute(("skipped", "0"));
    emit(&mut w, Event::Start(suite))?;
    for (name, diags) in &cases {
        let mut case = BytesStart::new("testcase");
        case.push_attribute(("classname", "insats.validate"));
        let name = xml_text(name);
        case.push_attribute(("name", name.as_ref()));
        case.push_attribute(("file", name.as_ref()));
        if diags.is_empty() {
            emit(&mut w, Event::Empty(case))?;
            continue;
        }
        emit(&mut w, Event::Start(case))?;
        let mut warnings = String::new();
        let mut errors = String::new();
        for d in diags {
            let at = d
                .location
                .as_ref()
                .map(|l| format!("{name}:{}:{}: ", l.line, l.column))
                .unwrap_or_default();
            let body = format!("{at}{} [{}]", full_message(d), d.code.as_str());
            if d.is_error() {
                errors.push_str(&format!("error: {body}\n"));
            } else {
                warnings.push_str(&format!("warning: {body}\n"));
            }
        }
        // One failure per test case, listing every error: JUnit readers
        // keep only one (xunitparser keeps the last) or miscount several.
        let failing: Vec<&&Diagnostic> = diags.iter().filter(|d| d.is_error()).collect();
        if let Some(first) = failing.first() {
            let message = match failing.len() {
                1 => first.message.clone(),
                n => format!("{n} errors; the first: {}", first.message),
            };
            let mut failure = BytesStart::new("failure");
            failure.push_attribute(("type", first.code.as_str()));
            failure.push_attribute(("message", xml_text(&message).as_ref()));
            emit(&mut w, Event::Start(failure))?;
            emit(&mut w, Event::Text(BytesText::new(&xml_text(&errors))))?;
            emit(&mut w, Event::End(BytesEnd::new("failure")))?;
        }
        if !warnings.is_empty() {
            emit(&mut w, Event::Start(BytesStart::new("system-out")))?;
            emit(&mut w, Event::Text(BytesText::new(&xml_text(&warnings))))?;
            emit(&mut w, Event::End(BytesEnd::new("system-out")))?;
        }
        emit(&mut w, Event::End(BytesEnd::new("testcase")))?;
    }
    emit(&mut w, Event::End(BytesEnd::new("testsuite")))?;
    emit(&mut w, Event::End(BytesEnd::new("testsuites")))?;
    out.write_all(&w.into_inner())?;
    writeln!(out)
}

/// A `file:` URI of an absolute path, each segment percent-encoded.
fn url_of(path: &Path) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    let text = slashed(path);
    let encoded: Vec<String> = text
        .split('/')
        .map(|part| percent_encoding::utf8_percent_encode(part, SEGMENT).to_string())
        .collect();
    let joined = encoded.join("/");
    if joined.starts_with('/') {
        format!("file://{joined}")
    } else {
        // A Windows path (`C:/…`).
        format!("file:///{joined}")
    }
}

/// The address of insats's repository, once it is decided: Cargo.toml's
/// `repository` holds `OWNER` until then, and a link to that would lead
/// nowhere.
fn repository() -> Option<&'static str> {
    published(env!("CARGO_PKG_REPOSITORY"))
}

fn published(address: &str) -> Option<&str> {
    (address.starts_with("https://") && !address.contains("/OWNER/")).then_some(address)
}

/// SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
/// Its locations are relative to `root`, the repository's root, named by
/// the base id `SRCROOT`. Each rule carries its explanation (`help`), and,
/// once insats's address is known, a link to it in `docs/rules.md` at this
/// version (`helpUri`).
pub fn sarif(out: &mut impl Write, validation: &Validation, root: &Path) -> io::Result<()> {
    sarif_linking_to(out, validation, root, repository())
}

fn sarif_linking_to(
    out: &mut impl Write,
    validation: &Validation,
    root: &Path,
    repository: Option<&str>,
) -> io::Result<()> {
    // A URI path: every byte but the unreserved ones and `/` percent-encoded.
    const PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    let level = |s: Severity| match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let rules: Vec<serde_json::Value> = Code::ALL
        .iter()
        .map(|c| {
            let mut rule = json!({
                "id": c.as_str(),
                "name": c.name(),
                "shortDescription": { "text": c.summary() },
                "fullDescription": { "text": c.explanation() },
                "help": {
                    "text": format!("{}\n\nSee `insats explain {}`.", c.explanation(), c.as_str()),
                },
                "defaultConfiguration": { "level": level(c.default_severity()) },
            });
            if let Some(repository) = repository {
                rule["helpUri"] = json!(format!(
                    "{repository}/blob/v{}/docs/rules.md#{}",
                    env!("CARGO_PKG_VERSION"),
                    c.as_str().to_lowercase()
                ));
            }
            rule
        })
        .collect();
    let results: Vec<serde_json::Value> = validation
        .diagnostics
        .iter()
        .map(|d| {
            let mut result = json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0),
                "level": level(d.severity),
                "message": { "text": full_message(d) },
                "partialFingerprints": { "insats/v1": fingerprint(d) },
            });
            if let Some(l) = &d.location {
                let uri = percent_encoding::utf8_percent_encode(&path_text(d).unwrap_or_default(), PATH).to_string();
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri, "uriBaseId": "SRCROOT" },
                        "region": {
                            "startLine": l.line,
                            "startColumn": l.column,
                            "endLine": l.end_line,
                            "endColumn": l.end_column.max(if l.end_line == l.line { l.column + 1 } else { 1 }),
                        },
                    },
                }]);
            }
            result
        })
        .collect();
    // A directory's URI ends in `/`, so that relative URIs resolve in it.
    let mut root_uri = url_of(root);
    if !root_uri.ends_with('/') {
        root_uri.push('/');
    }
    let mut driver =
        json!({ "name": "insats", "version": env!("CARGO_PKG_VERSION"), "rules": rules });
    if let Some(repository) = repository {
        driver["informationUri"] = json!(repository);
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": { "SRCROOT": { "uri": root_uri } },
            "results": results,
        }],
    });
    crate::render::write_json(out, &log)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_of(repository: Option<&str>) -> serde_json::Value {
        let mut sources = insats::SourceSet::new();
        sources.add(insats::SourceFile::new(
            "plan.toml",
            "[initiative]\nnmae = 1\n",
        ));
        let validation = insats::validate(&sources);
        let mut out = Vec::new();
        sarif_linking_to(&mut out, &validation, Path::new("/repo"), repository).unwrap();
        let log: serde_json::Value = serde_json::from_slice(&out).unwrap();
        log["runs"][0]["tool"]["driver"].clone()
    }

    /// With the repository's address, every rule links to its heading in
    /// docs/rules.md at this version, and the tool to the repository.
    #[test]
    fn rules_link_to_their_explanation_once_the_address_is_known() {
        let driver = rules_of(Some("https://github.com/kommun/insats"));
        assert_eq!(driver["informationUri"], "https://github.com/kommun/insats");
        let doc = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md"),
        )
        .unwrap();
        let rules = driver["rules"].as_array().unwrap();
        assert_eq!(rules.len(), Code::ALL.len());
        for rule in rules {
            let id = rule["id"].as_str().unwrap();
            let link = rule["helpUri"].as_str().unwrap();
            let expected = format!(
                "https://github.com/kommun/insats/blob/v{}/docs/rules.md#{}",
                env!("CARGO_PKG_VERSION"),
                id.to_lowercase()
            );
            assert_eq!(link, expected);
            // The heading the anchor names (GitHub lowercases it).
            assert!(doc.contains(&format!("\n## {id}\n")), "no heading for {id}");
        }
    }

    #[test]
    fn no_links_while_the_address_is_a_placeholder() {
        let driver = rules_of(None);
        assert!(driver.get("informationUri").is_none());
        assert!(driver["rules"][0].get("helpUri").is_none());
        assert_eq!(published("https://github.com/OWNER/insats"), None);
        assert_eq!(published(""), None);
        assert_eq!(
            published("https://github.com/kommun/insats"),
            Some("https://github.com/kommun/insats")
        );
    }
}
