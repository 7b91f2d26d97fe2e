// The engineers page: a filtered, paged list (skills with levels, shifts, active) and the
// details of one engineer with their absences (see absences.js).

import * as api from "./api.js";
import { renderAbsences } from "./absences.js";
import { el } from "./format.js";
import { formatDate, formatNumber, t, term, weekdayName } from "./i18n.js";
import { state } from "./state.js";

const PAGE_SIZE = 50;
const view = { filters: { q: "", region: "", skill: "", level: "", active: "true" }, offset: 0, selected: null };

const hhmm = (minute) => `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

function dayRuns(days) {
  const runs = [];
  for (const d of [...days].sort((a, b) => a - b)) {
    const last = runs[runs.length - 1];
    if (last && last[1] === d - 1) last[1] = d;
    else runs.push([d, d]);
  }
  return runs.map(([a, b]) => (a === b ? weekdayName(a) : `${weekdayName(a)}–${weekdayName(b)}`)).join(", ");
}

/** Weekly shifts in short: "Mon–Fri 08:00–17:00" (days with the same hours together). */
export function shiftSummary(shifts) {
  const byHours = new Map();
  for (const s of shifts ?? []) {
    const key = `${hhmm(s.start_minute)}–${hhmm(s.end_minute)}`;
    byHours.set(key, [...(byHours.get(key) ?? []), s.weekday]);
  }
  return [...byHours].map(([hours, days]) => `${dayRuns(days)} ${hours}`).join("; ") || t("engineers.noShifts");
}

const skillText = (skills) => (skills ?? []).map((s) => t("engineers.skillLevel", { skill: s.skill, level: s.level })).join(", ");

function filterForm(container) {
  const f = view.filters;
  const input = (name, label, attrs = {}) => el("label", {}, label, " ", el("input", { name, value: f[name], ...attrs }));
  const choice = (name, label, options) => el("label", {}, label, " ", el("select", { name },
    options.map(([value, text]) => el("option", { value, selected: value === f[name] }, text))));
  const regions = (state.config?.regions ?? []).map((r) => [r.code, `${r.code} ${r.name}`]);
  const form = el("form", { id: "engineer-filters", class: "filters row", role: "search" },
    input("q", t("engineers.search"), { type: "search" }),
    choice("region", t("view.region"), [["", t("engineers.all")], ...regions]),
    input("skill", t("field.skill"), { size: "10" }),
    choice("level", t("field.level"), [["", t("engineers.all")], ...["junior", "mid", "senior"].map((l) => [l, term("level", l)])]),
    choice("active", t("engineers.active"), [["true", t("engineers.activeOnly")], ["false", t("engineers.inactiveOnly")], ["", t("engineers.all")]]),
    el("button", { type: "submit" }, t("engineers.filter")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    for (const name of Object.keys(f)) f[name] = form.elements[name].value.trim();
    view.offset = 0;
    loadList(container);
  });
  return form;
}

function row(e, container) {
  return el("tr", { dataset: { engineerId: String(e.id), code: e.code }, class: view.selected === e.id ? "selected" : "" },
    el("td", {}, el("button", { type: "button", class: "link", onclick: () => openEngineer(e.id, container) }, e.code)),
    el("td", { text: e.name }),
    el("td", { text: e.region_code ?? "" }),
    el("td", { text: term("level", e.level) }),
    el("td", { class: "skills", text: skillText(e.skills) }),
    el("td", { class: "shifts", text: shiftSummary(e.shifts) }),
    el("td", { text: e.active ? t("engineers.yes") : t("engineers.no") }));
}

async function loadList(container) {
  const list = container.querySelector("#engineers-list");
  list.replaceChildren(el("p", { class: "muted", text: t("engineers.loading") }));
  let page;
  try {
    page = await api.get(`/engineers${api.query({ ...view.filters, offset: view.offset, limit: PAGE_SIZE })}`);
  } catch (error) {
    list.replaceChildren(el("p", { class: "bad", role: "alert", text: error.message }));
    return;
  }
  const head = ["field.code", "field.name", "view.region", "field.level", "field.skills", "engineers.shifts", "engineers.active"];
  const pager = el("div", { class: "row pager" },
    el("span", { id: "engineers-count", text: t("engineers.count", {
      from: formatNumber(page.total ? view.offset + 1 : 0), to: formatNumber(view.offset + page.items.length), total: formatNumber(page.total) }) }),
    el("button", { type: "button", class: "small", disabled: view.offset === 0,
      onclick: () => { view.offset = Math.max(0, view.offset - PAGE_SIZE); loadList(container); } }, t("engineers.previous")),
    el("button", { type: "button", class: "small", disabled: view.offset + page.items.length >= page.total,
      onclick: () => { view.offset += PAGE_SIZE; loadList(container); } }, t("engineers.next")));
  list.replaceChildren(pager, el("div", { class: "table-wrap tall" }, el("table", { id: "engineers-table", class: "grid" },
    el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col", text: t(h) })))),
    el("tbody", {}, page.items.map((e) => row(e, container))))));
}

async function openEngineer(id, container) {
  view.selected = id;
  for (const tr of container.querySelectorAll("#engineers-table tr[data-engineer-id]")) {
    tr.classList.toggle("selected", tr.dataset.engineerId === String(id));
  }
  const detail = container.querySelector("#engineer-detail");
  let e;
  try {
    e = await api.get(`/engineers/${id}`);
  } catch (error) {
    detail.replaceChildren(el("p", { class: "bad", role: "alert", text: error.message }));
    return;
  }
  const facts = [
    [t("field.name"), e.name], [t("view.region"), e.region_code], [t("field.level"), term("level", e.level)],
    [t("field.skills"), skillText(e.skills)], [t("engineers.shifts"), shiftSummary(e.shifts)],
    [t("engineers.employment"), term("employment", e.employment)],
    [t("engineers.maxJobs"), formatNumber(e.max_jobs_per_day)],
    [t("engineers.certification"), e.certification_valid_until ? formatDate(e.certification_valid_until) : "–"],
    [t("engineers.active"), e.active ? t("engineers.yes") : t("engineers.no")],
  ];
  detail.replaceChildren(
    el("h3", { id: "engineer-title", text: t("details.engineer", { code: e.code }), dataset: { engineerId: String(e.id) } }),
    el("dl", { class: "facts" }, facts.map(([k, v]) => el("div", {}, el("dt", { text: k }), el("dd", { text: String(v ?? "–") })))),
    el("div", { id: "absences" }));
  detail.hidden = false;
  await renderAbsences(detail.querySelector("#absences"), e);
}

/** Draw the engineers page into ``container`` (again on a language change). */
export async function showEngineersPage(container) {
  const list = el("section", { id: "engineers-list", "aria-live": "polite" });
  const detail = el("section", { id: "engineer-detail", class: "panel", "aria-labelledby": "engineer-title", hidden: true });
  container.replaceChildren(el("section", { class: "panel" },
    el("h2", { id: "engineers-title", text: t("engineers.title") }), filterForm(container), list), detail);
  await loadList(container);
  if (view.selected) await openEngineer(view.selected, container);
}
