//! taplo's language server as an editor drives it, for `tests/editor.rs`:
//! the client side of the Language Server Protocol over standard input and
//! output, talking to `taplo-lsp.mjs` beside this file.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository's root, where the host script and the npm packages are.
fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// taplo's language server as Even Better TOML runs it (`@taplo/lsp`, the
/// server compiled to WebAssembly, in Node.js), hosted over standard input
/// and output by `tests/common/taplo-lsp.mjs`: what an editor asks it, and
/// what it answers.
pub struct LanguageServer {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    messages: std::sync::mpsc::Receiver<serde_json::Value>,
    next_id: u64,
    /// The notifications received so far (diagnostics among them).
    notifications: Vec<serde_json::Value>,
}

impl LanguageServer {
    /// The server with `root` as its workspace, or `None` where the
    /// package is not installed (as for the `taplo` program in
    /// `tests/editor.rs`).
    pub fn start(root: &Path) -> Option<LanguageServer> {
        let modules = std::env::var_os("INSATS_TAPLO_MODULES")
            .map(PathBuf::from)
            .unwrap_or_else(|| repository().join("target/taplo/node_modules"));
        if !modules.join("@taplo/lsp/package.json").is_file() {
            assert!(
                std::env::var_os("INSATS_REQUIRE_TAPLO").is_none(),
                "taplo's language server is required (INSATS_REQUIRE_TAPLO) but {} has no @taplo/lsp",
                modules.display()
            );
            eprintln!("@taplo/lsp not found: the language server checks are not run");
            return None;
        }
        let mut child = Command::new("node")
            .arg(repository().join("tests/common/taplo-lsp.mjs"))
            .env("TAPLO_MODULES", &modules)
            .env("RUST_LOG", "off")
            .current_dir(root)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("node runs taplo's language server");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let (sender, messages) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::{BufRead, Read};
            loop {
                let mut length = None;
                loop {
                    let mut header = String::new();
                    if stdout.read_line(&mut header).unwrap_or(0) == 0 {
                        return;
                    }
                    let header = header.trim_end();
                    if header.is_empty() {
                        break;
                    }
                    if let Some((name, value)) = header.split_once(':')
                        && name.eq_ignore_ascii_case("content-length")
                    {
                        length = value.trim().parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                if stdout.read_exact(&mut body).is_err() {
                    return;
                }
                let message = serde_json::from_slice(&body).expect("a JSON-RPC message");
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        let mut server = LanguageServer {
            child,
            stdin,
            messages,
            next_id: 1,
            notifications: Vec::new(),
        };
        let root_uri = file_uri(root);
        server.request(
            "initialize",
            serde_json::json!({
                "processId": null,
                "rootUri": root_uri,
                "workspaceFolders": [{ "uri": root_uri, "name": "plans" }],
                "capabilities": {
                    "textDocument": {
                        "hover": { "contentFormat": ["markdown"] },
                        "completion": { "completionItem": { "snippetSupport": false } }
                    }
                }
            }),
        );
        server.notify("initialized", serde_json::json!({}));
        Some(server)
    }

    fn write(&mut self, message: &serde_json::Value) {
        use std::io::Write;
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: serde_json::Value) {
        self.write(&serde_json::json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The answer to a request, answering the server's own requests on the
    /// way: its settings are the defaults without schema catalogs (they
    /// would be fetched from the network).
    pub fn request(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        let id = self.next_id;
        self.next_id += 1;
        self.write(&serde_json::json!({
            "jsonrpc": "2.0", "id": id, "method": method, "params": params
        }));
        loop {
            let message = self
                .messages
                .recv_timeout(std::time::Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("no answer to {method} within a minute"));
            match (message.get("id"), message.get("method")) {
                (Some(answer), None) if answer == id => {
                    assert!(message.get("error").is_none(), "{method}: {message}");
                    return message["result"].clone();
                }
                (Some(asked), Some(what)) => {
                    let result = if what == "workspace/configuration" {
                        let items = message["params"]["items"].as_array().map_or(0, Vec::len);
                        serde_json::json!(vec![
                            serde_json::json!({ "schema": { "catalogs": [] } });
                            items
                        ])
                    } else {
                        serde_json::Value::Null
                    };
                    let asked = asked.clone();
                    self.write(
                        &serde_json::json!({ "jsonrpc": "2.0", "id": asked, "result": result }),
                    );
                }
                (None, Some(_)) => self.notifications.push(message),
                _ => {}
            }
        }
    }

    /// Opens `path` with `text` as an editor does; its URI.
    pub fn open(&mut self, path: &Path, text: &str) -> String {
        let uri = file_uri(path);
        self.notify(
            "textDocument/didOpen",
            serde_json::json!({
                "textDocument": { "uri": uri, "languageId": "toml", "version": 1, "text": text }
            }),
        );
        uri
    }

    /// The problems the editor underlines in `uri`: the first non-empty
    /// list the server publishes for it (after opening it, the server
    /// publishes once before the schema is read, empty). The server works
    /// when a message reaches it, so it is asked something meanwhile.
    pub fn diagnostics(&mut self, uri: &str) -> Vec<serde_json::Value> {
        for _ in 0..120 {
            let found = self.notifications.iter().rev().find_map(|n| {
                (n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri)
                    .then(|| {
                        n["params"]["diagnostics"]
                            .as_array()
                            .cloned()
                            .unwrap_or_default()
                    })
                    .filter(|d| !d.is_empty())
            });
            if let Some(found) = found {
                return found;
            }
            self.request(
                "textDocument/foldingRange",
                serde_json::json!({ "textDocument": { "uri": uri } }),
            );
            std::thread::sleep(std::time::Duration::from_millis(250));
        }
        panic!("no problems published for {uri} within half a minute");
    }

    /// A request about one place in a document (line and column from 0).
    fn at(&mut self, method: &str, uri: &str, line: usize, character: usize) -> serde_json::Value {
        self.request(
            method,
            serde_json::json!({
                "textDocument": { "uri": uri },
                "position": { "line": line, "character": character }
            }),
        )
    }

    /// The hover text at a line and column, if any.
    pub fn hover(&mut self, uri: &str, line: usize, character: usize) -> Option<String> {
        let result = self.at("textDocument/hover", uri, line, character);
        result["contents"]["value"].as_str().map(str::to_owned)
    }

    /// The labels of the completions offered at a line and column.
    pub fn completion(&mut self, uri: &str, line: usize, character: usize) -> Vec<String> {
        let result = self.at("textDocument/completion", uri, line, character);
        let items = result.get("items").unwrap_or(&result);
        items
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i["label"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for LanguageServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `file://` URI for an absolute path, with what a URI cannot hold
/// percent-encoded.
fn file_uri(path: &Path) -> String {
    let path = std::path::absolute(path).unwrap();
    let mut uri = String::from("file://");
    for byte in path.to_str().unwrap().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}
