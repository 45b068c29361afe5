"""OpenAPI post-processing: every operation documents the error statuses it can answer.

Views document their own success shapes and the errors particular to them (409 conflicts, for
instance); the statuses that follow from how a view is configured are added here once, for every
operation that does not list them already, so the schema stays true as views are added:

- 400 when the operation takes a request body or query parameters (bad input, named by field;
  an unknown `?format=` too);
- 401 when the view authenticates (no, or a bad, token);
- 403 when the view restricts roles;
- 404 always: an unknown object in the path;
- 413 when the operation takes a request body (over `API_MAX_JSON_BYTES`, or for uploads
  `API_MAX_UPLOAD_BYTES`, refused before it is read);
- 415 when the operation takes a request body: one whose Content-Type (or multipart framing)
  none of the view's parsers reads;
- 429 when a throttle counts the request.

Schemathesis (`tests/api/test_fuzz.py`) holds the service to this schema.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny, IsAuthenticated

from api.throttles import throttle_counts

ERROR_DESCRIPTIONS = {
    "400": "Bad input: {field: [message, ...]}",
    "401": "Not signed in, or a bad token",
    "403": "The role may not do this",
    "404": "No such object (or not yours)",
    "413": "The request body is larger than the service accepts",
    "415": "The request's Content-Type is not one the operation takes (see its request body)",
    "429": "Too many requests (throttled); see Retry-After",
}
OPEN_PERMISSIONS = (AllowAny, IsAuthenticated)
CONFLICT_DESCRIPTION = "Conflicts with the current state of the data: {detail}"

# What views declare in `extend_schema(responses=...)`: `**errors(400, 401, 409)`.
ERRORS = {
    **{int(code): OpenApiResponse(description=text) for code, text in ERROR_DESCRIPTIONS.items()},
    409: OpenApiResponse(description=CONFLICT_DESCRIPTION),
}


def errors(*codes: int) -> dict:
    return {code: ERRORS[code] for code in codes}


GEOMETRY_SCHEMA = {
    "type": "object",
    "description": "GeoJSON geometry (EPSG:4326, lon/lat): Point, Polygon or MultiPolygon.",
    "properties": {
        "type": {"type": "string", "enum": ["Point", "Polygon", "MultiPolygon"]},
        "coordinates": {"type": "array", "items": {}},
    },
    "required": ["type", "coordinates"],
}


def geojson_feature(what: str) -> dict:
    """The schema of one `?format=geojson` item: `what` names what its properties hold."""
    return {
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "integer"},
            "geometry": GEOMETRY_SCHEMA,
            "properties": {"type": "object", "description": what},
        },
    }


def geojson_collection(feature: dict, **members: dict) -> dict:
    """The schema of a `?format=geojson` list (GeoJSONRenderer's FeatureCollection); `members`
    are the schemas of the other top-level members a view adds (e.g. `level`)."""
    return {
        "type": "object",
        "required": ["type", "numberMatched", "numberReturned", "links", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "numberMatched": {"type": "integer"},
            "numberReturned": {"type": "integer"},
            "links": {"type": "array", "items": {"type": "object"}},
            **members,
            "features": {"type": "array", "items": feature},
        },
    }


class StrictAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema; a request body whose serializer refuses unknown fields
    (`rejects_unknown_fields = True`) is documented `additionalProperties: false`."""

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and getattr(serializer, "rejects_unknown_fields", False):
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        # A field's documented minimum length (`schema_min_length`, e.g. a password's 8) outlives
        # the `minLength: 1` drf-spectacular writes for any field that may not be blank.
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        min_length = getattr(field, "schema_min_length", None)
        if min_length is not None:
            schema["minLength"] = max(schema.get("minLength", 0), min_length)
        return schema


class GeoJSONAutoSchema(StrictAutoSchema):
    """A raw schema (a dict, e.g. a GeoJSON FeatureCollection) is the whole response of a list:
    no paging wrapper is put around it."""

    def _get_response_for_code(
        self, serializer, status_code, media_types=None, direction="response"
    ):
        if isinstance(serializer, dict) and serializer.get("type") == "object":
            return {"content": {m: {"schema": serializer} for m in media_types}, "description": ""}
        return super()._get_response_for_code(serializer, status_code, media_types, direction)


def error_codes(view, method: str, operation: dict) -> list[str]:
    codes = []
    takes_input = "requestBody" in operation or any(
        p.get("in") == "query" for p in operation.get("parameters", [])
    )
    if takes_input:
        codes.append("400")
    if view.get_authenticators():
        codes.append("401")
    if any(not isinstance(p, OPEN_PERMISSIONS) for p in view.get_permissions()):
        codes.append("403")
    codes.append("404")
    if "requestBody" in operation:
        codes += ["413", "415"]
    if throttle_counts(view, method):
        codes.append("429")
    return codes


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook (see SPECTACULAR_SETTINGS)."""
    views = {
        (path, method.lower()): view
        for path, _regex, method, view in generator._get_paths_and_endpoints()
    }
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            view = views.get((path, method))
            if view is None or not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code in error_codes(view, method.upper(), operation):
                responses.setdefault(code, {"description": ERROR_DESCRIPTIONS[code]})
    return result
