"""GDAL, locked down for a server that opens files people upload.

GDAL opens whatever its drivers recognise: a VRT that reads other files or URLs, a GML or KML
that fetches schemas, a CSV with open options, paths under /vsicurl/ or /vsizip/. The register
only ever reads GeoPackage and GeoJSON through GDAL (CSV is read by pandas), so every other
vector driver is unregistered for the whole process, and GDAL's network and side-file lookups
are switched off. `gdal_lock_down` runs when the app is ready (`AssetsAppConfig.ready`), before
any request or command can read a file, and again before each read (`assets_app.importing`), in
case something registered drivers anew.
"""

from __future__ import annotations

import logging

import pyogrio

logger = logging.getLogger(__name__)

# The only drivers the process keeps: the importer reads these, the exporter writes GeoPackage.
GDAL_DRIVERS_KEPT = frozenset({"GPKG", "GeoJSON"})

GDAL_CONFIG = {
    # /vsicurl/ and friends open only names ending in one of these: a suffix no URL we would
    # ever build ends with, so none.
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".network-access-disabled",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    # No listing of the upload's folder for side files, no .aux.xml side files.
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "GDAL_PAM_ENABLED": "NO",
    # PROJ grids stay local.
    "PROJ_NETWORK": "OFF",
    # One GeoJSON object at most this big (GDAL's default, stated so it cannot drift to 0,
    # which means unlimited).
    "OGR_GEOJSON_MAX_OBJ_SIZE": "200MB",
}


def gdal_lock_down() -> None:
    """Unregister every vector driver but GDAL_DRIVERS_KEPT and set GDAL_CONFIG; idempotent."""
    # GDAL_SKIP is read when drivers are registered, so register again with it set: drivers
    # already present stay, the skipped ones are removed. Comma-separated, as some names
    # ("ESRI Shapefile") hold spaces.
    from pyogrio._ogr import _register_drivers

    drivers = set(pyogrio.list_drivers())
    skip = sorted(drivers - GDAL_DRIVERS_KEPT)
    current = pyogrio.get_gdal_config_option("GDAL_SKIP") or ""
    wanted = ",".join(sorted(set(filter(None, current.split(","))) | set(skip)))
    pyogrio.set_gdal_config_options({**GDAL_CONFIG, "GDAL_SKIP": wanted or None})
    if skip:
        _register_drivers()
    left = set(pyogrio.list_drivers()) - GDAL_DRIVERS_KEPT
    if left:  # pragma: no cover - a GDAL whose registration ignores GDAL_SKIP
        logger.error("GDAL drivers still registered after GDAL_SKIP: %s", sorted(left))
        raise RuntimeError("GDAL drivers could not be restricted")
