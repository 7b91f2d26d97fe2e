// The timeline: one row per engineer with the shift, the break window, planned travel and
// work, and below it what actually happened (check-in to check-out).

import { clock, el } from "./format.js";
import { t } from "./i18n.js";

const HOUR = 3600000;

function span(rows) {
  let lo = Infinity;
  let hi = -Infinity;
  const see = (ms) => {
    if (Number.isFinite(ms)) {
      lo = Math.min(lo, ms);
      hi = Math.max(hi, ms);
    }
  };
  for (const r of rows) {
    if (r.shift) {
      see(r.shift.start);
      see(r.shift.end);
    }
    for (const v of r.visits) {
      see(v.arrival - (v.travelSeconds || 0) * 1000);
      see(v.end);
    }
    for (const a of r.actuals) {
      see(a.in);
      see(a.out ?? a.in);
    }
  }
  if (!Number.isFinite(lo)) return null;
  return { lo: Math.floor(lo / HOUR) * HOUR, hi: Math.ceil(hi / HOUR) * HOUR || lo + HOUR };
}

function bar(range, from, to, attrs) {
  const width = range.hi - range.lo;
  const left = ((Math.max(from, range.lo) - range.lo) / width) * 100;
  const right = ((Math.min(to, range.hi) - range.lo) / width) * 100;
  const node = el("span", attrs);
  node.style.left = `${left}%`;
  node.style.width = `${Math.max(right - left, 0.3)}%`;
  return node;
}

/**
 * Draw the timeline.
 * @param {HTMLElement} container
 * @param {Array} rows  [{engineerId, code, name, colour, shift, visits, actuals}]
 * @param {{zone: string, onSelect: Function, now: number}} options
 */
export function renderGantt(container, rows, { zone, onSelect, now = Date.now() }) {
  container.replaceChildren();
  const range = span(rows);
  if (!range) {
    container.append(el("p", { class: "empty", text: t("gantt.empty") }));
    return;
  }
  const axis = el("div", { class: "gantt-axis", "aria-hidden": "true" });
  for (let t = range.lo; t <= range.hi; t += HOUR) {
    const tick = el("span", { class: "tick", text: clock(new Date(t).toISOString(), zone) });
    tick.style.left = `${((t - range.lo) / (range.hi - range.lo)) * 100}%`;
    axis.append(tick);
  }
  container.append(el("div", { class: "gantt-row gantt-head" }, el("span", { class: "gantt-label" }), axis));

  for (const r of rows) {
    const lane = el("div", { class: "gantt-lane", role: "list", "aria-label": t("gantt.timelineOf", { code: r.code }) });
    if (r.shift) {
      lane.append(bar(range, r.shift.start, r.shift.end, {
        class: "shift", title: t("gantt.shift", { from: clock(iso(r.shift.start), zone), to: clock(iso(r.shift.end), zone) }),
      }));
      if (r.shift.breakFrom && r.shift.breakTo) {
        lane.append(bar(range, r.shift.breakFrom, r.shift.breakTo, {
          class: "break",
          role: "listitem",
          title: t("gantt.break", { m: r.shift.breakMinutes, from: clock(iso(r.shift.breakFrom), zone), to: clock(iso(r.shift.breakTo), zone) }),
          "aria-label": t("gantt.breakLabel", { m: r.shift.breakMinutes }),
        }));
      }
    }
    for (const v of r.visits) {
      const travelFrom = v.arrival - (v.travelSeconds || 0) * 1000;
      if (v.travelSeconds > 0) {
        lane.append(bar(range, travelFrom, v.arrival, {
          class: "travel", title: t("gantt.travel", { number: v.number, m: Math.round(v.travelSeconds / 60) }),
        }));
      }
      if (v.start > v.arrival) {
        lane.append(bar(range, v.arrival, v.start, { class: "wait", title: t("gantt.wait", { number: v.number }) }));
      }
      const label = t("gantt.planned", { number: v.number, p: v.priority, from: clock(iso(v.start), zone), to: clock(iso(v.end), zone) });
      lane.append(bar(range, v.start, v.end, {
        class: `work p${v.priority}${v.late ? " late" : ""}`,
        role: "listitem",
        tabindex: "0",
        title: label,
        "aria-label": label,
        dataset: { ticketId: String(v.ticketId) },
        onclick: () => onSelect("ticket", v.ticketId),
        onkeydown: (e) => e.key === "Enter" && onSelect("ticket", v.ticketId),
      }));
    }
    for (const a of r.actuals) {
      const out = a.out ?? Math.max(now, a.in + 60000);
      const label = `${t("gantt.actual", { number: a.number, from: clock(iso(a.in), zone), to: a.out ? clock(iso(a.out), zone) : t("gantt.onSite") })}${a.flagged ? ` ${t("gantt.flagged")}` : ""}`;
      lane.append(bar(range, a.in, out, {
        class: `actual${a.out ? "" : " open"}${a.flagged ? " flagged" : ""}`,
        role: "listitem",
        title: label,
        "aria-label": label,
        dataset: { ticketId: String(a.ticketId) },
      }));
    }
    if (now >= range.lo && now <= range.hi) {
      lane.append(bar(range, now, now, { class: "now", "aria-hidden": "true" }));
    }
    const name = el("button", {
      class: "gantt-label", type: "button", title: r.name,
      onclick: () => onSelect("engineer", r.engineerId),
    }, el("i", { class: "swatch", style: `background:${r.colour}` }), r.code);
    container.append(el("div", { class: "gantt-row", dataset: { engineerId: String(r.engineerId) } }, name, lane));
  }
}

function iso(ms) {
  return new Date(ms).toISOString();
}
