//! The public API is kept stable on purpose: `public-api.txt` beside this
//! file lists every public item of the crate, and a change to the API
//! fails this test until the list is updated with it (run with
//! `INSATS_UPDATE_API=1`), so that the change is seen in review.
//!
//! rustdoc's JSON needs the nightly toolchain (`rustup toolchain install
//! nightly --profile minimal`; `.ci/run` installs it when missing).

use std::path::Path;

#[test]
fn the_public_api_is_the_committed_one() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let json = rustdoc_json::Builder::default()
        .toolchain("nightly")
        .manifest_path(manifest.join("Cargo.toml"))
        // Its own directory, so that the nightly build does not rebuild
        // the stable one's files.
        .target_dir(manifest.join("../../target/public-api"))
        .quiet(true)
        .build()
        .expect("rustdoc JSON with the nightly toolchain");
    let api = public_api::Builder::from_rustdoc_json(json)
        .omit_blanket_impls(true)
        .omit_auto_trait_impls(true)
        .omit_auto_derived_impls(true)
        .build()
        .expect("the public API from rustdoc's JSON");
    let current = api.to_string();
    let committed_path = manifest.join("tests/public-api.txt");
    if std::env::var_os("INSATS_UPDATE_API").is_some() {
        std::fs::write(&committed_path, &current).unwrap();
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    if committed != current {
        let old: Vec<&str> = committed.lines().collect();
        let new: Vec<&str> = current.lines().collect();
        let removed: Vec<&&str> = old.iter().filter(|l| !new.contains(l)).collect();
        let added: Vec<&&str> = new.iter().filter(|l| !old.contains(l)).collect();
        panic!(
            "the public API changed; if that is meant, run with INSATS_UPDATE_API=1 and commit crates/insats/tests/public-api.txt\nremoved:\n{removed:#?}\nadded:\n{added:#?}"
        );
    }
}
