// The details panel: one engineer or one ticket, with what can be done from there
// (dispatch now, edit the ticket, navigate to the site).

import * as api from "./api.js";
import { dispatchNow } from "./actions.js";
import { clock, el, isDone, minutesText, navigationLinks, priorityLabel } from "./format.js";
import { formatDate, t, term } from "./i18n.js";
import { renderDetails } from "./panels.js";
import { isEngineer, learnTicket, plannedVisit, shownPlan, state } from "./state.js";
import { openTicketEditor } from "./ticketedit.js";

const $ = (id) => document.getElementById(id);
let notice = null; // {ticketId, text}: what was just done to the ticket shown (kept across redraws)

/** Say ``text`` under ticket ``ticketId``'s details until another ticket is shown. */
export function noteDone(ticketId, text) {
  notice = { ticketId, text };
}

/** An engineer of the day shown: skills, position, route. */
export function showEngineer(id, select) {
  const e = state.engineers.get(id);
  if (!e) return;
  const route = shownPlan()?.routes.find((r) => r.engineer_id === id);
  const position = state.positions.get(id);
  renderDetails($("details"), t("details.engineer", { code: e.code }), [
    [t("field.name"), e.name],
    [t("field.level"), term("level", e.level)],
    [t("field.skills"), (e.skills ?? []).map((s) => `${s.skill} ${s.level}`).join(", ")],
    [t("details.position"), position
      ? t("details.positionAt", { lat: position.lat.toFixed(4), lon: position.lon.toFixed(4), at: clock(position.at, state.zone) })
      : t("details.home")],
    [t("details.visits"), route
      ? t("details.visitsTravel", { n: route.visits.length, travel: minutesText(route.travel_seconds) }) : t("details.nonePlanned")],
    [t("details.route"), route ? el("ol", {}, route.visits.map((v) => el("li", {},
      el("button", { type: "button", class: "link", onclick: () => select("ticket", v.ticket_id) }, v.ticket_number),
      ` ${clock(v.planned_start, state.zone)}`))) : null],
  ]);
}

/**
 * A ticket: its facts, where it is planned, a link to navigate there, and the actions.
 * ``known`` is the ticket as the API just answered it (a fresh write), else it is read.
 */
export async function showTicket(id, ctx, known = null) {
  const planned = plannedVisit(id);
  let tk = known;
  if (notice && notice.ticketId !== id) notice = null;
  try {
    tk ??= await api.get(`/tickets/${id}`);
  } catch (error) {
    renderDetails($("details"), t("details.ticketId", { id }), [[t("details.error"), error.message]]);
    return;
  }
  learnTicket(id, { status: tk.status, lat: tk.site.lat, lon: tk.site.lon });
  const actual = state.siteVisits.get(id);
  const actions = [];
  if (!isEngineer() && !isDone(tk.status) && !["on_site", "en_route"].includes(tk.status)) {
    actions.push(el("button", { type: "button", id: "dispatch-now", onclick: () => dispatchNow(id, ctx) }, t("action.dispatchNow")));
  }
  if (!isEngineer() && !isDone(tk.status)) {
    actions.push(el("button", { type: "button", id: "edit-ticket", onclick: () => openTicketEditor(tk, ctx) }, t("edit.open")));
  }
  const zone = state.zone;
  renderDetails($("details"), t("details.ticket", { number: tk.number }), [
    [t("field.priority"), priorityLabel(tk.priority)],
    [t("field.status"), term("status", tk.status)],
    [t("details.sla"), `${term("slaState", tk.sla_state)}${tk.sla_paused ? ` ${t("details.paused")}` : ""}`],
    [t("details.responseDue"), tk.response_due ? clock(tk.response_due, zone) : null],
    [t("details.resolutionDue"), tk.resolution_due ? `${formatDate(tk.resolution_due, zone)} ${clock(tk.resolution_due, zone)}` : null],
    [t("details.customer"), `${tk.customer.name}${tk.customer.tier === "vip" ? ` (${term("tier", "vip")})` : ""}`],
    [t("details.site"), `${tk.site.name}, ${tk.site.address}`],
    [t("details.navigate"), navigationLinks(tk.site.lat, tk.site.lon, tk.site.name)],
    [t("field.skill"), tk.required_skill],
    [t("details.planned"), planned
      ? `${planned.route.engineer_code} ${clock(planned.visit.planned_start, zone)}–${clock(planned.visit.planned_end, zone)}`
      : t("details.notInPlan")],
    [t("details.actual"), actual
      ? `${t("details.checkedIn", { at: clock(new Date(actual.in).toISOString(), zone) })}${actual.flagged ? ` ${t("details.flagged")}` : ""}` : null],
    [t("details.symptoms"), tk.symptoms],
  ], actions);
  $("details").dataset.ticketId = String(id);
  if (notice) $("details-result").replaceChildren(el("p", { class: "good", id: "details-notice", text: notice.text }));
}
