// The console's entry point: log-in, loading a day, drawing it, live updates, details.

import * as api from "./api.js";
import {
  cancelRun, discard, dispatchNow, onProgressEvent, optimise, publish, showCandidate,
} from "./actions.js";
import { clock, el, isDone, minutesText, PRIORITY_LABEL } from "./format.js";
import { renderGantt } from "./gantt.js";
import { DispatchMap } from "./map.js";
import { logEvent, renderDetails, renderKpis, renderSla, renderUnassigned } from "./panels.js";
import {
  ganttRows, isEngineer, learnTicket, loadDay, mapData, plannedVisit, regionInfo, shownPlan, state,
  waitingTickets,
} from "./state.js";

const $ = (id) => document.getElementById(id);
let map = null;
let events = null;
let selected = null;
const ctx = { render, reload };

function setLive(text) {
  const node = $("live-status");
  node.textContent = text;
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
  $("who").textContent = `${state.me.full_name || state.me.username} (${state.me.role})`;
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
}

function showLogin() {
  $("main").hidden = true;
  $("view-form").hidden = true;
  $("logout").hidden = true;
  $("who").textContent = "";
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
    $("plan-status").textContent = `Could not load the day: ${error.message}`;
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
    ? "No published plan"
    : state.candidate ? `Showing candidate plan #${plan.id} (not published)`
      : isEngineer() ? `My day ${state.date}` : `Published plan #${plan.id}`;
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
  if (kind === "engineer") return showEngineer(id);
  return showTicket(id);
}

function showEngineer(id) {
  const e = state.engineers.get(id);
  if (!e) return;
  const route = shownPlan()?.routes.find((r) => r.engineer_id === id);
  const position = state.positions.get(id);
  renderDetails($("details"), `Engineer ${e.code}`, [
    ["Name", e.name],
    ["Level", e.level],
    ["Skills", (e.skills ?? []).map((s) => `${s.skill} ${s.level}`).join(", ")],
    ["Position", position ? `${position.lat.toFixed(4)}, ${position.lon.toFixed(4)} at ${clock(position.at, state.zone)}` : "home (no fresh ping)"],
    ["Visits", route ? `${route.visits.length}, travel ${minutesText(route.travel_seconds)}` : "none planned"],
    ["Route", route ? el("ol", {}, route.visits.map((v) => el("li", {},
      el("button", { type: "button", class: "link", onclick: () => select("ticket", v.ticket_id) }, v.ticket_number),
      ` ${clock(v.planned_start, state.zone)}`))) : null],
  ]);
}

async function showTicket(id) {
  const planned = plannedVisit(id);
  let t = null;
  try {
    t = await api.get(`/tickets/${id}`);
  } catch (error) {
    renderDetails($("details"), `Ticket #${id}`, [["Error", error.message]]);
    return;
  }
  learnTicket(id, { status: t.status, lat: t.site.lat, lon: t.site.lon });
  const actual = state.siteVisits.get(id);
  const actions = [];
  if (!isEngineer() && !isDone(t.status) && !["on_site", "en_route"].includes(t.status)) {
    actions.push(el("button", { type: "button", id: "dispatch-now", onclick: () => dispatchNow(id, ctx) }, "Dispatch now"));
  }
  renderDetails($("details"), `Ticket ${t.number}`, [
    ["Priority", PRIORITY_LABEL[t.priority] ?? `P${t.priority}`],
    ["Status", t.status],
    ["SLA", `${t.sla_state}${t.sla_paused ? " (paused)" : ""}`],
    ["Response due", t.response_due ? clock(t.response_due, state.zone) : null],
    ["Resolution due", t.resolution_due ? `${t.resolution_due.slice(0, 10)} ${clock(t.resolution_due, state.zone)}` : null],
    ["Customer", `${t.customer.name}${t.customer.tier === "vip" ? " (VIP)" : ""}`],
    ["Site", `${t.site.name}, ${t.site.address}`],
    ["Skill", t.required_skill],
    ["Planned", planned ? `${planned.route.engineer_code} ${clock(planned.visit.planned_start, state.zone)}–${clock(planned.visit.planned_end, state.zone)}` : "not in this plan"],
    ["Actual", actual ? `checked in ${clock(new Date(actual.in).toISOString(), state.zone)}${actual.flagged ? " (flagged)" : ""}` : null],
    ["Symptoms", t.symptoms],
  ], actions);
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
  const names = data.number ?? (data.ticket_id ? `ticket #${data.ticket_id}` : "");
  const who = data.engineer_id ? state.engineers.get(data.engineer_id)?.code ?? `#${data.engineer_id}` : "";
  logEvent($("events"), kind, [who, names, data.to_status ? `→ ${data.to_status}` : ""].filter(Boolean).join(" "), state.zone);
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
      if (selected?.kind === "ticket" && selected.id === data.ticket_id) showTicket(data.ticket_id);
      break;
    case "ticket.created":
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
      $("login-error").textContent = error.status === 401 ? "Wrong user name or password." : error.message;
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
}

wire();
start();
