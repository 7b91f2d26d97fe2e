// The side panels: KPIs, SLA at risk / breached, unassigned tickets with the solver's
// reasons and suggested fixes, the candidate plan's diff, a publish conflict, details, events.

import { clock, el, minutesText, priorityLabel } from "./format.js";
import { formatNumber, t, term } from "./i18n.js";

function pct(value) {
  return value == null ? "–" : formatNumber(value, { style: "percent", maximumFractionDigits: 0 });
}

/** KPIs of the plan shown and of the day so far. */
export function renderKpis(container, plan, day) {
  const k = plan?.kpis;
  const items = [];
  if (k) {
    items.push([t("kpi.served"), `${formatNumber(k.served)} / ${formatNumber(k.served + k.unassigned)}`]);
    items.push([t("kpi.unassigned"), formatNumber(k.unassigned)]);
    items.push([t("kpi.engineersUsed"), formatNumber(k.engineers_used)]);
    items.push([t("kpi.travel"), minutesText(k.travel_seconds)]);
    items.push([t("kpi.utilisation"), pct(k.utilisation)]);
    const late = Object.entries(k.late_by_tier || {}).filter(([, n]) => n > 0).map(([tier, n]) => `${term("tier", tier)}: ${n}`);
    items.push([t("kpi.lateVisits"), late.length ? late.join(", ") : t("kpi.none")]);
  } else {
    items.push([t("kpi.plan"), t("kpi.nonePublished")]);
  }
  if (day) {
    items.push([t("kpi.ticketsToday"), formatNumber(day.tickets)]);
    const p50 = day.response_time?.p50_minutes;
    items.push([t("kpi.responseP50"), p50 == null ? "–" : t("unit.minutes", { m: formatNumber(Math.round(p50)) })]);
    items.push([t("kpi.firstTimeFix"), pct(day.first_time_fix?.value)]);
  }
  container.replaceChildren(el("dl", { class: "kpis" }, items.map(([label, value]) => [
    el("div", {}, el("dt", { text: label }), el("dd", { text: String(value) })),
  ])));
}

function slaList(items, zone, onSelect, empty) {
  if (items === null) return el("p", { class: "muted", text: t("sla.unavailable") });
  if (!items.length) return el("p", { class: "muted", text: empty });
  return el("ul", { class: "list" }, items.map((i) => el("li", {},
    el("button", { type: "button", class: `link p${i.priority}`, onclick: () => onSelect("ticket", i.ticket_id) },
      `${i.ticket_number}`),
    ` P${i.priority} · ${t("sla.due", { target: term("slaTarget", i.target), at: clock(i.due_at, zone) })}`,
    i.predicted_arrival ? ` · ${t("sla.eta", { at: clock(i.predicted_arrival, zone) })}` : "",
    i.margin_minutes != null
      ? el("span", { class: i.margin_minutes < 0 ? "bad" : "warn" }, ` (${t("unit.minutes", { m: Math.round(i.margin_minutes) })})`) : "",
  )));
}

/** SLA at risk and breached (null = the endpoint is not there). */
export function renderSla(container, atRisk, breaches, zone, onSelect) {
  container.replaceChildren(
    el("h3", { text: t("sla.atRisk", { n: atRisk?.length ?? "–" }) }),
    slaList(atRisk, zone, onSelect, t("sla.nothingAtRisk")),
    el("h3", { text: t("sla.breached", { n: breaches?.length ?? "–" }) }),
    slaList(breaches, zone, onSelect, t("sla.noBreaches")),
  );
}

function dispatchButton(ticketId, onDispatchNow) {
  return el("button", { type: "button", class: "small", onclick: () => onDispatchNow(ticketId) }, t("action.dispatchNow"));
}

/**
 * Unassigned tickets of the plan shown, with reasons and the suggested fix, and the open
 * tickets no plan knows yet (emergencies that just came in); each can be dispatched now.
 */
export function renderUnassigned(container, plan, waiting, onSelect, onDispatchNow) {
  const items = plan?.unassigned ?? [];
  const parts = [];
  if (!plan) {
    parts.push(el("p", { class: "muted", text: t("unassigned.noPlan") }));
  } else if (!items.length) {
    parts.push(el("p", { class: "muted", text: t("unassigned.none") }));
  } else {
    parts.push(el("ul", { class: "list unassigned" }, items.map((u) => el("li", { dataset: { ticketId: String(u.ticket_id) } },
      el("button", { type: "button", class: `link p${u.priority}`, onclick: () => onSelect("ticket", u.ticket_id) }, u.ticket_number),
      ` ${priorityLabel(u.priority)}`,
      el("div", { class: "reasons" }, u.reasons.map((r) => el("code", { text: r, title: term("reason", r) }))),
      u.suggestion ? el("div", { class: "suggestion" }, t("unassigned.fix"), " ", u.suggestion.message || u.suggestion.kind) : "",
      dispatchButton(u.ticket_id, onDispatchNow),
    ))));
  }
  if (waiting.length) {
    parts.push(el("h3", { text: t("unassigned.notInPlan", { n: waiting.length }) }));
    parts.push(el("ul", { class: "list waiting" }, waiting.slice(0, 50).map((w) => el("li", { dataset: { ticketId: String(w.id) } },
      el("button", { type: "button", class: `link p${w.priority}`, onclick: () => onSelect("ticket", w.id) }, w.number),
      ` ${priorityLabel(w.priority)} · ${term("status", w.status)}`,
      plan ? " " : "",
      plan ? dispatchButton(w.id, onDispatchNow) : "",
    ))));
  }
  container.replaceChildren(...parts);
}

/** The candidate plan against the published one: counts and every change. */
export function renderDiff(container, plan, zone) {
  const d = plan.diff;
  const against = d?.against_plan_id ? t("diff.againstPlan", { id: d.against_plan_id }) : t("diff.againstNone");
  const summary = d
    ? t("diff.summary", { added: d.added, dropped: d.dropped, moved: d.moved, against })
    : t("diff.none");
  const rows = (d?.entries ?? []).map((e) => el("tr", { class: `change-${e.change}` },
    el("td", { text: e.ticket_number }),
    el("td", { text: term("change", e.change) }),
    el("td", { text: e.from_engineer ? `${e.from_engineer} ${clock(e.from_start, zone)}` : "–" }),
    el("td", { text: e.to_engineer ? `${e.to_engineer} ${clock(e.to_start, zone)}` : "–" }),
  ));
  const k = plan.kpis || {};
  container.replaceChildren(
    el("p", { id: "diff-summary", text: summary }),
    el("p", { class: "muted", text: t("diff.serves", { served: k.served ?? "?", unassigned: k.unassigned ?? "?", travel: minutesText(k.travel_seconds) }) }),
    rows.length
      ? el("div", { class: "table-wrap" }, el("table", { class: "diff" },
        el("caption", { class: "sr-only", text: t("diff.caption") }),
        el("thead", {}, el("tr", {}, ["diff.ticket", "diff.change", "diff.from", "diff.to"].map((h) => el("th", { scope: "col", text: t(h) })))),
        el("tbody", {}, rows)))
      : el("p", { text: t("diff.same") }),
  );
}

/** A 409 on publish: the plan is stale (or no longer publishable), and what changed. */
export function renderConflict(container, problem, names) {
  const changes = Array.isArray(problem.changes) ? problem.changes : [];
  const who = (c) => [
    c.ticket_id != null ? t("conflict.ticket", { name: names.ticket(c.ticket_id) }) : "",
    c.engineer_id != null ? t("conflict.engineer", { name: names.engineer(c.engineer_id) }) : "",
  ].filter(Boolean).join(", ");
  container.replaceChildren(
    el("h3", { text: changes.length ? t("conflict.stale") : t("conflict.other", { title: problem.title || t("conflict.conflict") }) }),
    el("p", { text: problem.detail || t("conflict.changed") }),
    changes.length ? el("ul", { class: "list conflicts" }, changes.map((c) => el("li", { dataset: { kind: c.kind } },
      el("strong", { text: term("changeKind", c.kind).replaceAll("_", " ") }), ": ", c.detail || who(c),
    ))) : "",
    el("p", { text: t("conflict.reoptimise") }),
  );
  container.hidden = false;
}

/** One ticket or engineer, with the actions the console offers. */
export function renderDetails(container, title, facts, actions = []) {
  container.replaceChildren(
    el("h2", { id: "details-title", tabindex: "-1", text: title }),
    el("dl", { class: "facts" }, facts.filter(([, v]) => v !== undefined && v !== null && v !== "").map(([label, value]) =>
      el("div", {}, el("dt", { text: label }), el("dd", {}, value)))),
    actions.length ? el("div", { class: "actions" }, actions) : "",
    el("div", { id: "details-result", role: "status" }),
  );
  container.hidden = false;
}

const MAX_EVENTS = 40;

/** Append a live event to the log (newest first). */
export function logEvent(list, kind, text, zone) {
  const item = el("li", { class: `event ${kind.replace(".", "-")}`, dataset: { kind } },
    el("time", { text: clock(new Date().toISOString(), zone) }), " ", el("strong", { text: term("event", kind) }), " ", text);
  list.prepend(item);
  while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
}
