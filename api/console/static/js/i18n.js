// The console's languages: one message table per language (messages/en.js, messages/zh-CN.js),
// chosen from the browser (navigator.languages) unless the user picked one with the switch
// (kept in localStorage); dates and numbers are formatted with Intl for that language.

import en from "./messages/en.js";
import zhCN from "./messages/zh-CN.js";

const TABLES = { en, "zh-CN": zhCN };
const STORE_KEY = "dispatch.console.lang";
/** The Intl locale of each language (English: 24-hour clock, day before month). */
const INTL = { en: "en-GB", "zh-CN": "zh-CN" };

export const LANGUAGES = [
  { code: "en", name: "English" },
  { code: "zh-CN", name: "中文" },
];

/** The language for a list of browser language tags: Chinese for any zh, else English. */
export function fromBrowser(tags) {
  for (const tag of tags ?? []) {
    const lower = String(tag).toLowerCase();
    if (lower.startsWith("zh")) return "zh-CN";
    if (lower.startsWith("en")) return "en";
  }
  return "en";
}

function initial() {
  let stored = null;
  try {
    stored = localStorage.getItem(STORE_KEY);
  } catch {
    // storage blocked: follow the browser
  }
  if (stored && TABLES[stored]) return stored;
  return fromBrowser(navigator.languages?.length ? navigator.languages : [navigator.language]);
}

let current = initial();

export const lang = () => current;
export const intlLocale = () => INTL[current];

/** The message ``key`` in the current language with ``{name}`` placeholders filled. */
export function t(key, params = {}) {
  const text = TABLES[current][key] ?? TABLES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** A server enum value (a status, a reason) in words: ``group.value``, else the value. */
export function term(group, value) {
  if (value === null || value === undefined || value === "") return "";
  const key = `${group}.${value}`;
  return TABLES[current][key] ?? TABLES.en[key] ?? String(value);
}

/** Translate the static page: elements with data-i18n (text) and data-i18n-<attr>. */
export function translatePage(root = document) {
  document.documentElement.lang = current;
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const attr of ["title", "aria-label", "placeholder"]) {
    const data = `i18n${attr.replace(/(^|-)(\w)/g, (_, _dash, c) => c.toUpperCase())}`;
    for (const node of root.querySelectorAll(`[data-i18n-${attr}]`)) node.setAttribute(attr, t(node.dataset[data]));
  }
  document.title = t("app.title");
}

/** Switch language, remember it, re-translate and tell the pages (event "console:lang"). */
export function setLang(code) {
  if (!TABLES[code] || code === current) return;
  current = code;
  try {
    localStorage.setItem(STORE_KEY, code);
  } catch {
    // not remembered; still switched
  }
  translatePage();
  window.dispatchEvent(new CustomEvent("console:lang", { detail: code }));
}

const formats = new Map();
function formatter(kind, options) {
  const key = `${current}|${kind}|${options.timeZone ?? ""}`;
  if (!formats.has(key)) {
    formats.set(key, kind === "n" ? new Intl.NumberFormat(INTL[current], options)
      : new Intl.DateTimeFormat(INTL[current], options));
  }
  return formats.get(key);
}

/** A number in the current language's digits grouping. */
export function formatNumber(value, options = {}) {
  return value === null || value === undefined ? "–" : formatter("n", options).format(value);
}

/** Date and time of an ISO instant in ``zone``. */
export function formatDateTime(iso, zone) {
  if (!iso) return "–";
  return formatter("dt", { timeZone: zone || "UTC", dateStyle: "medium", timeStyle: "short", hourCycle: "h23" })
    .format(new Date(iso));
}

/** The date of an ISO instant (or of a YYYY-MM-DD day) in ``zone``. */
export function formatDate(iso, zone) {
  if (!iso) return "–";
  const day = /^\d{4}-\d{2}-\d{2}$/.test(iso);
  return formatter("d", { timeZone: day ? "UTC" : zone || "UTC", dateStyle: "medium" })
    .format(new Date(day ? `${iso}T00:00:00Z` : iso));
}

/** "HH:MM" of an ISO instant in ``zone``. */
export function formatClock(iso, zone) {
  if (!iso) return "–";
  return formatter("c", { timeZone: zone || "UTC", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
    .format(new Date(iso));
}

/** A weekday name, 0 = Monday. */
export function weekdayName(index, width = "short") {
  const monday = Date.UTC(2024, 0, 1); // a Monday
  return formatter(`w${width}`, { timeZone: "UTC", weekday: width }).format(new Date(monday + index * 86400000));
}
