// The map's legend: a Leaflet control whose button ("Legend") shows and hides its body. Collapsed
// by default at phone width, where it would cover a good part of the map, expanded on wider
// screens; a planner's choice holds for the browser session (per width class). A native button
// with aria-expanded and aria-controls, so keyboard and screen readers get it for free.

import { el } from "./dom.js";

const PHONE = window.matchMedia("(max-width: 480px)");

function storageKey() {
  return `map-legend-open:${PHONE.matches ? "phone" : "wide"}`;
}

function remembered() {
  try {
    const value = window.sessionStorage.getItem(storageKey());
    return value === null ? null : value === "true";
  } catch {
    return null; // storage refused (privacy settings): the default applies
  }
}

function remember(open) {
  try {
    window.sessionStorage.setItem(storageKey(), String(open));
  } catch {
    // storage refused: the choice lasts until the page is left
  }
}

// Adds the control to `map`; returns the element the legend's content goes into.
export function collapsibleLegend(map, title) {
  const control = L.control({ position: "bottomright" });
  const toggle = el("button", {
    type: "button", class: "legend-toggle", "data-testid": "legend-toggle", text: title,
  });
  const body = el("div", { id: "legend-body", class: "legend-body", "data-testid": "legend-body" });
  toggle.setAttribute("aria-controls", body.id);

  function set(open) {
    toggle.setAttribute("aria-expanded", String(open));
    body.hidden = !open;
  }

  function initial() {
    const stored = remembered();
    set(stored === null ? !PHONE.matches : stored);
  }

  control.onAdd = () => {
    const div = L.DomUtil.create("div", "legend");
    div.dataset.testid = "legend";
    div.append(toggle, body);
    // Clicks, double clicks and wheel turns on the legend stay off the map.
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  toggle.addEventListener("click", () => {
    const open = body.hidden;
    set(open);
    remember(open);
  });
  PHONE.addEventListener("change", initial);
  initial();
  control.addTo(map);
  return body;
}
