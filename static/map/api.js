// Reading the API with the session cookie: JSON or GeoJSON, errors as translated messages.

import { S, fmt } from "./config.js";

// Sent on `window` when the API answers 401: the session has ended (map.js offers sign-in).
export const SESSION_EXPIRED_EVENT = "depok:session-expired";

export function withParams(url, params) {
  const query = params.toString();
  return query ? `${url}${url.includes("?") ? "&" : "?"}${query}` : url;
}

export async function fetchJSON(url, signal) {
  let response;
  try {
    // `format=geojson` picks the GeoJSON renderer, which answers application/geo+json.
    const accept = /[?&]format=geojson\b/.test(url) ? "application/geo+json" : "application/json";
    response = await fetch(url, { credentials: "same-origin", headers: { Accept: accept }, signal });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new Error(S.network_error);
  }
  if (!response.ok) {
    const error = new Error(fmt(S.http_error, { status: response.status }));
    error.status = response.status;
    if (response.status === 401) window.dispatchEvent(new Event(SESSION_EXPIRED_EVENT));
    throw error;
  }
  return response.json();
}

export function isAbort(err) {
  return err && err.name === "AbortError";
}

export function rowsOf(data) {
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data.results)) return data.results;
  if (data && Array.isArray(data.features)) {
    return data.features.map((f) => ({ ...(f.properties || {}), id: f.id ?? f.properties?.id }));
  }
  return [];
}
