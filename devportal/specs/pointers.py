"""RFC 6901 JSON pointers: building them for findings, following local `$ref`s."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_MISSING = object()


def to_pointer(parts: Iterable[Any]) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def ref_tokens(ref: str) -> list[str]:
    """The reference tokens of a local `$ref`: the URI fragment is percent-decoded first, then split
    on "/", then each token unescaped (~1 -> "/", ~0 -> "~"), as RFC 6901 orders it. KeyError for a
    ref that is not a local JSON pointer."""
    if not ref.startswith("#"):
        raise KeyError(ref)
    fragment = _PERCENT.sub(lambda m: chr(int(m.group(1), 16)), ref[1:])
    if fragment == "":
        return []
    if not fragment.startswith("/"):
        raise KeyError(ref)
    return [token.replace("~1", "/").replace("~0", "~") for token in fragment[1:].split("/")]


def resolve_local(document: Any, ref: str) -> Any:
    """The node a local `$ref` ("#/components/schemas/Pet") points to; KeyError when it points
    nowhere or is not a local pointer."""
    node = document
    for key in ref_tokens(ref):
        if isinstance(node, dict):
            node = node.get(key, _MISSING)
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            node = _MISSING
        if node is _MISSING:
            raise KeyError(ref)
    return node


def canonical_pointer(document: Any, parts: Iterable[Any]) -> str:
    """The pointer of the node a path reaches when it passes through local `$ref`s.

    osv reports `/paths/~1orders/get/.../schema/properties/total` for a schema it reached
    through `{"$ref": "#/components/schemas/Order"}`; that pointer names nothing in the
    document. This follows the refs and answers `/components/schemas/Order/properties/total`.
    Falls back to the literal path where the walk cannot continue."""
    literal = [str(part) for part in parts]
    node, path = document, []
    for index, part in enumerate(literal):
        hops = 0
        while isinstance(node, dict) and part not in node and isinstance(node.get("$ref"), str) and hops < 32:
            ref = node["$ref"]
            try:
                node = resolve_local(document, ref)
            except KeyError:
                return to_pointer(literal)
            path = ref_tokens(ref)
            hops += 1
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return to_pointer(path + literal[index:])
        path.append(part)
    return to_pointer(path)


class Place:
    """Where a node is, as a chain to its parent: cheap to make for every node of a walk, spelled
    out (`parts`, `pointer`) only for the few that have a finding - GitHub's description has 44,000
    schemas and a million nodes."""

    __slots__ = ("key", "parent")

    def __init__(self, parent: Place | None, key: Any) -> None:
        self.parent = parent
        self.key = key

    @classmethod
    def of(cls, where: list[Any]) -> Place | None:
        place = None
        for key in where:
            place = cls(place, key)
        return place

    def parts(self) -> list[Any]:
        parts = []
        place: Place | None = self
        while place is not None:
            parts.append(place.key)
            place = place.parent
        parts.reverse()
        return parts

    def pointer(self, *more: Any) -> str:
        return to_pointer([*self.parts(), *more])
