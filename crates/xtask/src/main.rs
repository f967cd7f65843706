//! `cargo xtask web [--out DIR]`: builds the browser page, one HTML file
//! that holds its style, its script and the WebAssembly module, so that it
//! opens from a file share with nothing else (web/README.md).
//!
//! The steps: the `insats-web` crate is built for `wasm32-unknown-unknown`
//! in release; wasm-bindgen's generator (this crate's dependency, at the
//! version Cargo.lock pins for the module too) writes the JavaScript glue;
//! `web/index.html` gets the style sheet, the glue and `web/app.js` inline,
//! the module as base64, and a Content-Security-Policy that allows exactly
//! those two scripts (by their SHA-256) and no network request at all.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use base64::Engine as _;
use sha2::Digest as _;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("web") => parse_out(&args[1..]).and_then(|out| web(&out)),
        _ => Err(
            "usage: cargo xtask web [--out DIR]   (builds DIR/insats.html; default target/web)"
                .to_owned(),
        ),
    };
    match result {
        Ok(path) => {
            eprintln!("wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("error: {why}");
            ExitCode::FAILURE
        }
    }
}

fn parse_out(args: &[String]) -> Result<PathBuf, String> {
    match args {
        [] => Ok(workspace().join("target/web")),
        [flag, dir] if flag == "--out" => Ok(PathBuf::from(dir)),
        _ => Err(format!("unexpected arguments: {}", args.join(" "))),
    }
}

fn workspace() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

fn web(out: &Path) -> Result<PathBuf, String> {
    let root = workspace();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(&root)
        .args([
            "build",
            "--locked",
            "--release",
            "-p",
            "insats-web",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("building the WebAssembly module failed (is the target installed? `rustup target add wasm32-unknown-unknown`)".to_owned());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let module = target.join("wasm32-unknown-unknown/release/insats_web.wasm");

    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    let mut output = bindgen
        .input_path(&module)
        .no_modules(true)
        .map_err(|e| e.to_string())?
        .typescript(false)
        .remove_name_section(true)
        .remove_producers_section(true)
        .generate_output()
        .map_err(|e| format!("wasm-bindgen: {e}"))?;
    let glue = output.js().to_owned();
    let wasm = output.wasm_mut().emit_wasm();

    let read = |name: &str| {
        std::fs::read_to_string(root.join("web").join(name))
            .map_err(|e| format!("cannot read web/{name}: {e}"))
    };
    let page = assemble(
        &read("index.html")?,
        &read("style.css")?,
        &glue,
        &read("app.js")?,
        &wasm,
    )?;
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let path = out.join("insats.html");
    std::fs::write(&path, page).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// The page: the template's `{{…}}` slots filled. A slot's text is put in
/// once, in order, so a `{{` inside the glue or the module is never read as
/// a slot. The script's slot is the whole content of its element, as the
/// policy's hash must cover exactly that.
fn assemble(
    template: &str,
    style: &str,
    glue: &str,
    app: &str,
    wasm: &[u8],
) -> Result<String, String> {
    let script = format!("{glue}\n{app}");
    for (name, text) in [("style", style), ("script", script.as_str())] {
        if text.to_ascii_lowercase().contains("</s") {
            return Err(format!(
                "the {name} holds `</s`, which would end its element early"
            ));
        }
    }
    let hash = |text: &str| {
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(text.as_bytes()))
    };
    let policy = format!(
        "default-src 'none'; script-src 'sha256-{}' 'wasm-unsafe-eval'; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'",
        hash(&script)
    );
    let module = base64::engine::general_purpose::STANDARD.encode(wasm);
    let mut page = String::with_capacity(template.len() + module.len() + script.len());
    let mut rest = template;
    for (slot, text) in [
        ("{{policy}}", policy.as_str()),
        ("{{style}}", style),
        ("{{module}}", module.as_str()),
        ("{{script}}", script.as_str()),
    ] {
        let at = rest
            .find(slot)
            .ok_or_else(|| format!("web/index.html has no {slot} (after the slots before it)"))?;
        page.push_str(&rest[..at]);
        page.push_str(text);
        rest = &rest[at + slot.len()..];
    }
    page.push_str(rest);
    Ok(page)
}
