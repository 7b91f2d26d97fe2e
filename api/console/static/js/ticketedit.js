// Editing a ticket from its details: priority, appointment windows, duration, skill and
// level, engineer rules and the pin (PATCH /tickets/{id} with the fields that changed);
// the server's field errors are shown next to the fields.

import * as api from "./api.js";
import { el, inputInstant, inputValue, priorityLabel } from "./format.js";
import { errorSlot, showErrors } from "./fielderrors.js";
import { t } from "./i18n.js";
import { state } from "./state.js";

const RULES = ["preferred", "required", "excluded"];

function ruleIds(ticket, kind) {
  const direct = ticket[`${kind}_engineer_ids`];
  if (Array.isArray(direct)) return direct;
  return (ticket.engineer_rules ?? []).filter((r) => r.kind === kind).map((r) => r.engineer_id);
}

function current(ticket) {
  const values = {
    priority: ticket.priority,
    estimated_minutes: ticket.estimated_minutes,
    required_skill: ticket.required_skill,
    min_level: ticket.min_level,
    windows: (ticket.windows ?? []).map((w) => ({ start: new Date(w.start).toISOString(), end: new Date(w.end).toISOString() })),
    pinned_engineer_id: ticket.pinned_engineer_id ?? null,
  };
  for (const kind of RULES) values[`${kind}_engineer_ids`] = [...ruleIds(ticket, kind)].sort((a, b) => a - b);
  return values;
}

function engineerOptions(selected) {
  const known = new Map([...state.engineers.values()].map((e) => [e.id, `${e.code} ${e.name}`]));
  for (const id of selected) if (!known.has(id)) known.set(id, `#${id}`);
  return [...known].map(([id, label]) => el("option", { value: String(id), selected: selected.includes(id) }, label));
}

function field(name, label, control) {
  control.id = `edit-${name}`;
  control.name = name;
  return el("div", { class: "field", dataset: { field: name } }, el("label", { for: control.id, text: label }), control, errorSlot(name));
}

function windowRow(list, window) {
  const zone = state.zone;
  const index = list.children.length;
  const start = el("input", { type: "datetime-local", class: "window-start", value: inputValue(window?.start, zone), "aria-label": t("edit.windowStart") });
  const end = el("input", { type: "datetime-local", class: "window-end", value: inputValue(window?.end, zone), "aria-label": t("edit.windowEnd") });
  const remove = el("button", { type: "button", class: "small", onclick: () => row.remove() }, t("edit.removeWindow"));
  const row = el("li", { class: "window-row" }, start, " – ", end, " ", remove, errorSlot(`windows.${index}`));
  list.append(row);
}

function readForm(form) {
  const zone = state.zone;
  const value = (name) => form.elements[name].value;
  const values = {
    priority: Number(value("priority")),
    estimated_minutes: value("estimated_minutes") === "" ? null : Number(value("estimated_minutes")),
    required_skill: value("required_skill").trim(),
    min_level: Number(value("min_level")),
    windows: [...form.querySelectorAll(".window-row")].map((row) => ({
      start: inputInstant(row.querySelector(".window-start").value, zone),
      end: inputInstant(row.querySelector(".window-end").value, zone),
    })),
    pinned_engineer_id: value("pinned_engineer_id") ? Number(value("pinned_engineer_id")) : null,
  };
  for (const kind of RULES) {
    values[`${kind}_engineer_ids`] = [...form.elements[`${kind}_engineer_ids`].selectedOptions].map((o) => Number(o.value)).sort((a, b) => a - b);
  }
  return values;
}

/** What changed between two value sets (the PATCH body). */
export function changes(before, after) {
  const body = {};
  for (const [key, value] of Object.entries(after)) {
    if (JSON.stringify(value) !== JSON.stringify(before[key])) body[key] = value;
  }
  return body;
}

function buildForm(ticket, before) {
  const select = (options, value) => el("select", {}, options.map(([v, label]) => el("option", { value: String(v), selected: String(v) === String(value) }, label)));
  const windows = el("ol", { class: "windows" });
  before.windows.forEach((w) => windowRow(windows, w));
  const multi = (kind) => el("select", { multiple: true, size: "4" }, engineerOptions(before[`${kind}_engineer_ids`]));
  const pin = el("select", {}, el("option", { value: "" }, t("edit.noPin")), engineerOptions(before.pinned_engineer_id == null ? [] : [before.pinned_engineer_id]));
  pin.value = before.pinned_engineer_id == null ? "" : String(before.pinned_engineer_id);
  return el("form", { id: "ticket-edit", class: "edit-form", novalidate: true, dataset: { ticketId: String(ticket.id) } },
    el("h3", { text: t("edit.title", { number: ticket.number }) }),
    field("priority", t("field.priority"), select([1, 2, 3, 4].map((p) => [p, priorityLabel(p)]), before.priority)),
    field("estimated_minutes", t("edit.minutes"), el("input", { type: "number", min: "1", max: "1440", value: String(before.estimated_minutes ?? "") })),
    field("required_skill", t("field.skill"), el("input", { type: "text", value: before.required_skill ?? "" })),
    field("min_level", t("edit.minLevel"), select([1, 2, 3].map((l) => [l, String(l)]), before.min_level)),
    el("fieldset", { class: "field", dataset: { field: "windows" } }, el("legend", { text: t("edit.windows") }), windows,
      el("button", { type: "button", class: "small", id: "add-window", onclick: () => windowRow(windows, null) }, t("edit.addWindow")),
      errorSlot("windows")),
    ...RULES.map((kind) => field(`${kind}_engineer_ids`, t(`edit.${kind}`), multi(kind))),
    field("pinned_engineer_id", t("edit.pin"), pin),
    errorSlot(""),
    el("div", { class: "row" },
      el("button", { type: "submit", class: "primary", id: "save-ticket" }, t("edit.save")),
      el("button", { type: "button", id: "cancel-edit", onclick: (e) => e.target.closest("form").remove() }, t("edit.cancel"))),
    el("p", { class: "status", role: "status", id: "edit-status" }));
}

/** Open the editor for ``ticket`` under its details; saved changes reload the day. */
export function openTicketEditor(ticket, ctx) {
  document.getElementById("ticket-edit")?.remove();
  const before = current(ticket);
  const form = buildForm(ticket, before);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = changes(before, readForm(form));
    const status = form.querySelector("#edit-status");
    if (!Object.keys(body).length) {
      status.textContent = t("edit.nothing");
      return;
    }
    form.querySelector("#save-ticket").disabled = true;
    try {
      const saved = await api.patch(`/tickets/${ticket.id}`, body);
      form.remove();
      ctx.noteDone(ticket.id, t("edit.saved"));
      await ctx.showTicket(ticket.id, saved); // the answer: a read right now may not see it yet
      ctx.reload({ keepDetails: true }); // the plan shown and the lists, in the background
    } catch (error) {
      if (!(error instanceof api.ApiError)) throw error;
      showErrors(form, error);
      status.textContent = t("edit.failed");
    } finally {
      form.querySelector("#save-ticket").disabled = false;
    }
  });
  document.getElementById("details").append(form);
  form.querySelector("select, input")?.focus();
}
