// taplo's language server as Even Better TOML runs it: the `@taplo/lsp`
// package (the server compiled to WebAssembly) in Node.js. The extension
// talks to it over Node's IPC channel; this host speaks the Language
// Server Protocol over standard input and output instead, so that a test
// drives it like any editor (tests/editor.rs).
//
// The package is looked up in the directory `TAPLO_MODULES` names (a
// node_modules folder). The server reads files, and nothing else: schema
// catalogs and remote schemas fail at once, as on a machine offline.

import fs from "node:fs";
import fsPromises from "node:fs/promises";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(path.join(process.env.TAPLO_MODULES, "/"));
const { TaploLsp } = require("@taplo/lsp");

function send(message) {
  const body = Buffer.from(JSON.stringify(message), "utf8");
  process.stdout.write(`Content-Length: ${body.length}\r\n\r\n`);
  process.stdout.write(body);
}

// The server fetches schema catalogs with the global fetch, whatever the
// environment below offers; the tests never reach the network.
const offline = () => Promise.reject(new Error("the tests do not reach the network"));
globalThis.fetch = offline;

const server = await TaploLsp.initialize(
  {
    cwd: () => process.cwd(),
    envVar: (name) => process.env[name],
    envVars: () => Object.entries(process.env),
    findConfigFile: (from) =>
      [".taplo.toml", "taplo.toml"]
        .map((name) => path.join(from, name))
        .find((candidate) => fs.existsSync(candidate)),
    glob: () => [],
    isAbsolute: (p) => path.isAbsolute(p),
    now: () => new Date(),
    readFile: (p) => fsPromises.readFile(p),
    writeFile: (p, bytes) => fsPromises.writeFile(p, bytes),
    stderr: process.stderr,
    stdErrAtty: () => false,
    stdin: process.stdin,
    stdout: process.stdout,
    urlToFilePath: (url) => decodeURIComponent(url.slice("file://".length)),
    fetch: { fetch: offline, Headers, Request, Response },
  },
  { onMessage: send },
);

// Messages arrive as `Content-Length: n` headers, a blank line and n bytes
// of JSON, possibly split across reads or several in one.
let pending = Buffer.alloc(0);
process.stdin.on("data", (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  for (;;) {
    const headerEnd = pending.indexOf("\r\n\r\n");
    if (headerEnd < 0) return;
    const header = pending.subarray(0, headerEnd).toString("ascii");
    const length = Number(/content-length: *(\d+)/i.exec(header)?.[1]);
    const start = headerEnd + 4;
    if (!Number.isFinite(length) || pending.length < start + length) return;
    const message = JSON.parse(pending.subarray(start, start + length).toString("utf8"));
    pending = pending.subarray(start + length);
    if (message.method === "exit") process.exit(0);
    server.send(message);
  }
});
process.stdin.on("end", () => process.exit(0));
