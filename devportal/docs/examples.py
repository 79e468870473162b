"""Examples synthesized from a schema, for schemas whose document gives none.

What the document gives wins at every level: `example`, `default`, `const`, the first of
`examples`, the first `enum` value; otherwise objects take their properties, arrays one item,
`allOf` merges its parts, `oneOf`/`anyOf` take the first, and scalars a plausible value of their
type and format. Local `$ref`s are followed, circular ones stop, and depth is bounded, so any
document yields a finite example."""

from __future__ import annotations

from typing import Any

from devportal.specs.openapi import as_list, as_mapping
from devportal.specs.pointers import resolve_local

MAX_EXAMPLE_DEPTH = 6


class ExampleSynthesizer:
    def __init__(self, document: dict[str, Any]) -> None:
        self.doc = document
        # A referenced schema's example, per (ref, depth, refs above it): components are referenced
        # thousands of times in a large description. Values are shared, never changed.
        self._made: dict[tuple[str, int, frozenset[str]], Any] = {}

    def synthesize(self, schema: Any) -> Any:
        """An example value for `schema`, or None where nothing sensible can be said."""
        return self._synthesize(schema, 0, frozenset())

    def _synthesize(self, schema: Any, depth: int, seen: frozenset[str]) -> Any:
        if not isinstance(schema, dict) or depth > MAX_EXAMPLE_DEPTH:
            return None
        ref = schema.get("$ref")
        if isinstance(ref, str):
            if ref in seen:
                return None
            made = (ref, depth, seen)
            if made not in self._made:
                self._made[made] = self._synthesize(self.deref(schema), depth, seen | {ref})
            return self._made[made]
        for key in ("example", "default", "const"):
            if key in schema:
                return schema[key]
        examples = schema.get("examples")
        if isinstance(examples, list) and examples:
            return examples[0]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
        for combinator in ("allOf", "oneOf", "anyOf"):
            parts = as_list(schema.get(combinator))
            if parts and combinator == "allOf":
                merged: dict[str, Any] = {}
                for part in parts:
                    value = self._synthesize(part, depth + 1, seen)
                    if isinstance(value, dict):
                        merged.update(value)
                return merged or None
            if parts:
                return self._synthesize(parts[0], depth + 1, seen)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), None)
        if kind == "object" or (kind is None and "properties" in schema):
            result = {}
            for name, prop in as_mapping(schema.get("properties")).items():
                value = self._synthesize(prop, depth + 1, seen)
                if value is not None:
                    result[str(name)] = value
            return result
        if kind == "array":
            item = self._synthesize(schema.get("items"), depth + 1, seen)
            return [] if item is None else [item]
        return scalar_example(kind, schema.get("format"))

    def deref(self, node: Any) -> Any:
        """`node` with its local `$ref`s followed; None for a dangling or circular one."""
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                return None
            seen.add(ref)
            try:
                node = resolve_local(self.doc, ref)
            except KeyError:
                return None
        return node


def scalar_example(kind: Any, fmt: Any) -> Any:
    """A plausible value of a JSON Schema type (and format)."""
    by_format = {
        "date-time": "2024-01-01T00:00:00Z",
        "date": "2024-01-01",
        "email": "user@example.com",
        "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "uri": "https://example.com",
        "url": "https://example.com",
        "ipv4": "192.0.2.1",
        "hostname": "example.com",
        "password": "********",
    }
    if kind == "string":
        return by_format.get(str(fmt), "string")
    if kind == "integer":
        return 0
    if kind == "number":
        return 0.0
    if kind == "boolean":
        return True
    return None
