"""JSON and GeoJSON renderers (orjson).

GeoJSON is asked for with `?format=geojson` or `Accept: application/geo+json`. The renderer turns
the ordinary JSON shapes into RFC 7946 objects, so views and serializers stay format-agnostic:
a paged list becomes a FeatureCollection carrying `numberMatched`, `numberReturned` and `links`
(as OGC API Features does), a plain list a FeatureCollection, an object with a `geometry` a
Feature. Each item's `geometry` becomes the feature geometry, the rest its properties.
"""

from decimal import Decimal

import orjson
from django.utils.functional import Promise
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer

GEOJSON_MEDIA_TYPE = "application/geo+json"


def _default(value):
    if isinstance(value, Promise):  # lazy translations
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


def dumps(data) -> bytes:
    try:
        return orjson.dumps(data, default=_default)
    except orjson.JSONEncodeError:
        # A key that is not a str (an int, a lazy translation), or a value `_default` refuses:
        # orjson's path for other keys, which is twice as slow for every dict, is taken only here.
        return _dumps_any_keys(data)


def _dumps_any_keys(data) -> bytes:
    return orjson.dumps(data, default=_default, option=orjson.OPT_NON_STR_KEYS)


class JSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return dumps(data)


class FeatureList(list):
    """List items already shaped as GeoJSON Features, which the GeoJSON renderer passes through.

    A map page of 1,000 assets built as features directly saves copying every item again.
    """


def to_feature(item: dict, *, id_field: str = "id") -> dict:
    properties = dict(item)
    geometry = properties.pop("geometry", None)
    feature = {"type": "Feature", "id": properties.get(id_field), "geometry": geometry}
    feature["properties"] = properties
    return feature


class GeoJSONRenderer(JSONRenderer):
    media_type = GEOJSON_MEDIA_TYPE
    format = "geojson"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        response = renderer_context.get("response")
        if data is None or (response is not None and response.status_code >= 400):
            return super().render(data, accepted_media_type, renderer_context)
        view = renderer_context.get("view")
        id_field = getattr(view, "geojson_id_field", "id")
        return dumps(self.to_geojson(data, id_field=id_field))

    @staticmethod
    def to_geojson(data, *, id_field: str = "id"):
        if isinstance(data, list):
            features = [to_feature(item, id_field=id_field) for item in data]
            return {
                "type": "FeatureCollection",
                "numberMatched": len(features),
                "numberReturned": len(features),
                "links": [],
                "features": features,
            }
        if isinstance(data, dict) and "results" in data and "count" in data:
            features = data["results"]
            if not isinstance(features, FeatureList):
                features = [to_feature(item, id_field=id_field) for item in features]
            links = []
            for rel in ("next", "previous"):
                if data.get(rel):
                    links.append(
                        {
                            "rel": "prev" if rel == "previous" else rel,
                            "type": GEOJSON_MEDIA_TYPE,
                            "href": data[rel],
                        }
                    )
            extra = {
                k: v for k, v in data.items() if k not in {"count", "next", "previous", "results"}
            }
            return {
                "type": "FeatureCollection",
                "numberMatched": data["count"],
                "numberReturned": len(features),
                "links": links,
                **extra,
                "features": features,
            }
        if isinstance(data, dict) and "geometry" in data and data.get("type") != "Feature":
            return to_feature(data, id_field=id_field)
        return data


# Views that serve geometry list these; others answer JSON only.
GEO_RENDERERS = [JSONRenderer, GeoJSONRenderer, BrowsableAPIRenderer]
