// The page's own script: reads the chosen folder, hands its files to the
// WebAssembly module (the insats core) and shows what comes back. It makes
// no network request; the page's Content-Security-Policy forbids every one.
"use strict";

const WORDS = {
  sv: {
    title: "insats – kontroll och rapport",
    privacy: "Allt körs här i webbläsaren. Inga filer lämnar datorn: sidan får inte göra några nätverksanrop.",
    choose: "Välj portföljens mapp",
    drop: "…eller släpp mappen här",
    asOf: "Rapport per",
    loading: "Startar…",
    ready: "Välj mappen med planfilerna (och bokföringsexporterna).",
    reading: "Läser {n} filer…",
    checking: "Kontrollerar {n} filer…",
    problems: "Kontroll",
    noProblems: "Inga problem.",
    errorsFirst: "Portföljen har fel. Rätta dem innan du tar fram en rapport.",
    report: "Rapport",
    downloads: "Ladda ned",
    html: "Rapport (HTML)",
    xlsx: "Rapport (Excel)",
    csv: "Tabell (CSV)",
    json: "Rapport (JSON)",
    diagnostics: "Kontrollresultat (JSON)",
    failed: "Något gick fel: {why}",
    noFiles: "Mappen innehåller inga filer.",
    clean: "{files} filer kontrollerade ({plans} planer): inga problem.",
    found: "{errors} fel och {warnings} {warningWord} i {with} av {files} filer.",
    error: ["fel", "fel"],
    warning: ["varning", "varningar"],
    inEnglish: "Meddelandena är på engelska, som i kommandoradsverktyget.",
  },
  en: {
    title: "insats – check and report",
    privacy: "Everything runs here in the browser. No file leaves this computer: the page may not make any network request.",
    choose: "Choose the portfolio's folder",
    drop: "…or drop the folder here",
    asOf: "Report as of",
    loading: "Starting…",
    ready: "Choose the folder with the plan files (and the ledger exports).",
    reading: "Reading {n} files…",
    checking: "Checking {n} files…",
    problems: "Check",
    noProblems: "No problems.",
    errorsFirst: "The portfolio has errors. Fix them before a report.",
    report: "Report",
    downloads: "Download",
    html: "Report (HTML)",
    xlsx: "Report (Excel)",
    csv: "Table (CSV)",
    json: "Report (JSON)",
    diagnostics: "Check results (JSON)",
    failed: "Something went wrong: {why}",
    noFiles: "The folder holds no files.",
    clean: "{files} files checked ({plans} plans): no problems.",
    found: "{errors} {errorWord} and {warnings} {warningWord} in {with} of {files} files.",
    error: ["error", "errors"],
    warning: ["warning", "warnings"],
    inEnglish: "",
  },
};

const page = {
  // The first of the browser's languages that the page has; else Swedish.
  lang: (navigator.languages || [navigator.language || ""])
    .map((l) => l.toLowerCase().slice(0, 2))
    .find((l) => l === "sv" || l === "en") || "sv",
  folder: null,
  diagnosticsJson: null,
  status: "loading",
  statusWords: {},
};
window.insatsPage = page;

const $ = (id) => document.getElementById(id);
const say = (key, values) => {
  let text = WORDS[page.lang][key];
  for (const [name, value] of Object.entries(values || {})) text = text.replace("{" + name + "}", value);
  return text;
};

function setStatus(key, values) {
  page.status = key;
  page.statusWords = values || {};
  $("status").textContent = say(key, values);
  document.body.dataset.state = key;
}

function showWords() {
  document.documentElement.lang = page.lang;
  document.title = say("title");
  for (const el of document.querySelectorAll("[data-words]")) el.textContent = say(el.dataset.words);
  for (const button of document.querySelectorAll(".lang button")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === page.lang));
  }
  setStatus(page.status, page.statusWords);
  showSummary();
}

function today() {
  const d = new Date();
  const two = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

// A pause, so that the browser paints the status before a long step.
const paint = () => new Promise((done) => setTimeout(done, 0));

// Whether a path lies in a hidden folder below the chosen one (`.git`):
// such a folder is skipped unread, as the command line skips it, since a
// repository's history can be far larger than the portfolio.
const hidden = (path) => path.split("/").slice(1, -1).some((part) => part.startsWith("."));

async function readFiles(chosen) {
  page.started = performance.now();
  const files = chosen.filter(({ path }) => !hidden(path));
  if (files.length === 0) {
    setStatus("noFiles");
    return;
  }
  // The plans first; then, of the other files, only the ledger exports
  // the plans declare, so that unrelated files (scans, video) stay unread.
  const byPath = new Map(files.map(({ path, file }) => [path, file]));
  const plans = files.filter(({ path }) => path.endsWith(".toml"));
  setStatus("reading", { n: plans.length });
  await paint();
  const folder = new wasm_bindgen.Folder();
  const add = async (path, file) => folder.add_file(path, new Uint8Array(await file.arrayBuffer()));
  for (const { path, file } of plans) await add(path, file);
  for (const path of folder.declared_exports()) {
    if (byPath.has(path) && !path.endsWith(".toml")) await add(path, byPath.get(path));
  }
  if (page.folder) page.folder.free();
  page.folder = folder;
  await check();
  // Choosing to report shown, in milliseconds (docs/performance.md).
  page.took = performance.now() - page.started;
}

async function check() {
  setStatus("checking", { n: page.folder.file_count() });
  await paint();
  page.diagnosticsJson = page.folder.validate();
  const list = $("diagnostic-list");
  list.replaceChildren();
  const shown = page.folder.shown_diagnostics();
  const isError = page.folder.diagnostic_is_error();
  shown.forEach((text, i) => {
    const pre = document.createElement("pre");
    pre.className = isError[i] ? "diagnostic error" : "diagnostic warning";
    pre.textContent = text;
    list.append(pre);
  });
  showSummary();
  $("check").hidden = false;
  await report();
}

// The summary line, in the page's language, from the diagnostics' JSON.
function showSummary() {
  if (!page.diagnosticsJson) return;
  const result = JSON.parse(page.diagnosticsJson);
  const withProblems = new Set(result.diagnostics.filter((d) => d.location).map((d) => d.location.file));
  const values = {
    files: result.files,
    plans: result.plan_files,
    errors: result.summary.errors,
    warnings: result.summary.warnings,
    with: withProblems.size,
  };
  const words = WORDS[page.lang];
  values.errorWord = words.error[result.summary.errors === 1 ? 0 : 1];
  values.warningWord = words.warning[result.summary.warnings === 1 ? 0 : 1];
  const problems = result.summary.errors + result.summary.warnings;
  $("summary").textContent = say(problems === 0 ? "clean" : "found", values);
  $("in-english").textContent = problems === 0 ? "" : say("inEnglish");
}

async function report() {
  const ok = page.folder && page.folder.can_report();
  $("report-part").hidden = !ok;
  $("errors-first").hidden = ok || !page.folder;
  if (!ok) {
    setStatus("done");
    return;
  }
  const asOf = $("as-of").value || today();
  $("report").srcdoc = page.folder.report_html(asOf, page.lang);
  const select = $("csv-table");
  const chosen = select.value || "lines";
  select.replaceChildren();
  for (const table of JSON.parse(page.folder.report_tables(asOf, page.lang))) {
    const option = document.createElement("option");
    option.value = table.key;
    option.textContent = table.title;
    option.selected = table.key === chosen;
    select.append(option);
  }
  setStatus("done");
}

function download(name, type, content) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// The files of a dropped folder. Chromium's File System Access handles
// first: its entries API cannot read a file dropped on a page opened from
// a file (as this page is, from a share), and fails with an EncodingError.
// Other browsers walk the entries API. Hidden folders below the dropped
// one (`.git`) are not walked, as `hidden` leaves their files out anyway.
// The items are valid only while the drop event runs, so both are taken
// from them before any await.
async function droppedFiles(items) {
  const files = [];
  const dropped = [...items].filter((item) => item.kind === "file");
  if (dropped.length > 0 && typeof dropped[0].getAsFileSystemHandle === "function") {
    const handles = dropped.map((item) => item.getAsFileSystemHandle());
    const walk = async (handle, path, below) => {
      if (handle.kind === "file") {
        files.push({ path, file: await handle.getFile() });
      } else if (!(below && handle.name.startsWith("."))) {
        for await (const child of handle.values()) await walk(child, `${path}/${child.name}`, true);
      }
    };
    for (const handle of await Promise.all(handles)) {
      if (handle) await walk(handle, handle.name, false);
    }
    return files;
  }
  const walk = async (entry, below) => {
    if (entry.isFile) {
      const file = await new Promise((ok, fail) => entry.file(ok, fail));
      files.push({ path: entry.fullPath.replace(/^\//, ""), file });
    } else if (entry.isDirectory && !(below && entry.name.startsWith("."))) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((ok, fail) => reader.readEntries(ok, fail));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, true);
      }
    }
  };
  const entries = dropped.map((item) => item.webkitGetAsEntry()).filter(Boolean);
  for (const entry of entries) await walk(entry, false);
  return files;
}

function guarded(step) {
  return async (...args) => {
    try {
      await step(...args);
    } catch (e) {
      setStatus("failed", { why: String(e && e.message ? e.message : e) });
    }
  };
}

function wire() {
  $("as-of").value = today();
  $("folder").addEventListener("change", guarded(async (event) => {
    const files = [...event.target.files].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
    await readFiles(files);
  }));
  const drop = $("drop");
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", guarded(async (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    await readFiles(await droppedFiles(event.dataTransfer.items));
  }));
  $("as-of").addEventListener("change", guarded(report));
  for (const button of document.querySelectorAll(".lang button")) {
    button.addEventListener("click", guarded(async () => {
      page.lang = button.dataset.lang;
      showWords();
      if (page.folder && page.diagnosticsJson) await report();
    }));
  }
  const asOf = () => $("as-of").value || today();
  const base = () => `insats-${asOf()}`;
  $("download-html").addEventListener("click", guarded(() =>
    download(`${base()}.html`, "text/html", page.folder.report_html(asOf(), page.lang))));
  $("download-xlsx").addEventListener("click", guarded(() =>
    download(`${base()}.xlsx`, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      page.folder.report_xlsx(asOf(), page.lang))));
  $("download-csv").addEventListener("click", guarded(() =>
    download(`${base()}-${$("csv-table").value}.csv`, "text/csv",
      page.folder.report_csv(asOf(), page.lang, $("csv-table").value))));
  $("download-json").addEventListener("click", guarded(() =>
    download(`${base()}.json`, "application/json", page.folder.report_json(asOf()))));
  $("download-diagnostics").addEventListener("click", guarded(() =>
    download("insats-kontroll.json", "application/json", page.diagnosticsJson)));
}

guarded(async () => {
  showWords();
  wire();
  const text = $("insats-module").textContent.trim();
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  page.module = await wasm_bindgen({ module_or_path: bytes });
  setStatus("ready");
})();
