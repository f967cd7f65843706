//! Making text from plan files and ledger exports safe to show to a person.
//!
//! Every piece of text a user wrote (a name, a key, a file name, a ledger
//! row) can reach a terminal, a CI log or a Markdown memo. Written there as
//! it is, a control character does what it was made for: ESC starts a
//! sequence that clears the screen or plants a hyperlink, a line break
//! starts a new line that a CI runner reads as a command (GitHub Actions
//! runs `::add-mask::` and `::error` at the start of any line of a job's
//! output). So text for people goes through [`printable`] first; data
//! formats (JSON, SARIF, CSV, XML) keep the exact text and escape it by
//! their own rules.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal or log as it is: C0 controls
/// (line breaks and tab included), DEL, C1 controls (U+0080 to U+009F: some
/// terminals take U+009B as the start of a control sequence, as ESC `[`),
/// the bidirectional overrides and isolates that can make text read other
/// than it is stored, and the Unicode line and paragraph separators.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{2028}'
        | '\u{2029}')
}

/// The visible stand-in for an unsafe character: the Unicode control
/// picture for C0 controls and DEL (`␛` for ESC, `␊` for a line feed, as
/// rustc and annotate-snippets show them in excerpts), and `<U+XXXX>` for
/// the others.
fn stand_in(c: char, out: &mut String) {
    match c {
        '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}')),
        '\u{7f}' => out.push('\u{2421}'),
        _ => out.push_str(&format!("<U+{:04X}>", c as u32)),
    }
}

/// `text` with every [unsafe](is_unsafe) character replaced by a visible
/// stand-in, so that it is shown on one line and nothing in it acts on the
/// terminal. Borrowed when there is nothing to replace (the common case).
///
/// ```
/// use insats::printable::printable;
/// assert_eq!(printable("Skola B"), "Skola B");
/// assert_eq!(printable("a\u{1b}[2Jb\n::error::x"), "a␛[2Jb␊::error::x");
/// assert_eq!(printable("\u{9b}31m"), "<U+009B>31m");
/// ```
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            stand_in(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` for a Markdown table cell or heading: [`printable`], then every
/// character that could open markup (emphasis, code, links and images,
/// HTML, entities, a heading's closing `#`, strikethrough, a table's `|`)
/// escaped with a backslash, which CommonMark allows before any ASCII
/// punctuation. A CommonMark (and GitHub) renderer then shows the text as
/// written.
///
/// ```
/// use insats::printable::markdown_text;
/// assert_eq!(markdown_text("Skola B (åk 9)"), "Skola B (åk 9)");
/// assert_eq!(markdown_text("a|b [x](y) <i>"), "a\\|b \\[x\\](y) \\<i\\>");
/// ```
pub fn markdown_text(text: &str) -> String {
    let text = printable(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '#' | '!' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `text` as XML 1.0 can hold it: the characters it forbids (C0 controls
/// other than tab and line feed; U+FFFE and U+FFFF) are replaced by visible
/// stand-ins, so that no message can make a document ill-formed. A carriage
/// return, which XML allows but parsers turn into a line feed or keep as
/// they see fit, is shown as `␍` too. Markup (`<`, `&`) is left to the XML
/// writer to escape.
pub fn xml_text(text: &str) -> Cow<'_, str> {
    let forbidden =
        |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if !text.chars().any(forbidden) {
        return Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
            c if forbidden(c) => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
            c => c,
        })
        .collect::<String>()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unsafe_character_becomes_visible_and_nothing_else_changes() {
        for c in (0u32..=0x3000).filter_map(char::from_u32) {
            let shown = printable(&c.to_string()).into_owned();
            if is_unsafe(c) {
                assert!(!shown.chars().any(is_unsafe), "{c:?} -> {shown:?}");
                assert_ne!(shown, c.to_string());
            } else {
                assert_eq!(shown, c.to_string());
            }
        }
    }

    #[test]
    fn the_stand_ins_are_the_control_pictures() {
        assert_eq!(printable("\u{0}\u{7}\t\n\r\u{1b}\u{7f}"), "␀␇␉␊␍␛␡");
        assert_eq!(
            printable("\u{85}\u{202e}\u{2028}"),
            "<U+0085><U+202E><U+2028>"
        );
    }
}
