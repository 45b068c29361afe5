// The choropleth's figures: their labels, the colour ramp, and flattening `stats/districts/` rows.

import { S, config, fmt, lang, num } from "./config.js";

// Light enough that the points drawn over it keep their colours.
export const RAMP = ["#fff7ec", "#fee8c8", "#fdd49e", "#fdbb84", "#fc8d59"];
export const NO_DATA_COLOR = "#eeeeee";
// Fields of the district list that are not figures to shade by.
export const NOT_FIGURES = new Set([
  "id", "lon", "lat", "min_lon", "min_lat", "max_lon", "max_lat", "population_year", "level",
  "parent_code", "code", "bps_code", "name",
]);

export function figureLabel(key) {
  if (config.figure_labels[key]) return config.figure_labels[key];
  const parts = key.split(".");
  if (parts[0] === "assets" && parts[1] === "by_use") {
    return fmt(S.figure_assets_use, { use: config.use_labels[parts[2]] || parts[2] });
  }
  if (parts[0] === "assets" && parts[1] === "by_status") {
    return fmt(S.figure_assets_status, { status: config.status_labels[parts[2]] || parts[2] });
  }
  if (parts[0] === "facilities" && parts.length === 3) {
    const template = S[`figure_facility_${parts[2]}`] || "{facility}: {what}";
    return fmt(template, { facility: config.facility_labels[parts[1]] || parts[1], what: parts[2] });
  }
  return S[`figure_${key}`] || key.replace(/[._]/g, " ");
}

export function rampColor(j, count) {
  if (count <= 1) return RAMP[Math.floor(RAMP.length / 2)];
  return RAMP[Math.round((j * (RAMP.length - 1)) / (count - 1))];
}

// Nested figures become dotted keys: `assets.by_use.health`, `facilities.sd.covered_share`.
export const SKIPPED_FIGURES = new Set(["radius_m", "residents_per_facility"]);

export function flattenFigures(value, prefix, out) {
  for (const [key, sub] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (SKIPPED_FIGURES.has(key) || (!prefix && NOT_FIGURES.has(key))) continue;
    if (typeof sub === "number" && Number.isFinite(sub)) out[path] = sub;
    else if (sub && typeof sub === "object" && !Array.isArray(sub)) flattenFigures(sub, path, out);
  }
}

export function isCount(key) {
  return key.startsWith("assets.") || /^facilities\.[^.]+\.count$/.test(key);
}

// Shares (0 to 1, such as `facilities.sd.covered_share`) read as percentages: 0.963 is "96,3%".
const percentFormat = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 });

export function isShare(key) {
  return /(^|[._])share$/.test(key);
}

export function figureValueText(key, value) {
  if (typeof value !== "number") return String(value ?? "");
  return isShare(key) ? percentFormat.format(value) : num(value);
}
