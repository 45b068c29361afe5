// The admin's geometry map (assets_app/admin_widgets.py): shows the GeoJSON of the textarea
// beside it and writes every edit back into the textarea, which is what the form posts.
// - "Point": a click on the map (or dragging the marker) moves the point; from a polygon the
//   point starts at the polygon's centroid.
// - "Draw polygon": each click adds a corner; "Finish" or the first corner closes the ring
//   (at least 3 corners); Escape cancels. The drawn polygon replaces the geometry.
// - A polygon's corners drag; a midpoint handle dragged (or Enter on it) adds a corner; a
//   selected corner is removed by "Remove corner" or Delete (a ring keeps 3 corners).
// Keyboard (WCAG 2.1.1, every function without a mouse):
// - The focused map pans with the arrow keys and zooms with +/- (Leaflet's own handler); a
//   crosshair (geometry.css) marks its centre while the map or "Place at centre" has the
//   keyboard focus, and while a polygon is drawn.
// - "Place at centre" puts the point under the crosshair; while drawing it is "Add corner at
//   centre" and adds the next corner there. A polygon being edited is not replaced by it
//   ("Point" or "Draw polygon" do that). Each placement is announced in the status line.
// - On a focused point marker or corner handle the arrow keys move it 5 screen px (Shift: 25
//   px; zoom in for finer steps), written to the textarea as a drag is; the key never pans the
//   map too, and the moved handle keeps the focus.
// Leaflet is the global `L` from django-leaflet's static files; no inline script (CSP). The
// texts come translated from the template's data-msg-* attributes.

const DIGITS = 7; // ~1 cm at Depok's latitude: more is noise in the register
const MIN_CORNERS = 3;
const SHAPE_STYLE = { color: "#b00020", weight: 2, interactive: false };
const OLD_STYLE = { color: "#555", weight: 1, dashArray: "4 4", fill: false, interactive: false };
// Arrow keys on a marker or handle: the screen step, and the step with Shift.
const STEP_PX = 5;
const SHIFT_STEP_PX = 25;
const ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

const round = (x) => Number(x.toFixed(DIGITS));
const position = (latlng) => [round(latlng.lng), round(latlng.lat)];

function parse(text) {
  try {
    const geometry = JSON.parse(text);
    return geometry && typeof geometry === "object" && geometry.type ? geometry : null;
  } catch {
    return null;
  }
}

const isPolygonal = (geometry) =>
  Boolean(geometry) && (geometry.type === "Polygon" || geometry.type === "MultiPolygon");

// The rings of a Polygon or MultiPolygon, each a list of [lon, lat] (closing point included).
// The ring arrays are the geometry's own, so editing one edits the geometry.
function ringsOf(geometry) {
  if (geometry.type === "Polygon") return geometry.coordinates;
  if (geometry.type === "MultiPolygon") return geometry.coordinates.flat();
  return [];
}

// The area-weighted centroid of the outer rings (shoelace formula, relative to the first corner
// so that degrees near 106 keep their precision); the mean corner if the area is nil.
function centroid(geometry) {
  const outers = geometry.type === "Polygon" ? [geometry.coordinates[0]] : geometry.coordinates.map((p) => p[0]);
  const [ox, oy] = outers[0][0];
  let area = 0;
  let sx = 0;
  let sy = 0;
  let mx = 0;
  let my = 0;
  let count = 0;
  for (const ring of outers) {
    let ringArea = 0;
    let rx = 0;
    let ry = 0;
    for (let i = 0; i < ring.length - 1; i++) {
      const [x0, y0] = [ring[i][0] - ox, ring[i][1] - oy];
      const [x1, y1] = [ring[i + 1][0] - ox, ring[i + 1][1] - oy];
      const cross = x0 * y1 - x1 * y0;
      ringArea += cross;
      rx += (x0 + x1) * cross;
      ry += (y0 + y1) * cross;
      mx += x0;
      my += y0;
      count += 1;
    }
    const sign = Math.sign(ringArea); // rings may wind either way: each counts by its size
    area += Math.abs(ringArea);
    sx += sign * rx;
    sy += sign * ry;
  }
  if (area === 0) return [round(ox + mx / count), round(oy + my / count)];
  return [round(ox + sx / (3 * area)), round(oy + sy / (3 * area))];
}

function handleIcon(className) {
  return L.divIcon({ className, iconSize: className === "admin-geo-midpoint" ? [12, 12] : [16, 16] });
}

function setUp(root) {
  const box = root.querySelector(".admin-geo-map");
  const textarea = root.querySelector("textarea");
  const tools = root.querySelector(".admin-geo-tools");
  const status = root.querySelector(".admin-geo-status");
  if (!box || !textarea || !tools || typeof L === "undefined") return;
  const buttons = {
    point: tools.querySelector(".admin-geo-point"),
    draw: tools.querySelector(".admin-geo-draw"),
    finish: tools.querySelector(".admin-geo-finish"),
    remove: tools.querySelector(".admin-geo-remove"),
    place: tools.querySelector(".admin-geo-place"),
  };
  box.hidden = false;
  tools.hidden = false;
  const keys = root.querySelector(".admin-geo-keys"); // the keyboard help: only with the map
  if (keys) keys.hidden = false;
  const map = L.map(box, { scrollWheelZoom: false, doubleClickZoom: false }).setView([-6.4025, 106.7942], 12);
  map.attributionControl.setPrefix(false); // its flag carries an inline style the CSP refuses
  if (box.dataset.tileUrl) {
    L.tileLayer(box.dataset.tileUrl, {
      maxZoom: 19,
      attribution: box.dataset.tileAttribution || "",
    }).addTo(map);
  }
  window.adminGeo = { ...window.adminGeo, [textarea.name]: map }; // for tests: the map by field
  const layer = L.layerGroup().addTo(map);
  let geometry = null;
  let draft = null; // the corners of the polygon being drawn, or null
  let selected = null; // {ring, index} of the selected corner
  let focusAfter = null; // the corner ({ring, index}) or point ({point}) to focus once redrawn

  const text = (key, values = {}) =>
    (root.dataset[`msg${key[0].toUpperCase()}${key.slice(1)}`] || "").replace(
      /%\((\w+)\)s/g,
      (_, name) => String(values[name] ?? ""),
    );
  const say = (key, values) => {
    status.textContent = key ? text(key, values) : "";
  };

  const write = () => {
    textarea.value = JSON.stringify(geometry);
    textarea.dispatchEvent(new Event("change", { bubbles: true }));
  };

  const updateTools = () => {
    buttons.point.setAttribute("aria-pressed", String(!draft && !isPolygonal(geometry)));
    buttons.draw.setAttribute("aria-pressed", String(Boolean(draft)));
    buttons.finish.hidden = !draft;
    const removable = draft ? draft.length > 0 : Boolean(selected);
    buttons.remove.setAttribute("aria-disabled", String(!removable));
    buttons.place.textContent = text(draft ? "addhere" : "place");
    buttons.place.setAttribute("aria-disabled", String(!draft && isPolygonal(geometry)));
    root.classList.toggle("is-drawing", Boolean(draft));
  };

  const select = (ring, index, element) => {
    box.querySelectorAll(".admin-geo-vertex.is-selected").forEach((el) => el.classList.remove("is-selected"));
    selected = { ring, index };
    element.classList.add("is-selected");
    updateTools();
  };

  // Keys on a handle: Leaflet makes the icons focusable buttons but gives them no key actions.
  // A handled key stops here: an arrow neither scrolls the page nor reaches the map.
  const onKeys = (marker, actions) => {
    marker.getElement().addEventListener("keydown", (event) => {
      const action = actions[event.key];
      if (!action || event.altKey || event.ctrlKey || event.metaKey) return;
      event.preventDefault();
      event.stopPropagation();
      action(event);
    });
  };

  // The arrow keys as actions moving a handle at [lon, lat] by a screen step: each calls
  // moved([lon, lat]) with the new position, rounded as a drag's.
  const arrowKeys = ([lon, lat], moved) =>
    Object.fromEntries(
      Object.entries(ARROWS).map(([key, [dx, dy]]) => [
        key,
        (event) => {
          const px = event.shiftKey ? SHIFT_STEP_PX : STEP_PX;
          const from = map.latLngToContainerPoint([lat, lon]);
          moved(position(map.containerPointToLatLng(from.add([dx * px, dy * px]))));
        },
      ]),
    );

  const drawPoint = (fit) => {
    const [lon, lat] = geometry.coordinates;
    const marker = L.marker([lat, lon], { draggable: true, keyboard: true, title: text("marker") });
    marker.on("dragend", () => {
      geometry = { type: "Point", coordinates: position(marker.getLatLng()) };
      write();
    });
    layer.addLayer(marker);
    onKeys(
      marker,
      arrowKeys([lon, lat], (at) => {
        geometry = { type: "Point", coordinates: at };
        focusAfter = { point: true };
        write();
        draw(false);
      }),
    );
    if (focusAfter && focusAfter.point) marker.getElement().focus();
    if (fit) map.setView([lat, lon], 17);
  };

  const drawCorner = (ring, r, i) => {
    const corners = ring.length - 1;
    const handle = L.marker([ring[i][1], ring[i][0]], {
      draggable: true,
      keyboard: true,
      icon: handleIcon("admin-geo-vertex"),
      title: text("corner", { n: i + 1, count: corners }),
    });
    handle.on("dragend", () => {
      ring[i] = position(handle.getLatLng());
      if (i === 0) ring[corners] = [...ring[0]];
      write();
      draw(false);
    });
    layer.addLayer(handle);
    const element = handle.getElement();
    handle.on("click dragstart", () => select(r, i, element));
    element.addEventListener("focus", () => select(r, i, element));
    if (selected && selected.ring === r && selected.index === i) element.classList.add("is-selected");
    const moveTo = (at) => {
      ring[i] = at;
      if (i === 0) ring[corners] = [...at];
      selected = { ring: r, index: i };
      focusAfter = { ring: r, index: i };
      write();
      draw(false);
    };
    onKeys(handle, {
      Delete: () => removeCorner(r, i, true),
      Backspace: () => removeCorner(r, i, true),
      ...arrowKeys(ring[i], moveTo),
    });
    if (focusAfter && focusAfter.ring === r && focusAfter.index === i) element.focus();
  };

  // The handle halfway along the side from corner i to corner i + 1: dragged (or Enter) it
  // becomes a corner there.
  const drawMidpoint = (ring, i) => {
    const [a, b] = [ring[i], ring[i + 1]];
    const handle = L.marker([(a[1] + b[1]) / 2, (a[0] + b[0]) / 2], {
      draggable: true,
      keyboard: true,
      icon: handleIcon("admin-geo-midpoint"),
      title: text("midpoint"),
    });
    const insert = () => {
      ring.splice(i + 1, 0, position(handle.getLatLng()));
      selected = null;
      write();
      draw(false);
      say("added");
    };
    handle.on("dragend", insert);
    layer.addLayer(handle);
    onKeys(handle, { Enter: insert, " ": insert });
  };

  const drawPolygon = (fit) => {
    const shape = L.geoJSON(geometry, { style: SHAPE_STYLE });
    layer.addLayer(shape);
    ringsOf(geometry).forEach((ring, r) => {
      // The closing point repeats the first: one handle moves both.
      for (let i = 0; i < ring.length - 1; i++) drawMidpoint(ring, i);
      for (let i = 0; i < ring.length - 1; i++) drawCorner(ring, r, i);
    });
    if (fit) map.fitBounds(shape.getBounds(), { maxZoom: 18 });
  };

  // The polygon being drawn: the old geometry dashed beneath it, the corners so far joined by a
  // line; the first corner closes the ring when clicked (or Enter on it).
  const drawDraft = () => {
    if (geometry && isPolygonal(geometry)) layer.addLayer(L.geoJSON(geometry, { style: OLD_STYLE }));
    if (geometry && geometry.type === "Point") {
      const [lon, lat] = geometry.coordinates;
      layer.addLayer(L.circleMarker([lat, lon], { ...OLD_STYLE, radius: 6 }));
    }
    const latlngs = draft.map(([lon, lat]) => [lat, lon]);
    if (latlngs.length > 1) layer.addLayer(L.polyline(latlngs, SHAPE_STYLE));
    latlngs.forEach((latlng, i) => {
      const handle = L.marker(latlng, {
        keyboard: i === 0,
        icon: handleIcon(i === 0 ? "admin-geo-vertex admin-geo-first" : "admin-geo-vertex"),
        title: i === 0 ? text("close") : text("corner", { n: i + 1, count: draft.length }),
        interactive: i === 0,
      });
      layer.addLayer(handle);
      if (i === 0) {
        handle.on("click", finish);
        onKeys(handle, { Enter: finish, " ": finish });
      }
    });
  };

  const draw = (fit) => {
    layer.clearLayers();
    if (draft) drawDraft();
    else if (geometry && geometry.type === "Point") drawPoint(fit);
    else if (isPolygonal(geometry)) drawPolygon(fit);
    focusAfter = null;
    updateTools();
  };

  const removeCorner = (r, i, byKey) => {
    const ring = ringsOf(geometry)[r];
    if (ring.length - 1 <= MIN_CORNERS) {
      say("keep");
      return;
    }
    ring.splice(i, 1);
    if (i === 0) ring[ring.length - 1] = [...ring[0]];
    selected = null;
    // From the keyboard the next corner takes the focus, so Delete can go on.
    if (byKey) focusAfter = { ring: r, index: i % (ring.length - 1) };
    write();
    draw(false);
    say("removed");
  };

  const startDrawing = () => {
    draft = [];
    selected = null;
    draw(false);
    say("draw");
  };

  const stopDrawing = (key) => {
    draft = null;
    draw(false);
    say(key);
  };

  function finish() {
    if (!draft) return;
    if (draft.length < MIN_CORNERS) {
      say("few");
      return;
    }
    const corners = draft.length;
    const fromMap = box.contains(document.activeElement);
    geometry = { type: "Polygon", coordinates: [[...draft, [...draft[0]]]] };
    draft = null;
    write();
    draw(false);
    say("drawn", { count: corners });
    if (fromMap) buttons.draw.focus(); // the first corner that had the focus is gone
  }

  // The next corner of the drawing; a second one on the same spot (a double click, or "Add
  // corner at centre" twice without moving the map) is no corner.
  const addCorner = (at, byKey) => {
    const last = draft[draft.length - 1];
    if (last && last[0] === at[0] && last[1] === at[1]) {
      if (byKey) say("here");
      return;
    }
    draft.push(at);
    draw(false);
    say("numbered", { n: draft.length }); // also replaces an earlier "needs 3 corners"
  };

  // "Place at centre": the point, or the next corner, under the crosshair.
  const placeHere = () => {
    const at = position(map.getCenter());
    if (draft) {
      addCorner(at, true);
      return;
    }
    if (isPolygonal(geometry)) {
      say("placefirst");
      return;
    }
    geometry = { type: "Point", coordinates: at };
    write();
    draw(false);
    say("placed");
  };

  const toPoint = () => {
    if (draft) draft = null;
    if (isPolygonal(geometry)) {
      geometry = { type: "Point", coordinates: centroid(geometry) };
      selected = null;
      write();
      draw(false);
      say("centred");
      return;
    }
    draw(false);
    say("point");
  };

  buttons.point.addEventListener("click", toPoint);
  buttons.draw.addEventListener("click", () => (draft ? stopDrawing("cancelled") : startDrawing()));
  buttons.finish.addEventListener("click", finish);
  buttons.place.addEventListener("click", placeHere);
  buttons.remove.addEventListener("click", () => {
    if (draft && draft.length) {
      draft.pop();
      draw(false);
    } else if (!draft && selected) {
      removeCorner(selected.ring, selected.index, false);
    } else {
      say(draft ? "draw" : "select");
    }
  });
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && draft) {
      event.preventDefault();
      stopDrawing("cancelled");
    }
  });

  map.on("click", (event) => {
    if (draft) {
      addCorner(position(event.latlng), false);
      return;
    }
    if (isPolygonal(geometry)) return; // a click does not replace a polygon: "Point" does
    geometry = { type: "Point", coordinates: position(event.latlng) };
    write();
    draw(false);
  });
  textarea.addEventListener("input", () => {
    geometry = parse(textarea.value);
    draft = null;
    selected = null;
    draw(true);
  });
  geometry = parse(textarea.value);
  draw(true);
}

document.querySelectorAll("[data-admin-geo]").forEach(setUp);
