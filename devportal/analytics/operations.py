"""Which operation a usage record is about, and whether the registered spec documents it.

A service names the operation by its operationId, or by method and path - the path template
(`/pets/{petId}`) or the path it served (`/pets/42`), matched against the spec's templates the way a
router would (literal segments before parameters). What the spec does not declare is counted as
undocumented traffic: an unknown operation, or a status code its responses do not list (nor a
`4XX`-style range, nor `default`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from devportal.specs.openapi import iter_operations

_PARAMETER = re.compile(r"^\{[^{}/]+\}$")


@dataclass(frozen=True)
class Operation:
    key: str  # how reports name it: its operationId, or "GET /pets/{petId}" when it has none
    method: str
    path: str
    statuses: frozenset[str]  # the response keys, upper-cased: "200", "4XX", "DEFAULT"

    def documents(self, status: int) -> bool:
        code = str(status)
        return code in self.statuses or f"{code[0]}XX" in self.statuses or "DEFAULT" in self.statuses


@dataclass(frozen=True)
class Resolved:
    key: str
    operation: Operation | None  # None: the spec does not declare it

    def undocumented(self, status: int) -> bool:
        return self.operation is None or not self.operation.documents(status)


class OperationTable:
    """The operations of one registered version, built once per version (versions are immutable)."""

    def __init__(self, operations: list[Operation]) -> None:
        self._by_id = {op.key: op for op in operations}
        self._by_route = {(op.method, op.path): op for op in operations}
        # templates by segment count, literal-first so /pets/mine wins over /pets/{petId}
        self._templates: dict[int, list[tuple[tuple[str | None, ...], Operation]]] = {}
        for op in operations:
            segments = tuple(None if _PARAMETER.match(part) else part for part in op.path.split("/"))
            self._templates.setdefault(len(segments), []).append((segments, op))
        for candidates in self._templates.values():
            candidates.sort(key=lambda entry: [part is None for part in entry[0]])

    def resolve(self, operation_id: str | None, method: str | None, path: str | None) -> Resolved:
        if operation_id is not None:
            known = self._by_id.get(operation_id)
            return Resolved(operation_id, known)
        if method is None or path is None:
            raise ValueError("name the operation by its operationId, or by method and path")
        route = path.split("?", 1)[0]
        exact = self._by_route.get((method, route))
        if exact is not None:
            return Resolved(exact.key, exact)
        parts = route.split("/")
        for segments, op in self._templates.get(len(parts), ()):
            if op.method == method and all(s is None or s == p for s, p in zip(segments, parts, strict=True)):
                return Resolved(op.key, op)
        return Resolved(f"{method.upper()} {route}", None)

    @classmethod
    def of(cls, spec: dict[str, Any]) -> OperationTable:
        return cls(
            [
                Operation(op.operation_id or f"{op.method.upper()} {op.path}", op.method, op.path, op.statuses)
                for op in iter_operations(spec)
            ]
        )
