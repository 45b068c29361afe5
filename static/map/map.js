/*
 * The planners' map: district boundaries, a choropleth of district statistics, assets coloured by
 * use (repurposable ones ringed), outlets sized by vacant stalls, and the programme panel.
 *
 * Everything comes from the API with the session cookie. Assets are asked only for the visible
 * box (`bbox`, at most `limit` features); panning and zooming reload them after a pause, and a
 * newer request aborts the older one. Below `points_min_zoom` the map shows counts per district
 * instead of points. All vector layers share one canvas renderer so thousands of points stay
 * smooth and the top-most feature gets the click.
 *
 * Hooks for tests and other scripts: `window.depokMap` with `counts` per layer, `numberMatched`,
 * `errors`, `mode` ("points" or "aggregate"), `idle`, `loads` (completed load cycles) and `ready`
 * (a promise that settles when the current cycle completes).
 *
 * An ES module (no build step): the API client, the DOM and formatting helpers, the figures of the
 * choropleth, the styles, the assessment and the programme panel are modules of their own;
 * Leaflet (`L`) is a classic script loaded before it.
 */
import { SESSION_EXPIRED_EVENT, fetchJSON, isAbort, rowsOf, withParams } from "./api.js";
import { loadAssessment, yesNo } from "./assessment.js";
import { S, config, fmt, num, urls } from "./config.js";
import { bubble, el } from "./dom.js";
import { initDrawer } from "./drawer.js";
import {
  NO_DATA_COLOR,
  NOT_FIGURES,
  RAMP,
  figureLabel,
  figureValueText,
  flattenFigures,
  isCount,
  rampColor,
} from "./figures.js";
import { districtLabels } from "./labels.js";
import { collapsibleLegend } from "./legend.js";
import { districtSummary } from "./summary.js";
import { loadProgramme } from "./programme.js";
import { loadFunnel } from "./funnel.js";
import { initScenario } from "./scenario.js";
import { assetStyle, outletStyle, vacantStalls } from "./styles.js";

const DEBOUNCE_MS = 250;
// What each layer's request asks for (`properties=`): what the markers and the panel draw.
const ASSET_PROPERTIES = [
  "name", "register_code", "use", "facility_type", "status", "condition", "repurposable",
  "kecamatan_code", "kelurahan_code", "land_area_m2",
].join(",");
const OUTLET_PROPERTIES = [
  "name", "asset_register_code", "stalls", "opening_hours", "kecamatan_code", "kelurahan_code",
].join(",");
// The district counts read only `count`: one small property per (single) feature.
const COUNT_PROPERTIES = "use";

// ---------------------------------------------------------------- hooks and load cycles

const hooks = {
  map: null,
  idle: false,
  loads: 0,
  mode: null,
  counts: { kecamatan: 0, kelurahan: 0, choropleth: 0, assets: 0, aggregates: 0, outlets: 0 },
  numberMatched: { assets: null, outlets: null },
  errors: {},
  ready: null,
  boundaryZoom: null, // the zoom the boundaries were last simplified for (`zoom=`)
};
let resolveReady = null;
window.depokMap = hooks;

function beginCycle() {
  if (!hooks.idle && resolveReady) return;
  hooks.idle = false;
  hooks.ready = new Promise((resolve) => { resolveReady = resolve; });
  document.body.dataset.mapState = "loading";
}

function endCycle() {
  hooks.idle = true;
  hooks.loads += 1;
  document.body.dataset.mapState = "ready";
  const resolve = resolveReady;
  resolveReady = null;
  if (resolve) resolve(hooks);
}

// ---------------------------------------------------------------- messages

const messages = document.getElementById("messages");

function showMessage(key, text, kind = "error") {
  hooks.errors[key] = text;
  let node = messages.querySelector(`[data-key="${key}"]`);
  if (!node) {
    node = el("p", { "data-key": key, "data-testid": `message-${key}` });
    messages.append(node);
  }
  node.className = kind;
  node.textContent = text;
}

function clearMessage(key) {
  delete hooks.errors[key];
  const node = messages.querySelector(`[data-key="${key}"]`);
  if (node) node.remove();
}

function layerFailed(key, layerName, err) {
  if (err && err.status === 401) return; // the session message says what to do
  showMessage(key, fmt(S.layer_failed, { layer: layerName, reason: err.message || err }));
}

// An expired session (the API answers 401): one message with a way back through sign-in.
window.addEventListener(SESSION_EXPIRED_EVENT, () => {
  if (messages.querySelector('[data-key="session"]')) return;
  hooks.errors.session = S.session_expired;
  messages.prepend(el("p", { "data-key": "session", "data-testid": "message-session", class: "error" },
    `${S.session_expired} `, el("a", { href: urls.login, "data-testid": "sign-in-again", text: S.sign_in_again })));
});

// ---------------------------------------------------------------- the map

const renderer = L.canvas({ padding: 0.3, tolerance: 4 });
const map = L.map("map", { preferCanvas: true, renderer, minZoom: 9, maxZoom: 19 });
hooks.map = map;
map.setView(config.center, 12);
map.attributionControl.setPrefix(false);
if (config.tile_url) {
  L.tileLayer(config.tile_url, { maxZoom: 19, attribution: config.tile_attribution || "" }).addTo(map);
}
L.control.scale({ imperial: false }).addTo(map);
const labels = districtLabels(map);

const districts = { kecamatan: [], kelurahan: [] }; // features per level
const districtByCode = new Map();
const statsByLevel = { kecamatan: null, kelurahan: null }; // Map code -> figures

const choropleth = {
  kecamatan: L.geoJSON(null, { renderer, style: choroplethStyle, onEachFeature: bindDistrict }),
  kelurahan: L.geoJSON(null, { renderer, style: choroplethStyle, onEachFeature: bindDistrict }),
};
const outlines = {
  kelurahan: L.geoJSON(null, {
    renderer, interactive: false,
    style: { color: "#55606b", weight: 0.8, opacity: 0.9, dashArray: "3 3", fill: false },
  }),
  kecamatan: L.geoJSON(null, {
    renderer, interactive: false,
    style: { color: "#1d2430", weight: 2.2, opacity: 0.9, fill: false },
  }),
};
const outletLayer = L.geoJSON(null, {
  renderer,
  pointToLayer: (feature, latlng) => L.circleMarker(latlng, outletStyle(feature)),
  style: outletStyle,
  onEachFeature: (feature, layer) => layer.on("click", () => showOutlet(feature)),
});
const assetLayer = L.geoJSON(null, {
  renderer,
  pointToLayer: (feature, latlng) => L.circleMarker(latlng, assetStyle(feature)),
  style: assetStyle,
  onEachFeature: (feature, layer) => layer.on("click", () => showAsset(feature)),
});
const aggregateLayer = L.layerGroup();
const selectedDistrict = L.geoJSON(null, {
  renderer, interactive: false,
  style: { color: "#0b4f6c", weight: 4, opacity: 0.9, fill: false },
}).addTo(map);

let shownChoropleth = null;

function restack() {
  // One canvas draws in insertion order and gives a click to the top-most feature: shading
  // under outlines under assets under outlets, so an outlet (standing on its asset) answers.
  if (shownChoropleth && map.hasLayer(shownChoropleth)) shownChoropleth.bringToBack();
  if (map.hasLayer(assetLayer)) assetLayer.bringToFront();
  if (map.hasLayer(outletLayer)) outletLayer.bringToFront();
}

// ---------------------------------------------------------------- choropleth

const statLevel = document.getElementById("stat-level");
const statSelect = document.getElementById("stat-select");
let classes = []; // [{lo, hi}], ascending: a value belongs to the first class with value <= hi

function currentFigure() {
  return statSelect.value;
}

function figureValue(code) {
  const figures = statsByLevel[statLevel.value];
  const key = currentFigure();
  if (!figures || !key) return null;
  const row = figures.get(code);
  const value = row ? row[key] : null;
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function colorFor(value) {
  if (value === null) return NO_DATA_COLOR;
  const j = classes.findIndex((c) => value <= c.hi);
  return rampColor(j === -1 ? classes.length - 1 : j, classes.length);
}

function choroplethStyle(feature) {
  const shading = Boolean(currentFigure());
  const value = figureValue(feature.properties.code);
  return {
    stroke: false,
    fill: true,
    fillColor: shading ? colorFor(value) : "#ffffff",
    fillOpacity: shading ? 0.7 : 0.01,
  };
}

function computeClasses() {
  // Few distinct values: one class each. Otherwise quintiles (equal limits collapse).
  const key = currentFigure();
  const figures = statsByLevel[statLevel.value];
  classes = [];
  if (!key || !figures) return;
  const values = [...figures.values()]
    .map((row) => row[key])
    .filter((v) => typeof v === "number" && Number.isFinite(v))
    .sort((a, b) => a - b);
  const distinct = [...new Set(values)];
  if (distinct.length <= RAMP.length) {
    classes = distinct.map((v) => ({ lo: v, hi: v }));
    return;
  }
  const limits = [...new Set([0, 0.2, 0.4, 0.6, 0.8, 1]
    .map((q) => values[Math.round(q * (values.length - 1))]))];
  for (let j = 0; j + 1 < limits.length; j += 1) classes.push({ lo: limits[j], hi: limits[j + 1] });
}

function applyChoropleth() {
  computeClasses();
  const level = statLevel.value;
  const wanted = choropleth[level];
  if (shownChoropleth && shownChoropleth !== wanted) map.removeLayer(shownChoropleth);
  shownChoropleth = wanted;
  if (!map.hasLayer(wanted)) wanted.addTo(map);
  wanted.setStyle(choroplethStyle);
  hooks.counts.choropleth = currentFigure() ? wanted.getLayers().length : 0;
  restack();
  renderLegend();
}

function fillFigureOptions() {
  const figures = statsByLevel[statLevel.value];
  const previous = statSelect.value;
  const keys = new Set();
  if (figures) {
    for (const row of figures.values()) {
      for (const [key, value] of Object.entries(row)) {
        if (typeof value === "number" && !NOT_FIGURES.has(key)) keys.add(key);
      }
    }
  }
  const first = statSelect.options[0];
  statSelect.replaceChildren(first);
  for (const key of keys) statSelect.append(el("option", { value: key, text: figureLabel(key) }));
  const preferred = [previous, "assets.total", "population"].find((k) => k && keys.has(k));
  statSelect.value = preferred || (keys.size ? [...keys][0] : "");
}

async function loadStats(level) {
  if (statsByLevel[level]) return;
  const figures = new Map();
  try {
    const data = await fetchJSON(withParams(urls.stats_districts, new URLSearchParams({ level })));
    for (const row of rowsOf(data)) {
      const code = row.code || row.district_code || row.kecamatan_code || row.kelurahan_code;
      if (!code) continue;
      const flat = {};
      flattenFigures(row, "", flat);
      figures.set(code, flat);
    }
    // A district with no asset of a use has no entry for it: that count is 0, not unknown.
    const countKeys = new Set();
    for (const flat of figures.values()) {
      for (const key of Object.keys(flat)) if (isCount(key)) countKeys.add(key);
    }
    for (const flat of figures.values()) {
      for (const key of countKeys) if (!(key in flat)) flat[key] = 0;
    }
    clearMessage("stats");
  } catch (err) {
    // Fall back to what the district list itself carries.
    for (const feature of districts[level]) {
      const p = feature.properties;
      const row = {};
      if (typeof p.population === "number") row.population = p.population;
      if (typeof p.area_km2 === "number") row.area_km2 = p.area_km2;
      if (row.population && row.area_km2) row.density = Math.round(row.population / row.area_km2);
      figures.set(p.code, row);
    }
    showMessage("stats", S.stats_fallback, "notice");
  }
  statsByLevel[level] = figures;
}

// Collapsible (static/map/legend.js): its button is titled "Legend", the uses get their own heading.
const legendBody = collapsibleLegend(map, S.legend_title);

function renderLegend() {
  const parts = [];
  const key = currentFigure();
  if (key && classes.length) {
    parts.push(el("h4", { text: figureLabel(key) }));
    classes.forEach((c, j) => {
      const show = (v) => figureValueText(key, v);
      const text = c.lo === c.hi ? show(c.hi) : `${show(c.lo)} – ${show(c.hi)}`;
      parts.push(el("div", { "data-testid": "legend-class" },
        el("span", { class: "ramp", style: `background:${rampColor(j, classes.length)}` }), text));
    });
    parts.push(el("div", {}, el("span", { class: "ramp", style: `background:${NO_DATA_COLOR}` }), S.no_data));
  }
  parts.push(el("h4", { text: S.field_use }));
  for (const [use, color] of Object.entries(config.use_colors)) {
    parts.push(el("div", { class: "legend-use" },
      el("span", { class: "swatch", style: `background:${color}` }), config.use_labels[use] || use));
  }
  parts.push(el("div", {}, el("span", { class: "ring" }), S.repurposable_ring));
  parts.push(el("div", {}, el("span", { class: "outlet-dot" }), S.outlet_size));
  legendBody.replaceChildren(...parts);
}

// ---------------------------------------------------------------- boundaries and district select

const districtSelect = document.getElementById("filter-district");

// Boundaries come simplified for the zoom they are drawn at (`zoom=`, gzip on the wire); zooming
// in past it fetches finer ones, zooming out keeps what is loaded.
const FULL_DETAIL_ZOOM = 17;

function boundaryZoom() {
  return Math.min(FULL_DETAIL_ZOOM, Math.max(0, Math.round(map.getZoom())));
}

function fetchBoundaries(zoom) {
  const levels = ["kecamatan", "kelurahan"];
  hooks.boundaryZoom = zoom;
  return Promise.allSettled(levels.map((level) => fetchJSON(withParams(urls.districts,
    new URLSearchParams({ level, format: "geojson", limit: String(config.limit), zoom: String(zoom) })))));
}

async function refineBoundaries() {
  const zoom = boundaryZoom();
  if (hooks.boundaryZoom === null || zoom <= hooks.boundaryZoom) return;
  const results = await fetchBoundaries(zoom);
  results.forEach((result, i) => {
    if (result.status === "rejected") return; // the coarser boundaries stay
    const level = ["kecamatan", "kelurahan"][i];
    for (const layer of [outlines[level], choropleth[level]]) {
      layer.clearLayers();
      layer.addData(result.value);
    }
  });
  applyChoropleth();
}

async function loadBoundaries() {
  const levels = ["kecamatan", "kelurahan"];
  const results = await fetchBoundaries(boundaryZoom());
  results.forEach((result, i) => {
    const level = levels[i];
    if (result.status === "rejected") {
      layerFailed(level, S[`layer_${level}`], result.reason);
      return;
    }
    clearMessage(level);
    districts[level] = result.value.features || [];
    for (const feature of districts[level]) districtByCode.set(feature.properties.code, feature);
    outlines[level].addData(result.value);
    choropleth[level].addData(result.value);
    labels.set(level, districts[level]);
    hooks.counts[level] = outlines[level].getLayers().length;
  });
  outlines.kecamatan.addTo(map);
  if (document.getElementById("toggle-kelurahan").checked) outlines.kelurahan.addTo(map);
  if (districts.kecamatan.length) {
    map.fitBounds(outlines.kecamatan.getBounds(), { animate: false, padding: [8, 8] });
  }
  fillDistrictSelect();
}

function fillDistrictSelect() {
  const byParent = new Map();
  for (const kel of districts.kelurahan) {
    const parent = kel.properties.parent_code;
    if (!byParent.has(parent)) byParent.set(parent, []);
    byParent.get(parent).push(kel);
  }
  for (const kec of districts.kecamatan) {
    const p = kec.properties;
    const group = el("optgroup", { label: `${S.field_kecamatan} ${p.name}` });
    group.append(el("option", { value: p.code, text: `${p.name} (${S.field_kecamatan})` }));
    for (const kel of byParent.get(p.code) || []) {
      group.append(el("option", { value: kel.properties.code, text: `— ${kel.properties.name}` }));
    }
    districtSelect.append(group);
  }
}

function districtFit() {
  // On a wide map, keep the right-hand side free for the details panel that opens over it.
  const right = map.getSize().x > 760 ? 330 : 10;
  return { animate: false, paddingTopLeft: [10, 10], paddingBottomRight: [right, 10] };
}

function districtName(code) {
  const feature = districtByCode.get(code);
  return feature ? feature.properties.name : code || "";
}

// ---------------------------------------------------------------- filters

function filterParams() {
  const params = new URLSearchParams();
  if (districtSelect.value) params.set("district", districtSelect.value);
  const uses = [...document.querySelectorAll('input[name="use"]:checked')].map((i) => i.value);
  if (uses.length) params.set("use", uses.join(","));
  const status = document.getElementById("filter-status").value;
  if (status) params.set("status", status);
  const repurposable = document.getElementById("filter-repurposable").value;
  if (repurposable) params.set("repurposable", repurposable);
  return params;
}
hooks.filterParams = () => filterParams().toString();

function bboxParam() {
  const b = map.getBounds();
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  return [
    clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
    clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90),
  ].map((v) => v.toFixed(6)).join(",");
}

// ---------------------------------------------------------------- assets and outlets

const assetStatus = document.getElementById("asset-status");
const outletStatus = document.getElementById("outlet-status");
let controller = null;
let timer = null;
let generation = 0;

function scheduleReload(delay = DEBOUNCE_MS) {
  beginCycle();
  clearTimeout(timer);
  timer = setTimeout(reload, delay);
}

async function reload() {
  if (controller) controller.abort();
  controller = new AbortController();
  const { signal } = controller;
  const mine = ++generation;
  await Promise.all([loadAssets(signal), loadOutlets(signal)]);
  if (mine === generation) {
    restack();
    endCycle();
  }
}

// Empties a layer and what the hooks and the status line say about it (layer off, or failed).
function resetAssets(statusText) {
  assetLayer.clearLayers();
  aggregateLayer.clearLayers();
  hooks.counts.assets = 0;
  hooks.counts.aggregates = 0;
  hooks.numberMatched.assets = null;
  assetStatus.textContent = statusText;
}

function resetOutlets() {
  outletLayer.clearLayers();
  hooks.counts.outlets = 0;
  hooks.numberMatched.outlets = null;
  outletStatus.textContent = "";
}

async function loadAssets(signal) {
  if (!document.getElementById("toggle-assets").checked) {
    resetAssets(S.assets_layer_off);
    hooks.mode = null;
    return;
  }
  const mode = map.getZoom() >= config.points_min_zoom ? "points" : "aggregate";
  try {
    if (mode === "points") await loadAssetPoints(signal);
    else await loadAssetCounts(signal);
    hooks.mode = mode;
    clearMessage("assets");
  } catch (err) {
    if (isAbort(err)) return;
    resetAssets("");
    layerFailed("assets", S.layer_assets, err);
  }
}

async function loadAssetPoints(signal) {
  const params = filterParams();
  params.set("bbox", bboxParam());
  params.set("limit", String(config.limit));
  params.set("format", "geojson");
  params.set("properties", ASSET_PROPERTIES);
  const data = await fetchJSON(withParams(urls.assets, params), signal);
  aggregateLayer.remove();
  aggregateLayer.clearLayers();
  hooks.counts.aggregates = 0;
  assetLayer.clearLayers();
  assetLayer.addData(data);
  if (!map.hasLayer(assetLayer)) assetLayer.addTo(map);
  const shown = assetLayer.getLayers().length;
  const matched = typeof data.numberMatched === "number" ? data.numberMatched : shown;
  hooks.counts.assets = shown;
  hooks.numberMatched.assets = matched;
  assetStatus.textContent = fmt(S.showing, { shown: num(shown), matched: num(matched) }) +
    (matched > shown ? ` ${S.showing_more}` : "");
  if (selectedAsset !== null) highlightAsset(selectedAsset);
}

async function loadAssetCounts(signal) {
  // Zoomed out: one count per district in view (asks for one feature each, reads `count`).
  const chosen = districtSelect.value;
  const view = map.getBounds();
  const targets = chosen
    ? [chosen]
    : districts.kecamatan
      .filter((f) => {
        const [w, s, e, n] = f.properties.bbox || [];
        return w === undefined || view.intersects([[s, w], [n, e]]);
      })
      .map((f) => f.properties.code);
  const base = filterParams();
  const counts = await Promise.all(targets.map(async (code) => {
    const params = new URLSearchParams(base);
    params.set("district", code);
    params.set("limit", "1");
    params.set("properties", COUNT_PROPERTIES);
    const data = await fetchJSON(withParams(urls.assets, params), signal);
    return [code, typeof data.count === "number" ? data.count : rowsOf(data).length];
  }));
  assetLayer.remove();
  assetLayer.clearLayers();
  hooks.counts.assets = 0;
  aggregateLayer.clearLayers();
  let total = 0;
  for (const [code, count] of counts) {
    total += count;
    const feature = districtByCode.get(code);
    if (!feature || !count) continue;
    const p = feature.properties;
    const size = Math.round(24 + 6 * Math.log10(1 + count) * 2);
    const marker = L.marker([p.lat, p.lon], {
      title: fmt(S.bubble_title, { name: p.name, count: num(count) }),
      icon: L.divIcon({ className: "", html: bubble(size, num(count)), iconSize: [size, size] }),
    });
    marker.on("click", () => {
      map.fitBounds(L.geoJSON(feature).getBounds(), districtFit());
    });
    aggregateLayer.addLayer(marker);
  }
  if (!map.hasLayer(aggregateLayer)) aggregateLayer.addTo(map);
  hooks.counts.aggregates = aggregateLayer.getLayers().length;
  hooks.numberMatched.assets = total;
  assetStatus.textContent = fmt(S.aggregated, { matched: num(total), zoom: config.points_min_zoom });
}

async function loadOutlets(signal) {
  if (!document.getElementById("toggle-outlets").checked) {
    outletLayer.remove();
    resetOutlets();
    return;
  }
  const params = new URLSearchParams();
  if (districtSelect.value) params.set("district", districtSelect.value);
  if (document.getElementById("filter-has-vacancy").checked) params.set("has_vacancy", "true");
  params.set("bbox", bboxParam());
  params.set("limit", String(config.limit));
  params.set("format", "geojson");
  params.set("properties", OUTLET_PROPERTIES);
  try {
    const data = await fetchJSON(withParams(urls.outlets, params), signal);
    outletLayer.clearLayers();
    outletLayer.addData(data);
    if (!map.hasLayer(outletLayer)) outletLayer.addTo(map);
    hooks.counts.outlets = outletLayer.getLayers().length;
    hooks.numberMatched.outlets = typeof data.numberMatched === "number" ? data.numberMatched : hooks.counts.outlets;
    outletStatus.textContent = fmt(S.outlets_showing, { shown: num(hooks.counts.outlets) });
    clearMessage("outlets");
  } catch (err) {
    if (isAbort(err)) return;
    resetOutlets();
    layerFailed("outlets", S.layer_outlets, err);
  }
}

// ---------------------------------------------------------------- details panel

const details = document.getElementById("details");
let detailsController = null;
let selectedAsset = null;

function openDetails(kind, title, rows, ...extra) {
  if (detailsController) detailsController.abort();
  detailsController = new AbortController();
  const close = el("button", { class: "close", type: "button", title: S.close, "aria-label": S.close, text: "×" });
  close.addEventListener("click", () => {
    details.hidden = true;
    selectedAsset = null;
    assetLayer.setStyle(assetStyle);
  });
  const table = rows.length === 0 ? null : el("table", {},
    rows.filter(([, value]) => value !== null && value !== undefined && value !== "")
      .map(([label, value]) => el("tr", {}, el("th", { text: label }), el("td", { text: String(value) }))));
  details.replaceChildren(...[
    close,
    el("div", { class: "kind", text: kind }),
    el("h3", { "data-testid": "details-name", text: title }),
    table,
    ...extra,
  ].filter(Boolean));
  details.hidden = false;
  return detailsController.signal;
}

function highlightAsset(id) {
  assetLayer.eachLayer((layer) => {
    if (layer.feature.id === id && layer.setStyle) {
      layer.setStyle({ color: "#ffd400", weight: 4 });
      if (layer.bringToFront) layer.bringToFront();
    }
  });
  // The highlighted asset comes forward, the outlets stay on top of it.
  if (map.hasLayer(outletLayer)) outletLayer.bringToFront();
}

function showAsset(feature) {
  const p = feature.properties || {};
  const id = feature.id ?? p.id;
  selectedAsset = id;
  assetLayer.setStyle(assetStyle);
  highlightAsset(id);
  const assessment = el("div", { class: "assessment", "data-testid": "assessment" },
    el("h4", { text: S.assessment }), el("p", { class: "muted", text: S.assessment_loading }));
  // Readable pages, not the API's JSON: the asset's page shows its history to officers.
  const page = fmt(urls.asset_page, { id });
  const history = el("p", { class: "links" },
    el("a", { href: page, "data-testid": "asset-page-link", text: S.asset_page }),
    config.can_view_history
      ? el("a", { href: `${page}#history`, "data-testid": "history-link", text: S.history_on_page })
      : el("span", { class: "muted", "data-testid": "history-link", text: `${S.history} ${S.history_officers}` }));
  const signal = openDetails(S.asset, p.name || `#${id}`, [
    [S.field_register_code, p.register_code],
    [S.field_use, config.use_labels[p.use] || p.use],
    [S.field_facility_type, config.facility_labels[p.facility_type] || p.facility_type],
    [S.field_status, config.status_labels[p.status] || p.status],
    [S.field_condition, config.condition_labels[p.condition] || p.condition],
    [S.field_repurposable, yesNo(p.repurposable)],
    [S.field_kecamatan, districtName(p.kecamatan_code)],
    [S.field_kelurahan, districtName(p.kelurahan_code)],
    [S.field_land_area, typeof p.land_area_m2 === "number" ? num(p.land_area_m2) : null],
  ], assessment, history);
  details.dataset.assetId = String(id);
  delete details.dataset.outletId;
  loadAssessment(id, assessment, signal);
}

function showOutlet(feature) {
  const p = feature.properties || {};
  const id = feature.id ?? p.id;
  selectedAsset = null;
  assetLayer.setStyle(assetStyle);
  openDetails(S.outlet, p.name || `#${id}`, [
    [S.field_asset, p.asset_register_code],
    [S.field_vacant_stalls, num(vacantStalls(p))],
    [S.field_stalls, typeof p.stalls?.total === "number" ? num(p.stalls.total) : null],
    [S.field_opening_hours, p.opening_hours],
    [S.field_kecamatan, districtName(p.kecamatan_code)],
    [S.field_kelurahan, districtName(p.kelurahan_code)],
  ], el("p", { class: "links" }, el("a", { href: fmt(urls.outlet_page, { id }), "data-testid": "outlet-page-link", text: S.outlet_page })));
  details.dataset.outletId = String(id);
  delete details.dataset.assetId;
}

function bindDistrict(feature, layer) {
  layer.on("click", () => {
    const p = feature.properties;
    const figures = statsByLevel[p.level] && statsByLevel[p.level].get(p.code);
    selectedAsset = null;
    assetLayer.setStyle(assetStyle);
    // A few key figures in sentences; the full list behind a <details>.
    openDetails(S.district, p.name, [], ...districtSummary(p, figures || {}, districtName));
    delete details.dataset.assetId;
    delete details.dataset.outletId;
  });
}

// ---------------------------------------------------------------- wiring

// The form is never sent: its controls filter the map as they change.
document.getElementById("filters").addEventListener("submit", (event) => event.preventDefault());
// Each use's colour comes with the page (a data attribute: the Content-Security-Policy
// allows no style attributes in the markup; styles set from script are allowed).
for (const swatch of document.querySelectorAll(".swatch[data-color]")) {
  swatch.style.background = swatch.dataset.color;
}
document.getElementById("filters").addEventListener("change", (event) => {
  if (event.target === districtSelect) {
    const feature = districtByCode.get(districtSelect.value);
    selectedDistrict.clearLayers();
    if (feature) selectedDistrict.addData(feature);
    const bounds = feature ? selectedDistrict.getBounds() : outlines.kecamatan.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, districtFit());
  }
  scheduleReload();
});
for (const id of ["toggle-assets", "toggle-outlets", "filter-has-vacancy"]) {
  document.getElementById(id).addEventListener("change", () => scheduleReload(0));
}
document.getElementById("toggle-kelurahan").addEventListener("change", (event) => {
  if (event.target.checked) outlines.kelurahan.addTo(map);
  else outlines.kelurahan.remove();
  restack();
});
statLevel.addEventListener("change", async () => {
  beginCycle();
  await loadStats(statLevel.value);
  fillFigureOptions();
  applyChoropleth();
  scheduleReload(0);
});
statSelect.addEventListener("change", applyChoropleth);

// A plain copy of the state (the hooks object itself holds the Leaflet map).
hooks.snapshot = () => JSON.parse(JSON.stringify({
  idle: hooks.idle, loads: hooks.loads, mode: hooks.mode, counts: hooks.counts,
  numberMatched: hooks.numberMatched, errors: hooks.errors,
}));

hooks.featureIds = (layerName) => {
  const layer = { assets: assetLayer, outlets: outletLayer }[layerName];
  return layer.getLayers().map((l) => l.feature.id);
};

hooks.pagePointOf = (layerName, id) => {
  const layer = { assets: assetLayer, outlets: outletLayer }[layerName];
  let found = null;
  layer.eachLayer((l) => { if (String(l.feature.id) === String(id)) found = l; });
  if (!found) return null;
  const latlng = found.getLatLng ? found.getLatLng() : found.getBounds().getCenter();
  const point = map.latLngToContainerPoint(latlng);
  const rect = map.getContainer().getBoundingClientRect();
  return { x: rect.left + point.x, y: rect.top + point.y };
};

async function start() {
  beginCycle();
  await loadBoundaries();
  await loadStats(statLevel.value);
  fillFigureOptions();
  applyChoropleth();
  loadProgramme();
  loadFunnel();
  // Only now does moving the map reload: the first fit above is part of this first cycle.
  map.on("moveend", () => scheduleReload());
  map.on("zoomend", refineBoundaries);
  clearTimeout(timer);
  await reload();
}

initScenario(details); // the what-if block in the asset panel (scenario.js)
hooks.drawer = initDrawer({ onChange: () => map.invalidateSize() });
start();
