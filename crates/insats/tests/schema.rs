//! The editor's schema that ships as text ([`insats::schema::JSON_SCHEMA`],
//! what `insats schema` prints and the loader's suggestions come from) is
//! the one derived from the serde types: a change to the format that
//! leaves the text behind fails here.
//!
//! `INSATS_UPDATE_SCHEMA=1 cargo test -p insats --test schema` writes the
//! derived schema over the committed text.
#![cfg(feature = "schema")]

use std::path::Path;

#[test]
fn the_committed_schema_is_the_derived_one() {
    let mut derived = serde_json::to_string_pretty(&insats::schema::json_schema()).unwrap();
    derived.push('\n');
    if std::env::var_os("INSATS_UPDATE_SCHEMA").is_some() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/schema/insats.schema.json");
        std::fs::write(path, &derived).unwrap();
        return;
    }
    // Line by line, so that a failure shows where they part.
    for (n, (committed, derived)) in insats::schema::JSON_SCHEMA
        .lines()
        .zip(derived.lines())
        .enumerate()
    {
        assert_eq!(
            committed,
            derived,
            "src/schema/insats.schema.json differs from the derived schema at line {}: \
             run `INSATS_UPDATE_SCHEMA=1 cargo test -p insats --test schema`",
            n + 1
        );
    }
    assert_eq!(
        insats::schema::JSON_SCHEMA.len(),
        derived.len(),
        "src/schema/insats.schema.json and the derived schema differ in length: \
         run `INSATS_UPDATE_SCHEMA=1 cargo test -p insats --test schema`"
    );
}
