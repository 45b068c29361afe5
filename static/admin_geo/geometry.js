// The admin's geometry map (assets_app/admin_widgets.py): shows the GeoJSON of the textarea
// beside it, lets the officer drag the point (or click the map to move it) or drag a polygon's
// vertices, and writes the result back into the textarea, which is what the form posts.
// Leaflet is the global `L` from django-leaflet's static files; no inline script (CSP).

const DIGITS = 7; // ~1 cm at Depok's latitude: more is noise in the register

const round = (x) => Number(x.toFixed(DIGITS));

function parse(text) {
  try {
    const geometry = JSON.parse(text);
    return geometry && typeof geometry === "object" && geometry.type ? geometry : null;
  } catch {
    return null;
  }
}

// The rings of a Polygon or MultiPolygon, each a list of [lon, lat] (closing point included).
function ringsOf(geometry) {
  if (geometry.type === "Polygon") return geometry.coordinates;
  if (geometry.type === "MultiPolygon") return geometry.coordinates.flat();
  return [];
}

function setUp(root) {
  const box = root.querySelector(".admin-geo-map");
  const textarea = root.querySelector("textarea");
  if (!box || !textarea || typeof L === "undefined") return;
  box.hidden = false;
  const map = L.map(box, { scrollWheelZoom: false }).setView([-6.4025, 106.7942], 12);
  map.attributionControl.setPrefix(false); // its flag carries an inline style the CSP refuses
  if (box.dataset.tileUrl) {
    L.tileLayer(box.dataset.tileUrl, {
      maxZoom: 19,
      attribution: box.dataset.tileAttribution || "",
    }).addTo(map);
  }
  const layer = L.layerGroup().addTo(map);
  let geometry = null;

  const write = () => {
    textarea.value = JSON.stringify(geometry);
    textarea.dispatchEvent(new Event("change", { bubbles: true }));
  };

  const draw = (fit) => {
    layer.clearLayers();
    if (!geometry) return;
    if (geometry.type === "Point") {
      const [lon, lat] = geometry.coordinates;
      const marker = L.marker([lat, lon], { draggable: true, keyboard: true, title: box.getAttribute("aria-label") });
      marker.on("dragend", () => {
        const at = marker.getLatLng();
        geometry = { type: "Point", coordinates: [round(at.lng), round(at.lat)] };
        write();
      });
      layer.addLayer(marker);
      if (fit) map.setView([lat, lon], 17);
      return;
    }
    const shape = L.geoJSON(geometry, { style: { color: "#b00020", weight: 2 } });
    layer.addLayer(shape);
    for (const ring of ringsOf(geometry)) {
      // The closing point repeats the first: one handle moves both.
      ring.slice(0, -1).forEach((point, i) => {
        const handle = L.marker([point[1], point[0]], {
          draggable: true,
          icon: L.divIcon({ className: "admin-geo-vertex", iconSize: [12, 12] }),
          title: box.getAttribute("aria-label"),
        });
        handle.on("dragend", () => {
          const at = handle.getLatLng();
          ring[i] = [round(at.lng), round(at.lat)];
          if (i === 0) ring[ring.length - 1] = ring[0];
          write();
          draw(false);
        });
        layer.addLayer(handle);
      });
    }
    if (fit) map.fitBounds(shape.getBounds(), { maxZoom: 18 });
  };

  const read = (fit) => {
    geometry = parse(textarea.value);
    draw(fit);
  };

  map.on("click", (event) => {
    if (geometry && geometry.type !== "Point") return; // a click does not replace a polygon
    geometry = { type: "Point", coordinates: [round(event.latlng.lng), round(event.latlng.lat)] };
    write();
    draw(false);
  });
  textarea.addEventListener("input", () => read(true));
  read(true);
}

document.querySelectorAll("[data-admin-geo]").forEach(setUp);
