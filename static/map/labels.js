// District names drawn on the map: kecamatan at city zoom, kelurahan once zoomed in, so no base
// map is needed to know where one is. Non-interactive markers in a pane of their own above the
// shading and below the points' canvas clicks (pointer-events off).
//
// Names never overlap: after every zoom or move the labels are placed in order of importance
// (population, then area); a kecamatan name that would touch one already placed moves below its
// point, and one that fits nowhere is hidden; zooming in spreads them out and brings it back.
// During a zoom's animation no name is shown.
// The pane is aria-hidden: the names are decoration here, the district select of the side panel
// names every kecamatan and kelurahan for screen readers.

import { el } from "./dom.js";

// From this zoom on the kelurahan names replace the kecamatan names.
export const KELURAHAN_LABEL_ZOOM = 14;
// Space kept between two names (px), so their white halos do not run into each other.
const LABEL_GAP = 3;
const HIDDEN = "label-hidden";
// While a zoom animates the names slide with their points, placed for the zoom being left, and
// would run over one another: the pane hides from zoomstart until they are placed again.
const ZOOMING = "labels-zooming";
const BELOW = "label-below"; // a kecamatan name moved under its point (map.css)

// Larger districts first: the names a planner looks for are the last to go.
function byImportance(a, b) {
  const pa = a.properties;
  const pb = b.properties;
  return (pb.population || 0) - (pa.population || 0) || (pb.area_km2 || 0) - (pa.area_km2 || 0) ||
    String(pa.code).localeCompare(String(pb.code));
}

function overlaps(a, b) {
  return a.left < b.right + LABEL_GAP && b.left < a.right + LABEL_GAP &&
    a.top < b.bottom + LABEL_GAP && b.top < a.bottom + LABEL_GAP;
}

export function districtLabels(map) {
  map.createPane("labels");
  const pane = map.getPane("labels");
  pane.style.zIndex = "450"; // over the overlay pane (400), under markers and popups
  pane.classList.add("leaflet-labels-pane");
  pane.setAttribute("aria-hidden", "true");
  const layers = { kecamatan: L.layerGroup(), kelurahan: L.layerGroup() };
  const ordered = { kecamatan: [], kelurahan: [] }; // markers, most important first

  function label(feature, level) {
    const p = feature.properties;
    if (typeof p.lat !== "number" || typeof p.lon !== "number") return null;
    const html = el("span", { "data-testid": `label-${level}`, "data-code": p.code, text: p.name });
    return L.marker([p.lat, p.lon], {
      pane: "labels",
      interactive: false,
      keyboard: false,
      icon: L.divIcon({ className: `district-label ${level}`, html, iconSize: null }),
    });
  }

  function shownLevel() {
    return map.getZoom() >= KELURAHAN_LABEL_ZOOM ? "kelurahan" : "kecamatan";
  }

  // Greedy placement: each name goes where its box touches none placed before it, above its
  // point or else (kecamatan) below it, and is hidden when neither is free. All boxes are read
  // before any is hidden again, and hiding uses visibility, which keeps boxes measurable; nothing
  // is painted in between.
  function declutter() {
    const level = shownLevel();
    const spans = ordered[level]
      .map((marker) => marker.getElement())
      .filter(Boolean)
      .map((icon) => icon.querySelector("span"));
    for (const span of spans) span.classList.remove(HIDDEN, BELOW);
    const above = spans.map((span) => span.getBoundingClientRect());
    let below = [];
    if (level === "kecamatan") {
      for (const span of spans) span.classList.add(BELOW);
      below = spans.map((span) => span.getBoundingClientRect());
      for (const span of spans) span.classList.remove(BELOW);
    }
    const placed = [];
    const free = (box) => box && !placed.some((other) => overlaps(other, box));
    spans.forEach((span, i) => {
      if (free(above[i])) placed.push(above[i]);
      else if (free(below[i])) {
        span.classList.add(BELOW);
        placed.push(below[i]);
      } else span.classList.add(HIDDEN);
    });
    pane.classList.remove(ZOOMING);
  }

  function update() {
    const show = shownLevel();
    const hide = show === "kelurahan" ? "kecamatan" : "kelurahan";
    if (!map.hasLayer(layers[show])) layers[show].addTo(map);
    if (map.hasLayer(layers[hide])) layers[hide].remove();
  }

  map.on("zoomstart", () => pane.classList.add(ZOOMING));
  map.on("zoomend", update);
  // moveend follows every zoomend, so the level shown is settled when the names are placed.
  map.on("moveend resize", declutter);
  return {
    set(level, features) {
      layers[level].clearLayers();
      ordered[level] = [];
      for (const feature of [...features].sort(byImportance)) {
        const marker = label(feature, level);
        if (!marker) continue;
        layers[level].addLayer(marker);
        ordered[level].push(marker);
      }
      update();
      declutter();
    },
    shown: () => (map.hasLayer(layers.kelurahan) ? "kelurahan" : "kecamatan"),
    declutter,
  };
}
