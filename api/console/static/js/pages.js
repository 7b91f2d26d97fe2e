// The console's pages: the dispatch view (map, plan, timeline), engineers and import.
// Each page draws itself when shown and again when the language changes.

import { showEngineersPage } from "./engineers.js";
import { showImportPage } from "./imports.js";

const PAGES = {
  dispatch: null,
  engineers: showEngineersPage,
  import: showImportPage,
};

/** Show page ``name`` (unknown names show the dispatch view). */
export async function showPage(name) {
  const shown = name in PAGES ? name : "dispatch";
  for (const page of Object.keys(PAGES)) {
    document.getElementById(`page-${page}`).hidden = page !== shown;
  }
  for (const link of document.querySelectorAll("#pages-nav a")) {
    if (link.dataset.page === shown) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const draw = PAGES[shown];
  if (draw) await draw(document.getElementById(`page-${shown}`));
}
