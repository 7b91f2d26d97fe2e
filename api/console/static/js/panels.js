// The side panels: KPIs, SLA at risk / breached, unassigned tickets with the solver's
// reasons and suggested fixes, the candidate plan's diff, a publish conflict, details, events.

import { clock, el, minutesText, PRIORITY_LABEL } from "./format.js";

function pct(value) {
  return value == null ? "–" : `${Math.round(value * 100)}%`;
}

/** KPIs of the plan shown and of the day so far. */
export function renderKpis(container, plan, day) {
  const k = plan?.kpis;
  const items = [];
  if (k) {
    items.push(["Served", `${k.served} / ${k.served + k.unassigned}`]);
    items.push(["Unassigned", k.unassigned]);
    items.push(["Engineers used", k.engineers_used]);
    items.push(["Travel", minutesText(k.travel_seconds)]);
    items.push(["Utilisation", pct(k.utilisation)]);
    const late = Object.entries(k.late_by_tier || {}).filter(([, n]) => n > 0).map(([t, n]) => `${t}: ${n}`);
    items.push(["Late visits", late.length ? late.join(", ") : "none"]);
  } else {
    items.push(["Plan", "none published"]);
  }
  if (day) {
    items.push(["Tickets today", day.tickets]);
    items.push(["Response p50", day.response_time?.p50_minutes == null ? "–" : `${Math.round(day.response_time.p50_minutes)} min`]);
    items.push(["First-time fix", pct(day.first_time_fix?.value)]);
  }
  container.replaceChildren(el("dl", { class: "kpis" }, items.map(([term, value]) => [
    el("div", {}, el("dt", { text: term }), el("dd", { text: String(value) })),
  ])));
}

function slaList(items, zone, onSelect, empty) {
  if (items === null) return el("p", { class: "muted", text: "Not available on this server." });
  if (!items.length) return el("p", { class: "muted", text: empty });
  return el("ul", { class: "list" }, items.map((i) => el("li", {},
    el("button", { type: "button", class: `link p${i.priority}`, onclick: () => onSelect("ticket", i.ticket_id) },
      `${i.ticket_number}`),
    ` P${i.priority} · ${i.target} due ${clock(i.due_at, zone)}`,
    i.predicted_arrival ? ` · ETA ${clock(i.predicted_arrival, zone)}` : "",
    i.margin_minutes != null ? el("span", { class: i.margin_minutes < 0 ? "bad" : "warn" }, ` (${Math.round(i.margin_minutes)} min)`) : "",
  )));
}

/** SLA at risk and breached (null = the endpoint is not there). */
export function renderSla(container, atRisk, breaches, zone, onSelect) {
  container.replaceChildren(
    el("h3", { text: `At risk (${atRisk?.length ?? "–"})` }),
    slaList(atRisk, zone, onSelect, "Nothing at risk."),
    el("h3", { text: `Breached (${breaches?.length ?? "–"})` }),
    slaList(breaches, zone, onSelect, "No breaches."),
  );
}

function dispatchButton(ticketId, onDispatchNow) {
  return el("button", { type: "button", class: "small", onclick: () => onDispatchNow(ticketId) }, "Dispatch now");
}

/**
 * Unassigned tickets of the plan shown, with reasons and the suggested fix, and the open
 * tickets no plan knows yet (emergencies that just came in); each can be dispatched now.
 */
export function renderUnassigned(container, plan, waiting, onSelect, onDispatchNow) {
  const items = plan?.unassigned ?? [];
  const parts = [];
  if (!plan) {
    parts.push(el("p", { class: "muted", text: "No plan for this day yet: optimise to make one." }));
  } else if (!items.length) {
    parts.push(el("p", { class: "muted", text: "The plan leaves no ticket out." }));
  } else {
    parts.push(el("ul", { class: "list unassigned" }, items.map((u) => el("li", { dataset: { ticketId: String(u.ticket_id) } },
      el("button", { type: "button", class: `link p${u.priority}`, onclick: () => onSelect("ticket", u.ticket_id) }, u.ticket_number),
      ` ${PRIORITY_LABEL[u.priority] ?? `P${u.priority}`}`,
      el("div", { class: "reasons" }, u.reasons.map((r) => el("code", { text: r }))),
      u.suggestion ? el("div", { class: "suggestion" }, "Fix: ", u.suggestion.message || u.suggestion.kind) : "",
      dispatchButton(u.ticket_id, onDispatchNow),
    ))));
  }
  if (waiting.length) {
    parts.push(el("h3", { text: `Not in the plan (${waiting.length})` }));
    parts.push(el("ul", { class: "list waiting" }, waiting.slice(0, 50).map((t) => el("li", { dataset: { ticketId: String(t.id) } },
      el("button", { type: "button", class: `link p${t.priority}`, onclick: () => onSelect("ticket", t.id) }, t.number),
      ` ${PRIORITY_LABEL[t.priority] ?? `P${t.priority}`} · ${t.status}`,
      plan ? " " : "",
      plan ? dispatchButton(t.id, onDispatchNow) : "",
    ))));
  }
  container.replaceChildren(...parts);
}

/** The candidate plan against the published one: counts and every change. */
export function renderDiff(container, plan, zone) {
  const d = plan.diff;
  const against = d?.against_plan_id ? `published plan #${d.against_plan_id}` : "no published plan";
  const summary = d
    ? `${d.added} added, ${d.dropped} dropped, ${d.moved} moved against ${against}`
    : "No diff available.";
  const rows = (d?.entries ?? []).map((e) => el("tr", { class: `change-${e.change}` },
    el("td", { text: e.ticket_number }),
    el("td", { text: e.change }),
    el("td", { text: e.from_engineer ? `${e.from_engineer} ${clock(e.from_start, zone)}` : "–" }),
    el("td", { text: e.to_engineer ? `${e.to_engineer} ${clock(e.to_start, zone)}` : "–" }),
  ));
  const k = plan.kpis || {};
  container.replaceChildren(
    el("p", { id: "diff-summary", text: summary }),
    el("p", { class: "muted", text: `Serves ${k.served ?? "?"}, leaves ${k.unassigned ?? "?"} unassigned, travel ${minutesText(k.travel_seconds)}.` }),
    rows.length
      ? el("div", { class: "table-wrap" }, el("table", { class: "diff" },
        el("caption", { class: "sr-only", text: "Changes against the published plan" }),
        el("thead", {}, el("tr", {}, ["Ticket", "Change", "From", "To"].map((h) => el("th", { scope: "col", text: h })))),
        el("tbody", {}, rows)))
      : el("p", { text: "Same as the published plan." }),
  );
}

/** A 409 on publish: the plan is stale (or no longer publishable), and what changed. */
export function renderConflict(container, problem, names) {
  const changes = Array.isArray(problem.changes) ? problem.changes : [];
  const who = (c) => [
    c.ticket_id != null ? `ticket ${names.ticket(c.ticket_id)}` : "",
    c.engineer_id != null ? `engineer ${names.engineer(c.engineer_id)}` : "",
  ].filter(Boolean).join(", ");
  container.replaceChildren(
    el("h3", { text: changes.length ? "Not published: the plan is out of date" : `Not published: ${problem.title || "conflict"}` }),
    el("p", { text: problem.detail || "Something changed since this plan was made." }),
    changes.length ? el("ul", { class: "list conflicts" }, changes.map((c) => el("li", { dataset: { kind: c.kind } },
      el("strong", { text: String(c.kind).replaceAll("_", " ") }), ": ", c.detail || who(c),
    ))) : "",
    el("p", { text: "Re-optimise to plan with the current data, then publish again." }),
  );
  container.hidden = false;
}

/** One ticket or engineer, with the actions the console offers. */
export function renderDetails(container, title, facts, actions = []) {
  container.replaceChildren(
    el("h2", { id: "details-title", tabindex: "-1", text: title }),
    el("dl", { class: "facts" }, facts.filter(([, v]) => v !== undefined && v !== null && v !== "").map(([term, value]) =>
      el("div", {}, el("dt", { text: term }), el("dd", {}, value)))),
    actions.length ? el("div", { class: "actions" }, actions) : "",
    el("div", { id: "details-result", role: "status" }),
  );
  container.hidden = false;
}

const MAX_EVENTS = 40;

/** Append a live event to the log (newest first). */
export function logEvent(list, kind, text, zone) {
  const item = el("li", { class: `event ${kind.replace(".", "-")}`, dataset: { kind } },
    el("time", { text: clock(new Date().toISOString(), zone) }), " ", el("strong", { text: kind }), " ", text);
  list.prepend(item);
  while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
}
