// An engineer's absences: the list (cancelled ones struck through), "mark absent" (start,
// end, reason, note) and cancelling one; times are entered in the engineer's region's zone.

import * as api from "./api.js";
import { el, inputInstant } from "./format.js";
import { errorSlot, showErrors } from "./fielderrors.js";
import { formatDateTime, t, term } from "./i18n.js";
import { state } from "./state.js";

export const REASONS = ["sick", "leave", "training", "other"];

function zoneOf(engineer) {
  return state.config?.regions.find((r) => r.code === engineer.region_code)?.timezone ?? state.zone;
}

function absenceRow(a, engineer, container, zone) {
  const cancelled = Boolean(a.cancelled_at);
  return el("tr", { dataset: { absenceId: String(a.id), cancelled: String(cancelled) }, class: cancelled ? "cancelled" : "" },
    el("td", { text: formatDateTime(a.start, zone) }),
    el("td", { text: formatDateTime(a.end, zone) }),
    el("td", { text: term("reason", a.reason) }),
    el("td", { text: a.note ?? "" }),
    el("td", {}, cancelled ? t("absences.cancelled")
      : el("button", { type: "button", class: "small cancel-absence", onclick: () => cancel(a, engineer, container) }, t("absences.cancel"))));
}

async function cancel(absence, engineer, container) {
  try {
    await api.del(`/engineers/${engineer.id}/absences/${absence.id}`);
    await renderAbsences(container, engineer, t("absences.cancelledDone"));
  } catch (error) {
    container.querySelector("#absence-status").textContent = error.message;
  }
}

function absenceForm(engineer, container, zone) {
  const field = (name, label, control) => {
    control.id = `absence-${name}`;
    control.name = name;
    return el("div", { class: "field" }, el("label", { for: control.id, text: label }), control, errorSlot(name));
  };
  const form = el("form", { id: "absence-form", class: "edit-form", novalidate: true },
    el("h4", { text: t("absences.markAbsent") }),
    el("p", { class: "muted", text: t("absences.zone", { zone }) }),
    field("start", t("absences.start"), el("input", { type: "datetime-local" })),
    field("end", t("absences.end"), el("input", { type: "datetime-local" })),
    field("reason", t("absences.reason"), el("select", {}, REASONS.map((r) => el("option", { value: r }, term("reason", r))))),
    field("note", t("absences.note"), el("input", { type: "text", maxlength: "500" })),
    errorSlot(""),
    el("button", { type: "submit", class: "primary", id: "absence-submit" }, t("absences.submit")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      start: inputInstant(form.elements.start.value, zone),
      end: inputInstant(form.elements.end.value, zone),
      reason: form.elements.reason.value,
    };
    if (form.elements.note.value.trim()) body.note = form.elements.note.value.trim();
    try {
      const created = await api.post(`/engineers/${engineer.id}/absences`, body);
      const released = created.released_ticket_ids?.length ?? 0;
      await renderAbsences(container, engineer, released
        ? `${t("absences.recorded")} ${t("absences.released", { n: released })}` : t("absences.recorded"));
    } catch (error) {
      if (!(error instanceof api.ApiError)) throw error;
      showErrors(form, error);
    }
  });
  return form;
}

/** Draw ``engineer``'s absences and the form into ``container``; ``message`` says what just happened. */
export async function renderAbsences(container, engineer, message = "") {
  const zone = zoneOf(engineer);
  let items = [];
  let failure = "";
  try {
    const answer = await api.get(`/engineers/${engineer.id}/absences?include_cancelled=true`);
    items = Array.isArray(answer) ? answer : answer.items;
  } catch (error) {
    failure = error.status === 404 || error.status === 405 ? t("absences.unavailable") : error.message;
  }
  const head = ["absences.start", "absences.end", "absences.reason", "absences.note", "absences.state"];
  container.replaceChildren(
    el("h4", { id: "absences-title", text: t("absences.title") }),
    failure ? el("p", { class: "bad", text: failure })
      : items.length ? el("table", { id: "absences-table", class: "grid" },
        el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col", text: t(h) })))),
        el("tbody", {}, items.map((a) => absenceRow(a, engineer, container, zone))))
        : el("p", { class: "muted", id: "no-absences", text: t("absences.none") }),
    el("p", { id: "absence-status", class: "status good", role: "status", text: message }),
    absenceForm(engineer, container, zone));
}
