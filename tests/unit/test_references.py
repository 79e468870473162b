"""Reference-like keywords: refused when they leave the document, reported when they point nowhere,
flagged when they would change how references resolve - and none of them ever followed."""

from __future__ import annotations

from typing import Any

import pytest

from devportal.specs import engine
from devportal.specs.validation import reference_findings
from tests.support.specs import minimal

pytestmark = pytest.mark.unit


def modern(**schemas: Any) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }


def found(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted((f.pointer, f.rule, f.severity) for f in reference_findings(document))


def response_with(schema: dict[str, Any]) -> dict[str, Any]:
    content = {"application/json": {"schema": schema}}
    return {"/a": {"get": {"responses": {"200": {"description": "ok", "content": content}}}}}


@pytest.mark.parametrize("key", ["$ref", "$dynamicRef"])
@pytest.mark.parametrize("target", ["https://example.com/s.json", "file:///etc/passwd", "common.yaml#/Pet"])
def test_a_reference_out_of_the_document_is_refused(key: str, target: str) -> None:
    assert found(modern(A={key: target})) == [(f"/components/schemas/A/{key}", "no-external-refs", "error")]


def test_a_local_reference_to_nothing_is_reported_and_one_to_something_is_not() -> None:
    document = modern(A={"$ref": "#/components/schemas/B"}, B={"type": "string"}, C={"$ref": "#/components/schemas/Z"})
    assert found(document) == [("/components/schemas/C/$ref", "no-unresolved-refs", "error")]


def test_an_anchor_reference_resolves_against_the_documents_anchors() -> None:
    document = modern(A={"$anchor": "thing", "type": "string"}, B={"$ref": "#thing"}, C={"$ref": "#nothing"})
    assert found(document) == [("/components/schemas/C/$ref", "no-unresolved-refs", "error")]


def test_schema_ids_and_dialects_are_flagged_as_not_followed() -> None:
    document = modern(
        A={"$id": "https://127.0.0.1:9/base", "$ref": "#/components/schemas/B"},
        B={"$schema": "http://json-schema.org/draft-07/schema#", "type": "string"},
        C={"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "string"},
    )
    document["jsonSchemaDialect"] = "https://example.com/my-dialect"
    assert found(document) == [
        ("/components/schemas/A/$id", "no-schema-id", "warning"),
        ("/components/schemas/B/$schema", "no-schema-dialect", "warning"),
        ("/jsonSchemaDialect", "no-schema-dialect", "warning"),
    ]
    assert engine.validate(document, "3.1").valid  # flagged, not refused


def test_discriminator_mappings_are_names_or_local_references() -> None:
    pet = {
        "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        "discriminator": {
            "propertyName": "kind",
            "mapping": {
                "cat": "Cat",
                "dog": "#/components/schemas/Dog",
                "bird": "Bird",
                "fish": "#/components/schemas/Fish",
                "cow": "https://example.com/schemas/cow.json",
            },
        },
    }
    document = modern(Pet=pet, Cat={"type": "object"}, Dog={"type": "object"})
    mapping = "/components/schemas/Pet/discriminator/mapping"
    assert found(document) == [
        (f"{mapping}/bird", "no-unresolved-refs", "error"),
        (f"{mapping}/cow", "no-external-refs", "error"),
        (f"{mapping}/fish", "no-unresolved-refs", "error"),
    ]


def test_external_values_and_operation_refs() -> None:
    document = minimal(
        paths={
            "/a": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {"examples": {"big": {"externalValue": "https://x.test/big.json"}}}
                            },
                            "links": {"next": {"operationRef": "https://x.test/openapi.json#/paths/~1b/get"}},
                        }
                    }
                }
            }
        }
    )
    response = "/paths/~1a/get/responses/200"
    assert found(document) == [
        (f"{response}/content/application~1json/examples/big/externalValue", "no-external-value", "warning"),
        (f"{response}/links/next/operationRef", "no-external-refs", "error"),
    ]


def test_references_inside_example_data_are_data() -> None:
    payload = {"$ref": "https://example.com/this-is-just-a-string-in-the-payload"}
    document = modern(
        A={"type": "object", "example": payload, "default": payload, "enum": [payload], "x-note": payload},
    )
    document["paths"] = response_with({"$ref": "#/components/schemas/A"})
    document["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["examples"] = {
        "one": {"value": payload}
    }
    assert found(document) == []


def test_things_merely_named_like_data_keywords_are_still_walked() -> None:
    # a property called "example", a schema called "default", the `default` response
    document = modern(
        default={"type": "object", "properties": {"example": {"$ref": "#/components/schemas/Nowhere"}}},
    )
    document["paths"] = {"/a": {"get": {"responses": {"default": {"$ref": "#/components/responses/Nowhere"}}}}}
    assert found(document) == [
        ("/components/schemas/default/properties/example/$ref", "no-unresolved-refs", "error"),
        ("/paths/~1a/get/responses/default/$ref", "no-unresolved-refs", "error"),
    ]


def test_every_parameter_of_a_list_is_checked() -> None:
    document = minimal(
        paths={"/a": {"get": {"parameters": [{"$ref": "#/components/parameters/Gone"}], "responses": {}}}}
    )
    assert found(document) == [("/paths/~1a/get/parameters/0/$ref", "no-unresolved-refs", "error")]


def test_messages_quote_briefly() -> None:
    target = "https://example.com/" + "a" * 5000
    (finding,) = reference_findings(modern(A={"$ref": target}))
    assert len(finding.message) < 400
    assert finding.message.startswith("`$ref` `https://example.com/aaa")
    assert "Bundle" in finding.message
