// A problem+json's field errors shown next to the fields of a form: each error slot is an
// element with data-error-for="<field path>"; "windows.0.end" falls back to "windows.0", then
// "windows"; what matches no slot goes to the form's general slot (data-error-for="").

import { el } from "./format.js";

/** The [{field, message}] of an ApiError's problem (validation errors or a domain error). */
export function fieldErrors(error) {
  const problem = error?.problem ?? {};
  if (Array.isArray(problem.errors) && problem.errors.length) {
    return problem.errors.map((e) => ({ field: e.field ?? "", message: e.message ?? String(e) }));
  }
  return [{ field: problem.field ?? "", message: problem.detail || error?.message || "" }];
}

/** Empty every error slot of ``form``. */
export function clearErrors(form) {
  for (const slot of form.querySelectorAll("[data-error-for]")) {
    slot.replaceChildren();
    slot.hidden = true;
  }
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}

function slotFor(form, field) {
  const parts = String(field).split(".");
  while (parts.length) {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(parts.join("."))}"]`);
    if (slot) return slot;
    parts.pop();
  }
  return form.querySelector('[data-error-for=""]');
}

/** Show ``error``'s field errors in ``form``; the first field in error gets the focus. */
export function showErrors(form, error) {
  clearErrors(form);
  let first = null;
  for (const { field, message } of fieldErrors(error)) {
    const slot = slotFor(form, field);
    if (!slot) continue;
    slot.append(el("span", { class: "field-error-text", dataset: { field } }, message));
    slot.hidden = false;
    const input = slot.parentElement?.querySelector("input, select, textarea");
    if (input && slot.dataset.errorFor) {
      input.setAttribute("aria-invalid", "true");
      first ??= input;
    }
  }
  first?.focus();
}

/** An (initially hidden) error slot for ``field``. */
export function errorSlot(field) {
  return el("p", { class: "field-error bad", role: "alert", dataset: { errorFor: field }, hidden: true });
}
