"""Examples synthesized from schemas: what the document gives wins, references are followed,
cycles and depth end, and every document yields a finite value."""

from __future__ import annotations

from typing import Any

from devportal.docs.examples import MAX_EXAMPLE_DEPTH, ExampleSynthesizer


def synthesize(schema: Any, components: dict[str, Any] | None = None) -> Any:
    return ExampleSynthesizer({"components": {"schemas": components or {}}}).synthesize(schema)


def test_what_the_document_gives_wins() -> None:
    assert synthesize({"type": "string", "example": "Rex", "default": "x"}) == "Rex"
    assert synthesize({"type": "integer", "examples": [7, 8]}) == 7
    assert synthesize({"type": "string", "enum": ["sold", "available"]}) == "sold"


def test_objects_arrays_and_formats() -> None:
    schema = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "born": {"type": ["null", "string"], "format": "date"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "weight": {"type": "number"},
        },
    }
    assert synthesize(schema) == {
        "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "born": "2024-01-01",
        "tags": ["string"],
        "weight": 0.0,
    }


def test_all_of_merges_and_one_of_takes_the_first() -> None:
    parts = {"allOf": [{"properties": {"a": {"type": "integer"}}}, {"properties": {"b": {"type": "boolean"}}}]}
    assert synthesize(parts) == {"a": 0, "b": True}
    assert synthesize({"oneOf": [{"type": "string"}, {"type": "integer"}]}) == "string"


def test_references_are_followed_and_cycles_end() -> None:
    components = {
        "Node": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "next": {"$ref": "#/components/schemas/Node"}},
        }
    }
    assert synthesize({"$ref": "#/components/schemas/Node"}, components) == {"name": "string"}
    assert synthesize({"$ref": "#/components/schemas/Missing"}, components) is None


def test_depth_is_bounded() -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(MAX_EXAMPLE_DEPTH + 5):
        schema = {"type": "object", "properties": {"inner": schema}}
    value = synthesize(schema)
    depth = 0
    while isinstance(value, dict) and "inner" in value:
        value, depth = value["inner"], depth + 1
    assert depth <= MAX_EXAMPLE_DEPTH + 1
