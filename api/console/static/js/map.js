// The map: engineers (home or last position), routes in distinct colours, tickets coloured
// by priority tier with SLA risk highlighted. Leaflet is vendored (window.L); tiles are
// optional, the layers are drawn on a plain background when they cannot be loaded.

import { escapeHtml, isDone } from "./format.js";
import { t, term } from "./i18n.js";

const L = window.L;

export class DispatchMap {
  /**
   * @param {HTMLElement} element  the map container
   * @param {string|null} tileUrl  Leaflet tile URL template, or null for no tiles
   * @param {(kind: string, id: number) => void} onSelect  called when a marker is chosen
   */
  constructor(element, tileUrl, onSelect) {
    this.onSelect = onSelect;
    this.map = L.map(element, { zoomControl: true, keyboard: true, zoomSnap: 0.25, zoomDelta: 0.5 });
    this.map.setView([31.23, 121.47], 10);
    if (tileUrl) {
      const tiles = L.tileLayer(tileUrl, {
        maxZoom: 19,
        attribution: "&copy; OpenStreetMap contributors",
        crossOrigin: true,
      });
      tiles.on("tileerror", () => element.classList.add("no-tiles"));
      tiles.addTo(this.map);
    } else {
      element.classList.add("no-tiles");
    }
    this.routeLayer = L.layerGroup().addTo(this.map);
    this.ticketLayer = L.layerGroup().addTo(this.map);
    this.engineerLayer = L.layerGroup().addTo(this.map);
    this.engineers = new Map();
    this.tickets = new Map();
    this.routes = new Map();
  }

  /** Engineers: [{id, code, name, lat, lon, colour, live}] (replaces all). */
  setEngineers(engineers) {
    this.engineerLayer.clearLayers();
    this.engineers.clear();
    for (const e of engineers) {
      const marker = L.marker([e.lat, e.lon], {
        icon: this.#engineerIcon(e),
        title: `${e.code} ${e.name}`,
        alt: t("map.engineer", { code: e.code }),
        riseOnHover: true,
        zIndexOffset: 1000,
      });
      marker.on("click", () => this.onSelect("engineer", e.id));
      marker.on("keypress", (ev) => {
        if (ev.originalEvent.key === "Enter") this.onSelect("engineer", e.id);
      });
      marker.addTo(this.engineerLayer);
      this.engineers.set(e.id, { marker, data: e });
      this.#tagEngineer(e.id);
    }
  }

  #engineerIcon(e) {
    const live = e.live ? " live" : "";
    return L.divIcon({
      className: `eng-marker${live}`,
      html: `<span style="--c:${e.colour}">${escapeHtml(e.code)}</span>`,
      iconSize: [44, 22],
      iconAnchor: [22, 11],
    });
  }

  #tagEngineer(id) {
    const entry = this.engineers.get(id);
    const node = entry?.marker.getElement();
    if (!node) return;
    const { lat, lng } = entry.marker.getLatLng();
    node.dataset.engineerId = String(id);
    node.dataset.code = entry.data.code;
    node.dataset.lat = lat.toFixed(6);
    node.dataset.lon = lng.toFixed(6);
    node.setAttribute("role", "button");
    node.setAttribute("aria-label", `${t("map.engineer", { code: entry.data.code })} ${entry.data.name}`);
  }

  /** Move an engineer's marker (a check-in or a position ping). */
  moveEngineer(id, lat, lon) {
    const entry = this.engineers.get(id);
    if (!entry) return false;
    entry.data.live = true;
    entry.marker.setLatLng([lat, lon]);
    entry.marker.setIcon(this.#engineerIcon(entry.data));
    this.#tagEngineer(id);
    return true;
  }

  /** Routes: [{engineer_id, code, colour, visits, points: [[lat, lon], ...]}] (replaces all). */
  setRoutes(routes) {
    this.routeLayer.clearLayers();
    this.routes.clear();
    for (const r of routes) {
      if (!r.points.length) continue;
      const line = L.polyline(r.points, {
        color: r.colour,
        weight: 4,
        opacity: 0.8,
        className: `route route-${r.code}`,
      });
      line.bindTooltip(escapeHtml(t("map.routeTip", { code: r.code, n: r.visits })), { sticky: true });
      line.on("click", () => this.onSelect("engineer", r.engineer_id));
      line.addTo(this.routeLayer);
      this.routes.set(r.engineer_id, line);
    }
  }

  /** Tickets: [{id, number, priority, status, lat, lon, sla: "at_risk"|"breached"|null}]. */
  setTickets(tickets) {
    this.ticketLayer.clearLayers();
    this.tickets.clear();
    for (const tk of tickets) {
      if (tk.lat == null || tk.lon == null) continue;
      const marker = L.marker([tk.lat, tk.lon], {
        icon: this.#ticketIcon(tk),
        title: `${tk.number} (P${tk.priority}, ${term("status", tk.status)})`,
        alt: t("map.ticket", { number: tk.number }),
        riseOnHover: true,
      });
      marker.on("click", () => this.onSelect("ticket", tk.id));
      marker.on("keypress", (ev) => {
        if (ev.originalEvent.key === "Enter") this.onSelect("ticket", tk.id);
      });
      marker.addTo(this.ticketLayer);
      this.tickets.set(tk.id, { marker, data: { ...tk } });
      this.#tagTicket(tk.id);
    }
  }

  #ticketIcon(tk) {
    const classes = ["ticket-marker", `p${tk.priority}`, `status-${tk.status}`];
    if (tk.sla) classes.push(`sla-${tk.sla}`);
    if (isDone(tk.status)) classes.push("done");
    if (tk.unassigned) classes.push("unassigned");
    if (tk.change) classes.push(`change-${tk.change}`);
    return L.divIcon({ className: classes.join(" "), html: "<span></span>", iconSize: [16, 16] });
  }

  #tagTicket(id) {
    const entry = this.tickets.get(id);
    const node = entry?.marker.getElement();
    if (!node) return;
    node.dataset.ticketId = String(id);
    node.dataset.status = entry.data.status;
    node.setAttribute("role", "button");
    const sla = entry.data.sla ? `, ${term("slaMark", entry.data.sla)}` : "";
    node.setAttribute("aria-label", `${t("map.ticket", { number: entry.data.number })}, P${entry.data.priority}, ${term("status", entry.data.status)}${sla}`);
  }

  /** Change a ticket's look (status change, SLA risk) without redrawing the map. */
  updateTicket(id, patch) {
    const entry = this.tickets.get(id);
    if (!entry) return false;
    Object.assign(entry.data, patch);
    entry.marker.setIcon(this.#ticketIcon(entry.data));
    this.#tagTicket(id);
    return true;
  }

  /** Zoom to everything drawn. */
  fit() {
    this.map.invalidateSize();
    const points = [];
    for (const { marker } of this.engineers.values()) points.push(marker.getLatLng());
    for (const { marker } of this.tickets.values()) points.push(marker.getLatLng());
    if (points.length) this.map.fitBounds(L.latLngBounds(points).pad(0.05), { maxZoom: 14 });
  }

  focus(kind, id) {
    const entry = (kind === "engineer" ? this.engineers : this.tickets).get(id);
    if (entry) this.map.panTo(entry.marker.getLatLng());
  }

  invalidate() {
    this.map.invalidateSize();
  }
}
