//! User text reaches every output, and none may be turned against its
//! reader: hostile names, keys, ids and file names go through the real
//! binary, and each output is read the way its reader reads it (a terminal,
//! a GitHub Actions runner, a CommonMark renderer, an XML 1.0 parser).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Everything at once: an OSC 8 hyperlink, a screen clear, line breaks
/// followed by GitHub workflow commands, a C1 CSI, a bidi override,
/// Markdown table, link, image and HTML syntax, and the two characters XML
/// 1.0 forbids. Written as TOML escapes.
const HOSTILE_TOML: &str = r"\u001b]8;;http://evil\u0007link\u001b]8;;\u0007\u001b[2J\n::add-mask::s\r\n::error file=a::pwn\u009b31m\u202e|x[y](javascript:alert(1))<img src=x onerror=alert(1)>\ufffe\uffff # *b* `c` &amp;";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn insats(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_insats"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run insats")
}

/// The report fixture with hostile text in every free-text field a report
/// shows: the portfolio's, initiative's and line's names, the organisation,
/// and a spending text.
fn hostile_portfolio() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixture = root().join("tests/fixtures/report/basic");
    let plan = std::fs::read_to_string(fixture.join("plan.toml"))
        .unwrap()
        .replace(
            "name = \"Rapportexempel\"",
            &format!("name = \"{HOSTILE_TOML}\""),
        )
        .replace(
            "organisation = \"Exempel kommun\"",
            &format!("organisation = \"{HOSTILE_TOML}\""),
        )
        .replace("name = \"Personal\"", &format!("name = \"{HOSTILE_TOML}\""));
    std::fs::write(dir.path().join("plan.toml"), plan).unwrap();
    std::fs::copy(
        fixture.join("followup.toml"),
        dir.path().join("followup.toml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("portfolio.toml"),
        format!("[portfolio]\nname = \"{HOSTILE_TOML}\"\n"),
    )
    .unwrap();
    dir
}

/// A portfolio with errors whose messages, notes and help quote hostile
/// text: an unknown key, an unknown funding source, and a file whose name
/// holds a line break, ESC and a workflow command.
fn hostile_errors() -> tempfile::TempDir {
    let dir = hostile_portfolio();
    let plan = std::fs::read_to_string(dir.path().join("plan.toml"))
        .unwrap()
        .replace(
            "status = \"active\"",
            &format!("status = \"active\"\n\"{HOSTILE_TOML}\" = 1"),
        )
        .replacen(
            "{ source = \"kommunen\", share_percent = 10 }",
            &format!("{{ source = \"{HOSTILE_TOML}\", share_percent = 10 }}"),
            1,
        );
    std::fs::write(dir.path().join("plan.toml"), plan).unwrap();
    std::fs::write(
        dir.path()
            .join("evil\n::error file=a::pwn\u{1b}[2J\u{9b}0m.toml"),
        "[portfolio]\nnmae = 1\n",
    )
    .unwrap();
    dir
}

/// The checks a terminal and a CI log need: no control character but line
/// breaks and the colour sequences insats writes itself (`ESC [ … m`), and
/// no line that starts, after white space, with `::`.
fn assert_terminal_safe(output: &str) {
    let mut rest = output;
    let mut plain = String::new();
    while let Some(at) = rest.find('\u{1b}') {
        plain.push_str(&rest[..at]);
        let seq = &rest[at + 1..];
        let body = seq
            .strip_prefix('[')
            .unwrap_or_else(|| panic!("an ESC not starting a CSI: {:?}", &rest[at..]));
        let end = body
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(body.len());
        assert!(
            body[end..].starts_with('m'),
            "a control sequence other than colour: {:?}",
            &rest[at..(at + 12).min(rest.len())]
        );
        rest = &body[end + 1..];
    }
    plain.push_str(rest);
    for c in plain.chars() {
        assert!(
            c == '\n' || !insats::printable::is_unsafe(c),
            "{c:?} reached the output:\n{plain}"
        );
    }
    for line in plain.lines() {
        // ` ::: path` is the renderer's own marker of an excerpt from a
        // second file (as rustc writes it); a runner reads its command name
        // as `:`, which is no command.
        let line = line.trim_start();
        let line = line.strip_prefix("::: ").unwrap_or(line);
        assert!(
            !line.starts_with("::"),
            "a line a CI runner would obey: {line:?}"
        );
    }
    // The hostile text did arrive, visibly, so the check above is not
    // passing on an output that simply left it out.
    assert!(plain.contains('␛') || plain.contains("<U+"), "{plain}");
}

#[test]
fn validate_shows_hostile_text_without_obeying_it() {
    let dir = hostile_errors();
    let out = insats(dir.path(), &["--color", "always", "validate", "."]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("::add-mask::"), "{text}");
    assert_terminal_safe(&text);
    // The unknown key, its `note: key:` line, the unknown source with its
    // did-you-mean, and the file name in `-->`.
    assert!(text.contains("error[INS101]"), "{text}");
    assert!(
        text.contains("evil␊::error file=a::pwn␛[2J<U+009B>0m.toml"),
        "{text}"
    );
}

#[test]
fn github_annotations_are_one_line_each_whatever_the_text() {
    let dir = hostile_errors();
    let json = insats(dir.path(), &["validate", "--format", "json", "."]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert!(diagnostics.len() >= 3, "{json}");
    // One annotation per diagnostic, and a notice per related place.
    let count: usize = diagnostics
        .iter()
        .map(|d| 1 + d["related"].as_array().map_or(0, Vec::len))
        .sum();
    assert!(count > diagnostics.len(), "a related place: {json}");

    let out = insats(dir.path(), &["validate", "--format", "github", "."]);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), count, "{text}");
    for line in &lines {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line:?}"
        );
        assert!(!line.chars().any(insats::printable::is_unsafe), "{line:?}");
    }
}

#[test]
fn junit_stays_well_formed_xml_with_characters_xml_forbids() {
    let dir = hostile_errors();
    let out = insats(dir.path(), &["validate", "--format", "junit", "."]);
    let text = String::from_utf8(out.stdout).unwrap();
    let doc = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("not well-formed XML 1.0: {e}\n{text}"));
    let failures: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    assert!(!failures.is_empty());
    assert!(
        failures
            .iter()
            .any(|f| f.text().unwrap_or("").contains("javascript:alert(1)")),
        "{text}"
    );
    // What XML forbids is shown, not dropped or garbled: ESC and BEL as
    // their control pictures, U+FFFE and U+FFFF as U+FFFD, CR as ␍.
    let shown: String = failures.iter().filter_map(|f| f.text()).collect();
    for expected in ["␛]8;;http://evil␇link", "␍", "\u{fffd}\u{fffd} # *b*"] {
        assert!(shown.contains(expected), "{expected:?} not in {shown:?}");
    }
    assert!(!text.contains('\u{1b}'), "{text}");
}

#[test]
fn report_tables_show_hostile_names_without_obeying_them() {
    let dir = hostile_portfolio();
    let out = insats(
        dir.path(),
        &["--color", "always", "report", ".", "--as-of", "2024-03-31"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_terminal_safe(&String::from_utf8(out.stdout).unwrap());
}

#[test]
fn markdown_report_renders_hostile_text_as_text() {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let dir = hostile_portfolio();
    let out = insats(
        dir.path(),
        &[
            "report",
            ".",
            "--as-of",
            "2024-03-31",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "{text}");

    let mut headings = 0;
    let mut header_cells = 0;
    let mut cells = 0;
    let mut in_head = false;
    let mut plain = String::new();
    for event in Parser::new_ext(&text, Options::ENABLE_TABLES) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => panic!("HTML in the report: {h:?}"),
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                panic!("a link in the report: {dest_url}")
            }
            Event::Start(Tag::Heading { .. }) => headings += 1,
            Event::Start(Tag::TableHead) => {
                in_head = true;
                header_cells = 0;
            }
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => cells = 0,
            Event::Start(Tag::TableCell) if in_head => header_cells += 1,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableRow) => assert_eq!(cells, header_cells, "{text}"),
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough) => {
                panic!("emphasis from user text:\n{text}")
            }
            Event::Code(c) => panic!("code from user text: {c}"),
            Event::Text(t) => plain.push_str(&t),
            _ => {}
        }
    }
    // The title and the eight sections (portfolio, initiatives, lines,
    // years, funding, funding years, targets, findings): a line break in
    // the portfolio's name must not add a heading.
    assert_eq!(headings, 9, "{text}");
    // The hostile text reads as written, every markup character kept.
    assert!(
        plain.contains("|x[y](javascript:alert(1))<img src=x onerror=alert(1)>"),
        "{plain}"
    );
    assert!(plain.contains("# *b* `c` &amp;"), "{plain}");
}

/// A raw C1 control (U+009B, which some terminals take as ESC `[`) is
/// valid in a TOML string, so it reaches excerpts as written. It is shown
/// as U+FFFD, one byte longer, and the underline of a later span on the
/// same line must still stand under that span.
#[test]
fn a_raw_c1_control_in_an_excerpt_is_replaced_and_the_underline_still_fits() {
    let dir = hostile_portfolio();
    let plan = std::fs::read_to_string(dir.path().join("plan.toml"))
        .unwrap()
        .replace(
            "status = \"active\"",
            "status = \"active\"\ndecision = { body = \"\u{9b}2J Nämnden\", datum = 2024-01-10, date = 2024-01-10 }",
        );
    std::fs::write(dir.path().join("plan.toml"), plan).unwrap();
    let out = insats(dir.path(), &["--color", "never", "validate", "."]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{9b}'), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("decision = { body = \"\u{fffd}2J Nämnden\""))
        .unwrap_or_else(|| panic!("{text}"));
    let column = |line: &str, needle: &str| line[..line.find(needle).unwrap()].chars().count();
    assert_eq!(
        column(lines[at], "datum"),
        column(lines[at + 1], "^^^^^"),
        "{}\n{}",
        lines[at],
        lines[at + 1]
    );
}
