// Shared helpers: times in the region's zone, colours, escaping, site navigation links.

import { formatClock, t } from "./i18n.js";

/** Distinct route colours (colour-blind friendly first, then more). */
export const ROUTE_COLOURS = [
  "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
  "#e377c2", "#7f7f7f", "#bcbd22", "#393b79", "#637939", "#8c6d31", "#843c39",
  "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363",
];

export function routeColour(index) {
  return ROUTE_COLOURS[index % ROUTE_COLOURS.length];
}

/** "P1 emergency" .. "P4 planned" in the current language. */
export function priorityLabel(priority) {
  const key = `priority.${priority}`;
  const text = t(key);
  return text === key ? `P${priority}` : text;
}

const DONE = new Set(["completed", "closed", "resolved_remotely", "awaiting_acceptance", "cancelled"]);

export function isDone(status) {
  return DONE.has(status);
}

export function escapeHtml(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => (
    { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]
  ));
}

/** "HH:MM" of an ISO instant in ``zone``. */
export function clock(iso, zone) {
  return formatClock(iso, zone);
}

/** Milliseconds that ``zone`` is ahead of UTC at instant ``ms``. */
function zoneOffset(ms, zone) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(ms));
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  const local = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return local - Math.floor(ms / 1000) * 1000;
}

/** The instant (ms) of ``minutes`` after local midnight of ISO ``day`` in ``zone``. */
export function localInstant(day, minutes, zone) {
  const [y, m, d] = day.split("-").map(Number);
  const guess = Date.UTC(y, m - 1, d) + minutes * 60000;
  return guess - zoneOffset(guess, zone || "UTC");
}

/** The value of a datetime-local input ("YYYY-MM-DDTHH:MM") showing ISO ``iso`` in ``zone``. */
export function inputValue(iso, zone) {
  if (!iso) return "";
  const ms = Date.parse(iso);
  const local = new Date(ms + zoneOffset(ms, zone || "UTC"));
  return local.toISOString().slice(0, 16);
}

/** The ISO instant of a datetime-local input value read as local time in ``zone``. */
export function inputInstant(value, zone) {
  if (!value) return null;
  const [day, time] = value.split("T");
  const [h, m] = (time || "00:00").split(":").map(Number);
  return new Date(localInstant(day, h * 60 + m, zone)).toISOString();
}

/** 0 = Monday .. 6 = Sunday for an ISO day. */
export function weekday(day) {
  const [y, m, d] = day.split("-").map(Number);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

export function minutesText(seconds) {
  const minutes = Math.round((seconds || 0) / 60);
  return minutes >= 60
    ? t("unit.hoursMinutes", { h: Math.floor(minutes / 60), m: minutes % 60 })
    : t("unit.minutes", { m: minutes });
}

/** Build an element: el("li", {class: "x", text: "hi"}, child...). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

/**
 * Links that navigate to a site: OpenStreetMap and Amap (WGS-84 coordinates, driving;
 * Amap's URI API takes "lon,lat,name" and opens the Amap app on phones).
 */
export function navigationLinks(lat, lon, name) {
  if (lat == null || lon == null) return null;
  const osm = `https://www.openstreetmap.org/directions?engine=fossgis_osrm_car&route=%3B${lat}%2C${lon}`;
  const label = encodeURIComponent(String(name ?? "").replaceAll(",", " "));
  const amap = `https://uri.amap.com/navigation?to=${lon},${lat},${label}&mode=car&coordinate=wgs84&callnative=1&src=field-dispatch`;
  const link = (href, text, cls) => el("a", { href, class: `nav-link ${cls}`, target: "_blank", rel: "noopener noreferrer" }, text);
  return el("span", { class: "nav-links" }, link(amap, t("nav.amap"), "nav-amap"), " · ", link(osm, t("nav.osm"), "nav-osm"));
}
