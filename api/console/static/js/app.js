// The console's entry point: log-in, the language, the pages (dispatch, engineers, import),
// loading a day, drawing it, live updates.

import * as api from "./api.js";
import {
  cancelRun, discard, dispatchNow, onProgressEvent, optimise, publish, showCandidate,
} from "./actions.js";
import { noteDone, showEngineer, showTicket } from "./details.js";
import { el } from "./format.js";
import { renderGantt } from "./gantt.js";
import { LANGUAGES, lang, setLang, t, term, translatePage } from "./i18n.js";
import { DispatchMap } from "./map.js";
import { logEvent, renderKpis, renderSla, renderUnassigned } from "./panels.js";
import { showPage } from "./pages.js";
import {
  ganttRows, isEngineer, learnTicket, loadDay, mapData, regionInfo, shownPlan, state, waitingTickets,
} from "./state.js";

const $ = (id) => document.getElementById(id);
let map = null;
let events = null;
let selected = null;
const ctx = { render, reload, noteDone, showTicket: (id, known) => showTicket(id, ctx, known) };

function setLive(text) {
  const node = $("live-status");
  node.textContent = term("live", text);
  node.dataset.state = text;
}

async function start() {
  if (!api.token()) return showLogin();
  try {
    state.me = await api.get("/auth/me");
    state.config = await api.get("/console/config");
  } catch {
    api.logout();
    return showLogin();
  }
  $("login").hidden = true;
  $("main").hidden = false;
  $("who").textContent = `${state.me.full_name || state.me.username} (${term("role", state.me.role)})`;
  $("logout").hidden = false;
  document.body.classList.toggle("engineer-view", isEngineer());
  const regions = state.config.regions;
  const preferred = regions[0];
  $("region").replaceChildren(...regions.map((r) => el("option", { value: r.code, text: `${r.code} ${r.name}` })));
  state.region = preferred?.code ?? null;
  $("region").value = state.region ?? "";
  state.zone = preferred?.timezone ?? "UTC";
  state.date = isEngineer() ? null : preferred?.open_day ?? preferred?.today ?? null;
  $("date").value = state.date ?? "";
  $("view-form").hidden = false;
  if (!map) map = new DispatchMap($("map"), state.config.tile_url, select);
  await reload();
  map.fit();
  connect();
  $("pages-nav").hidden = isEngineer();
  await route();
}

/** Show the page the location's hash names (#/engineers, #/import; else the dispatch view). */
async function route() {
  if (!state.me) return;
  const name = isEngineer() ? "dispatch" : (location.hash.replace(/^#\/?/, "") || "dispatch");
  await showPage(name);
  if (name === "dispatch") map?.invalidate();
}

function showLogin() {
  $("main").hidden = true;
  $("view-form").hidden = true;
  $("logout").hidden = true;
  $("who").textContent = "";
  $("pages-nav").hidden = true;
  state.me = null;
  $("login").hidden = false;
  $("username").focus();
}

async function reload({ keepDetails = false } = {}) {
  document.body.dataset.loading = "true";
  try {
    await loadDay();
    if (isEngineer()) $("date").value = state.date;
    render();
    if (keepDetails && selected) await select(selected.kind, selected.id);
  } catch (error) {
    $("plan-status").textContent = t("plan.loadFailed", { message: error.message });
    $("plan-status").dataset.status = "error";
  } finally {
    document.body.dataset.loading = "false";
  }
}

function render() {
  const plan = shownPlan();
  const data = mapData();
  map.setEngineers(data.engineers);
  map.setRoutes(data.routes);
  map.setTickets(data.tickets);
  renderGantt($("gantt"), ganttRows(), { zone: state.zone, onSelect: select });
  const label = !plan
    ? t("plan.none")
    : state.candidate ? t("plan.candidate", { id: plan.id })
      : isEngineer() ? t("plan.myDay", { date: state.date }) : t("plan.published", { id: plan.id });
  $("plan-status").textContent = label;
  $("plan-status").dataset.status = !plan ? "none" : state.candidate ? "candidate" : "published";
  $("map").dataset.routes = String(data.routes.length);
  if (!isEngineer()) {
    renderKpis($("kpi-body"), plan, state.dayKpis);
    renderSla($("sla-body"), state.atRisk, state.breaches, state.zone, select);
    renderUnassigned($("unassigned-body"), plan, waitingTickets(), select, (id) => dispatchNow(id, ctx));
  }
}

async function select(kind, id) {
  selected = { kind, id };
  map.focus(kind, id);
  if (kind === "engineer") return showEngineer(id, select);
  return showTicket(id, ctx);
}

function connect() {
  if (events) events.close();
  setLive("connecting");
  events = api.connectEvents(onEvent, setLive);
}

let reloadTimer = null;
function reloadSoon() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => reload({ keepDetails: true }), 400);
}

function onEvent(kind, data) {
  const names = data.number ?? (data.ticket_id ? t("events.ticket", { id: data.ticket_id }) : "");
  const who = data.engineer_id ? state.engineers.get(data.engineer_id)?.code ?? `#${data.engineer_id}` : "";
  logEvent($("events"), kind, [who, names, data.to_status ? `→ ${term("status", data.to_status)}` : ""].filter(Boolean).join(" "), state.zone);
  switch (kind) {
    case "engineer.location":
    case "engineer.checked_in":
    case "engineer.checked_out": {
      if (data.lat != null && data.lon != null && data.engineer_id != null) {
        state.positions.set(data.engineer_id, { lat: data.lat, lon: data.lon, at: data.at ?? new Date().toISOString() });
        if (!map.moveEngineer(data.engineer_id, data.lat, data.lon)) render();
      }
      if (kind !== "engineer.location" && data.ticket_id != null) {
        const known = state.siteVisits.get(data.ticket_id);
        const now = Date.parse(data.at ?? "") || Date.now();
        state.siteVisits.set(data.ticket_id, kind === "engineer.checked_in"
          ? { ticketId: data.ticket_id, number: names, engineerId: data.engineer_id, in: now, out: null, flagged: Boolean(data.flagged) }
          : { ...(known ?? { ticketId: data.ticket_id, number: names, engineerId: data.engineer_id, in: now, flagged: false }), out: now });
        if (data.ticket_status) {
          learnTicket(data.ticket_id, { status: data.ticket_status });
          map.updateTicket(data.ticket_id, { status: data.ticket_status });
        }
        renderGantt($("gantt"), ganttRows(), { zone: state.zone, onSelect: select });
      }
      break;
    }
    case "ticket.status_changed":
      learnTicket(data.ticket_id, { status: data.to_status });
      map.updateTicket(data.ticket_id, { status: data.to_status });
      if (selected?.kind === "ticket" && selected.id === data.ticket_id && !$("ticket-edit")) showTicket(data.ticket_id, ctx);
      break;
    case "ticket.created":
    case "ticket.updated":
    case "engineer.absence":
      if (!isEngineer()) reloadSoon();
      break;
    case "checkin.flagged":
      $("events").firstElementChild?.classList.add("warn");
      break;
    case "sla.at_risk":
    case "sla.breached":
      map.updateTicket(data.ticket_id, { sla: kind === "sla.breached" ? "breached" : "at_risk" });
      if (!isEngineer()) reloadSoon();
      break;
    case "plan.published":
    case "plan.updated":
      reloadSoon(); // sent after the commit: a read now sees the new plan
      break;
    case "optimization.progress":
      onProgressEvent(data);
      break;
    default:
      break;
  }
}

function wire() {
  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("login-error").textContent = "";
    try {
      await api.login($("username").value, $("password").value);
      $("password").value = "";
      await start();
    } catch (error) {
      $("login-error").textContent = error.status === 401 ? t("login.wrong") : error.message;
    }
  });
  $("logout").addEventListener("click", () => {
    api.logout();
    if (events) events.close();
    state.candidate = null;
    selected = null;
    $("details").hidden = true;
    $("diff-panel").hidden = true;
    $("events").replaceChildren();
    showLogin();
  });
  window.addEventListener("console:logged-out", showLogin);
  $("view-form").addEventListener("change", async () => {
    state.region = $("region").value;
    state.date = $("date").value || state.date;
    state.zone = regionInfo()?.timezone ?? state.zone;
    state.candidate = null;
    showCandidate(render);
    await reload();
    map.fit();
  });
  $("opt-form").addEventListener("submit", (event) => {
    event.preventDefault();
    optimise(Number($("opt-budget").value) || 5, ctx);
  });
  $("opt-cancel").addEventListener("click", cancelRun);
  $("publish").addEventListener("click", () => publish(ctx));
  $("discard").addEventListener("click", () => discard(render));
  $("fit").addEventListener("click", () => map?.fit());
  window.addEventListener("hashchange", route);
  const switcher = $("lang");
  switcher.replaceChildren(...LANGUAGES.map((l) => el("option", { value: l.code, lang: l.code }, l.name)));
  switcher.value = lang();
  switcher.addEventListener("change", () => setLang(switcher.value));
  window.addEventListener("console:lang", onLanguage);
}

/** Another language: redraw what the script wrote (the static page is already translated). */
function onLanguage() {
  $("lang").value = lang();
  setLive($("live-status").dataset.state);
  if (!state.me || $("main").hidden) return;
  $("who").textContent = `${state.me.full_name || state.me.username} (${term("role", state.me.role)})`;
  render();
  if (state.candidate) showCandidate(render);
  if (selected && !$("details").hidden && !$("ticket-edit")) select(selected.kind, selected.id);
  route();
}

translatePage();
wire();
start();
