// How assets and outlets are drawn: colour by use, a ring when repurposable, outlets sized by
// their vacant stalls.
//
// Every marker has a dark outline: the outline, not the fill, keeps 3:1 contrast over any
// shading of the choropleth (tests/e2e/test_map_phone_browser.py computes it from these
// constants). A repurposable asset keeps its use's colour inside a ring: a larger disc whose
// thicker dark stroke leaves the fill showing (a 3 px black stroke on a 7 px disc hid it).

import { config } from "./config.js";

export const OUTLET_COLOR = "#00897b";
export const OUTLET_OUTLINE = "#004d40";
export const MARKER_OUTLINE = "#1d2430";
export const RING_COLOR = "#111111";
export const SELECTED_COLOR = "#ffd400";

export function useColor(use) {
  return config.use_colors[use] || config.use_colors.other || "#555";
}

export function assetStyle(feature) {
  const p = feature.properties || {};
  const ring = p.repurposable === true;
  return {
    radius: ring ? 8.5 : 5.5,
    color: ring ? RING_COLOR : MARKER_OUTLINE,
    weight: ring ? 2.5 : 1,
    fillColor: useColor(p.use),
    fillOpacity: 1,
    opacity: 1,
  };
}

export function vacantStalls(p) {
  const stalls = p.stalls || {};
  return typeof stalls.vacant === "number" ? stalls.vacant : 0;
}

export function outletStyle(feature) {
  const vacant = vacantStalls(feature.properties || {});
  return {
    radius: 6 + 3 * Math.sqrt(vacant),
    color: OUTLET_OUTLINE,
    weight: 2,
    fillColor: OUTLET_COLOR,
    fillOpacity: vacant > 0 ? 0.55 : 0.15,
  };
}
