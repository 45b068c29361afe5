// The page's configuration (a JSON object rendered by the server: web/map_config.py) and the
// number and string formatting every module shares. Module scripts run after the document is
// parsed, so the element is there.
export const config = JSON.parse(document.getElementById("map-config").textContent);
export const S = config.strings;
export const urls = config.urls;
export const lang = document.documentElement.lang || undefined;
const numberFormat = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });

export function fmt(template, values) {
  return String(template).replace(/\{(\w+)\}/g, (m, key) => (key in values ? values[key] : m));
}

export function num(value) {
  return typeof value === "number" ? numberFormat.format(value) : String(value ?? "");
}
