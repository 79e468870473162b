"""Structural validation against the official OpenAPI schemas (compiled): each error once, at the
deepest place it can be pinned to, in a developer's words."""

from __future__ import annotations

from typing import Any

import pytest

from devportal.specs.structure import structural_findings
from tests.support.specs import petstore

pytestmark = pytest.mark.unit


def findings(document: dict[str, Any], dialect: Any = "3.0") -> list[tuple[str, str]]:
    return [(f.pointer, f.message) for f in structural_findings(document, dialect)]


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
