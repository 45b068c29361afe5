// District names drawn on the map: kecamatan at city zoom, kelurahan once zoomed in, so no base
// map is needed to know where one is. Non-interactive markers in a pane of their own above the
// shading and below the points' canvas clicks (pointer-events off).

import { el } from "./dom.js";

// From this zoom on the kelurahan names replace the kecamatan names.
export const KELURAHAN_LABEL_ZOOM = 14;

export function districtLabels(map) {
  map.createPane("labels");
  const pane = map.getPane("labels");
  pane.style.zIndex = "450"; // over the overlay pane (400), under markers and popups
  pane.classList.add("leaflet-labels-pane");
  const layers = { kecamatan: L.layerGroup(), kelurahan: L.layerGroup() };

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

  function update() {
    const fine = map.getZoom() >= KELURAHAN_LABEL_ZOOM;
    const [show, hide] = fine ? ["kelurahan", "kecamatan"] : ["kecamatan", "kelurahan"];
    if (!map.hasLayer(layers[show])) layers[show].addTo(map);
    if (map.hasLayer(layers[hide])) layers[hide].remove();
  }

  map.on("zoomend", update);
  return {
    set(level, features) {
      layers[level].clearLayers();
      for (const feature of features) {
        const marker = label(feature, level);
        if (marker) layers[level].addLayer(marker);
      }
      update();
    },
    shown: () => (map.hasLayer(layers.kelurahan) ? "kelurahan" : "kecamatan"),
  };
}
