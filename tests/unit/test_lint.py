"""The lint ruleset: each rule with a document that triggers it and the clean one that must not;
rulesets (levels, aliases, extends, blocking, thresholds) and their errors."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from devportal.errors import InvalidParameter
from devportal.specs.lint import RULES, RULES_BY_ID, Ruleset, lint, read_ruleset


def clean() -> dict[str, Any]:
    """A 3.0 description every recommended rule is happy with."""
    pet = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "id": {"type": "integer", "format": "int64", "example": 7},
            "name": {"type": "string", "example": "Rex"},
            "kind": {"type": "string", "enum": ["dog", "cat"], "nullable": True},
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Pets",
            "version": "1.0.0",
            "description": "Pets of the shop.",
            "contact": {"email": "pets@example.com"},
            "license": {"name": "MIT"},
        },
        "servers": [
            {"url": "https://{region}.example.com/v1", "variables": {"region": {"default": "eu", "enum": ["eu", "us"]}}}
        ],
        "tags": [{"name": "pets", "description": "The pets."}],
        "security": [{"key": []}],
        "paths": {
            "/pets/{petId}": {
                "get": {
                    "operationId": "getPet",
                    "summary": "One pet",
                    "description": "The pet with this id.",
                    "tags": ["pets"],
                    "parameters": [
                        {"name": "petId", "in": "path", "required": True, "schema": {"type": "integer"}, "example": 3}
                    ],
                    "responses": {
                        "200": {
                            "description": "The pet.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Pet"},
                                    "examples": {"rex": {"$ref": "#/components/examples/Rex"}},
                                }
                            },
                        },
                        "404": {"$ref": "#/components/responses/NotFound"},
                    },
                }
            },
            "/pets/mine": {
                "get": {
                    "operationId": "getMyPets",
                    "summary": "My pets",
                    "description": "The caller's pets.",
                    "tags": ["pets"],
                    "responses": {
                        "200": {
                            "description": "The pets.",
                            "content": {
                                "application/json": {
                                    "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},
                                    "example": [{"id": 1, "name": "Tom", "kind": None}],
                                }
                            },
                        },
                        "404": {"$ref": "#/components/responses/NotFound"},
                    },
                }
            },
        },
        "components": {
            "schemas": {"Pet": pet},
            "examples": {"Rex": {"value": {"id": 3, "name": "Rex", "kind": "dog"}}},
            "responses": {"NotFound": {"description": "No such pet."}},
            "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
        },
    }


def _op(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["paths"]["/pets/{petId}"]["get"]  # type: ignore[no-any-return]


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def _delete(path: list[Any]) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return mutate


def _add_path(path: str, operation_id: str = "other") -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        operation = copy.deepcopy(_op(doc))
        operation["operationId"] = operation_id
        operation["parameters"] = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in __import__("re").findall(r"\{([^{}]+)\}", path)
        ]
        doc["paths"][path] = {"get": operation}

    return mutate


OP = ["paths", "/pets/{petId}", "get"]
AT = "/paths/~1pets~1{petId}/get"

# rule -> a change of the clean document that must trigger it (and the pointer it is reported at)
TRIGGERS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "operation-operationId": (_delete([*OP, "operationId"]), AT),
    "operation-operationId-valid-in-url": (_set([*OP, "operationId"], "get pet"), f"{AT}/operationId"),
    "no-identical-paths": (_add_path("/pets/{id}"), "/paths/~1pets~1{id}"),
    "no-ambiguous-paths": (_add_path("/{kind}/mine"), "/paths/~1{kind}~1mine"),
    "path-not-include-query": (_add_path("/pets?sort=name"), "/paths/~1pets?sort=name"),
    "path-keys-no-trailing-slash": (_add_path("/shops/"), "/paths/~1shops~1"),
    "path-declarations-must-exist": (_add_path("/shops/{}"), "/paths/~1shops~1{}"),
    "operation-security-defined": (_set([*OP, "security"], [{"oauth": []}]), f"{AT}/security/0/oauth"),
    "security-defined": (_delete(["security"]), AT),
    "oas3-server-variables": (_set(["servers", 0, "url"], "https://{zone}.example.com"), "/servers/0/url"),
    "oas3-api-servers": (_delete(["servers"]), ""),
    "typed-enum": (_set(["components", "schemas", "Pet", "properties", "kind", "enum"], ["dog", 3]),
                   "/components/schemas/Pet/properties/kind/enum/1"),
    "oas3-valid-schema-example": (_set(["components", "schemas", "Pet", "properties", "id", "example"], "seven"),
                                  "/components/schemas/Pet/properties/id/example"),
    "oas3-valid-media-example": (_set(["components", "examples", "Rex", "value"], {"id": 3}),
                                 f"{AT}/responses/200/content/application~1json/examples/rex/value"),
    "operation-success-response": (_delete([*OP, "responses", "200"]), f"{AT}/responses"),
    "operation-4xx-response": (_delete([*OP, "responses", "404"]), f"{AT}/responses"),
    "operation-summary": (_set([*OP, "summary"], "  "), AT),
    "operation-description": (_delete([*OP, "description"]), AT),
    "operation-tags": (_set([*OP, "tags"], []), AT),
    "operation-tag-defined": (_set([*OP, "tags"], ["pets", "dogs"]), f"{AT}/tags/1"),
    "tag-description": (_delete(["tags", 0, "description"]), "/tags/0"),
    "info-contact": (_delete(["info", "contact"]), "/info"),
    "info-license": (_delete(["info", "license"]), "/info"),
    "info-description": (_delete(["info", "description"]), "/info"),
    "oas3-unused-component": (_set(["components", "schemas", "Owner"], {}), "/components/schemas/Owner"),
    "no-$ref-siblings": (_set([*OP, "responses", "404", "description"], "Gone."),
                         f"{AT}/responses/404/description"),
    "no-script-tags-in-markdown": (_set(["info", "description"], "<SCRIPT>alert(1)</script>"), "/info/description"),
    "no-eval-in-markdown": (_set([*OP, "description"], "Runs eval (input)."), f"{AT}/description"),
    "deprecated-operation-sunset": (_set([*OP, "deprecated"], True), f"{AT}/deprecated"),
}  # fmt: skip
EVERY = Ruleset.model_validate({"rules": {rule.id: "error" for rule in RULES}})


def test_the_clean_document_has_no_findings_even_with_every_rule_on() -> None:
    report = lint(clean(), "3.0", EVERY)
    assert report.findings == (), report.findings


def test_every_rule_has_a_trigger() -> None:
    assert set(TRIGGERS) | {"duplicated-entry-in-enum"} == set(RULES_BY_ID)


@pytest.mark.parametrize("rule", sorted(TRIGGERS))
def test_each_rule_finds_what_it_is_for_and_nothing_else(rule: str) -> None:
    # Given the clean document with one defect
    doc = clean()
    mutate, pointer = TRIGGERS[rule]
    mutate(doc)
    # When it is linted with every rule on
    report = lint(doc, "3.0", EVERY)
    # Then the rule reports it, where it is
    found = [f for f in report.findings if f.rule == rule]
    assert found, report.findings
    assert pointer in [f.pointer for f in found]
    assert all(f.message.endswith((".", ")")) or "." in f.message for f in found)


def test_duplicated_enum_values_are_lint_in_31_only() -> None:
    doc = clean()
    doc["openapi"] = "3.1.0"
    del doc["components"]["schemas"]["Pet"]["properties"]["kind"]["nullable"]
    doc["components"]["schemas"]["Pet"]["properties"]["kind"]["enum"] = ["dog", "cat", "dog"]
    found = [f for f in lint(doc, "3.1", EVERY).findings if f.rule == "duplicated-entry-in-enum"]
    assert [f.pointer for f in found] == ["/components/schemas/Pet/properties/kind/enum/2"]
    assert not [f for f in lint(clean(), "3.0", EVERY).findings if f.rule == "duplicated-entry-in-enum"]


def test_a_sunset_date_or_header_satisfies_the_sunset_rule_and_a_bad_date_does_not() -> None:
    doc = clean()
    _op(doc)["deprecated"] = True
    _op(doc)["x-sunset"] = "2027-06-30"
    assert not [f for f in lint(doc, "3.0").findings if f.rule == "deprecated-operation-sunset"]
    _op(doc)["x-sunset"] = "next summer"
    (found,) = [f for f in lint(doc, "3.0").findings if f.rule == "deprecated-operation-sunset"]
    assert "next summer" in found.message
    del _op(doc)["x-sunset"]
    _op(doc)["responses"]["200"]["headers"] = {"Sunset": {"schema": {"type": "string"}}}
    assert not [f for f in lint(doc, "3.0").findings if f.rule == "deprecated-operation-sunset"]


def test_a_public_operation_says_so_with_an_empty_security() -> None:
    doc = clean()
    del doc["security"]
    _op(doc)["security"] = []
    flagged = {f.pointer for f in lint(doc, "3.0").findings if f.rule == "security-defined"}
    assert flagged == {"/paths/~1pets~1mine/get"}


def test_a_more_specific_path_is_not_ambiguous() -> None:
    # /pets/{petId} and /pets/mine: the literal wins, as OpenAPI says
    assert not [f for f in lint(clean(), "3.0", EVERY).findings if f.rule == "no-ambiguous-paths"]


def test_2_0_definitions_examples_and_security() -> None:
    doc = {
        "swagger": "2.0",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/a": {
                "get": {
                    "security": [{"nope": []}],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "schema": {"$ref": "#/definitions/A"},
                            "examples": {"application/json": {"n": "one"}},
                        }
                    },
                }
            }
        },
        "definitions": {"A": {"type": "object", "properties": {"n": {"type": "integer"}}}, "B": {"type": "string"}},
    }
    rules = {f.rule: f.pointer for f in lint(doc, "2.0").findings}
    assert rules["operation-security-defined"] == "/paths/~1a/get/security/0/nope"
    assert rules["oas3-valid-media-example"] == "/paths/~1a/get/responses/200/examples/application~1json"
    assert rules["oas3-unused-component"] == "/definitions/B"
    assert "oas3-api-servers" not in rules  # a 3.x rule


def test_levels_are_the_rulesets_and_off_rules_are_not_counted() -> None:
    doc = clean()
    del doc["info"]["contact"]
    del _op(doc)["summary"]
    ruleset = read_ruleset({"rules": {"info-contact": "off", "operation-summary": "error"}})
    report = lint(doc, "3.0", ruleset)
    assert [(f.rule, f.severity) for f in report.findings] == [("operation-summary", "error")]
    assert report.counts == {"error": 1}


def test_spectral_and_redocly_names_are_the_same_rule() -> None:
    ruleset = read_ruleset({"rules": {"operation-2xx-response": "error", "no-unused-components": "off"}})
    assert ruleset.rules == {"operation-success-response": "error", "oas3-unused-component": "off"}


def test_extends_none_starts_from_every_rule_off() -> None:
    doc = clean()
    del doc["info"]["contact"]
    del doc["info"]["license"]
    report = lint(doc, "3.0", read_ruleset({"extends": "none", "rules": {"info-license": "warn"}}))
    assert [f.rule for f in report.findings] == ["info-license"]


def test_blocking_on_errors_and_on_more_warnings_than_allowed() -> None:
    doc = clean()
    del _op(doc)["summary"]  # a warning
    assert lint(doc, "3.0", read_ruleset({"blocking": True})).blocking is None
    over = lint(doc, "3.0", read_ruleset({"blocking": True, "maxWarnings": 0}))
    assert "1 lint warnings" in str(over.blocking)
    assert [f.rule for f in over.blocking_findings(10)] == ["operation-summary"]
    errors = lint(doc, "3.0", read_ruleset({"blocking": True, "rules": {"operation-summary": "error"}}))
    assert "1 lint error(s)" in str(errors.blocking)
    # without `blocking`, nothing blocks
    assert lint(doc, "3.0", read_ruleset({"rules": {"operation-summary": "error"}})).blocking is None


def test_counts_are_exact_when_findings_are_bounded() -> None:
    doc = clean()
    for index in range(30):
        doc["components"]["schemas"][f"Unused{index}"] = {"type": "string"}
    report = lint(doc, "3.0", max_findings=5)
    assert len(report.findings) == 5
    assert report.counts["warning"] == 30
    assert report.truncated


@pytest.mark.parametrize(
    ("body", "pointer", "said"),
    [
        ({"rules": {"operation-sumary": "warn"}}, "/rules", "did you mean `operation-summary`"),
        ({"rules": {"operation-summary": "warning"}}, "/rules/operation-summary", "'warn', 'info', 'hint' or 'off'"),
        ({"extends": "spectral:oas"}, "/extends", "'recommended' or 'none'"),
        ({"maxWarnings": -1}, "/maxWarnings", "greater than or equal to 0"),
        ({"blocking": "yes"}, "/blocking", "valid boolean"),
        ({"levels": {}}, "/levels", "not permitted"),
    ],
)  # fmt: skip
def test_a_bad_ruleset_is_a_400_naming_the_member(body: dict[str, Any], pointer: str, said: str) -> None:
    with pytest.raises(InvalidParameter) as raised:
        read_ruleset(body)
    assert raised.value.errors[0].pointer == pointer
    assert said in raised.value.detail


def test_a_ruleset_must_be_an_object() -> None:
    with pytest.raises(InvalidParameter, match="must be a JSON object"):
        read_ruleset(["rules"])


def test_an_example_whose_schema_cannot_compile_does_not_hide_the_others() -> None:
    # Given one media type whose schema jsonschema-rs cannot compile (an invalid pattern) beside a
    # wrong example elsewhere
    doc = clean()
    mine = doc["paths"]["/pets/mine"]["get"]["responses"]["200"]["content"]["application/json"]
    mine["schema"] = {"type": "string", "pattern": "([", "minLength": 1}
    mine["example"] = "anything"
    doc["components"]["examples"]["Rex"]["value"] = {"id": "three", "name": "Rex"}
    # Then the wrong example is still found, and the uncompilable one is not judged
    found = [f for f in lint(doc, "3.0").findings if f.rule == "oas3-valid-media-example"]
    assert [f.pointer for f in found] == [f"{AT}/responses/200/content/application~1json/examples/rex/value"]
    assert "at `/id`" in found[0].message


def test_the_worst_are_kept_when_findings_are_bounded() -> None:
    # Given thirty warnings and one error found after them
    doc = clean()
    for index in range(30):
        doc["components"]["schemas"][f"Unused{index}"] = {"type": "string"}
    doc["info"]["description"] = "<script>alert(1)</script>"
    report = lint(doc, "3.0", max_findings=3)
    # Then the error is among the three kept, first
    assert [f.severity for f in report.findings] == ["error", "warning", "warning"]
    assert report.findings[0].rule == "no-script-tags-in-markdown"


def test_the_contract_names_every_rule_and_alias_a_ruleset_may_use() -> None:
    contract = yaml.safe_load((Path(__file__).resolve().parents[2] / "contracts" / "gateway.openapi.yaml").read_text())
    named = set(contract["components"]["schemas"]["LintRuleName"]["enum"])
    assert named == set(RULES_BY_ID) | {alias for rule in RULES for alias in rule.aliases}
