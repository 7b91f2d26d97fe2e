// The import page: choose CSV / xlsx files, check them (a dry run), read the report (counts
// per kind and every bad row: file, row, column, message), then commit the same files; commit
// is offered only after a dry run of exactly these files found no error.

import * as api from "./api.js";
import { el } from "./format.js";
import { formatNumber, t, term } from "./i18n.js";

const KNOWN = ["regions", "engineers", "customers", "sites", "assets", "tickets", "absences"];
let lastReport = null;
let checked = false; // a clean dry run of the files now chosen

function counts(report) {
  const kinds = [...new Set(["created", "updated", "unchanged"].flatMap((k) => Object.keys(report[k] ?? {})))];
  kinds.sort((a, b) => KNOWN.indexOf(a) - KNOWN.indexOf(b));
  if (!kinds.length) return el("p", { class: "muted", text: t("import.nothing") });
  const cell = (group, kind) => el("td", { class: "num", dataset: { kind, group }, text: formatNumber(report[group]?.[kind] ?? 0) });
  return el("table", { id: "import-counts", class: "grid" },
    el("thead", {}, el("tr", {}, ["import.kind", "import.created", "import.updated", "import.unchanged"].map((h) => el("th", { scope: "col", text: t(h) })))),
    el("tbody", {}, kinds.map((kind) => el("tr", { dataset: { kind } },
      el("th", { scope: "row", text: term("kind", kind) }), cell("created", kind), cell("updated", kind), cell("unchanged", kind)))));
}

function errorTable(errors) {
  return el("div", { class: "table-wrap tall" }, el("table", { id: "import-errors", class: "grid errors" },
    el("caption", { text: t("import.errorsCaption", { n: formatNumber(errors.length) }) }),
    el("thead", {}, el("tr", {}, ["import.file", "import.row", "import.column", "import.message"].map((h) => el("th", { scope: "col", text: t(h) })))),
    el("tbody", {}, errors.map((e) => el("tr", { dataset: { file: e.file ?? "", row: String(e.row ?? ""), column: e.column ?? "" } },
      el("td", { text: e.file ?? "" }), el("td", { class: "num", text: e.row == null ? "–" : formatNumber(e.row) }),
      el("td", { text: e.column ?? "–" }), el("td", { text: e.message }))))));
}

function renderReport(container) {
  const report = lastReport;
  const box = container.querySelector("#import-report");
  if (!report) {
    box.replaceChildren();
    return;
  }
  const errors = report.errors ?? [];
  const verdict = report.committed ? t("import.committed")
    : errors.length ? t("import.hasErrors", { n: formatNumber(errors.length) })
      : report.dry_run ? t("import.clean") : t("import.notCommitted");
  box.replaceChildren(
    el("p", { id: "import-verdict", class: errors.length ? "bad" : "good", role: "status",
      dataset: { errors: String(errors.length), committed: String(Boolean(report.committed)), dryRun: String(Boolean(report.dry_run)) }, text: verdict }),
    counts(report),
    errors.length ? errorTable(errors) : "");
}

async function send(container, dryRun) {
  const input = container.querySelector("#import-files");
  const status = container.querySelector("#import-status");
  if (!input.files.length) {
    status.textContent = t("import.chooseFirst");
    return;
  }
  const form = new FormData();
  for (const file of input.files) form.append("files", file, file.name);
  form.append("dry_run", dryRun ? "true" : "false");
  container.querySelector("#import-check").disabled = true;
  container.querySelector("#import-commit").disabled = true;
  status.textContent = dryRun ? t("import.checking") : t("import.committing");
  try {
    lastReport = await api.upload("/imports", form);
    checked = dryRun && !(lastReport.errors ?? []).length;
    status.textContent = "";
  } catch (error) {
    lastReport = null;
    checked = false;
    status.textContent = t("import.refused", { message: error.message });
  } finally {
    container.querySelector("#import-check").disabled = false;
  }
  if (lastReport?.committed) checked = false;
  container.querySelector("#import-commit").disabled = !checked;
  renderReport(container);
}

/** Draw the import page into ``container`` (again on a language change, keeping the report). */
export function showImportPage(container) {
  if (container.querySelector("#import-files")) {
    translateImportPage(container);
    return;
  }
  const input = el("input", { id: "import-files", type: "file", multiple: true, accept: ".csv,.xlsx,text/csv" });
  input.addEventListener("change", () => {
    checked = false;
    lastReport = null;
    container.querySelector("#import-commit").disabled = true;
    renderReport(container);
  });
  container.replaceChildren(el("section", { class: "panel" },
    el("h2", { id: "import-title" }),
    el("p", { id: "import-help", class: "muted" }),
    el("div", { class: "row" },
      el("label", { for: "import-files", id: "import-files-label" }), input,
      el("button", { type: "button", id: "import-check", onclick: () => send(container, true) }),
      el("button", { type: "button", id: "import-commit", class: "primary", disabled: true, onclick: () => send(container, false) })),
    el("p", { id: "import-status", class: "status", role: "status" }),
    el("div", { id: "import-report", "aria-live": "polite" })));
  translateImportPage(container);
}

function translateImportPage(container) {
  container.querySelector("#import-title").textContent = t("import.title");
  container.querySelector("#import-help").textContent = t("import.help", { files: KNOWN.map((k) => `${k}.csv`).join(", ") });
  container.querySelector("#import-files-label").textContent = t("import.files");
  container.querySelector("#import-check").textContent = t("import.check");
  container.querySelector("#import-commit").textContent = t("import.commit");
  renderReport(container);
}
