// The console's link to the service: log-in, JSON requests with the bearer token,
// RFC 9457 problems as errors, and the live event stream (Server-Sent Events).

const TOKEN_KEY = "dispatch.console.token";
const BASE = "/api/v1";

/** An HTTP error carrying the problem+json document the API answered with. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function logout() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Exchange user name and password for a token (kept in sessionStorage). */
export async function login(username, password) {
  const body = new URLSearchParams({ username, password });
  const response = await fetch(`${BASE}/auth/token`, { method: "POST", body });
  if (!response.ok) throw await asError(response);
  const data = await response.json();
  sessionStorage.setItem(TOKEN_KEY, data.access_token);
  return data;
}

async function asError(response) {
  let problem = { title: response.statusText, detail: `HTTP ${response.status}` };
  try {
    problem = await response.json();
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, problem);
}

/** A request to ``/api/v1`` + path; JSON in and out; throws ApiError on failure. */
export async function request(method, path, body) {
  const headers = { Accept: "application/json" };
  const current = token();
  if (current) headers.Authorization = `Bearer ${current}`;
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(`${BASE}${path}`, init);
  if (response.status === 401) {
    logout();
    window.dispatchEvent(new CustomEvent("console:logged-out"));
  }
  if (!response.ok) throw await asError(response);
  return response.status === 204 ? null : response.json();
}

export const get = (path) => request("GET", path);
export const post = (path, body) => request("POST", path, body ?? {});
export const patch = (path, body) => request("PATCH", path, body);
export const del = (path) => request("DELETE", path);

/** A multipart POST (files); JSON out; throws ApiError on failure. */
export async function upload(path, form) {
  const headers = { Accept: "application/json" };
  const current = token();
  if (current) headers.Authorization = `Bearer ${current}`;
  const response = await fetch(`${BASE}${path}`, { method: "POST", headers, body: form });
  if (response.status === 401) {
    logout();
    window.dispatchEvent(new CustomEvent("console:logged-out"));
  }
  if (!response.ok) throw await asError(response);
  return response.json();
}

/** A query string of the non-empty ``params`` ("" when none). */
export function query(params) {
  const pairs = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "");
  return pairs.length ? `?${new URLSearchParams(pairs).toString()}` : "";
}

/** Like ``get`` but answers ``fallback`` when the endpoint is missing (404/405). */
export async function getOptional(path, fallback) {
  try {
    return await get(path);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 405)) {
      return fallback;
    }
    throw error;
  }
}

export const EVENT_KINDS = [
  "plan.published",
  "plan.updated",
  "ticket.status_changed",
  "ticket.created",
  "ticket.updated",
  "engineer.absence",
  "sla.at_risk",
  "sla.breached",
  "sla.escalated",
  "checkin.flagged",
  "engineer.checked_in",
  "engineer.checked_out",
  "engineer.location",
  "optimization.progress",
];

/**
 * Subscribe to the live events. EventSource cannot send headers, so the token goes in
 * the query; the browser reconnects by itself and resumes with Last-Event-ID.
 */
export function connectEvents(onEvent, onState) {
  const url = `${BASE}/events?access_token=${encodeURIComponent(token() || "")}`;
  const source = new EventSource(url);
  for (const kind of EVENT_KINDS) {
    source.addEventListener(kind, (message) => {
      let data = {};
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      onEvent(kind, data, message.lastEventId);
    });
  }
  source.onopen = () => onState("live");
  source.onerror = () => onState(source.readyState === EventSource.CLOSED ? "offline" : "reconnecting");
  return source;
}
