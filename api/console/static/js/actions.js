// What a dispatcher does: optimise (progress, then the diff), publish (or see why not),
// and send an emergency straight to an engineer ("dispatch now").

import * as api from "./api.js";
import { clock, el } from "./format.js";
import { t, term } from "./i18n.js";
import { renderConflict, renderDiff } from "./panels.js";
import { locateUnassigned, state } from "./state.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 700;
let activeRun = null;

function status(text, kind = "") {
  const node = $("opt-status");
  node.textContent = text;
  node.className = `status ${kind}`;
}

function showProgress(run) {
  const bar = $("opt-progress");
  bar.hidden = false;
  bar.value = run.progress ?? 0;
  const pct = Math.round((run.progress ?? 0) * 100);
  bar.textContent = `${pct}%`;
  status(t("opt.progress", { id: run.id, status: term("runStatus", run.status), pct }));
}

/** A progress event from the live stream for the run we wait on. */
export function onProgressEvent(data) {
  if (activeRun && data.plan_id === activeRun.id && data.status) {
    status(t("opt.runStatus", { id: data.plan_id, status: term("runStatus", data.status) }));
  }
}

/** Start a run for the region and day shown, follow it, then show its diff. */
export async function optimise(budget, ctx) {
  $("conflict").hidden = true;
  let run;
  try {
    run = await api.post("/optimizations", {
      region: state.region, date: state.date, time_budget_seconds: budget,
    });
  } catch (error) {
    status(t("opt.failed", { message: error.message }), "bad");
    return;
  }
  await follow(run.id, ctx);
}

/** Follow a run (ours, or the re-optimisation after a dispatch-now) until it ends. */
export async function follow(runId, { render }) {
  const button = $("opt-start");
  button.disabled = true;
  $("opt-cancel").hidden = false;
  try {
    let run = await api.get(`/optimizations/${runId}`);
    activeRun = run;
    showProgress(run);
    while (run.status === "queued" || run.status === "running") {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      run = await api.get(`/optimizations/${run.id}`);
      showProgress(run);
    }
    if (run.status !== "succeeded" || !run.plan_url) {
      status(`${t("opt.runEnded", { id: run.id, status: term("runStatus", run.status) })}${run.error ? `: ${run.error}` : ""}`, "bad");
      return;
    }
    const plan = await api.get(run.plan_url.replace(/^\/api\/v1/, ""));
    state.candidate = plan;
    await locateUnassigned(plan);
    status(t("opt.finished", { id: run.id, plan: plan.id }), "good");
    showCandidate(render);
  } catch (error) {
    status(t("opt.failed", { message: error.message }), "bad");
  } finally {
    activeRun = null;
    button.disabled = false;
    $("opt-cancel").hidden = true;
    $("opt-progress").hidden = true;
  }
}

/** Ask the service to stop the run we follow (it ends as "cancelled"). */
export async function cancelRun() {
  if (!activeRun) return;
  try {
    await api.post(`/optimizations/${activeRun.id}/cancel`);
  } catch (error) {
    status(t("opt.cancelFailed", { message: error.message }), "bad");
  }
}

export function showCandidate(render) {
  const plan = state.candidate;
  const panel = $("diff-panel");
  if (!plan) {
    panel.hidden = true;
    render();
    return;
  }
  $("diff-title").textContent = t("diff.title", { id: plan.id });
  renderDiff($("diff-body"), plan, state.zone);
  $("publish").disabled = false;
  panel.hidden = false;
  panel.dataset.planId = String(plan.id);
  render();
}

function names() {
  const number = new Map();
  for (const plan of [state.candidate, state.published]) {
    for (const r of plan?.routes ?? []) for (const v of r.visits) number.set(v.ticket_id, v.ticket_number);
    for (const u of plan?.unassigned ?? []) number.set(u.ticket_id, u.ticket_number);
  }
  return {
    ticket: (id) => number.get(id) ?? `#${id}`,
    engineer: (id) => state.engineers.get(id)?.code ?? `#${id}`,
  };
}

/** Publish the candidate; a 409 shows what changed since it was made. */
export async function publish({ render, reload }) {
  const plan = state.candidate;
  if (!plan) return;
  const button = $("publish");
  button.disabled = true;
  const conflict = $("conflict");
  conflict.hidden = true;
  try {
    const published = await api.post(`/plans/${plan.id}/publish`);
    state.published = published;
    state.candidate = null;
    $("diff-panel").hidden = true;
    status(t("publish.done", { id: published.id }), "good");
    await reload();
    // The answer can arrive before a fresh read sees the publication: keep what we know
    // (the plan.published event reloads once it is visible).
    if (!state.published || state.published.id < published.id) {
      state.published = published;
      render();
    }
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 409) {
      renderConflict(conflict, error.problem, names());
      conflict.focus();
    } else {
      status(t("publish.failed", { message: error.message }), "bad");
      button.disabled = false;
    }
    render();
  }
}

export function discard(render) {
  state.candidate = null;
  $("conflict").hidden = true;
  showCandidate(render);
  status(t("opt.discarded"));
}

/** Insert a ticket into today's published plan now (emergencies). */
export async function dispatchNow(ticketId, ctx) {
  const targets = [$("dispatch-result"), $("details-result")].filter(Boolean);
  const show = (...nodes) => targets.forEach((t) => t.replaceChildren(...nodes.map((n) => n.cloneNode(true))));
  show(el("span", { text: t("dispatch.busy") }));
  try {
    const r = await api.post(`/tickets/${ticketId}/dispatch-now`);
    show(el("p", { class: "good dispatched", dataset: { ticketId: String(ticketId), engineer: r.engineer_code }, text:
      t("dispatch.done", { ticket: r.ticket_number ?? `#${ticketId}`, engineer: r.engineer_code,
        arrives: clock(r.planned_arrival, state.zone), starts: clock(r.planned_start, state.zone), plan: r.plan_id }) }));
    await ctx.reload({ keepDetails: true });
    if (r.reoptimization_id) {
      status(t("dispatch.reoptimising", { id: r.reoptimization_id }));
      follow(r.reoptimization_id, ctx);
    }
  } catch (error) {
    const problem = error.problem ?? {};
    const reasons = Array.isArray(problem.reasons) ? problem.reasons : [];
    show(el("div", { class: "bad not-dispatched", role: "alert", dataset: { ticketId: String(ticketId) } },
      el("strong", { text: problem.title || t("dispatch.failed") }), ": ", error.message,
      reasons.length ? el("ul", {}, reasons.map((x) => el("li", { text: typeof x === "string" ? x : JSON.stringify(x) }))) : "",
      problem.suggestion?.message ? el("p", { text: `${t("unassigned.fix")} ${problem.suggestion.message}` }) : ""));
  }
}
