"""What changed between two versions of an API description, and what of it breaks consumers.

Operations are matched by method and path template (parameter names aside: `/pets/{id}` and
`/pets/{petId}` are one path), parameters by location and name, responses by status, bodies by
media type. Schemas are compared through `$ref`s (each document's own) and `allOf` (merged), in
the direction data flows: a request may widen (accept more) and must not narrow, a response may
narrow (promise more) and must not widen or drop what clients read. Rule ids and levels follow
oasdiff's catalogue: ERR breaks clients, WARN may, INFO does not. A false positive is acceptable;
a false negative is not, so anything not understood is reported rather than passed over.

Each change carries the JSON pointer of its place in both documents where it has one, and a
fingerprint of what it is about (rule, operation, logical place - not pointers, which move when a
schema is refactored into a component), stable across resubmissions of the same change."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from devportal.specs.openapi import as_list, as_mapping
from devportal.specs.pointers import ref_tokens, resolve_local, to_pointer
from devportal.specs.semantics import METHODS

Level = Literal["ERR", "WARN", "INFO"]
LEVELS: tuple[Level, ...] = ("ERR", "WARN", "INFO")
_TEMPLATE = re.compile(r"\{[^{}]*\}")
MAX_SCHEMA_DEPTH = 40


@dataclass(frozen=True)
class Change:
    id: str
    level: Level
    message: str
    operation: str  # "GET /pets/{petId}", or "" for the document as a whole
    location: str  # the logical place: "response 200 application/json: pets[].name"
    old_pointer: str | None = None
    new_pointer: str | None = None

    @property
    def fingerprint(self) -> str:
        key = f"{self.id}\n{_template_key(self.operation)}\n{self.location}"
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level,
            "message": self.message,
            "operation": self.operation,
            "location": self.location,
            "oldPointer": self.old_pointer,
            "newPointer": self.new_pointer,
            "fingerprint": self.fingerprint,
        }


def _template_key(operation: str) -> str:
    return _TEMPLATE.sub("{}", operation)


@dataclass
class _Side:
    """One document and where a node of it is."""

    document: Mapping[str, Any]

    def resolve(self, node: Any, where: list[Any]) -> tuple[Any, list[Any]]:
        """`node` with its local `$ref`s followed, and the pointer parts of where it really is."""
        hops = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and hops < 32:
            ref = node["$ref"]
            try:
                node = resolve_local(self.document, ref)
            except KeyError:
                return None, where
            where = ref_tokens(ref)  # a ref resolve_local followed is a local pointer
            hops += 1
        return node, where


@dataclass
class _Diff:
    old: _Side
    new: _Side
    changes: list[Change] = field(default_factory=list)
    _unchanged: set[str] | None = None  # refs whose targets are equal in both, and all they refer to
    _refs: dict[int, frozenset[str]] = field(default_factory=dict)

    def same(self, old: Any, new: Any) -> bool:
        """`old` and `new` are equal and so is every schema they refer to, however indirectly."""
        if type(old) is not dict or old != new:
            return False
        if self._unchanged is None:
            self._unchanged = self._unchanged_refs()
        return self.refs(old) <= self._unchanged

    def refs(self, node: Any) -> frozenset[str]:
        known = self._refs.get(id(node))
        if known is None:
            found: set[str] = set()
            stack = [node]
            while stack:
                each = stack.pop()
                if type(each) is dict:
                    ref = each.get("$ref")
                    if isinstance(ref, str):
                        found.add(ref)
                    stack.extend(v for v in each.values() if type(v) in (dict, list))
                elif type(each) is list:
                    stack.extend(v for v in each if type(v) in (dict, list))
            known = self._refs[id(node)] = frozenset(found)
        return known

    def _unchanged_refs(self) -> set[str]:
        """Local refs (every one either document uses) whose targets are equal in both documents,
        with everything they refer to - a fixpoint: one changed schema taints all that reach it."""
        targets: dict[str, tuple[Any, Any]] = {}
        for ref in self.refs(self.old.document) | self.refs(self.new.document):
            try:
                targets[ref] = (resolve_local(self.old.document, ref), resolve_local(self.new.document, ref))
            except KeyError:
                continue  # gone from one side: not unchanged
        unchanged = {ref for ref, (before, after) in targets.items() if before == after}
        while True:
            tainted = {ref for ref in unchanged if not self.refs(targets[ref][0]) <= unchanged}
            if not tainted:
                return unchanged
            unchanged -= tainted

    def add(
        self,
        rule: str,
        level: Level,
        message: str,
        operation: str,
        location: str,
        old: list[Any] | None,
        new: list[Any] | None,
    ) -> None:
        self.changes.append(
            Change(
                rule,
                level,
                message,
                operation,
                location,
                None if old is None else to_pointer(old),
                None if new is None else to_pointer(new),
            )
        )


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every change from `old` to `new`, breaking ones (ERR) first."""
    work = _Diff(_Side(old), _Side(new))
    old_ops, new_ops = _operations(old), _operations(new)
    old_paths = {key[1] for key in old_ops}
    new_paths = {key[1] for key in new_ops}
    for template in sorted(old_paths - new_paths):
        ops = [old_ops[key] for key in old_ops if key[1] == template]
        deprecated = all(op.node.get("deprecated") is True for op in ops)
        path = ops[0].path
        work.add(
            "api-path-removed-with-deprecation" if deprecated else "api-path-removed-without-deprecation",
            "INFO" if deprecated else "ERR",
            f"The path {path} was removed{' (it was deprecated)' if deprecated else ''}: "
            "every client calling it breaks.",
            "",
            f"path {template}",
            ["paths", path],
            None,
        )
    for key in sorted(old_ops):
        if key[1] not in new_paths:
            continue
        before = old_ops[key]
        after = new_ops.get(key)
        if after is None:
            deprecated = before.node.get("deprecated") is True
            work.add(
                "api-removed-with-deprecation" if deprecated else "api-removed-without-deprecation",
                "INFO" if deprecated else "ERR",
                f"{before.label} was removed{' (it was deprecated)' if deprecated else ''}.",
                before.label,
                "operation",
                before.where,
                None,
            )
            continue
        _operation(work, before, after)
    for key in sorted(set(new_ops) - set(old_ops)):
        op = new_ops[key]
        work.add("endpoint-added", "INFO", f"{op.label} was added.", op.label, "operation", None, op.where)
    order = {level: index for index, level in enumerate(LEVELS)}
    return sorted(work.changes, key=lambda c: (order[c.level], c.operation, c.location, c.id))


@dataclass(frozen=True)
class _Operation:
    method: str
    path: str
    node: dict[str, Any]
    path_item: dict[str, Any]
    where: list[Any]

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


def _operations(document: Mapping[str, Any]) -> dict[tuple[str, str], _Operation]:
    found: dict[tuple[str, str], _Operation] = {}
    paths = document.get("paths")
    if not isinstance(paths, dict):
        return found
    for path, item in paths.items():
        if not isinstance(item, dict) or str(path).startswith("x-"):
            continue
        resolved = item
        if isinstance(item.get("$ref"), str):
            resolved, _ = _Side(document).resolve(item, ["paths", path])
            if not isinstance(resolved, dict):
                continue
        for method in METHODS:
            node = resolved.get(method)
            if isinstance(node, dict):
                found[(method, _template_key(str(path)))] = _Operation(
                    method, str(path), node, resolved, ["paths", path, method]
                )
    return found


# -- an operation ------------------------------------------------------------------------------


def _operation(work: _Diff, before: _Operation, after: _Operation) -> None:
    label = after.label
    if after.node.get("deprecated") is True and before.node.get("deprecated") is not True:
        work.add("endpoint-deprecated", "INFO", f"{label} is now deprecated.", label, "operation",
                 before.where, after.where)  # fmt: skip
    _security(work, before, after)
    _parameters(work, before, after)
    _request_body(work, before, after)
    _responses(work, before, after)


def _security(work: _Diff, before: _Operation, after: _Operation) -> None:
    old = _requirements(work.old.document, before.node)
    new = _requirements(work.new.document, after.node)
    # A client that satisfied one of the old alternatives must satisfy one of the new ones.
    for alternative in old:
        if not any(_satisfies(alternative, other) for other in new):
            shown = " and ".join(f"`{name}`" for name in sorted(alternative)) or "no credentials"
            work.add(
                "api-security-added" if not alternative else "api-security-updated",
                "ERR",
                f"{after.label} no longer accepts {shown}: clients calling it that way are refused.",
                after.label,
                "security",
                before.where,
                after.where,
            )
            return


def _requirements(document: Mapping[str, Any], operation: dict[str, Any]) -> list[dict[str, frozenset[str]]]:
    declared = operation.get("security", document.get("security"))
    if not isinstance(declared, list) or not declared:
        return [{}]  # no requirement: anyone
    alternatives = []
    for requirement in declared:
        if isinstance(requirement, dict):
            alternatives.append(
                {str(k): frozenset(v) if isinstance(v, list) else frozenset() for k, v in requirement.items()}
            )
    return alternatives or [{}]


def _satisfies(held: dict[str, frozenset[str]], wanted: dict[str, frozenset[str]]) -> bool:
    """A client holding `held` (schemes and scopes) meets `wanted`."""
    return all(name in held and scopes <= held[name] for name, scopes in wanted.items())


def _parameters(work: _Diff, before: _Operation, after: _Operation) -> None:
    old = _parameter_map(work.old, before)
    new = _parameter_map(work.new, after)
    label = after.label
    for key, (_, where) in old.items():
        if key not in new:
            location, name = key
            if location == "path":
                continue  # a renamed path parameter: the template still matches
            work.add("request-parameter-removed", "WARN",
                     f"{label}: the {location} parameter `{name}` was removed; clients still sending it may be "
                     "refused.", label, f"parameter {location} {name}", where, None)  # fmt: skip
    for key, (param, where) in new.items():
        location, name = key
        if key not in old:
            if location == "path":
                continue
            required = param.get("required") is True
            work.add(
                "new-required-request-parameter" if required else "new-optional-request-parameter",
                "ERR" if required else "INFO",
                f"{label}: a new {'required' if required else 'optional'} {location} parameter `{name}`"
                + ("; clients that do not send it are refused." if required else "."),
                label,
                f"parameter {location} {name}",
                None,
                where,
            )
            continue
        before_param, old_where = old[key]
        if param.get("required") is True and before_param.get("required") is not True:
            work.add("request-parameter-became-required", "ERR",
                     f"{label}: the {location} parameter `{name}` became required.",
                     label, f"parameter {location} {name}", old_where, where)  # fmt: skip
        old_schema = before_param.get("schema", _inline_schema(before_param))
        new_schema = param.get("schema", _inline_schema(param))
        _Schemas(work, label, "request-parameter", f"the {location} parameter `{name}`", "request").compare(
            old_schema, [*old_where, "schema"], new_schema, [*where, "schema"], f"parameter {location} {name}", 0
        )


def _inline_schema(parameter: dict[str, Any]) -> dict[str, Any]:
    """Swagger 2.0's non-body parameters carry their schema keywords themselves."""
    keys = ("type", "format", "enum", "items", "maximum", "minimum", "maxLength", "minLength", "pattern",
            "maxItems", "minItems", "default")  # fmt: skip
    return {key: parameter[key] for key in keys if key in parameter}


def _parameter_map(side: _Side, operation: _Operation) -> dict[tuple[str, str], tuple[dict[str, Any], list[Any]]]:
    found: dict[tuple[str, str], tuple[dict[str, Any], list[Any]]] = {}
    path_where = operation.where[:-1]
    for owner, where in ((operation.path_item, path_where), (operation.node, operation.where)):
        listed = owner.get("parameters")
        if not isinstance(listed, list):
            continue
        for index, raw in enumerate(listed):
            param, at = side.resolve(raw, [*where, "parameters", index])
            if not isinstance(param, dict) or param.get("in") == "body":
                continue
            location, name = str(param.get("in")), str(param.get("name"))
            found[(location, name.lower() if location == "header" else name)] = (param, at)
    return found


def _request_body(work: _Diff, before: _Operation, after: _Operation) -> None:
    label = after.label
    old_body, old_where = _body(work.old, before)
    new_body, new_where = _body(work.new, after)
    if new_body is None:
        return
    required = new_body.get("required") is True
    if old_body is None:
        if required:
            work.add("added-required-request-body", "ERR", f"{label} now requires a request body.", label,
                     "request body", None, new_where)  # fmt: skip
        return
    if required and old_body.get("required") is not True:
        work.add("request-body-became-required", "ERR", f"{label}: the request body became required.", label,
                 "request body", old_where, new_where)  # fmt: skip
    old_content = _content(old_body)
    new_content = _content(new_body)
    for media in old_content:
        if media not in new_content:
            work.add("request-body-media-type-removed", "ERR",
                     f"{label} no longer takes a `{media}` body; clients sending one are refused.", label,
                     f"request body {media}", [*old_where, "content", media], None)  # fmt: skip
            continue
        _Schemas(work, label, "request-body", f"the `{media}` request body", "request").compare(
            old_content[media].get("schema"), [*old_where, "content", media, "schema"],
            new_content[media].get("schema"), [*new_where, "content", media, "schema"],
            f"request body {media}", 0,
        )  # fmt: skip


def _body(side: _Side, operation: _Operation) -> tuple[dict[str, Any] | None, list[Any]]:
    raw = operation.node.get("requestBody")
    if raw is not None:
        body, where = side.resolve(raw, [*operation.where, "requestBody"])
        return (body if isinstance(body, dict) else None), where
    for index, param in enumerate(operation.node.get("parameters") or []):  # Swagger 2.0
        resolved, where = side.resolve(param, [*operation.where, "parameters", index])
        if isinstance(resolved, dict) and resolved.get("in") == "body":
            media = "application/json"
            return {"required": resolved.get("required") is True,
                    "content": {media: {"schema": resolved.get("schema")}}}, where  # fmt: skip
    return None, []


def _content(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    content = body.get("content")
    if isinstance(content, dict):
        return {str(media): value for media, value in content.items() if isinstance(value, dict)}
    return {}


def _responses(work: _Diff, before: _Operation, after: _Operation) -> None:
    label = after.label
    old = as_mapping(before.node.get("responses"))
    new = as_mapping(after.node.get("responses"))
    for status, raw in old.items():
        status = str(status)
        old_response, old_where = work.old.resolve(raw, [*before.where, "responses", status])
        if status not in new:
            success = status.startswith("2")
            work.add(
                "response-success-status-removed" if success else "response-non-success-status-removed",
                "ERR" if success else "WARN",
                f"{label} no longer answers {status}; clients handling it may break.",
                label, f"response {status}", old_where, None,
            )  # fmt: skip
            continue
        new_response, new_where = work.new.resolve(new[status], [*after.where, "responses", status])
        if not isinstance(old_response, dict) or not isinstance(new_response, dict):
            continue
        old_content, new_content = _response_content(old_response), _response_content(new_response)
        for media, old_media in old_content.items():
            if media not in new_content:
                work.add("response-media-type-removed", "ERR",
                         f"{label} no longer answers {status} as `{media}`.", label,
                         f"response {status} {media}", [*old_where, "content", media], None)  # fmt: skip
                continue
            _Schemas(work, label, "response-body", f"the {status} `{media}` response", "response").compare(
                old_media.get("schema"), [*old_where, "content", media, "schema"],
                new_content[media].get("schema"), [*new_where, "content", media, "schema"],
                f"response {status} {media}", 0,
            )  # fmt: skip
        _response_headers(work, label, status, old_response, old_where, new_response, new_where)


def _response_content(response: dict[str, Any]) -> dict[str, dict[str, Any]]:
    if "schema" in response:  # Swagger 2.0
        return {"application/json": {"schema": response["schema"]}}
    return _content(response)


def _response_headers(
    work: _Diff, label: str, status: str, old: dict[str, Any], old_where: list[Any], new: dict[str, Any],
    new_where: list[Any],
) -> None:  # fmt: skip
    old_headers = {str(k).lower(): (k, v) for k, v in (old.get("headers") or {}).items()}
    new_headers = {str(k).lower() for k in (new.get("headers") or {})}
    for lowered, (name, header) in old_headers.items():
        resolved, where = work.old.resolve(header, [*old_where, "headers", name])
        if lowered not in new_headers and isinstance(resolved, dict) and resolved.get("required") is True:
            work.add("required-response-header-removed", "ERR",
                     f"{label}: the {status} response no longer has the required header `{name}`.", label,
                     f"response {status} header {lowered}", where, None)  # fmt: skip


# -- schemas -----------------------------------------------------------------------------------

_NUMERIC_WIDER = {("integer", "number")}  # (narrower, wider)


class _Schemas:
    """Compares two schemas in one direction. `prefix` names the rule family (request-property,
    response-body...), `subject` the thing in words."""

    def __init__(self, work: _Diff, operation: str, prefix: str, subject: str, direction: str) -> None:
        self.work = work
        self.operation = operation
        self.prefix = prefix
        self.subject = subject
        self.request = direction == "request"
        self.seen: set[tuple[int, int]] = set()

    def _rule(self, nested: bool, what: str) -> str:
        if not nested:
            return f"{self.prefix}-{what}"
        return f"{'request' if self.request else 'response'}-property-{what}"

    def _say(self, place: str) -> str:
        return self.subject if not place else f"`{place}` in {self.subject}"

    def compare(
        self, old: Any, old_where: list[Any], new: Any, new_where: list[Any], location: str, depth: int,
        place: str = "",
    ) -> None:  # fmt: skip
        if self.work.same(old, new):
            return  # equal, and so is everything it refers to: most of a new release
        old, old_where = self.work.old.resolve(old, old_where)
        new, new_where = self.work.new.resolve(new, new_where)
        if not isinstance(old, dict) or not isinstance(new, dict) or depth > MAX_SCHEMA_DEPTH:
            return
        if (id(old), id(new)) in self.seen:
            return  # a recursive schema, compared already on this path
        self.seen.add((id(old), id(new)))
        old, new = _flatten(self.work.old, old), _flatten(self.work.new, new)
        nested = bool(place)
        at = f"{location}: {place}" if place else location
        self._type(old, old_where, new, new_where, at, nested, place)
        self._enum(old, old_where, new, new_where, at, nested, place)
        self._bounds(old, old_where, new, new_where, at, nested, place)
        self._nullable(old, old_where, new, new_where, at, nested, place)
        self._default(old, old_where, new, new_where, at, nested, place)
        self._properties(old, old_where, new, new_where, location, depth, place)
        if isinstance(old.get("items"), dict) and isinstance(new.get("items"), dict):
            self.compare(old["items"], [*old_where, "items"], new["items"], [*new_where, "items"], location,
                         depth + 1, f"{place}[]")  # fmt: skip
        for combinator in ("oneOf", "anyOf"):
            self._alternatives(combinator, old, old_where, new, new_where, location, depth, place)
        self.seen.discard((id(old), id(new)))

    def _add(
        self, what: str, level: Level, message: str, at: str, nested: bool, old: list[Any], new: list[Any]
    ) -> None:
        self.work.add(self._rule(nested, what), level, f"{self.operation}: {message}", self.operation, at, old, new)

    def _type(self, old: dict[str, Any], ow: list[Any], new: dict[str, Any], nw: list[Any], at: str, nested: bool,
              place: str) -> None:  # fmt: skip
        old_types, new_types = _types(old), _types(new)
        if old_types and new_types and old_types != new_types:
            keeps = old_types <= new_types or all(
                any((a, b) in _NUMERIC_WIDER or a == b for b in new_types) for a in old_types
            )
            narrows = new_types <= old_types or all(
                any((b, a) in _NUMERIC_WIDER or a == b for a in old_types) for b in new_types
            )
            breaking = not keeps if self.request else not narrows
            if breaking:
                self._add("type-changed", "ERR",
                          f"the type of {self._say(place)} changed from {_show(old_types)} to {_show(new_types)}.",
                          at, nested, ow, nw)  # fmt: skip
        old_format, new_format = old.get("format"), new.get("format")
        if old_format != new_format and old_format is not None and new_format is not None:
            self._add("type-changed", "ERR",
                      f"the format of {self._say(place)} changed from `{old_format}` to `{new_format}`.",
                      at, nested, ow, nw)  # fmt: skip

    def _enum(self, old: dict[str, Any], ow: list[Any], new: dict[str, Any], nw: list[Any], at: str, nested: bool,
              place: str) -> None:  # fmt: skip
        old_enum, new_enum = old.get("enum"), new.get("enum")
        old_values = _values(old_enum) if isinstance(old_enum, list) else None
        new_values = _values(new_enum) if isinstance(new_enum, list) else None
        if self.request:
            if new_values is not None and old_values is None:
                self._add("became-enum", "ERR", f"{self._say(place)} now takes only {_listed(new_values)}.",
                          at, nested, ow, nw)  # fmt: skip
            elif new_values is not None and old_values is not None and old_values - new_values:
                self._add(
                    "enum-value-removed",
                    "ERR",
                    f"{self._say(place)} no longer takes {_listed(old_values - new_values)}.",
                    at,
                    nested,
                    ow,
                    nw,
                )
        elif old_values is not None and (new_values is None or new_values - old_values):
            added = "any value" if new_values is None else _listed(new_values - old_values)
            self._add("enum-value-added", "WARN",
                      f"{self._say(place)} may now be {added}; clients expecting only the listed values may break.",
                      at, nested, ow, nw)  # fmt: skip

    def _bounds(self, old: dict[str, Any], ow: list[Any], new: dict[str, Any], nw: list[Any], at: str, nested: bool,
                place: str) -> None:  # fmt: skip
        # (keyword, rule word when it narrows what a request may send)
        for keyword, tighter in (("maxLength", "max-length-decreased"), ("maximum", "max-decreased"),
                                 ("maxItems", "max-items-decreased"), ("minLength", "min-length-increased"),
                                 ("minimum", "min-increased"), ("minItems", "min-items-increased")):  # fmt: skip
            before, after = old.get(keyword), new.get(keyword)
            upper = keyword.startswith("max")
            if not isinstance(after, int | float) or isinstance(after, bool):
                continue
            if before is None or isinstance(before, bool) or not isinstance(before, int | float):
                if self.request:
                    word = tighter.rsplit("-", 1)[0] + "-set"
                    self._add(word, "WARN", f"{self._say(place)} now has a {keyword} of {after}.", at, nested, ow, nw)
                continue
            narrower = after < before if upper else after > before
            if narrower and self.request:
                self._add(tighter, "ERR", f"the {keyword} of {self._say(place)} went from {before} to {after}.",
                          at, nested, ow, nw)  # fmt: skip
            elif not narrower and after != before and not self.request:
                wider = (
                    tighter.replace("decreased", "increased") if upper else tighter.replace("increased", "decreased")
                )
                self._add(wider, "WARN", f"the {keyword} of {self._say(place)} went from {before} to {after}.",
                          at, nested, ow, nw)  # fmt: skip
        if self.request and new.get("pattern") != old.get("pattern") and new.get("pattern") is not None:
            what = "pattern-added" if old.get("pattern") is None else "pattern-changed"
            self._add(what, "WARN", f"{self._say(place)} must now match `{new['pattern']}`.", at, nested, ow, nw)

    def _nullable(self, old: dict[str, Any], ow: list[Any], new: dict[str, Any], nw: list[Any], at: str,
                  nested: bool, place: str) -> None:  # fmt: skip
        old_null, new_null = _nullable(old), _nullable(new)
        if self.request and old_null and not new_null:
            self._add("became-not-nullable", "ERR", f"{self._say(place)} may no longer be null.", at, nested, ow, nw)
        if not self.request and new_null and not old_null:
            self._add("became-nullable", "ERR", f"{self._say(place)} may now be null.", at, nested, ow, nw)

    def _default(self, old: dict[str, Any], ow: list[Any], new: dict[str, Any], nw: list[Any], at: str,
                 nested: bool, place: str) -> None:  # fmt: skip
        if self.request and "default" in old and old.get("default") != new.get("default"):
            now = f"`{json.dumps(new['default'])[:60]}`" if "default" in new else "none"
            self._add("default-value-changed", "ERR",
                      f"the default of {self._say(place)} changed from `{json.dumps(old['default'])[:60]}` to {now}; "
                      "clients that leave it out now get something else.", at, nested, ow, nw)  # fmt: skip

    def _properties(self, old: dict[str, Any], ow: list[Any], new: dict[str, Any], nw: list[Any], location: str,
                    depth: int, place: str) -> None:  # fmt: skip
        old_props = as_mapping(old.get("properties"))
        new_props = as_mapping(new.get("properties"))
        old_required = set(old.get("required") or []) if isinstance(old.get("required"), list) else set()
        new_required = set(new.get("required") or []) if isinstance(new.get("required"), list) else set()
        for name in old_props:
            child = f"{place}.{name}" if place else str(name)
            at = f"{location}: {child}"
            if name not in new_props:
                if self.request:
                    self._add("removed", "WARN", f"`{child}` was removed from {self.subject}.", at, True,
                              [*ow, "properties", name], nw)  # fmt: skip
                else:
                    required = name in old_required
                    kind = "required" if required else "optional"
                    self.work.add(f"response-{kind}-property-removed", "ERR" if required else "WARN",
                                  f"{self.operation}: {self.subject} no longer has the {kind} property `{child}`.",
                                  self.operation, at, [*ow, "properties", name], nw)  # fmt: skip
                continue
            if self.request and name in new_required and name not in old_required:
                self._add("became-required", "ERR", f"`{child}` in {self.subject} became required.", at, True,
                          [*ow, "properties", name], [*nw, "properties", name])  # fmt: skip
            if not self.request and name in old_required and name not in new_required:
                self._add("became-optional", "ERR",
                          f"`{child}` in {self.subject} became optional; clients reading it may find nothing.",
                          at, True, [*ow, "properties", name], [*nw, "properties", name])  # fmt: skip
            self.compare(old_props[name], [*ow, "properties", name], new_props[name], [*nw, "properties", name],
                         location, depth + 1, child)  # fmt: skip
        for name in new_props:
            if name in old_props:
                continue
            child = f"{place}.{name}" if place else str(name)
            if self.request and name in new_required:
                self.work.add("new-required-request-property", "ERR",
                              f"{self.operation}: {self.subject} needs a new required property `{child}`.",
                              self.operation, f"{location}: {child}", ow, [*nw, "properties", name])  # fmt: skip

    def _alternatives(self, combinator: str, old: dict[str, Any], ow: list[Any], new: dict[str, Any], nw: list[Any],
                      location: str, depth: int, place: str) -> None:  # fmt: skip
        old_parts = as_list(old.get(combinator))
        new_parts = as_list(new.get(combinator))
        word = "one-of" if combinator == "oneOf" else "any-of"
        at = f"{location}: {place}" if place else location
        if self.request and len(new_parts) < len(old_parts):
            self._add(f"{word}-removed", "ERR", f"{self._say(place)} accepts fewer alternatives ({combinator}).",
                      at, bool(place), ow, nw)  # fmt: skip
        if not self.request and len(new_parts) > len(old_parts):
            self._add(f"{word}-added", "WARN", f"{self._say(place)} may now be a new alternative ({combinator}).",
                      at, bool(place), ow, nw)  # fmt: skip
        for index, (before, after) in enumerate(zip(old_parts, new_parts, strict=False)):
            self.compare(before, [*ow, combinator, index], after, [*nw, combinator, index], location, depth + 1,
                         f"{place}<{combinator}[{index}]>" if place else f"<{combinator}[{index}]>")  # fmt: skip


def _flatten(side: _Side, schema: dict[str, Any]) -> dict[str, Any]:
    """`allOf` merged into one schema: properties and required united, the first type and bounds."""
    parts = schema.get("allOf")
    if not isinstance(parts, list) or not parts:
        return schema
    merged: dict[str, Any] = {key: value for key, value in schema.items() if key != "allOf"}
    properties: dict[str, Any] = dict(merged.get("properties") or {})
    required: list[Any] = list(merged.get("required") or [])
    for part in parts:
        resolved, _ = side.resolve(part, [])
        if not isinstance(resolved, dict):
            continue
        resolved = _flatten(side, resolved)
        properties.update(resolved.get("properties") or {})
        required.extend(resolved.get("required") or [])
        for key, value in resolved.items():
            if key not in ("properties", "required"):
                merged.setdefault(key, value)
    if properties:
        merged["properties"] = properties
    if required:
        merged["required"] = required
    return merged


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {kind} - {"null"}
    if isinstance(kind, list):
        return {str(k) for k in kind} - {"null"}
    return set()


def _nullable(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return schema.get("nullable") is True or (isinstance(kind, list) and "null" in kind)


def _values(values: list[Any]) -> set[str]:
    return {json.dumps(value, sort_keys=True) for value in values}


def _listed(values: set[str]) -> str:
    shown = sorted(values)[:8]
    return ", ".join(f"`{value}`" for value in shown) + (" and more" if len(values) > 8 else "")


def _show(types: set[str]) -> str:
    return " or ".join(f"`{t}`" for t in sorted(types))


def changes_at_least(changes: list[Change], level: Level) -> Iterator[Change]:
    """The changes of `level` or worse (ERR is worst)."""
    worst = LEVELS.index(level)
    return (change for change in changes if LEVELS.index(change.level) <= worst)
