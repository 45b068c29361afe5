"""The published schema's OpenAPI links name real operations, and following one reaches the
object the answer named (api/schema_links.py)."""

import pytest

from api.schema_links import CREATED_ID, LINKS, add_links
from core.roles import ASSET_OFFICER
from tests.conftest import BEJI_POINT

pytestmark = pytest.mark.django_db
SCHEMA = "/api/v1/schema/?format=json"


def _operations(schema: dict) -> dict:
    return {
        operation["operationId"]: (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation
    }


def test_every_link_in_the_table_is_published_with_its_target(client_as):
    # given the schema the service publishes
    schema = client_as(ASSET_OFFICER).get(SCHEMA).json()
    operations = _operations(schema)
    # then every link in the table stands on its source response, pointing at a real operation
    published = 0
    for (source, status), targets in LINKS.items():
        links = operations[source][2]["responses"][status]["links"]
        for target, parameter, expression in targets:
            assert target in operations
            assert links[target] == {"operationId": target, "parameters": {parameter: expression}}
            published += 1
    assert published == sum(len(targets) for targets in LINKS.values())


def test_a_link_to_an_operation_not_in_the_schema_is_left_out():
    # given a schema with the source but none of its targets
    schema = {
        "paths": {"/x/": {"post": {"operationId": "assets_create", "responses": {"201": {}}}}}
    }
    # when the hook runs
    result = add_links(schema, None, None, True)
    # then no empty links member is left behind
    assert result["paths"]["/x/"]["post"]["responses"]["201"] == {}


def test_following_the_created_asset_link_reads_the_new_asset(client_as):
    # given an officer who creates an asset
    client = client_as(ASSET_OFFICER)
    schema = client.get(SCHEMA).json()
    operations = _operations(schema)
    created = client.post(
        "/api/v1/assets/",
        {
            "register_code": "LINK-1",
            "name": "Gudang",
            "category": "building",
            "use": "office",
            "geometry": {"type": "Point", "coordinates": list(BEJI_POINT)},
        },
        format="json",
    )
    assert created.status_code == 201
    # when the link's expression is evaluated on the answer and the target path filled in
    link = operations["assets_create"][2]["responses"]["201"]["links"]["assets_retrieve"]
    assert link["parameters"] == {"id": CREATED_ID}
    path, method, _ = operations[link["operationId"]]
    answer = client.get(path.replace("{id}", str(created.json()["id"])))
    # then it is the asset just created
    assert method == "get"
    assert answer.status_code == 200
    assert answer.json()["register_code"] == "LINK-1"
