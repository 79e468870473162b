"""Structural validation against the official OpenAPI schemas (compiled): each error once, at the
deepest place it can be pinned to, in a developer's words."""

from __future__ import annotations

from typing import Any

import pytest

from devportal.specs.structure import schema_object_findings, structural_findings
from tests.support.specs import petstore

pytestmark = pytest.mark.unit


def findings(document: dict[str, Any], dialect: Any = "3.0") -> list[tuple[str, str]]:
    both = [*structural_findings(document, dialect), *schema_object_findings(document, dialect)]
    return [(f.pointer, f.message) for f in both]


def test_a_valid_document_has_no_finding() -> None:
    assert findings(petstore(), "3.1") == []


def test_a_wrong_keyword_is_found_inside_the_schema_that_holds_it() -> None:
    document = {
        "openapi": "3.0.3",
        "info": {"title": 1, "version": "1", "foo": 2},
        "paths": {
            "/a": {
                "get": {
                    "responses": {"200": {"description": "ok"}},
                    "parameters": [{"name": "q", "in": "query", "schema": {"type": "integer", "maximum": True}}],
                }
            }
        },
    }
    assert sorted(findings(document)) == [
        ("/info", "`info` has members the specification does not define: `foo` (extensions start with `x-`)."),
        ("/info/title", "`title` must be a string; found `1`."),
        ("/paths/~1a/get/parameters/0/schema/maximum", "`maximum` must be a number; found `true`."),
    ]


def test_a_long_value_is_quoted_briefly() -> None:
    document = {"openapi": "3.0.3", "info": {"title": "t", "version": ["x" * 500]}, "paths": {}}
    ((pointer, message),) = findings(document)
    assert pointer == "/info/version"
    assert len(message) < 120
    assert message.endswith("…`.")


def test_a_value_outside_an_enum_is_told_what_is_allowed_even_across_alternatives() -> None:
    # a parameter's `in` is checked by one alternative per location; together they allow four values
    parameter = {"name": "limit", "in": "querystring", "schema": {"type": "objekt"}}
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"parameters": [parameter], "responses": {"200": {"description": "ok"}}}}},
    }
    assert sorted(findings(document)) == [
        ("/paths/~1a/get/parameters/0/in",
         "`in` must be one of `path`, `query`, `header`, `cookie`; found `querystring`."),
        ("/paths/~1a/get/parameters/0/schema/type",
         "`type` must be one of `array`, `boolean`, `integer`, `number`, `object`, `string`; found `objekt`."),
    ]  # fmt: skip


def test_in_3_1_each_schema_object_is_held_to_json_schema_2020_12_with_a_hint_for_3_0_habits() -> None:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {
                "get": {
                    "parameters": [{"name": "q", "in": "query", "schema": {"type": "string", "examples": {"a": "x"}}}],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        "components": {
            "schemas": {
                "Bounded": {"type": "integer", "maximum": 5, "exclusiveMaximum": True},
                "Flagged": {"type": "object", "properties": {"id": {"type": "string", "required": True}}},
                "Fine": {"type": ["string", "null"], "exclusiveMinimum": 0, "nullable": True, "x-any": {"type": 1}},
            }
        },
    }
    assert sorted(found for found in findings(document, "3.1")) == [
        ("/components/schemas/Bounded/exclusiveMaximum",
         "`exclusiveMaximum` must be a number; found `true` - in OpenAPI 3.1 `exclusiveMaximum` is a number, the "
         "bound itself (3.0's was a flag)."),
        ("/components/schemas/Flagged/properties/id/required",
         "`required` must be a list (array); found `true` - `required` lists the names of the required properties, "
         "on the object's schema."),
        ("/paths/~1a/get/parameters/0/schema/examples",
         '`examples` must be a list (array); found `{"a": "x"}` - in a 3.1 schema `examples` is a list of values; '
         "named examples belong to the parameter or media type."),
    ]  # fmt: skip


def test_in_3_0_the_schema_object_is_the_official_schemas_own() -> None:
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"Bounded": {"type": "integer", "maximum": 5, "exclusiveMaximum": 6}}},
    }
    assert findings(document, "3.0") == [
        ("/components/schemas/Bounded/exclusiveMaximum",
         "`exclusiveMaximum` must be a boolean; found `6` - in OpenAPI 3.0 `exclusiveMaximum` is a flag on `maximum` "
         "(3.1's is a number)."),
    ]  # fmt: skip


def test_a_pattern_in_another_regex_dialect_is_told_so() -> None:
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"Code": {"type": "string", "pattern": "\\A[a-z]+\\z"}}},
    }
    ((pointer, message),) = findings(document)
    assert pointer == "/components/schemas/Code/pattern"
    assert message.startswith("`pattern` is not a regular expression OpenAPI can use: patterns are ECMA-262")
    assert message.endswith("found `\\A[a-z]+\\z`.")
