"""Breaking changes: each rule with a change that triggers it and one that must not, through `$ref`,
`allOf` and `oneOf`, in both directions (a request may widen, a response may narrow)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from devportal.specs.diff import Change, changes_at_least, diff

pytestmark = pytest.mark.unit


def base() -> dict[str, Any]:
    pet = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "id": {"type": "integer", "format": "int64"},
            "name": {"type": "string", "maxLength": 50},
            "status": {"type": "string", "enum": ["available", "sold"]},
            "tag": {"type": "string"},
        },
    }
    new_pet = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "maxLength": 50, "minLength": 1},
            "status": {"type": "string", "enum": ["available", "sold"], "default": "available"},
            "tag": {"type": "string"},
            "age": {"type": "integer", "minimum": 0, "maximum": 40},
        },
    }

    def json_of(ref: str) -> dict[str, Any]:
        return {"application/json": {"schema": {"$ref": ref}}}

    pet_ref = {"$ref": "#/components/schemas/Pet"}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Pets", "version": "1.0.0"},
        "paths": {
            "/pets": {
                "get": {
                    "operationId": "listPets",
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}},
                        {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["cat", "dog"]}},
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"type": "array", "items": pet_ref}}},
                        },
                        "400": {"description": "bad"},
                    },
                },
                "post": {
                    "operationId": "createPet",
                    "requestBody": {"content": json_of("#/components/schemas/NewPet")},
                    "responses": {"201": {"description": "made", "content": json_of("#/components/schemas/Pet")}},
                },
            },
            "/pets/{petId}": {
                "get": {
                    "operationId": "showPet",
                    "parameters": [{"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok", "content": json_of("#/components/schemas/Pet")}},
                },
            },
        },
        "components": {"schemas": {"Pet": pet, "NewPet": new_pet}},
    }  # fmt: skip


def changed(mutate: Callable[[dict[str, Any]], Any]) -> list[Change]:
    old = base()
    new = copy.deepcopy(old)
    mutate(new)
    return diff(old, new)


def ids(changes: list[Change], level: str | None = None) -> set[str]:
    return {c.id for c in changes if level is None or c.level == level}


def schemas(doc: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = doc["components"]["schemas"]
    return found


def op(doc: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    found: dict[str, Any] = doc["paths"][path][method]
    return found


def test_nothing_changed_is_nothing() -> None:
    assert changed(lambda d: None) == []


def test_renaming_a_path_parameter_or_reordering_is_no_change() -> None:
    def rename(d: dict[str, Any]) -> None:
        item = d["paths"].pop("/pets/{petId}")
        item["get"]["parameters"][0]["name"] = "id"
        d["paths"]["/pets/{id}"] = item
        d["paths"]["/pets"]["get"]["parameters"].reverse()

    assert changed(rename) == []


BREAKING: dict[str, tuple[Callable[[dict[str, Any]], Any], str]] = {
    "path removed": (lambda d: d["paths"].pop("/pets/{petId}"), "api-path-removed-without-deprecation"),
    "operation removed": (lambda d: d["paths"]["/pets"].pop("post"), "api-removed-without-deprecation"),
    "new required query parameter": (
        lambda d: op(d, "/pets", "get")["parameters"].append({"name": "q", "in": "query", "required": True}),
        "new-required-request-parameter",
    ),
    "parameter became required": (
        lambda d: op(d, "/pets", "get")["parameters"][0].update(required=True),
        "request-parameter-became-required",
    ),
    "parameter type changed": (
        lambda d: op(d, "/pets", "get")["parameters"][0]["schema"].update(type="string"),
        "request-parameter-type-changed",
    ),
    "parameter maximum decreased": (
        lambda d: op(d, "/pets", "get")["parameters"][0]["schema"].update(maximum=50),
        "request-parameter-max-decreased",
    ),
    "parameter enum value removed": (
        lambda d: op(d, "/pets", "get")["parameters"][1]["schema"].update(enum=["cat"]),
        "request-parameter-enum-value-removed",
    ),
    "request body became required": (
        lambda d: op(d, "/pets", "post")["requestBody"].update(required=True),
        "request-body-became-required",
    ),
    "request media type removed": (
        lambda d: op(d, "/pets", "post")["requestBody"].update(content={"application/xml": {}}),
        "request-body-media-type-removed",
    ),
    "new required request property (through $ref)": (
        lambda d: (schemas(d)["NewPet"]["properties"].update(owner={"type": "string"}),
                   schemas(d)["NewPet"]["required"].append("owner")),
        "new-required-request-property",
    ),
    "request property became required": (
        lambda d: schemas(d)["NewPet"]["required"].append("tag"),
        "request-property-became-required",
    ),
    "request property max length decreased": (
        lambda d: schemas(d)["NewPet"]["properties"]["name"].update(maxLength=20),
        "request-property-max-length-decreased",
    ),
    "request property min length increased": (
        lambda d: schemas(d)["NewPet"]["properties"]["name"].update(minLength=3),
        "request-property-min-length-increased",
    ),
    "request property minimum increased": (
        lambda d: schemas(d)["NewPet"]["properties"]["age"].update(minimum=1),
        "request-property-min-increased",
    ),
    "request property default changed": (
        lambda d: schemas(d)["NewPet"]["properties"]["status"].update(default="sold"),
        "request-property-default-value-changed",
    ),
    "request property became an enum": (
        lambda d: schemas(d)["NewPet"]["properties"]["tag"].update(enum=["a", "b"]),
        "request-property-became-enum",
    ),
    "response success status removed": (
        lambda d: op(d, "/pets/{petId}", "get")["responses"].update({"200": None}) or
        op(d, "/pets/{petId}", "get")["responses"].pop("200"),
        "response-success-status-removed",
    ),
    "response media type removed": (
        lambda d: op(d, "/pets", "post")["responses"]["201"].update(content={"application/xml": {}}),
        "response-media-type-removed",
    ),
    "required response property removed (through $ref, in an array)": (
        lambda d: (schemas(d)["Pet"]["properties"].pop("name"), schemas(d)["Pet"]["required"].remove("name")),
        "response-required-property-removed",
    ),
    "response property became optional": (
        lambda d: schemas(d)["Pet"]["required"].remove("name"),
        "response-property-became-optional",
    ),
    "response property type changed": (
        lambda d: schemas(d)["Pet"]["properties"]["id"].update(type="string", format="uuid"),
        "response-property-type-changed",
    ),
    "response property became nullable": (
        lambda d: schemas(d)["Pet"]["properties"]["tag"].update(nullable=True),
        "response-property-became-nullable",
    ),
    "security added to an open operation": (
        lambda d: op(d, "/pets", "get").update(security=[{"apiKey": []}]),
        "api-security-added",
    ),
    "security required document-wide": (
        lambda d: d.update(security=[{"oauth": ["read"]}]),
        "api-security-added",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(BREAKING))
def test_a_breaking_change_is_an_error(name: str) -> None:
    mutate, rule = BREAKING[name]
    found = changed(mutate)
    assert rule in ids(found, "ERR"), found


def test_stricter_scopes_break_and_looser_ones_do_not() -> None:
    def require(*scopes: str) -> Callable[[dict[str, Any]], Any]:
        return lambda d: op(d, "/pets", "get").update(security=[{"oauth": list(scopes)}])

    old = base()
    op(old, "/pets", "get")["security"] = [{"oauth": ["read"]}]
    stricter = copy.deepcopy(old)
    require("read", "write")(stricter)
    assert "api-security-updated" in ids(diff(old, stricter), "ERR")
    looser = copy.deepcopy(old)
    require()(looser)
    assert ids(diff(old, looser), "ERR") == set()
    either = copy.deepcopy(old)
    op(either, "/pets", "get")["security"] = [{"oauth": ["read"]}, {"apiKey": []}]
    assert ids(diff(old, either), "ERR") == set()


NOT_BREAKING: dict[str, Callable[[dict[str, Any]], Any]] = {
    "new optional parameter": lambda d: op(d, "/pets", "get")["parameters"].append({"name": "q", "in": "query"}),
    "parameter maximum increased": lambda d: op(d, "/pets", "get")["parameters"][0]["schema"].update(maximum=500),
    "parameter enum value added": lambda d: op(d, "/pets", "get")["parameters"][1]["schema"].update(
        enum=["cat", "dog", "bird"]
    ),
    "request property widened integer -> number": lambda d: schemas(d)["NewPet"]["properties"]["age"].update(
        type="number"
    ),
    "request property became optional": lambda d: schemas(d)["NewPet"].update(required=[]),
    "new optional request property": lambda d: schemas(d)["NewPet"]["properties"].update(color={"type": "string"}),
    "request max length increased": lambda d: schemas(d)["NewPet"]["properties"]["name"].update(maxLength=80),
    "response narrowed number -> integer": lambda d: (
        schemas(d)["Pet"]["properties"].update(weight={"type": "integer"})
    ),
    "new response property": lambda d: schemas(d)["Pet"]["properties"].update(color={"type": "string"}),
    "optional response property became required": lambda d: schemas(d)["Pet"]["required"].append("tag"),
    "new operation": lambda d: d["paths"]["/pets/{petId}"].update(
        delete={"responses": {"204": {"description": "gone"}}}
    ),
    "new status": lambda d: op(d, "/pets", "post")["responses"].update({"409": {"description": "taken"}}),
    "inline schema moved into a component (refactor)": lambda d: (
        schemas(d).update(Limit={"type": "integer", "maximum": 100}),
        op(d, "/pets", "get")["parameters"][0].update(schema={"$ref": "#/components/schemas/Limit"}),
    ),
    "object split into allOf parts": lambda d: schemas(d).update(
        Pet={"allOf": [{"$ref": "#/components/schemas/PetId"}, {
            "type": "object", "required": ["name"],
            "properties": {k: v for k, v in base()["components"]["schemas"]["Pet"]["properties"].items() if k != "id"},
        }]},
        PetId={"type": "object", "required": ["id"], "properties": {"id": {"type": "integer", "format": "int64"}}},
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(NOT_BREAKING))
def test_a_compatible_change_is_no_error(name: str) -> None:
    found = changed(NOT_BREAKING[name])
    assert ids(found, "ERR") == set(), found


def test_a_deprecated_operation_goes_without_an_error_and_warnings_are_warnings() -> None:
    old = base()
    op(old, "/pets", "post")["deprecated"] = True
    new = copy.deepcopy(old)
    new["paths"]["/pets"].pop("post")
    assert ids(diff(old, new)) == {"api-removed-with-deprecation"}
    assert ids(changed(lambda d: op(d, "/pets", "get")["responses"].pop("400")), "WARN") == {
        "response-non-success-status-removed"
    }
    assert "response-property-enum-value-added" in ids(
        changed(lambda d: schemas(d)["Pet"]["properties"]["status"].update(enum=["available", "sold", "lost"])), "WARN"
    )


def test_changes_carry_both_pointers_a_place_in_words_and_a_stable_fingerprint() -> None:
    (change,) = [c for c in changed(lambda d: schemas(d)["Pet"]["required"].remove("name")) if c.level == "ERR"][:1]
    assert change.old_pointer == "/components/schemas/Pet/properties/name"
    assert change.new_pointer == "/components/schemas/Pet/properties/name"
    assert change.operation in {"GET /pets", "POST /pets", "GET /pets/{petId}"}
    assert "name` in the" in change.message
    assert "became optional" in change.message
    again = next(c for c in changed(lambda d: schemas(d)["Pet"]["required"].remove("name")) if c.level == "ERR")
    assert again.fingerprint == change.fingerprint
    assert len({c.fingerprint for c in changed(lambda d: schemas(d)["Pet"]["required"].remove("name"))}) == 3


def test_recursive_schemas_end() -> None:
    def recursive(d: dict[str, Any]) -> None:
        schemas(d)["Pet"]["properties"]["parent"] = {"$ref": "#/components/schemas/Pet"}

    old = base()
    recursive(old)
    new = copy.deepcopy(old)
    schemas(new)["Pet"]["properties"]["id"]["type"] = "string"
    assert "response-property-type-changed" in ids(diff(old, new), "ERR")


def test_swagger_2() -> None:
    old: dict[str, Any] = {
        "swagger": "2.0",
        "info": {"title": "T", "version": "1"},
        "paths": {"/a": {"get": {"parameters": [{"name": "n", "in": "query", "type": "integer", "maximum": 9}],
                                 "responses": {"200": {"description": "ok", "schema": {"type": "string"}}}}}},
    }  # fmt: skip
    new = copy.deepcopy(old)
    new["paths"]["/a"]["get"]["parameters"][0]["maximum"] = 5
    new["paths"]["/a"]["get"]["responses"]["200"]["schema"]["type"] = "integer"
    assert ids(diff(old, new), "ERR") == {"request-parameter-max-decreased", "response-body-type-changed"}


def test_levels_at_least() -> None:
    found = changed(lambda d: op(d, "/pets", "get")["responses"].pop("400"))
    assert list(changes_at_least(found, "ERR")) == []
    assert [c.id for c in changes_at_least(found, "WARN")] == ["response-non-success-status-removed"]
