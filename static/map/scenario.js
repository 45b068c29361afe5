// The what-if on the map: a planner collects assets from the asset panel, runs
// `POST scenarios/repurposing/` and reads what repurposing them together would do: each asset's
// verdict alone and together, the kelurahan that change, the people left outside every radius.
//
// map.js calls `initScenario(details)` once. The block sits at the foot of the details panel
// whenever it shows an asset (map.js marks that with `data-asset-id`), so the set survives
// moving from asset to asset; nothing is stored, on the server or here, beyond the page.
// Texts and addresses come from `config.scenario` (web/scenario_config.py).

import { isAbort } from "./api.js";
import { config, fmt, num } from "./config.js";
import { el } from "./dom.js";

const C = config.scenario;
const T = C.strings;
const picked = new Map(); // id -> name, in the order added
let result = null; // the last answer, or {error}
let running = null; // AbortController of the request under way
const state = { runs: 0 };
window.depokScenario = state; // for tests: how many runs completed

function csrfToken() {
  const input = document.querySelector('input[name="csrfmiddlewaretoken"]');
  if (input && input.value) return input.value;
  const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : "";
}

// A 400 names `assets` (or another field): show the server's own words.
function errorText(status, body) {
  if (status === 401 || status === 403) return T.error_auth;
  if (body && typeof body === "object") {
    const messages = Object.values(body).flat().filter((m) => typeof m === "string");
    if (messages.length) return messages.join(" ");
  }
  return fmt(T.error_status, { status });
}

async function postScenario(ids, signal) {
  let response;
  try {
    response = await fetch(C.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ assets: ids }),
      signal,
    });
  } catch (err) {
    if (isAbort(err)) throw err;
    return { error: T.error_network };
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) return { error: errorText(response.status, body) };
  return body;
}

function facilityLabel(code) {
  return config.facility_labels?.[code] || code;
}

function yesNo(value) {
  return value ? T.yes : T.no;
}

function people(value) {
  return value === null || value === undefined ? "—" : num(value);
}

function assetLink(id, name) {
  return el("a", { href: fmt(C.asset_page, { id }), text: name || `#${id}` });
}

function table(caption, headers, rows, testid) {
  return el("div", { class: "scenario-table" },
    el("table", { "data-testid": testid },
      el("caption", { text: caption }),
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, rows)));
}

function renderResult(data) {
  if (data.error) return el("p", { class: "scenario-error", role: "alert", "data-testid": "scenario-error", text: data.error });
  const verdicts = data.verdicts || [];
  const parts = [
    el("p", {
      class: `scenario-verdict ${data.repurposable_together ? "yes" : "no"}`,
      "data-testid": "scenario-verdict",
      text: data.repurposable_together ? T.together_yes : T.together_no,
    }),
    table(T.verdicts_caption, [T.col_asset, T.col_alone, T.col_together, T.col_newly_uncovered],
      verdicts.map((v) => el("tr", { "data-testid": "scenario-asset-verdict", "data-asset": String(v.asset) },
        el("th", { scope: "row" }, assetLink(v.asset, v.name), el("span", { class: "muted", text: ` ${facilityLabel(v.facility_type)}` })),
        el("td", { class: v.alone?.repurposable ? "yes" : "no", text: yesNo(v.alone?.repurposable) }),
        el("td", { class: v.together?.repurposable ? "yes" : "no", text: yesNo(v.together?.repurposable) }),
        el("td", { text: people(v.together?.newly_uncovered_population) })))),
  ];
  const failing = verdicts.flatMap((v) => (v.together?.checks || [])
    .filter((c) => !c.passed)
    .map((c) => el("li", {}, el("strong", { text: `${v.name}: ${config.rule_labels?.[c.rule] || c.rule}. ` }), c.detail || "")));
  if (failing.length) parts.push(el("details", {}, el("summary", { text: T.why_together }), el("ul", {}, failing)));
  const kelurahan = data.kelurahan || [];
  parts.push(kelurahan.length
    ? table(T.kelurahan_caption,
      [T.col_kelurahan, T.col_covered, T.col_facilities],
      kelurahan.map((k) => el("tr", { "data-testid": "scenario-kelurahan", "data-code": k.code },
        el("th", { scope: "row", text: `${k.name} (${k.kecamatan_name || k.kecamatan}), ${facilityLabel(k.facility_type)}` }),
        el("td", { text: fmt(T.covered_change, { before: people(k.covered_before), after: people(k.covered_after), population: people(k.population) }) }),
        el("td", { text: fmt(T.facilities_change, { before: num(k.facilities_before), after: num(k.facilities_after), needed: num(k.needed) }) }))),
      "scenario-kelurahan-table")
    : el("p", { text: T.no_kelurahan_change }));
  for (const t of data.totals || []) {
    parts.push(el("p", { "data-testid": "scenario-outside" , text: fmt(T.outside, {
      facility: facilityLabel(t.facility_type),
      outside: people(t.outside_every_radius_after),
      newly: people(t.newly_outside),
    }) }));
  }
  const source = data.population_source?.label;
  if (source) parts.push(el("p", { class: "muted", text: fmt(T.population_source, { source }) }));
  return el("div", { class: "scenario-result", "data-testid": "scenario-result" }, parts);
}

function render(block, currentId) {
  const list = [...picked.entries()];
  const here = currentId !== null && picked.has(currentId);
  const toggle = el("button", {
    type: "button",
    class: "scenario-add",
    "data-testid": here ? "scenario-remove" : "scenario-add",
    text: here ? T.remove : T.add,
  });
  toggle.addEventListener("click", () => {
    if (here) picked.delete(currentId);
    else picked.set(currentId, currentName());
    result = null;
    render(block, currentId);
  });
  const run = el("button", { type: "button", class: "scenario-run", "data-testid": "scenario-run", text: T.run });
  run.disabled = !list.length || running !== null;
  run.addEventListener("click", () => runScenario(block, currentId));
  const clear = el("button", { type: "button", class: "scenario-clear", "data-testid": "scenario-clear", text: T.clear });
  clear.disabled = !list.length;
  clear.addEventListener("click", () => {
    if (running) running.abort();
    running = null;
    picked.clear();
    result = null;
    render(block, currentId);
  });
  block.replaceChildren(
    el("h4", { id: "scenario-heading", text: T.title }),
    el("p", { class: "muted", text: list.length ? fmt(T.count, { count: num(list.length) }) : T.empty }),
    list.length ? el("ol", { class: "scenario-list", "data-testid": "scenario-list" },
      list.map(([id, name]) => el("li", { "data-asset": String(id) }, assetLink(id, name)))) : null,
    el("div", { class: "scenario-actions" }, currentId !== null ? toggle : null, run, clear),
    running ? el("p", { class: "muted", role: "status", text: T.running }) : null,
    result ? renderResult(result) : null,
  );
}

function currentName() {
  return document.querySelector('#details [data-testid="details-name"]')?.textContent || "";
}

async function runScenario(block, currentId) {
  if (running) running.abort();
  running = new AbortController();
  const { signal } = running;
  result = null;
  render(block, currentId);
  try {
    result = await postScenario([...picked.keys()], signal);
  } catch (err) {
    if (isAbort(err)) return;
    result = { error: T.error_network };
  }
  running = null;
  state.runs += 1;
  render(block, currentId);
  block.querySelector('[data-testid="scenario-result"], [data-testid="scenario-error"]')?.scrollIntoView({ block: "nearest" });
}

export function initScenario(details) {
  if (!details || !C) return;
  const link = el("link", { rel: "stylesheet", href: new URL("./scenario.css", import.meta.url).href });
  document.head.append(link);
  // The details panel is rebuilt for each feature: put the block back when it shows an asset.
  const observer = new MutationObserver(() => {
    const id = details.dataset.assetId ? Number(details.dataset.assetId) : null;
    if (details.hidden || details.querySelector(".scenario")) return;
    if (id === null && !picked.size) return;
    const block = el("section", { class: "scenario", "data-testid": "scenario" });
    block.setAttribute("aria-labelledby", "scenario-heading");
    details.append(block);
    render(block, id);
  });
  observer.observe(details, { childList: true, attributes: true, attributeFilter: ["hidden", "data-asset-id"] });
}
