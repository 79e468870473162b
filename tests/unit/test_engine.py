"""The spec engine against its oracle, openapi-spec-validator: the same verdict on the tests' own
defect set, and every place osv points at found by the engine (at that node or inside it)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from devportal.specs import engine
from tests.support.oracle import osv_validate
from tests.support.specs import demo_spec_bytes, minimal, petstore

pytestmark = pytest.mark.unit


def _ok(description: str = "ok") -> dict[str, Any]:
    return {"200": {"description": description}}


CASES: dict[str, tuple[dict[str, Any], Any]] = {
    "petstore": (petstore(), "3.1"),
    "minimal": (minimal(), "3.0"),
    "four problems": (
        minimal(
            paths={
                "/orders/{orderId}": {"get": {"operationId": "get", "responses": _ok()}},
                "/orders": {"get": {"operationId": "get", "responses": {"200": {"descrption": "typo"}}}},
            },
            components={"schemas": {"Order": {"properties": {"n": {"type": "integer", "default": "x"}}}}},
        ),
        "3.0",
    ),
    "dangling ref": (minimal(paths={"/a": {"get": {"responses": {"200": {"$ref": "#/components/x/No"}}}}}), "3.0"),
    "ECMA pattern": (minimal(components={"schemas": {"N": {"type": "string", "pattern": "^\\p{L}+$"}}}), "3.0"),
    "unclosed pattern": (minimal(components={"schemas": {"N": {"type": "string", "pattern": "(unclosed"}}}), "3.0"),
    "swagger 2": (
        {"swagger": "2.0", "info": {"title": "T", "version": "1"}, "paths": {"/a/{id}": {"get": {"responses": _ok()}}}},
        "2.0",
    ),
    "extensions in paths": (
        {"openapi": "3.1.0", "info": {"title": "T", "version": "1"},
         "paths": {"x-root": "/v2", "x-like": {"get": {"responses": _ok("no")}}, "/a": {"get": {"responses": _ok()}}}},
        "3.1",
    ),
}  # fmt: skip


def _broken_orders() -> tuple[dict[str, Any], Any]:
    document: dict[str, Any] = yaml.safe_load(demo_spec_bytes("broken-orders.yaml"))
    return document, "3.0"


@pytest.mark.parametrize("name", [*CASES, "broken-orders (demo)"])
def test_the_engine_agrees_with_osv(name: str) -> None:
    document, dialect = CASES[name] if name in CASES else _broken_orders()
    oracle = osv_validate(document, dialect)
    ours = engine.validate(document, dialect)
    assert ours.valid == oracle.valid, (ours.findings, oracle.findings)
    for expected in oracle.findings:
        assert any(found.pointer.startswith(expected.pointer) for found in ours.findings), (expected, ours.findings)
