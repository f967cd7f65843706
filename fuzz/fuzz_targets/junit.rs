//! Any text as a JUnit failure's message (an attribute) and body (text),
//! made XML-safe as the writer makes it (`insats::printable::xml_text`) and
//! written with quick-xml as the writer writes it: a strict XML 1.0 parser
//! (roxmltree) must accept the document and read the text back as written,
//! after XML's own normalisation of line ends and attribute white space.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quick_xml::Writer;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};

fuzz_target!(|text: &str| {
    let safe = insats::printable::xml_text(text);
    let mut w = Writer::new(Vec::new());
    let mut failure = BytesStart::new("failure");
    failure.push_attribute(("message", safe.as_ref()));
    w.write_event(Event::Start(failure)).unwrap();
    w.write_event(Event::Text(BytesText::new(&safe))).unwrap();
    w.write_event(Event::End(BytesEnd::new("failure"))).unwrap();
    let xml = String::from_utf8(w.into_inner()).unwrap();
    let doc = roxmltree::Document::parse(&xml)
        .unwrap_or_else(|e| panic!("{e}: {text:?}\n{xml}"));
    let root = doc.root_element();
    let body = safe.replace("\r\n", "\n").replace('\r', "\n");
    assert_eq!(root.text().unwrap_or(""), body, "{text:?}");
    // Line ends are normalised first, then each white-space character of
    // an attribute becomes a space (XML 1.0, 2.11 and 3.3.3).
    let attribute: String = body
        .chars()
        .map(|c| if matches!(c, '\t' | '\n' | '\r') { ' ' } else { c })
        .collect();
    assert_eq!(root.attribute("message"), Some(attribute.as_str()), "{text:?}");
});
