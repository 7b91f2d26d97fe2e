// What the console shows, loaded from the API, and how it is turned into map and timeline data.

import * as api from "./api.js";
import { localInstant, routeColour, weekday } from "./format.js";

export const state = {
  me: null,
  config: null,
  region: null,
  date: null,
  zone: "UTC",
  engineers: new Map(), // id -> engineer (with colour)
  positions: new Map(), // id -> {lat, lon, at}
  published: null, // PlanOut of the published plan (dispatcher) or the engineer's own day
  candidate: null, // PlanOut of a finished optimisation not yet published
  siteVisits: new Map(), // ticket id -> {ticketId, number, engineerId, in, out, flagged}
  ticketLive: new Map(), // ticket id -> {status, lat, lon, number, priority} learned since load
  waiting: [], // open tickets of the region in no plan shown (new emergencies, ...)
  atRisk: null,
  breaches: null,
  dayKpis: null,
};

export const isEngineer = () => state.me?.role === "engineer";
export const shownPlan = () => state.candidate || state.published;

export function regionInfo() {
  return state.config?.regions.find((r) => r.code === state.region) ?? null;
}

/** Load everything of the chosen region and day (dispatchers) or the engineer's day. */
export async function loadDay() {
  if (isEngineer()) return loadOwnDay();
  const region = encodeURIComponent(state.region);
  const date = state.date;
  // Engineers belong to service regions; headquarters' plans cover them all.
  const engineerFilter = regionInfo()?.kind === "hq" ? "" : `region=${region}&`;
  const [engineers, positions, visits, plans, atRisk, breaches, dayKpis, fresh, triaged] = await Promise.all([
    api.get(`/engineers?${engineerFilter}active=true&limit=500`),
    api.getOptional(`/engineers/positions?region=${region}`, { items: [] }),
    api.getOptional(`/engineers/site-visits?region=${region}&date=${date}`, { items: [] }),
    api.get(`/plans?region=${region}&date=${date}&status=published&limit=1`),
    api.getOptional(`/sla/at-risk?region=${region}`, null),
    api.getOptional(`/sla/breaches?region=${region}`, null),
    api.getOptional(`/kpis?from=${date}&to=${date}&region=${region}`, null),
    api.get(`/tickets?region=${region}&status=new&limit=200`),
    api.get(`/tickets?region=${region}&status=triaged&limit=200`),
  ]);
  setEngineers(engineers.items);
  setPositions(positions.items);
  setSiteVisits(visits.items);
  state.published = plans.length ? await api.get(`/plans/${plans[0].id}`) : null;
  state.atRisk = atRisk?.items ?? null;
  state.breaches = breaches?.items ?? null;
  state.dayKpis = dayKpis;
  state.ticketLive.clear();
  state.waiting = [...fresh.items, ...triaged.items].sort((a, b) => a.priority - b.priority);
  await locateUnassigned(shownPlan());
}

/** Open tickets that the plan shown does not mention (arrived after it was made). */
export function waitingTickets() {
  const plan = shownPlan();
  const known = new Set();
  for (const r of plan?.routes ?? []) for (const v of r.visits) known.add(v.ticket_id);
  for (const u of plan?.unassigned ?? []) known.add(u.ticket_id);
  return state.waiting.filter((t) => !known.has(t.id));
}

/** An engineer's own day: their published jobs, their position and check-ins. */
async function loadOwnDay() {
  const query = state.date ? `?date=${state.date}` : "";
  const jobs = await api.get(`/me/jobs${query}`);
  state.date = jobs.date;
  state.zone = jobs.timezone;
  const [positions, visits] = await Promise.all([
    api.getOptional("/engineers/positions", { items: [] }),
    api.getOptional(`/engineers/site-visits?date=${jobs.date}`, { items: [] }),
  ]);
  const id = state.me.engineer_id;
  // Where the engineer is comes from their pings only (their home is not shown to them here).
  setEngineers([{ id, code: jobs.engineer_code, name: state.me.full_name || jobs.engineer_code,
    home_lat: null, home_lon: null, shifts: [], skills: [] }]);
  setPositions(positions.items);
  setSiteVisits(visits.items);
  state.published = {
    id: null,
    status: "published",
    kpis: null,
    routes: [{
      engineer_id: id,
      engineer_code: jobs.engineer_code,
      engineer_name: state.me.full_name || jobs.engineer_code,
      visits: jobs.jobs.map((j) => ({
        ticket_id: j.ticket_id, ticket_number: j.ticket_number, priority: j.priority, status: j.status,
        sequence: j.sequence, planned_arrival: j.planned_arrival, planned_start: j.planned_start,
        planned_end: j.planned_end, travel_seconds: 0, lateness_seconds: 0,
        lat: j.site.lat, lon: j.site.lon, site_name: j.site.name,
      })),
    }],
    unassigned: [],
    diff: null,
  };
  state.candidate = null;
}

function setEngineers(list) {
  state.engineers.clear();
  [...list].sort((a, b) => a.code.localeCompare(b.code)).forEach((e, i) => {
    state.engineers.set(e.id, { ...e, colour: routeColour(i) });
  });
}

function setPositions(items) {
  state.positions.clear();
  for (const p of items) state.positions.set(p.engineer_id, { lat: p.lat, lon: p.lon, at: p.at });
}

function setSiteVisits(items) {
  state.siteVisits.clear();
  for (const v of items) {
    state.siteVisits.set(v.ticket_id, {
      ticketId: v.ticket_id, number: v.ticket_number, engineerId: v.engineer_id,
      in: Date.parse(v.checked_in_at), out: v.checked_out_at ? Date.parse(v.checked_out_at) : null,
      flagged: v.flagged,
    });
  }
}

/** Unassigned tickets carry no coordinates in a plan: read their sites (a few requests). */
export async function locateUnassigned(plan) {
  const ids = [...(plan?.unassigned ?? []).map((u) => u.ticket_id), ...waitingTickets().map((t) => t.id)];
  const missing = ids.filter((id) => !state.ticketLive.get(id)?.lat).map((ticket_id) => ({ ticket_id })).slice(0, 40);
  for (let i = 0; i < missing.length; i += 6) {
    const batch = await Promise.all(missing.slice(i, i + 6).map((u) => api.getOptional(`/tickets/${u.ticket_id}`, null)));
    for (const t of batch) {
      if (t) learnTicket(t.id, { lat: t.site.lat, lon: t.site.lon, status: t.status, number: t.number, priority: t.priority });
    }
  }
}

export function learnTicket(id, patch) {
  state.ticketLive.set(id, { ...(state.ticketLive.get(id) ?? {}), ...patch });
}

function slaOf(ticketId) {
  if (state.breaches?.some((i) => i.ticket_id === ticketId)) return "breached";
  if (state.atRisk?.some((i) => i.ticket_id === ticketId)) return "at_risk";
  return null;
}

export function engineerPoint(e) {
  const p = state.positions.get(e.id);
  if (p) return { lat: p.lat, lon: p.lon, live: true };
  if (e.home_lat == null) return null;
  return { lat: e.home_lat, lon: e.home_lon, live: false };
}

/** Map layers of the plan shown: engineers, routes, tickets. */
export function mapData() {
  const plan = shownPlan();
  const engineers = [];
  for (const e of state.engineers.values()) {
    const at = engineerPoint(e);
    if (at) engineers.push({ id: e.id, code: e.code, name: e.name, colour: e.colour, ...at });
  }
  const routes = [];
  const tickets = [];
  for (const r of plan?.routes ?? []) {
    const e = state.engineers.get(r.engineer_id);
    const start = e ? [e.home_lat, e.home_lon] : null;
    const points = r.visits.map((v) => [v.lat, v.lon]);
    if (start && start[0] != null) points.unshift(start);
    routes.push({ engineer_id: r.engineer_id, code: r.engineer_code, colour: e?.colour ?? "#555", points, visits: r.visits.length });
    for (const v of r.visits) {
      const live = state.ticketLive.get(v.ticket_id) ?? {};
      tickets.push({ id: v.ticket_id, number: v.ticket_number, priority: live.priority ?? v.priority,
        status: live.status ?? v.status, lat: v.lat, lon: v.lon, sla: slaOf(v.ticket_id) });
    }
  }
  for (const u of plan?.unassigned ?? []) {
    const live = state.ticketLive.get(u.ticket_id) ?? {};
    tickets.push({ id: u.ticket_id, number: u.ticket_number, priority: u.priority,
      status: live.status ?? "unassigned", lat: live.lat, lon: live.lon, sla: slaOf(u.ticket_id), unassigned: true });
  }
  for (const t of isEngineer() ? [] : waitingTickets()) {
    const live = state.ticketLive.get(t.id) ?? {};
    tickets.push({ id: t.id, number: t.number, priority: t.priority, status: live.status ?? t.status,
      lat: live.lat, lon: live.lon, sla: slaOf(t.id), unassigned: true });
  }
  if (state.candidate?.diff) {
    const changes = new Map(state.candidate.diff.entries.map((e) => [e.ticket_id, e.change]));
    for (const t of tickets) t.change = changes.get(t.id) ?? null;
  }
  return { engineers, routes, tickets };
}

/** Timeline rows: planned visits of the plan shown and the actual site visits. */
export function ganttRows() {
  const plan = shownPlan();
  const rows = new Map();
  const dayOfWeek = weekday(state.date);
  const row = (engineerId, code, name) => {
    if (!rows.has(engineerId)) {
      const e = state.engineers.get(engineerId);
      const s = e?.shifts?.find((x) => x.weekday === dayOfWeek);
      const at = (m) => localInstant(state.date, m, state.zone);
      const shift = s ? {
        start: at(s.start_minute), end: at(s.end_minute), breakMinutes: s.break_minutes,
        breakFrom: s.break_minutes && s.break_earliest_minute != null ? at(s.break_earliest_minute) : null,
        breakTo: s.break_minutes && s.break_latest_minute != null ? at(s.break_latest_minute) : null,
      } : null;
      rows.set(engineerId, { engineerId, code, name, colour: e?.colour ?? "#555", shift, visits: [], actuals: [] });
    }
    return rows.get(engineerId);
  };
  for (const r of plan?.routes ?? []) {
    const target = row(r.engineer_id, r.engineer_code, r.engineer_name);
    for (const v of r.visits) {
      target.visits.push({ ticketId: v.ticket_id, number: v.ticket_number, priority: v.priority,
        arrival: Date.parse(v.planned_arrival), start: Date.parse(v.planned_start), end: Date.parse(v.planned_end),
        travelSeconds: v.travel_seconds, late: v.lateness_seconds > 0 });
    }
  }
  for (const a of state.siteVisits.values()) {
    const e = state.engineers.get(a.engineerId);
    if (!e) continue;
    row(a.engineerId, e.code, e.name).actuals.push(a);
  }
  return [...rows.values()].sort((a, b) => a.code.localeCompare(b.code));
}

/** Where a ticket is in the plan shown (engineer and planned times), if it is. */
export function plannedVisit(ticketId) {
  for (const r of shownPlan()?.routes ?? []) {
    const v = r.visits.find((x) => x.ticket_id === ticketId);
    if (v) return { route: r, visit: v };
  }
  return null;
}
