//! Any text as a heading and a table cell of the Markdown report, escaped
//! as the writer escapes it (`insats::printable::markdown_text`), read back
//! by pulldown-cmark: one heading, one table of one column, no HTML, link,
//! image, code or emphasis, and the text shown as written (visible
//! stand-ins for control characters; a cell's outer spaces are trimmed by
//! CommonMark itself).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

fuzz_target!(|text: &str| {
    let cell = insats::printable::markdown_text(text);
    let doc = format!("# {cell}\n\n| h |\n|---|\n| {cell} |\n");
    let mut headings = 0;
    let mut tables = 0;
    let mut cells = 0;
    let mut shown = Vec::new();
    let mut current = String::new();
    for event in Parser::new_ext(&doc, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { .. }) => headings += 1,
            Event::Start(Tag::Table(_)) => tables += 1,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::Heading(_) | TagEnd::TableCell) => {
                shown.push(std::mem::take(&mut current))
            }
            Event::Text(t) => current.push_str(&t),
            Event::Start(Tag::Paragraph | Tag::TableHead | Tag::TableRow) | Event::End(_) => {}
            other => panic!("{other:?} from {text:?}:\n{doc}"),
        }
    }
    assert_eq!((headings, tables, cells), (1, 1, 2), "{text:?}:\n{doc}");
    let expected = insats::printable::printable(text);
    let expected = expected.trim_matches(' ');
    assert_eq!(shown, [expected, "h", expected], "{text:?}:\n{doc}");
});
