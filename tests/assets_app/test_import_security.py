"""Hostile import files: each is opened only as the format its name declares, never reaches a
GDAL driver other than GeoPackage or GeoJSON, makes no network connection, reads no other file,
and is refused with a fixed reason naming `file`, with nothing written.

Through the real endpoint (multipart upload as an asset officer) and the `import_assets`
command. A listener on 127.0.0.1 records any connection GDAL would make.
"""

from __future__ import annotations

import io
import json
import socket
import sqlite3
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

import geopandas
import pyogrio
from shapely.geometry import Point

from assets_app.gdal_setup import GDAL_CONFIG, GDAL_DRIVERS_KEPT
from assets_app.importing import (
    GEOJSON_CRS_NOT_ALLOWED,
    GEOPACKAGE_NOT_PLAIN,
    GEOPACKAGE_ONE_LAYER,
    NO_GEOMETRY_COLUMNS,
    NOT_GEOJSON,
    NOT_GEOPACKAGE,
    NOT_UTF8_CSV,
    UNREADABLE_FILE,
)
from assets_app.models import Asset
from core.models import AuditEvent
from core.roles import ASSET_OFFICER
from tests.conftest import BEJI_POINT, client_for

pytestmark = pytest.mark.django_db

IMPORT_URL = "/api/v1/assets/import/"
MARKER = "SECRET-MARKER-7f3a9c"
ASSET = {"register_code": "SEC-1", "name": "Gedung", "category": "building", "use": "office"}


def unreadable(reason) -> str:
    return str(UNREADABLE_FILE).format(reason=reason)


# --- a listener that counts connections --------------------------------------------------------


class Listener:
    """A TCP server on 127.0.0.1 that answers 404 and keeps what each connection sent."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.received.append(conn.recv(4096))
                    conn.sendall(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    self.received.append(b"")

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def secret_csv(tmp_path) -> Path:
    """A server file an attacker would like to read: a CSV GDAL could open as a layer."""
    path = tmp_path / "secret.csv"
    path.write_text(
        "register_code,name,category,use,WKT\n"
        f"{MARKER},{MARKER},building,office,POINT ({BEJI_POINT[0]} {BEJI_POINT[1]})\n"
    )
    return path


# --- the files ----------------------------------------------------------------------------------


def vrt(source: str, layer: str = "secret") -> bytes:
    return (
        f'<OGRVRTDataSource><OGRVRTLayer name="{layer}"><SrcDataSource>{source}'
        f"</SrcDataSource><SrcLayer>{layer}</SrcLayer></OGRVRTLayer></OGRVRTDataSource>"
    ).encode()


GML = (
    b'<?xml version="1.0" encoding="utf-8"?>'
    b'<ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" '
    b'xmlns:gml="http://www.opengis.net/gml"><gml:featureMember><ogr:a>'
    b"<ogr:geometryProperty><gml:Point><gml:coordinates>106.81794,-6.37229</gml:coordinates>"
    b"</gml:Point></ogr:geometryProperty><ogr:register_code>GML-1</ogr:register_code>"
    b"</ogr:a></gml:featureMember></ogr:FeatureCollection>"
)
KML = (
    b'<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
    b"<Document><Placemark><name>KML-1</name><Point><coordinates>106.81794,-6.37229"
    b"</coordinates></Point></Placemark></Document></kml>"
)


@pytest.fixture(scope="module")
def shapefile_zip(tmp_path_factory) -> bytes:
    """A zipped shapefile of one asset, written by a GDAL that still has the Shapefile driver
    (a separate process: this one has it unregistered)."""
    folder = tmp_path_factory.mktemp("shp")
    code = (
        "import geopandas; from shapely.geometry import Point; "
        f"geopandas.GeoDataFrame({ASSET!r} | {{}}, index=[0], geometry=[Point{BEJI_POINT!r}], "
        f"crs=4326).to_file({str(folder / 'a.shp')!r}, engine='pyogrio')"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for part in sorted(folder.iterdir()):
            archive.write(part, part.name)
    return out.getvalue()


def plain_sqlite(tmp_path) -> bytes:
    path = tmp_path / "plain.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE secret (register_code TEXT)")
        db.execute("INSERT INTO secret VALUES (?)", [MARKER])
    return path.read_bytes()


def good_gpkg(tmp_path, name="good.gpkg", **columns) -> Path:
    """A valid GeoPackage of one importable asset, as GDAL writes it."""
    path = tmp_path / name
    frame = geopandas.GeoDataFrame(
        {**ASSET, **columns}, index=[0], geometry=[Point(*BEJI_POINT)], crs=4326
    )
    frame.to_file(path, driver="GPKG", layer="assets", engine="pyogrio")
    return path


def tampered_gpkg(tmp_path, *statements: str) -> bytes:
    """The valid GeoPackage changed by SQL (statements may rewrite the schema itself)."""
    path = good_gpkg(tmp_path, name="tampered.gpkg")
    db = sqlite3.connect(path)
    db.execute("PRAGMA writable_schema = ON")
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()
    return path.read_bytes()


def with_application_id(data: bytes, app_id: bytes) -> bytes:
    return data[:68] + app_id + data[72:]


def feature_collection(**members) -> dict:
    return {
        "type": "FeatureCollection",
        **members,
        "features": [
            {
                "type": "Feature",
                "properties": ASSET,
                "geometry": {"type": "Point", "coordinates": list(BEJI_POINT)},
            }
        ],
    }


def geojson_bytes(document) -> bytes:
    return json.dumps(document).encode()


# --- helpers --------------------------------------------------------------------------------


def upload(client, content: bytes, name: str):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content)}, format="multipart")


def assert_refused(response, message: str, *leaks: str) -> None:
    assert response.status_code == 400
    assert response.json() == {"file": [message]}
    for leak in leaks:
        assert leak not in response.content.decode()
    assert Asset.objects.count() == 0
    assert AuditEvent.objects.count() == 0


# --- the process's GDAL -----------------------------------------------------------------------


def test_gdal_keeps_only_the_geopackage_and_geojson_drivers_and_no_network():
    assert set(pyogrio.list_drivers()) == {"GPKG", "GeoJSON"} == GDAL_DRIVERS_KEPT
    for option, value in GDAL_CONFIG.items():
        # pyogrio reads "0" back as 0 and "NO"/"OFF" as False.
        got = str(pyogrio.get_gdal_config_option(option)).upper()
        assert got in {value.upper(), {"NO": "FALSE", "OFF": "FALSE"}.get(value, "")}, option
    assert "OGR_VRT" in pyogrio.get_gdal_config_option("GDAL_SKIP").split(",")


# --- files of another format under each name -------------------------------------------------


def _other_formats(tmp_path, listener, secret_csv, shapefile_zip) -> dict[str, bytes]:
    return {
        "vrt of a server csv": vrt(str(secret_csv)),
        "vrt of /etc/passwd": vrt("/etc/passwd", layer="passwd"),
        "vrt over the network": vrt(f"/vsicurl/{listener.url}/x.csv", layer="x"),
        "gml": GML,
        "kml": KML,
        "zipped shapefile": shapefile_zip,
        "sqlite that is not a geopackage": plain_sqlite(tmp_path),
        "a path as content": b"/etc/passwd",
        "a network path as content": f"/vsicurl/{listener.url}/x".encode(),
    }


@pytest.mark.parametrize(
    ("suffix", "reason"),
    [(".gpkg", NOT_GEOPACKAGE), (".geojson", NOT_GEOJSON), (".json", NOT_GEOJSON)],
)
def test_spatial_names_refuse_every_other_format(
    client_as, tmp_path, listener, secret_csv, shapefile_zip, suffix, reason
):
    client = client_as(ASSET_OFFICER)
    files = _other_formats(tmp_path, listener, secret_csv, shapefile_zip)
    for case, content in files.items():
        response = upload(client, content, f"assets{suffix}")
        assert response.status_code == 400, case
        assert_refused(response, unreadable(reason), MARKER, str(tmp_path), "root:")
    assert listener.received == []


def test_csv_name_refuses_binary_and_other_text(
    client_as, tmp_path, listener, secret_csv, shapefile_zip
):
    client = client_as(ASSET_OFFICER)
    files = _other_formats(tmp_path, listener, secret_csv, shapefile_zip)
    binary = {"zipped shapefile", "sqlite that is not a geopackage"}
    for case, content in files.items():
        response = upload(client, content, "assets.csv")
        # Text is read by pandas as the CSV it claims to be: it has no geometry columns.
        message = unreadable(NOT_UTF8_CSV) if case in binary else str(NO_GEOMETRY_COLUMNS)
        assert response.status_code == 400, case
        assert_refused(response, message, MARKER, str(tmp_path), "root:")
    for content in (
        b"register_code,lon,lat\nA,1\x00,2\n",
        "kode,lon\nGedung é,1\n".encode("cp1252"),
    ):
        assert_refused(upload(client, content, "assets.csv"), unreadable(NOT_UTF8_CSV))
    assert listener.received == []


# --- GeoJSON that GDAL would follow ----------------------------------------------------------


@pytest.mark.parametrize(
    "crs",
    [
        {"type": "link", "properties": {"href": "{url}/crs", "type": "proj4"}},
        {"type": "url", "properties": {"url": "{url}/crs"}},
        {"type": "name", "properties": {"name": "/vsicurl/{url}/crs"}},
        {"type": "name", "properties": {"name": "{url}/crs"}},
        {"type": "name", "properties": {"name": "/etc/passwd"}},
    ],
    ids=["link", "url", "vsicurl-name", "url-name", "file-name"],
)
@pytest.mark.parametrize("where", ["top", "feature-geometry-upper-case"])
def test_geojson_crs_that_points_anywhere_is_refused(client_as, listener, crs, where):
    crs = json.loads(json.dumps(crs).replace("{url}", listener.url))
    if where == "top":
        document = feature_collection(crs=crs)
    else:
        document = feature_collection()
        document["features"][0]["geometry"]["CRS"] = crs
    response = upload(client_as(ASSET_OFFICER), geojson_bytes(document), "assets.geojson")
    assert_refused(response, unreadable(GEOJSON_CRS_NOT_ALLOWED), listener.url)
    assert listener.received == []


def test_geojson_json_that_is_not_geojson_is_refused(client_as, secret_csv):
    client = client_as(ASSET_OFFICER)
    for document in (
        {"type": "OGRVRTDataSource", "source": str(secret_csv)},
        vrt(str(secret_csv)).decode(),
        {"features": [], "displayFieldName": "", "spatialReference": {"wkid": 4326}},
        {"type": "Topology", "objects": {}, "arcs": []},
        [feature_collection()],
    ):
        response = upload(client, geojson_bytes(document), "assets.geojson")
        assert_refused(response, unreadable(NOT_GEOJSON), MARKER, str(secret_csv))


def test_geojson_foreign_urls_are_data_not_links(client_as, listener):
    # A "$ref" member and a URL as a property value: GeoJSON foreign members and text, which
    # nothing follows; the asset imports.
    document = feature_collection(**{"$ref": f"{listener.url}/schema.json"})
    document["features"][0]["properties"] = {**ASSET, "notes": f"/vsicurl/{listener.url}/x"}
    response = upload(client_as(ASSET_OFFICER), geojson_bytes(document), "assets.geojson")
    assert response.status_code == 200, response.json()
    assert Asset.objects.get().notes == f"/vsicurl/{listener.url}/x"
    assert listener.received == []


def test_geojson_named_epsg_crs_still_imports(client_as):
    document = feature_collection(
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    )
    response = upload(client_as(ASSET_OFFICER), geojson_bytes(document), "assets.geojson")
    assert response.status_code == 200, response.json()
    assert Asset.objects.get().register_code == "SEC-1"


# --- GeoPackages that are more than plain feature tables ------------------------------------


def test_geopackage_as_gdal_writes_it_imports(client_as, tmp_path):
    response = upload(client_as(ASSET_OFFICER), good_gpkg(tmp_path).read_bytes(), "a.gpkg")
    assert response.status_code == 200, response.json()
    assert Asset.objects.get().register_code == "SEC-1"


def test_geopackage_with_a_wrong_application_id_is_refused(client_as, tmp_path):
    data = good_gpkg(tmp_path).read_bytes()
    client = client_as(ASSET_OFFICER)
    for app_id in (b"\0\0\0\0", b"GPKX", b"SPL4"):
        response = upload(client, with_application_id(data, app_id), "a.gpkg")
        assert_refused(response, unreadable(NOT_GEOPACKAGE))
    # The older ids are GeoPackages too.
    response = upload(client, with_application_id(data, b"GP10"), "a.gpkg")
    assert response.status_code == 200, response.json()


def _schema_attacks(url: str) -> dict[str, tuple[str, ...]]:
    return {
        "layer that is a view": (
            "DROP TABLE assets",
            "CREATE VIEW assets AS SELECT * FROM gpkg_contents",
        ),
        "a view beside the layer": ("CREATE VIEW v AS SELECT load_extension('x')",),
        "virtual table of another module": (
            "INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES ('table', "
            "'evil', 'evil', 0, 'CREATE VIRTUAL TABLE evil USING VirtualOGR(''/etc/passwd'')')",
        ),
        "trigger that loads an extension": (
            "CREATE TRIGGER t AFTER INSERT ON assets BEGIN SELECT load_extension('/tmp/x'); END",
        ),
        "table text naming a network path": (
            f"CREATE TABLE side (a TEXT DEFAULT '/vsicurl/{url}/x')",
        ),
        "table text naming a url": (f"CREATE TABLE side (a TEXT DEFAULT '{url}/x')",),
        "contents naming a table that is not there": (
            f"UPDATE gpkg_contents SET table_name = '/vsicurl/{url}/x'",
        ),
        "contents naming sqlite_master": ("UPDATE gpkg_contents SET table_name = 'sqlite_master'",),
        "contents identifier with a url": (f"UPDATE gpkg_contents SET identifier = '{url}'",),
        "generated column": ("ALTER TABLE assets ADD COLUMN g TEXT AS (hex(name))",),
        "spatial reference that is a path": (
            f"UPDATE gpkg_spatial_ref_sys SET definition = '/vsicurl/{url}/crs' "
            "WHERE srs_id = 4326",
        ),
    }


def test_geopackage_schema_attacks_are_refused(client_as, tmp_path, listener):
    client = client_as(ASSET_OFFICER)
    for case, statements in _schema_attacks(listener.url).items():
        folder = tmp_path / case.replace(" ", "_")
        folder.mkdir()
        response = upload(client, tampered_gpkg(folder, *statements), "a.gpkg")
        assert response.status_code == 400, case
        assert_refused(response, unreadable(GEOPACKAGE_NOT_PLAIN), listener.url, "passwd")
    assert listener.received == []


def test_geopackage_with_two_feature_tables_is_refused(client_as, tmp_path):
    path = good_gpkg(tmp_path)
    geopandas.GeoDataFrame(
        {**ASSET, "register_code": "SEC-2"}, index=[0], geometry=[Point(*BEJI_POINT)], crs=4326
    ).to_file(path, driver="GPKG", layer="more", engine="pyogrio")
    response = upload(client_as(ASSET_OFFICER), path.read_bytes(), "a.gpkg")
    assert_refused(response, unreadable(GEOPACKAGE_ONE_LAYER))


# --- the command --------------------------------------------------------------------------------


def test_command_refuses_files_of_another_format(tmp_path, listener, secret_csv, shapefile_zip):
    files = _other_formats(tmp_path, listener, secret_csv, shapefile_zip)
    for suffix, reason in ((".gpkg", NOT_GEOPACKAGE), (".geojson", NOT_GEOJSON)):
        for case, content in files.items():
            path = tmp_path / f"{case.replace(' ', '_').replace('/', '_')}{suffix}"
            path.write_bytes(content)
            with pytest.raises(CommandError) as caught:
                call_command("import_assets", str(path), stdout=io.StringIO())
            assert str(caught.value) == unreadable(reason), case
    assert Asset.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert listener.received == []


def test_command_refuses_a_geojson_crs_link(tmp_path, listener):
    path = tmp_path / "a.geojson"
    link = {"type": "link", "properties": {"href": f"{listener.url}/crs", "type": "proj4"}}
    path.write_bytes(geojson_bytes(feature_collection(crs=link)))
    with pytest.raises(CommandError) as caught:
        call_command("import_assets", str(path), stdout=io.StringIO())
    assert str(caught.value) == unreadable(GEOJSON_CRS_NOT_ALLOWED)
    assert Asset.objects.count() == 0
    assert listener.received == []


def test_the_refusal_in_indonesian(make_user, tmp_path, secret_csv):
    client = client_for(make_user(ASSET_OFFICER))
    client.credentials(
        HTTP_AUTHORIZATION=client._credentials["HTTP_AUTHORIZATION"], HTTP_ACCEPT_LANGUAGE="id"
    )
    response = upload(client, vrt(str(secret_csv)), "assets.gpkg")
    assert response.status_code == 400
    assert response.json() == {"file": ["Berkas tidak dapat dibaca: ini bukan GeoPackage."]}
