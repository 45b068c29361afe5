// A district's details as a short readable summary: its population and assets in two sentences,
// a small table of the facilities the repurposing rules count, and every figure behind a
// <details> for whoever wants them all.

import { S, config, fmt, num } from "./config.js";
import { el } from "./dom.js";
import { figureLabel, figureValueText } from "./figures.js";

function facilityRows(figures) {
  const byType = new Map();
  for (const [key, value] of Object.entries(figures)) {
    const parts = key.split(".");
    if (parts[0] !== "facilities" || parts.length !== 3) continue;
    if (!byType.has(parts[1])) byType.set(parts[1], {});
    byType.get(parts[1])[parts[2]] = value;
  }
  return [...byType.entries()].map(([type, f]) => el("tr", { "data-facility": type },
    el("th", { scope: "row", text: config.facility_labels[type] || type }),
    el("td", { text: num(f.count ?? 0) }),
    el("td", { text: typeof f.needed === "number" ? num(f.needed) : "–" }),
    el("td", { text: typeof f.covered_share === "number" ? figureValueText("covered_share", f.covered_share) : "–" })));
}

export function districtSummary(p, figures, districtName) {
  const population = figures.population ?? p.population;
  const area = figures.area_km2 ?? p.area_km2;
  const parts = [];
  if (p.parent_code) {
    parts.push(el("p", { class: "summary", text: fmt(S.summary_kelurahan, { kecamatan: districtName(p.parent_code) }) }));
  }
  if (typeof population === "number" && typeof area === "number" && area > 0) {
    const template = p.population_year ? S.summary_population : S.summary_population_no_year;
    parts.push(el("p", { class: "summary", "data-testid": "summary-population", text: fmt(template, {
      population: num(population), year: p.population_year, area: num(area),
      density: num(Math.round(population / area)),
    }) }));
  }
  if (typeof figures["assets.total"] === "number") {
    parts.push(el("p", { class: "summary", "data-testid": "summary-assets", text: fmt(S.summary_assets, {
      assets: num(figures["assets.total"]), repurposable: num(figures["repurposable.count"] ?? 0),
    }) }));
  }
  const rows = facilityRows(figures);
  if (rows.length) {
    parts.push(el("table", { class: "facilities", "data-testid": "summary-facilities" },
      el("caption", { text: S.summary_facilities }),
      el("thead", {}, el("tr", {},
        el("th", { scope: "col", text: S.col_facility }), el("th", { scope: "col", text: S.col_count }),
        el("th", { scope: "col", text: S.col_needed }), el("th", { scope: "col", text: S.col_covered }))),
      el("tbody", {}, rows)));
  }
  const all = Object.entries(figures);
  if (all.length) {
    parts.push(el("details", { "data-testid": "all-figures" }, el("summary", { text: S.all_figures }),
      el("table", {}, all.map(([key, value]) => el("tr", {},
        el("th", { text: figureLabel(key) }), el("td", { "data-key": key, text: figureValueText(key, value) }))))));
  }
  return parts;
}
