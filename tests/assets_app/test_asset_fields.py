"""The one description of an asset's fields (`assets_app.fields`) agrees with the model, and the
lists the services, selectors, exports, import and serializers use are derived from it."""

from __future__ import annotations

from django.db import models

from api.assets.serializers import AssetSerializer, AssetWriteSerializer
from assets_app import exporting, selectors, services
from assets_app.fields import ASSET_FIELDS, FIELDS_BY_NAME, AssetField, names
from assets_app.importing import run
from assets_app.models import Asset

# The model field classes each kind stands for (the first match decides).
KIND_CLASSES = {
    "integer": (models.IntegerField,),
    "float": (models.FloatField,),
    "boolean": (models.BooleanField,),
    "datetime": (models.DateTimeField,),
    "date": (models.DateField,),
    "decimal": (models.DecimalField,),
    "json": (models.JSONField,),
    "binary": (models.BinaryField,),
    "code": (models.ForeignKey,),
    "text": (models.CharField, models.TextField),
}


def _model_field(spec: AssetField) -> models.Field:
    return Asset._meta.get_field(spec.field)


def test_the_table_covers_every_model_field_in_model_order():
    assert [f.field for f in ASSET_FIELDS] == [f.name for f in Asset._meta.concrete_fields]
    assert len(FIELDS_BY_NAME) == len(ASSET_FIELDS)


def test_each_column_is_the_model_fields_attribute():
    for spec in ASSET_FIELDS:
        assert spec.column == _model_field(spec).attname, spec.name


def test_each_kind_matches_the_model_field_class():
    for spec in ASSET_FIELDS:
        field = _model_field(spec)
        # A DateTimeField is also a DateField: the kind must name the most specific class.
        matching = [k for k, classes in KIND_CLASSES.items() if isinstance(field, classes)]
        assert matching[:1] == [spec.kind], (spec.name, type(field).__name__)


def test_writable_fields_are_editable_and_not_derived():
    for spec in ASSET_FIELDS:
        if spec.writable:
            assert _model_field(spec).editable, spec.name
            assert not spec.derived, spec.name
            assert spec.output, spec.name


def test_required_columns_are_writable_and_not_blank():
    for spec in ASSET_FIELDS:
        if spec.required:
            assert spec.writable, spec.name
            assert not _model_field(spec).blank, spec.name


def test_derived_fields_are_not_writable():
    assert not set(names(derived=True)) & services.WRITABLE_FIELDS
    assert services.DERIVED_FIELDS == tuple(
        FIELDS_BY_NAME[name].field for name in names(derived=True)
    )


def test_exports_carry_every_writable_field_but_the_geometry_and_the_district_codes():
    assert set(exporting.EXPORT_COLUMNS) == (services.WRITABLE_FIELDS - {"geometry"}) | {
        "kelurahan_code",
        "kecamatan_code",
    }
    assert exporting.EXPORT_COLUMNS[-2:] == ("kelurahan_code", "kecamatan_code")
    assert exporting._FLOAT == ("land_area_m2", "building_area_m2")
    assert exporting._INTEGER == ("floors", "acquisition_year")
    assert exporting._BOOLEAN == ("concrete",)


def test_an_import_ignores_every_output_field_it_cannot_set():
    shown = set(selectors.OUTPUT_FIELDS)
    assert run.IGNORED_COLUMNS == (shown - services.WRITABLE_FIELDS) | {"fid", "distance_m"}
    assert run.REQUIRED_COLUMNS == ("register_code", "name", "category", "use")


def test_serializers_follow_the_table():
    assert list(AssetSerializer.Meta.fields) == [*names(output=True), "distance_m"]
    assert set(AssetWriteSerializer.Meta.fields) == set(names(writable=True))
    assert selectors.asset_columns() == [
        FIELDS_BY_NAME[name].column for name in selectors.OUTPUT_FIELDS
    ]
