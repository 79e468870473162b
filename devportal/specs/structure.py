"""Structural validation against the official OpenAPI schemas (2.0, 3.0, 3.1, 3.2), compiled once
per process with jsonschema-rs: GitHub's 13 MB description in about 12 ms where
openapi-spec-validator takes seconds (bench/validation.py). In 3.1 and 3.2, where the official
schema leaves Schema Objects to JSON Schema, each is checked against the 2020-12 meta-schema.

The official schemas (devportal/specs/schemas, as the OpenAPI Initiative publishes them, bundled
by openapi-spec-validator) are self-contained: compiling them reads nothing from the network or
the disk beyond this package. Each error becomes one finding at the deepest place it can be
pinned to: a `oneOf` / `anyOf` that no alternative satisfies is followed into the alternative that
got furthest (not the `$ref` alternative every OpenAPI object offers), so a wrong `maximum` is
reported at `.../schema/maximum`, not as "not valid under any of the schemas" at the parameter.
Semantic checks (duplicate operationIds, path parameters, references, defaults) are not here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs

from devportal.specs.openapi import Dialect
from devportal.specs.pointers import to_pointer
from devportal.specs.semantics import schema_roots
from devportal.specs.validation import Finding

RULE = "oas-schema"
MAX_QUOTE = 60


@cache
def validator(dialect: Dialect) -> Any:
    """The compiled validator of the official schema of `dialect` (cached per process)."""
    text = resources.files("devportal.specs").joinpath(f"schemas/oas-{dialect}.json").read_text(encoding="utf-8")
    return jsonschema_rs.validator_for(json.loads(text), offline=True)


def structural_findings(document: Any, dialect: Dialect) -> Iterator[Finding]:
    """Each place `document` breaks its dialect's official schema, deepest first found."""
    seen: set[tuple[str, str]] = set()
    for error in validator(dialect).iter_errors(document):
        yield from _findings(error, [], dialect, seen)


def schema_object_findings(document: Any, dialect: Dialect) -> Iterator[Finding]:
    """3.1 and 3.2 leave Schema Objects to JSON Schema (`$dynamicRef: #meta`): each is checked
    against the 2020-12 meta-schema (built into jsonschema-rs, offline), as osv does. 2.0 and 3.0
    describe their Schema Object in the official schema itself."""
    if dialect not in ("3.1", "3.2"):
        return
    meta = _meta_schema()
    seen: set[tuple[str, str]] = set()
    for where, schema in schema_roots(document):
        if type(schema) is not dict:
            continue  # a boolean schema is valid, anything else the official schema reports
        for error in meta.iter_errors(schema):
            yield from _findings(error, where, dialect, seen)


def _findings(error: Any, where: list[Any], dialect: Dialect, seen: set[tuple[str, str]]) -> Iterator[Finding]:
    """One error as findings, one per place its deepest alternatives point at (under `where`),
    each (place, words) once."""
    at: dict[str, list[Any]] = {}
    for leaf in _leaves(error):
        at.setdefault(to_pointer([*where, *leaf.instance_path]), []).append(leaf)
    for pointer, errors in at.items():
        finding = Finding(pointer, _words(errors, dialect), RULE)
        if (finding.pointer, finding.message) not in seen:
            seen.add((finding.pointer, finding.message))
            yield finding


@cache
def _meta_schema() -> Any:
    return jsonschema_rs.validator_for({"$ref": "https://json-schema.org/draft/2020-12/schema"}, offline=True)


def _leaves(error: Any) -> list[Any]:
    """Into a failed `oneOf` / `anyOf`: the errors of the alternatives that got furthest into the
    document - all of them when alternatives tie, as a parameter's alternatives (one per location)
    each fail on its `in` and on whatever else is wrong with it - skipping the `$ref` alternative
    (Reference Object) when another one applies."""
    context = getattr(error.kind, "context", None)
    if not context:
        return [error]
    branches: list[list[Any]] = []
    for branch in context:
        if not branch or all(_only_wants_ref(sub) for sub in branch):
            continue
        branches.append([leaf for sub in branch for leaf in _leaves(sub)])
    if not branches:
        return [error]
    reach = [max(len(leaf.instance_path) for leaf in leaves) for leaves in branches]
    tied = [leaves for leaves, depth in zip(branches, reach, strict=True) if depth == max(reach)]
    if len(tied) == 1:
        return tied[0]
    # What only some alternatives complain of (a path parameter's `required`) is about that
    # alternative; what all of them do is about the document.
    shared = set.intersection(*({tuple(leaf.instance_path) for leaf in leaves} for leaves in tied))
    return [leaf for leaves in tied for leaf in leaves if tuple(leaf.instance_path) in shared]


def _only_wants_ref(error: Any) -> bool:
    kind = type(error.kind).__name__
    return kind == "Required" and '"$ref"' in error.message


# What a keyword means in the dialect at hand, for the mistakes made moving between 3.0 and 3.1.
_MODERN_HINTS = {
    "exclusiveMaximum": "in OpenAPI 3.1 `exclusiveMaximum` is a number, the bound itself (3.0's was a flag)",
    "exclusiveMinimum": "in OpenAPI 3.1 `exclusiveMinimum` is a number, the bound itself (3.0's was a flag)",
    "required": "`required` lists the names of the required properties, on the object's schema",
    "examples": "in a 3.1 schema `examples` is a list of values; named examples belong to the parameter or media type",
}
_OLD_HINTS = {
    "exclusiveMaximum": "in OpenAPI 3.0 `exclusiveMaximum` is a flag on `maximum` (3.1's is a number)",
    "exclusiveMinimum": "in OpenAPI 3.0 `exclusiveMinimum` is a flag on `minimum` (3.1's is a number)",
    "required": "`required` lists the names of the required properties, on the object's schema",
}


def _words(errors: list[Any], dialect: str) -> str:
    """The error in a developer's words: what is wrong, where (the pointer says it), what is expected."""
    error = errors[0]
    kind = type(error.kind).__name__
    path = list(error.instance_path)
    name = _name(path)
    found = _quote(error.instance)
    if kind == "Type":
        hints = _MODERN_HINTS if dialect in ("3.1", "3.2") else _OLD_HINTS
        hint = hints.get(str(path[-1])) if path else None
        return f"{name} must be {_types(error.kind)}; found {found}" + (f" - {hint}." if hint else ".")
    if kind == "Required":
        missing = error.message.split('"')[1] if '"' in error.message else "a member"
        return f"{name} needs `{missing}`."
    if kind == "AdditionalProperties":
        unexpected = ", ".join(f"`{member}`" for member in error.kind.as_dict().get("unexpected", []))
        return f"{name} has members the specification does not define: {unexpected} (extensions start with `x-`)."
    if kind == "Enum":
        options: list[Any] = []
        for each in errors:  # alternatives that each allow other values: together, what is allowed
            if type(each.kind).__name__ == "Enum":
                options.extend(o for o in each.kind.as_dict().get("options", []) if o not in options)
        if 0 < len(options) <= 12:
            allowed = ", ".join(_quote(option, plain=True) for option in options)
            return f"{name} must be one of {allowed}; found {_quote(error.instance, plain=True)}."
        return f"{name} must be one of the values the specification allows; found {found}."
    if kind == "Format":
        wanted = error.kind.as_dict().get("format")
        if wanted == "regex":
            return (
                f"{name} is not a regular expression OpenAPI can use: patterns are ECMA-262 (JavaScript) "
                f"syntax, so `\\A`, `\\z`, possessive quantifiers and `\\p{{Print}}` are not; found "
                f"{_quote(error.instance, plain=True)}."
            )
        return f"{name} must be a `{wanted}`; found {found}."
    if kind == "Pattern":
        return f"{name} does not have the form the specification requires; found {found}."
    if kind in ("Minimum", "Maximum", "ExclusiveMinimum", "ExclusiveMaximum", "MinLength", "MaxLength",
                "MinItems", "MaxItems", "UniqueItems", "MinProperties"):  # fmt: skip
        return f"{name}: {error.message[:200]}."
    return f"{name}: {error.message[:200]}"


def _name(path: list[Any]) -> str:
    if not path:
        return "The document"
    if isinstance(path[-1], int) and len(path) > 1:
        return f"`{path[-2]}[{path[-1]}]`"
    return f"`{path[-1]}`"


def _types(kind: Any) -> str:
    wanted = getattr(kind, "types", None) or getattr(kind, "value", None)
    if isinstance(wanted, (list, tuple)):
        return " or ".join(f"a {_type_word(t)}" for t in wanted)
    return f"a {_type_word(wanted)}" if wanted else "of another type"


def _type_word(name: Any) -> str:
    return {"integer": "whole number", "object": "map (object)", "array": "list (array)"}.get(str(name), str(name))


def _quote(value: Any, *, plain: bool = False) -> str:
    """The value as JSON, briefly; `plain`: a string among strings without its quotes."""
    text = value if plain and isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return f"`{text}`" if len(text) <= MAX_QUOTE else f"`{text[: MAX_QUOTE - 1]}…`"
