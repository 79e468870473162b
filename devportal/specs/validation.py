"""What validation reports - findings, each with a JSON pointer, a rule id and a severity, bounded
in number and size - and the first check every document gets: its reference-like keywords.

Nothing outside the submitted document is ever read. Every keyword that could point outside it
(`$ref`, `$dynamicRef`, `operationRef`, `discriminator.mapping` values) is refused when it does
and reported when it points nowhere inside; those that would change how references resolve or
which meta-schema applies (`$id`, `$schema`, `jsonSchemaDialect`) and `externalValue` are flagged
as not followed. The engine's own validators run offline (engine.py), so even a keyword missed
here cannot make them fetch anything.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from devportal.specs.pointers import Place, resolve_local, to_pointer

Severity = Literal["error", "warning", "info", "hint"]  # info and hint: lint only


@dataclass(frozen=True)
class Finding:
    pointer: str
    message: str
    rule: str
    severity: Severity = "error"
    # Where in the text, when the finding comes from reading it (a YAML or JSON syntax error has a
    # line and no pointer); otherwise the pointer locates it.
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class ValidationReport:
    findings: tuple[Finding, ...]
    truncated: bool

    @property
    def valid(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


# Keys whose values are data, not OpenAPI or JSON Schema: a `$ref` inside an example payload is
# part of the example. They are data only where they are keywords - a property, a schema, a
# response or an example may also be *named* "default" or "example", and those are walked.
DATA_KEYWORDS = frozenset({"example", "default", "enum", "const", "value"})
NAME_MAPS = frozenset(
    {"paths", "webhooks", "properties", "patternProperties", "dependentSchemas", "schemas", "definitions",
     "$defs", "responses", "parameters", "requestBodies", "headers", "securitySchemes", "securityDefinitions",
     "links", "callbacks", "pathItems", "content", "encoding", "variables", "mapping", "examples"}
)  # fmt: skip
_DIALECTS = frozenset(
    {"https://json-schema.org/draft/2020-12/schema", "https://spec.openapis.org/oas/3.1/dialect/base",
     "https://spec.openapis.org/oas/3.1/dialect/2024-11-10", "https://spec.openapis.org/oas/3.2/dialect/2025-09-17"}
)  # fmt: skip
_REFERRING = ("$ref", "$dynamicRef", "operationRef")
_KEYWORDS = frozenset({*_REFERRING, "$anchor", "$id", "$schema", "externalValue", "discriminator"})
_BUNDLE = "Bundle the referenced files into one document (e.g. `redocly bundle`) before submitting."


def reference_findings(document: dict[str, Any]) -> Iterator[Finding]:
    """Every reference-like keyword of the document, checked without following any of it."""
    refs = _References(document)
    dialect = document.get("jsonSchemaDialect")
    if isinstance(dialect, str) and dialect not in _DIALECTS:
        yield _not_followed("/jsonSchemaDialect", "jsonSchemaDialect", dialect)
    # keyword_objects' walk, inlined: on GitHub's description the generator costs a third more (60 ms)
    stack: list[tuple[Any, Place | None, Any]] = [(document, None, "")]
    while stack:
        node, place, parent = stack.pop()
        if type(node) is list:
            # a list's items are values (parameters, allOf's schemas), never names
            stack.extend((item, Place(place, i), "") for i, item in enumerate(node) if type(item) in (dict, list))
            continue
        keywords = parent not in NAME_MAPS  # in a name map every key is a name, whatever it spells
        if keywords and not _KEYWORDS.isdisjoint(node):
            yield from refs.check(node, place)
        for key, value in node.items():
            if type(value) not in (dict, list) or (keywords and (key in DATA_KEYWORDS or key.startswith("x-"))):
                continue
            stack.append((value, Place(place, key), key))
    yield from refs.unresolved_anchors()


def keyword_objects(
    document: Mapping[str, Any], *, extensions: frozenset[str] = frozenset()
) -> Iterator[tuple[dict[str, Any], Place | None]]:
    """Every object of the document whose keys are keywords - not the names of a map (paths,
    properties, responses...) - with where it is. Example, default, enum and const values, a 3.1
    schema's `examples` and `x-` extensions (but those named in `extensions`) are data: not walked."""
    stack: list[tuple[Any, Place | None, Any]] = [(document, None, "")]
    while stack:
        node, place, parent = stack.pop()
        if type(node) is list:
            # a list's items are values (parameters, allOf's schemas), never names
            stack.extend((item, Place(place, i), "") for i, item in enumerate(node) if type(item) in (dict, list))
            continue
        keywords = parent not in NAME_MAPS  # in a name map every key is a name, whatever it spells
        if keywords:
            yield node, place
        for key, value in node.items():
            kind = type(value)
            if kind is not dict and kind is not list:
                continue
            if keywords and (
                key in DATA_KEYWORDS
                or (key.startswith("x-") and key not in extensions)
                or (key == "examples" and kind is list)
            ):
                continue
            stack.append((value, Place(place, key), key))


class _References:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.anchors: set[str] = set()
        self.named: list[tuple[str, str]] = []  # ("#name" refs, pointer): resolved once every $anchor is known
        self.resolved: dict[str, bool] = {}
        components = document.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else document.get("definitions")
        self.schema_names = set(schemas) if isinstance(schemas, dict) else set()

    def check(self, node: dict[str, Any], place: Place | None) -> Iterator[Finding]:
        for key in _REFERRING:
            target = node.get(key)
            if isinstance(target, str):
                yield from self.reference(target, _at(place, key), key)
        if isinstance(node.get("$anchor"), str):
            self.anchors.add(node["$anchor"])
        if place is None:
            return  # the document itself: `$id` and `$schema` there are not Schema keywords
        if isinstance(node.get("$id"), str):
            yield Finding(
                place.pointer("$id"),
                f"`$id` {_brief(node['$id'])} is not followed: references in this document resolve against "
                "the document itself, never against a schema's `$id`.",
                "no-schema-id",
                "warning",
            )
        if isinstance(node.get("$schema"), str) and node["$schema"] not in _DIALECTS:
            yield _not_followed(place.pointer("$schema"), "$schema", node["$schema"])
        if isinstance(node.get("externalValue"), str):
            yield Finding(
                place.pointer("externalValue"),
                f"`externalValue` {_brief(node['externalValue'])} is never fetched: the portal shows it as a "
                "link. Put the example in `value` to have it checked and displayed.",
                "no-external-value",
                "warning",
            )
        discriminator = node.get("discriminator")
        if isinstance(discriminator, dict) and isinstance(discriminator.get("mapping"), dict):
            for name, target in discriminator["mapping"].items():
                if isinstance(target, str):
                    yield from self.mapping(target, place.pointer("discriminator", "mapping", name))

    def reference(self, target: str, pointer: str, key: str) -> Iterator[Finding]:
        if not target.startswith("#"):
            yield Finding(
                pointer,
                f"`{key}` {_brief(target)} points outside the document, and nothing outside it is read: "
                f"references must start with `#`. {_BUNDLE}",
                "no-external-refs",
            )
        elif key == "$dynamicRef" or (len(target) > 1 and not target.startswith("#/")):
            if key != "$dynamicRef":
                self.named.append((target, pointer))
        else:
            if target not in self.resolved:
                self.resolved[target] = _resolves(self.document, target)
            if not self.resolved[target]:
                yield Finding(
                    pointer, f"`{key}` `{_clip(target)}` points to nothing in the document.", "no-unresolved-refs"
                )

    def mapping(self, target: str, pointer: str) -> Iterator[Finding]:
        if target.startswith("#") or "/" in target or "." in target or ":" in target:
            yield from self.reference(target, pointer, "discriminator.mapping")
        elif target not in self.schema_names:
            yield Finding(
                pointer,
                f"The discriminator maps to `{_clip(target)}`, but no schema has that name.",
                "no-unresolved-refs",
            )

    def unresolved_anchors(self) -> Iterator[Finding]:
        for ref, pointer in self.named:
            if ref[1:] not in self.anchors:
                yield Finding(pointer, f"`{_clip(ref)}` names no `$anchor` in the document.", "no-unresolved-refs")


def _at(place: Place | None, key: str) -> str:
    return to_pointer([key]) if place is None else place.pointer(key)


def _resolves(document: Any, ref: str) -> bool:
    try:
        resolve_local(document, ref)
    except KeyError:
        return False
    return True


def _not_followed(pointer: str, key: str, value: str) -> Finding:
    return Finding(
        pointer,
        f"`{key}` {_brief(value)} is not followed: schemas here are read as JSON Schema 2020-12 with "
        "OpenAPI's vocabulary, and no other meta-schema is fetched.",
        "no-schema-dialect",
        "warning",
    )


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _brief(text: str) -> str:
    return f"`{_clip(text)}`"


class Collector:
    """Findings up to a limit, each message and pointer bounded, each (pointer, message) once."""

    def __init__(self, max_findings: int, max_chars: int) -> None:
        self.max_findings = max_findings
        self.max_chars = max_chars
        self.findings: list[Finding] = []
        self._seen: set[tuple[str, str]] = set()
        self.truncated = False

    def add(self, finding: Finding) -> bool:
        """False once the limit is reached: the caller stops looking."""
        if len(self.findings) >= self.max_findings:
            self.truncated = True
            return False
        message = finding.message
        if len(message) > self.max_chars:
            message = message[: self.max_chars - 1] + "…"
        pointer = finding.pointer if len(finding.pointer) <= 1000 else finding.pointer[:999] + "…"
        key = (pointer, message)
        if key not in self._seen:
            self._seen.add(key)
            self.findings.append(Finding(pointer, message, finding.rule, finding.severity))
        return True

    def report(self) -> ValidationReport:
        return ValidationReport(tuple(self.findings), self.truncated)
