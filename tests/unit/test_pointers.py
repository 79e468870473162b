"""JSON pointers: one reading of a local `$ref` for resolving and for reporting."""

from __future__ import annotations

import pytest

from devportal.specs.pointers import canonical_pointer, ref_tokens, resolve_local

DOCUMENT = {
    "components": {"schemas": {"a/b": {"properties": {"n": {"type": "integer"}}}, "x y": {"type": "string"}}},
    "paths": {"/p": {"get": {"schema": {"$ref": "#/components/schemas/a~1b"}}}},
}


@pytest.mark.parametrize(
    ("ref", "tokens"),
    [
        ("#", []),
        ("#/components/schemas/a~1b", ["components", "schemas", "a/b"]),
        ("#/components/schemas/x%20y", ["components", "schemas", "x y"]),
        ("#/a~01", ["a~1"]),  # ~0 then 1, not ~1
        ("#/a%2Fb", ["a", "b"]),  # the fragment is percent-decoded before it is split
    ],
)
def test_ref_tokens(ref: str, tokens: list[str]) -> None:
    assert ref_tokens(ref) == tokens


@pytest.mark.parametrize("ref", ["other.yaml#/a", "#anchor"])
def test_non_pointer_refs(ref: str) -> None:
    with pytest.raises(KeyError):
        ref_tokens(ref)


def test_resolving_and_reporting_agree() -> None:
    assert resolve_local(DOCUMENT, "#/components/schemas/x%20y") == {"type": "string"}
    reached = ["paths", "/p", "get", "schema", "properties", "n"]
    assert canonical_pointer(DOCUMENT, reached) == "/components/schemas/a~1b/properties/n"


def test_a_path_that_leads_nowhere_is_reported_literally() -> None:
    assert canonical_pointer(DOCUMENT, ["paths", "/q"]) == "/paths/~1q"
