"""The checks a schema cannot make: operationIds unique, path parameters declared and used, no
parameter twice in one list."""

from __future__ import annotations

from typing import Any

import pytest

from devportal.specs.semantics import semantic_findings
from tests.support.specs import petstore

pytestmark = pytest.mark.unit


def found(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f.rule, f.pointer) for f in semantic_findings(document)]


def op(operation_id: str, *parameters: dict[str, Any]) -> dict[str, Any]:
    return {"operationId": operation_id, "parameters": list(parameters), "responses": {"200": {"description": "ok"}}}


def path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def test_the_petstore_has_no_finding() -> None:
    assert found(petstore()) == []


def test_an_operation_id_used_twice_is_found_where_it_is_used_again() -> None:
    document = {"paths": {"/a": {"get": op("read")}, "/b": {"get": op("read"), "post": op("write")}}}
    ((only,),) = [list(semantic_findings(document))]
    assert (only.rule, only.pointer) == ("operation-operationId-unique", "/paths/~1b/get/operationId")
    assert "already the id of GET /a" in only.message


def test_path_parameters_must_match_the_template() -> None:
    document = {
        "components": {"parameters": {"Id": path_param("id")}},
        "paths": {
            "/pets/{id}": {"parameters": [{"$ref": "#/components/parameters/Id"}], "get": op("a")},  # via the item
            "/owners/{ownerId}": {"get": op("b")},  # never declared
            "/toys": {"get": op("c", path_param("toyId"))},  # declared, not in the path
            "/shops/{shopId}": {"get": op("d", path_param("shopId"), path_param("shopId"))},  # twice
        },
    }
    assert sorted(found(document)) == [
        ("operation-parameters-unique", "/paths/~1shops~1{shopId}/get/parameters/1"),
        ("path-params", "/paths/~1owners~1{ownerId}/get"),
        ("path-params", "/paths/~1toys/get/parameters/0"),
    ]
