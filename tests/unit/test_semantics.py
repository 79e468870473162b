"""The checks a schema cannot make: operationIds unique, path parameters declared and used, no
parameter twice in one list."""

from __future__ import annotations

from typing import Any

import pytest

from devportal.specs.semantics import default_findings, enum_findings, semantic_findings
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


@pytest.mark.parametrize(
    ("dialect", "schema", "flagged"),
    [
        ("3.0", {"type": "string", "default": False}, True),
        ("3.0", {"type": "string", "nullable": True, "default": None}, False),  # 3.0's nullable allows null
        ("3.0", {"type": "integer", "maximum": 5, "exclusiveMaximum": True, "default": 5}, True),  # draft 4
        ("3.1", {"type": ["string", "null"], "default": None}, False),
        ("3.1", {"type": "string", "pattern": "^\\p{L}+$", "default": ""}, True),  # ECMA-262 classes
        ("3.1", {"$ref": "#/components/schemas/Small"}, False),  # no default of its own
        ("3.1", {"allOf": [{"$ref": "#/components/schemas/Small"}], "default": 7}, True),  # followed through the ref
        # 3.0's nullable at any depth, in the default's own schema and in what it refers to
        (
            "3.0",
            {"type": "object", "properties": {"n": {"type": "string", "nullable": True}}, "default": {"n": None}},
            False,
        ),
        (
            "3.0",
            {"type": "object", "properties": {"n": {"$ref": "#/components/schemas/Nullable"}}, "default": {"n": None}},
            False,
        ),
        ("3.0", {"type": "object", "properties": {"n": {"type": "string"}}, "default": {"n": None}}, True),
        ("3.0", {"type": "string", "enum": ["a"], "nullable": True, "default": None}, False),
        # before 3.1 a $ref's siblings are ignored; in 3.1 they are schema keywords
        ("3.0", {"$ref": "#/components/schemas/Small", "default": "Case"}, False),
        ("3.1", {"$ref": "#/components/schemas/Small", "default": "Case"}, True),
        # formats with one grammar are asserted on defaults, as osv does; the others annotate
        ("3.0", {"type": "string", "format": "date", "default": "2026-02-30"}, True),
        ("3.0", {"type": "string", "format": "date", "default": "2026-02-28"}, False),
        ("3.1", {"type": "string", "format": "date-time", "default": "2026-02-28"}, True),
        ("3.1", {"type": "string", "format": "date-time", "default": "2026-02-28T10:00:00Z"}, False),
        ("3.0", {"type": "string", "format": "uuid", "default": "none"}, True),
        ("3.0", {"type": "string", "format": "email", "default": "nobody"}, True),
        ("3.0", {"type": "string", "format": "ipv4", "default": "10.0.0"}, True),
        ("3.0", {"type": "integer", "format": "int32", "default": 2**31}, True),
        ("3.0", {"type": "integer", "format": "int64", "default": 2**62}, False),
        ("3.0", {"type": "string", "format": "uri", "default": ""}, False),
        ("3.0", {"type": "string", "format": "hostname", "default": "not a host"}, False),
        ("3.1", {"type": "string", "format": "my-own-format", "default": "anything"}, False),
    ],
)
def test_a_default_must_match_its_own_schema(dialect: str, schema: dict[str, Any], flagged: bool) -> None:
    document = {
        "components": {
            "schemas": {
                "Small": {"type": "integer", "maximum": 3},
                "Nullable": {"type": "string", "nullable": True},
                "Subject": schema,
            }
        },
        "paths": {},
    }
    found = [(f.rule, f.pointer) for f in default_findings(document, dialect)]
    assert found == ([("oas3-valid-schema-example", "/components/schemas/Subject/default")] if flagged else [])


def test_a_default_in_a_parameter_schema_is_checked_and_example_values_are_not() -> None:
    document = {
        "paths": {
            "/a": {
                "get": {
                    "parameters": [{"name": "n", "in": "query", "schema": {"type": "integer", "default": "ten"}}],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {
                        "example": {"schema": {"type": "integer", "default": "not a schema"}}}}}},
                }
            }
        }
    }  # fmt: skip
    assert [f.pointer for f in default_findings(document, "3.0")] == ["/paths/~1a/get/parameters/0/schema/default"]


def test_extensions_in_paths_are_not_path_items() -> None:
    document = {"paths": {"x-shaped-like-a-path": {"get": op("a", path_param("nope"))}, "/a": {"get": op("a")}}}
    assert found(document) == []


@pytest.mark.parametrize(("dialect", "flagged"), [("2.0", True), ("3.0", True), ("3.1", False)])
def test_an_enum_lists_each_value_once_where_json_schema_draft_4_says_so(dialect: str, flagged: bool) -> None:
    schemas = {"State": {"type": "string", "enum": ["AB", "AC", "AC"]}, "Size": {"enum": [1, 1.0, True, "1"]}}
    document = {"definitions": schemas} if dialect == "2.0" else {"components": {"schemas": schemas}}
    found = sorted((f.rule, f.pointer) for f in enum_findings(document, dialect))
    root = "/definitions" if dialect == "2.0" else "/components/schemas"
    expected = [
        ("duplicated-entry-in-enum", f"{root}/Size/enum/1"),
        ("duplicated-entry-in-enum", f"{root}/State/enum/2"),
    ]
    assert found == (expected if flagged else [])


def test_a_wrong_default_in_a_request_bodys_own_schema_is_a_warning_and_in_a_component_an_error() -> None:
    def body() -> dict[str, Any]:
        return {"content": {"application/json": {"schema": {"type": "boolean", "default": "true"}}}}

    document = {
        "paths": {"/a": {"post": {"requestBody": body(), "responses": {}}}},
        "components": {"requestBodies": {"B": body()}, "schemas": {"C": {"type": "boolean", "default": "true"}}},
    }
    found = sorted((f.pointer, f.severity) for f in default_findings(document, "3.0"))
    assert found == [
        ("/components/requestBodies/B/content/application~1json/schema/default", "warning"),
        ("/components/schemas/C/default", "error"),
        ("/paths/~1a/post/requestBody/content/application~1json/schema/default", "warning"),
    ]


def test_a_repeated_enum_value_in_a_request_bodys_own_schema_is_a_warning() -> None:
    schema = {"type": "string", "enum": ["2025-10-15", "2025-10-15"]}
    document = {"paths": {"/a": {"post": {"requestBody": {"content": {"application/json": {"schema": schema}}}}}}}
    found = [(f.pointer, f.severity) for f in enum_findings(document, "3.0")]
    assert found == [("/paths/~1a/post/requestBody/content/application~1json/schema/enum/1", "warning")]
