"""What the outlet area's views share: the id pattern, the outlet GeoJSON schema, validation."""

from django.utils.translation import gettext_lazy as _

from api.schema import geojson_collection, geojson_feature

ID_REGEX = r"[0-9]{1,18}"
GEOJSON_FEATURE = geojson_feature("The outlet's other fields")
GEOJSON_COLLECTION = geojson_collection(GEOJSON_FEATURE)


ROUND_NOT_ALLOCATED = _("The round has not been allocated yet.")


def _validated(serializer_class, data, *, partial=False, **kwargs) -> dict:
    serializer = serializer_class(data=data, partial=partial, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
