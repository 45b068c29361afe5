// The programme funnel panel (`programme/funnel/`): per cohort year and programme, how many
// people on the agency's lists were recruited, coached, licensed, applied, placed and are
// trading, with the year's target; by kecamatan below. Shown only when the endpoint answers
// this user (planners, programme staff). Strings come from the page's configuration.

import { fetchJSON } from "./api.js";
import { config, num } from "./config.js";
import { el } from "./dom.js";

const STAGES = ["recruited", "coached", "licensed", "applied", "placed", "trading"];

function header(S, first) {
  return el("tr", {}, [...first, ...STAGES].map((key) => el("th", { text: S[key] })));
}

function yearsTable(S, years) {
  return el("table", { class: "funnel", "data-testid": "funnel-years" },
    el("tr", {}, [S.year, S.programme, S.target, ...STAGES.map((k) => S[k])].map((t) => el("th", { text: t }))),
    years.map((y) => el("tr", { "data-testid": `funnel-${y.year}-${y.programme}` },
      el("th", { text: String(y.year) }),
      el("td", { text: S[y.programme] || y.programme }),
      el("td", { class: "num", text: y.target === null ? "—" : num(y.target) }),
      STAGES.map((k) => el("td", { class: "num", text: num(y[k]) })))));
}

function kecamatanTable(S, rows) {
  return el("details", { "data-testid": "funnel-kecamatan" },
    el("summary", { text: S.by_kecamatan }),
    el("table", { class: "funnel" },
      header(S, [S.year, S.programme, S.kecamatan]),
      rows.map((r) => el("tr", {},
        el("td", { text: String(r.year) }),
        el("td", { text: S[r.programme] || r.programme }),
        el("td", { text: r.kecamatan_name || r.kecamatan_code }),
        STAGES.map((k) => el("td", { class: "num", text: num(r[k]) }))))));
}

export function renderFunnel(S, data, url) {
  if (!data.rows.length) return [el("p", { class: "note", "data-testid": "funnel-empty", text: S.empty })];
  return [
    el("p", { class: "note", text: S.intro }),
    yearsTable(S, data.years),
    kecamatanTable(S, data.rows),
    el("p", { class: "note" },
      el("a", { href: `${url}?format=csv`, "data-testid": "funnel-csv", text: S.csv }), " · ",
      el("a", { href: `${url}?format=xlsx`, "data-testid": "funnel-xlsx", text: S.xlsx })),
  ];
}

export async function loadFunnel() {
  const panel = document.getElementById("funnel");
  const setup = config.funnel;
  if (!panel || !setup) return;
  try {
    const data = await fetchJSON(setup.url);
    panel.replaceChildren(el("h2", { text: setup.strings.title }),
      ...renderFunnel(setup.strings, data, setup.url));
    panel.hidden = false;
  } catch (err) {
    panel.hidden = true; // not allowed for this user, or unavailable: no panel
  }
}
