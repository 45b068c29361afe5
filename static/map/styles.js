// How assets and outlets are drawn: colour by use, a ring when repurposable, outlets sized by
// their vacant stalls.

import { config } from "./config.js";

const OUTLET_COLOR = "#00897b";

export function useColor(use) {
  return config.use_colors[use] || config.use_colors.other || "#555";
}

export function assetStyle(feature) {
  const p = feature.properties || {};
  const ring = p.repurposable === true;
  return {
    radius: ring ? 7 : 5.5,
    color: ring ? "#111111" : "#ffffff",
    weight: ring ? 3 : 1.2,
    fillColor: useColor(p.use),
    fillOpacity: 0.9,
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
    color: "#004d40",
    weight: 2,
    fillColor: OUTLET_COLOR,
    fillOpacity: vacant > 0 ? 0.55 : 0.15,
  };
}
