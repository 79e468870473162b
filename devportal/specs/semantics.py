"""The checks a schema cannot make that openapi-spec-validator makes (issue 12): operationIds unique
across the document, and path parameters - every `{name}` in a path template declared as an
`in: path` parameter of the operation or its path item, no path parameter declared that the
template does not have, no parameter declared twice in one list. Local `$ref`s to parameters are
followed (inside the document only; a ref that points nowhere is reported elsewhere). Rule ids
follow Spectral's `spectral:oas` names where one exists."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from devportal.specs.pointers import resolve_local, to_pointer
from devportal.specs.validation import Finding

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")
_TEMPLATE = re.compile(r"\{([^{}]+)\}")


def semantic_findings(document: Mapping[str, Any]) -> Iterator[Finding]:
    paths = document.get("paths")
    if not isinstance(paths, Mapping):
        return
    first_use: dict[str, str] = {}
    for path, item in paths.items():
        if not isinstance(item, Mapping) or not isinstance(path, str):
            continue
        shared = _parameters(document, item.get("parameters"), ["paths", path, "parameters"])
        yield from _duplicates(shared)
        yield from _not_in_template(path, shared)
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, Mapping):
                continue
            where = ["paths", path, method]
            yield from _operation_id(operation, where, first_use, f"{method.upper()} {path}")
            own = _parameters(document, operation.get("parameters"), [*where, "parameters"])
            yield from _duplicates(own)
            yield from _path_parameters(path, method, shared, own, where)


def _operation_id(
    operation: Mapping[str, Any], where: list[str], first_use: dict[str, str], label: str
) -> Iterator[Finding]:
    operation_id = operation.get("operationId")
    if not isinstance(operation_id, str):
        return
    if operation_id in first_use:
        yield Finding(
            to_pointer([*where, "operationId"]),
            f"operationId `{operation_id}` is already the id of {first_use[operation_id]}; each operation needs "
            "its own (clients and docs use it as a name).",
            "operation-operationId-unique",
        )
    else:
        first_use[operation_id] = label


def _parameters(document: Mapping[str, Any], declared: Any, where: list[str]) -> list[tuple[str, str, str]]:
    """(name, in, pointer) of each parameter in a `parameters` list, local refs followed."""
    found: list[tuple[str, str, str]] = []
    if not isinstance(declared, list):
        return found
    for index, parameter in enumerate(declared):
        pointer = to_pointer([*where, index])
        if isinstance(parameter, Mapping) and isinstance(parameter.get("$ref"), str):
            try:
                parameter = resolve_local(document, parameter["$ref"])
            except KeyError:
                continue  # reported by the reference check
        if not isinstance(parameter, Mapping):
            continue
        name, location = parameter.get("name"), parameter.get("in")
        if isinstance(name, str) and isinstance(location, str):
            found.append((name, location, pointer))
    return found


def _duplicates(parameters: list[tuple[str, str, str]]) -> Iterator[Finding]:
    seen: dict[tuple[str, str], str] = {}
    for name, location, pointer in parameters:
        if (name, location) in seen:
            yield Finding(
                pointer,
                f"The {location} parameter `{name}` is declared twice in this list "
                f"(first at {seen[(name, location)]}).",
                "operation-parameters-unique",
            )
        else:
            seen[(name, location)] = pointer


def _path_parameters(
    path: str,
    method: str,
    shared: list[tuple[str, str, str]],
    own: list[tuple[str, str, str]],
    where: list[str],
) -> Iterator[Finding]:
    in_template = _TEMPLATE.findall(path)
    declared = {name for name, location, _ in [*shared, *own] if location == "path"}
    for name in in_template:
        if name not in declared:
            yield Finding(
                to_pointer(where),
                f"`{{{name}}}` is in the path {path} but {method.upper()} declares no path parameter `{name}` "
                "(in the operation or its path item).",
                "path-params",
            )
    yield from _not_in_template(path, own)


def _not_in_template(path: str, parameters: list[tuple[str, str, str]]) -> Iterator[Finding]:
    in_template = set(_TEMPLATE.findall(path))
    for name, location, pointer in parameters:
        if location == "path" and name not in in_template:
            yield Finding(
                pointer,
                f"Path parameter `{name}` is not in the path {path}; a path parameter names a `{{...}}` of its path.",
                "path-params",
            )
