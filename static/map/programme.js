// The programme panel: targets, vendors and outlets per kecamatan (`stats/programme/`), shown
// only when the endpoint answers this user.

import { fetchJSON } from "./api.js";
import { S, fmt, lang, num, urls } from "./config.js";
import { el } from "./dom.js";

const percentFormat = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });

function pct(value) {
  return typeof value === "number" ? `${percentFormat.format(value)}%` : "—";
}

function bar(value) {
  const width = typeof value === "number" ? Math.max(0, Math.min(100, value)) : 0;
  return el("span", { class: "bar", title: pct(value) },
    el("span", { class: "bar-fill", style: `width: ${width}%` }));
}

function programmeTable(programmes) {
  const names = { wub: S.programme_wub, women: S.programme_women };
  return el("table", { class: "programmes", "data-testid": "programme-targets" },
    el("tr", {}, [S.programme_name, S.programme_target, S.programme_registered, S.programme_placed]
      .map((text) => el("th", { text }))),
    programmes.map((p) => el("tr", { "data-testid": `programme-${p.programme}` },
      el("th", { text: names[p.programme] || p.programme }),
      el("td", { class: "num", text: num(p.target) }),
      el("td", { class: "num" }, num(p.registered), el("small", { text: ` ${pct(p.registered_percent)}` })),
      el("td", { class: "num" }, num(p.placed), el("small", { text: ` ${pct(p.placed_percent)}` }), bar(p.placed_percent)))));
}

function kecamatanTable(rows) {
  return el("table", { class: "by-kecamatan", "data-testid": "programme-kecamatan" },
    el("tr", {}, [S.field_kecamatan, S.programme_vendors, S.programme_outlets, S.programme_stalls, S.programme_occupancy]
      .map((text) => el("th", { text }))),
    rows.map((row) => el("tr", { "data-code": row.code, class: row.outlets ? "" : "no-outlet" },
      el("td", { text: row.name }),
      el("td", { class: "num", title: S.programme_vendors_title, text: `${num(row.vendors.registered)} / ${num(row.vendors.placed)}` }),
      el("td", { class: "num", text: num(row.outlets) }),
      el("td", { class: "num", title: fmt(S.programme_stalls_title, row.stalls), text: `${num(row.stalls.leased)} / ${num(row.stalls.total)}` }),
      el("td", { class: "num", text: pct(row.occupancy_percent) }))));
}

function withoutOutlet(missing, rows) {
  const byKecamatan = new Map(rows.map((row) => [row.code, { name: row.name, kelurahan: [] }]));
  for (const kel of missing.kelurahan) byKecamatan.get(kel.kecamatan_code)?.kelurahan.push(kel.name);
  const total = rows.reduce((sum, row) => sum + row.kelurahan, 0);
  return el("div", { "data-testid": "programme-without-outlet" },
    el("h5", { text: S.programme_without_outlet }),
    el("p", { "data-testid": "without-outlet-kecamatan" },
      el("strong", { text: fmt(S.programme_without_kecamatan, { count: num(missing.kecamatan.length), total: num(rows.length) }) }),
      " ", missing.kecamatan.length ? missing.kecamatan.map((d) => d.name).join(", ") : S.programme_none),
    el("details", { "data-testid": "without-outlet-kelurahan" },
      el("summary", { text: fmt(S.programme_without_kelurahan, { count: num(missing.kelurahan.length), total: num(total) }) }),
      el("ul", {}, [...byKecamatan.values()].filter((k) => k.kelurahan.length).map((k) =>
        el("li", {}, el("strong", { text: `${k.name}: ` }), k.kelurahan.join(", "))))));
}

function renderProgramme(data) {
  const v = data.vendors;
  const o = data.outlets;
  return [
    programmeTable(data.programmes),
    el("p", { class: "note", "data-testid": "programme-vendors", text: fmt(S.programme_vendors_summary, {
      registered: num(v.registered), placed: num(v.placed), both: num(v.both_programmes_registered),
    }) }),
    el("p", { class: "note", "data-testid": "programme-outlets", text: fmt(S.programme_outlets_summary, {
      outlets: num(o.total), total: num(o.stalls.total), vacant: num(o.stalls.vacant),
      offered: num(o.stalls.offered), leased: num(o.stalls.leased), occupancy: pct(o.occupancy_percent),
    }) }),
    kecamatanTable(data.kecamatan),
    withoutOutlet(data.without_outlet, data.kecamatan),
  ];
}

export async function loadProgramme() {
  const panel = document.getElementById("programme");
  try {
    const data = await fetchJSON(urls.programme);
    document.getElementById("programme-body").replaceChildren(...renderProgramme(data));
    panel.classList.add("programme");
    panel.hidden = false;
  } catch (err) {
    panel.hidden = true; // not allowed for this user, or unavailable: no panel
  }
}
