"""The spec engine's lint: what makes a valid description a good one, as a ruleset.

Rule ids follow Spectral's `spectral:oas` names, or Redocly's `recommended` ones where only Redocly
has the rule; the other tool's name is accepted as an alias in a ruleset. Every rule has a default
level (`recommended`); a team's ruleset (set through the gateway, or a file for the CLI) changes
levels, turns rules off, and says whether lint blocks a registration - on any error, or on more
warnings than a threshold.

Lint runs on documents validation has accepted (validation's own rules - operationIds unique,
path parameters declared, unresolved refs... - are errors there and not repeated here). Every
count is exact; only the findings kept are bounded.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

import jsonschema_rs
import orjson
from pydantic import Field, ValidationError, field_validator

from devportal.bodies import JsonBody, JsonInteger, invalid_body
from devportal.errors import FieldError, InvalidParameter
from devportal.settings import MEBIBYTE, SpecLimits
from devportal.specs.openapi import Dialect, as_list, as_mapping
from devportal.specs.parsing import SpecFormat, parse_spec
from devportal.specs.pointers import Place, ref_tokens, resolve_local, to_pointer
from devportal.specs.semantics import FORMATS, METHODS, as_json_schema
from devportal.specs.validation import DATA_KEYWORDS, Finding, Severity, keyword_objects

Level = Literal["error", "warn", "info", "hint", "off"]
LEVELS: tuple[Level, ...] = ("error", "warn", "info", "hint", "off")
_SEVERITY: dict[str, Severity] = {"error": "error", "warn": "warning", "info": "info", "hint": "hint"}


@dataclass(frozen=True)
class Rule:
    id: str
    level: Level  # in `recommended`
    description: str
    aliases: tuple[str, ...] = ()  # the same rule's name in Spectral or Redocly
    dialects: tuple[Dialect, ...] = ("2.0", "3.0", "3.1", "3.2")


RULES: tuple[Rule, ...] = (
    Rule(
        "operation-operationId",
        "warn",
        "Every operation has an operationId (clients and docs name it by it).",
        ("operation-operationId",),
    ),
    Rule(
        "operation-operationId-valid-in-url",
        "warn",
        "operationIds use only characters that are safe in a URL.",
        ("operation-operationId-url-safe",),
    ),
    Rule("no-identical-paths", "error", "No two paths are the same once their parameters' names are set aside."),
    Rule("no-ambiguous-paths", "warn", "No two paths could both match one request URL."),
    Rule("path-not-include-query", "error", "Paths hold no query string (`?`); declare query parameters instead."),
    Rule("path-keys-no-trailing-slash", "warn", "Paths do not end with a slash.", ("no-path-trailing-slash",)),
    Rule("path-declarations-must-exist", "warn", "Path parameters are named: `{}` is not a parameter."),
    Rule(
        "operation-security-defined",
        "error",
        "Security requirements name declared security schemes.",
        ("oas3-operation-security-defined", "oas2-operation-security-defined"),
    ),
    Rule(
        "security-defined",
        "warn",
        "Every operation states its security (its own, or the document's; `security: []` for a public one).",
    ),
    Rule(
        "oas3-server-variables",
        "error",
        "Every `{variable}` of a server URL is declared, every declared one "
        "is used, and a default is one of its enum values.",
        ("no-undefined-server-variable",),
        ("3.0", "3.1", "3.2"),
    ),
    Rule(
        "oas3-api-servers",
        "warn",
        "The document lists the servers the API runs on (docs, try-it and contract tests need one).",
        ("no-empty-servers",),
        ("3.0", "3.1", "3.2"),
    ),
    Rule("typed-enum", "warn", "Enum values have the schema's type."),
    Rule(
        "duplicated-entry-in-enum",
        "warn",
        "Enum values are listed once (3.1 and later; validation enforces it for 2.0 and 3.0).",
        (),
        ("3.1", "3.2"),
    ),
    Rule(
        "oas3-valid-schema-example",
        "warn",
        "Schema examples match their schema (defaults are checked by validation).",
        ("no-invalid-schema-examples", "oas2-valid-schema-example"),
    ),
    Rule(
        "oas3-valid-media-example",
        "warn",
        "Examples of a media type, parameter or header match its schema.",
        ("no-invalid-media-type-examples", "no-invalid-parameter-examples", "oas2-valid-media-example"),
    ),
    Rule(
        "operation-success-response",
        "warn",
        "Every operation has a success (2xx or 3xx) response.",
        ("operation-2xx-response",),
    ),
    Rule("operation-4xx-response", "warn", "Every operation documents at least one client error (4xx) response."),
    Rule("operation-summary", "warn", "Every operation has a summary (the docs list operations by it)."),
    Rule("operation-description", "info", "Every operation has a description."),
    Rule(
        "operation-tags",
        "warn",
        "Every operation has at least one tag (the docs group operations by tag).",
        ("operation-tag",),
    ),
    Rule("operation-tag-defined", "warn", "Operation tags are declared in the document's `tags`."),
    Rule("tag-description", "warn", "Declared tags have a description."),
    Rule("info-contact", "warn", "`info.contact` says whom to ask about the API."),
    Rule("info-license", "warn", "`info.license` says under which terms the API may be used."),
    Rule("info-description", "warn", "`info.description` says what the API is for."),
    Rule(
        "oas3-unused-component",
        "warn",
        "Every reusable component is used somewhere.",
        ("no-unused-components", "oas2-unused-definition"),
    ),
    Rule(
        "no-$ref-siblings",
        "warn",
        "Nothing stands beside a `$ref` (before 3.1 it is ignored there).",
        (),
        ("2.0", "3.0"),
    ),
    Rule("no-script-tags-in-markdown", "error", "Descriptions the portal renders hold no `<script>` tag."),
    Rule("no-eval-in-markdown", "error", "Descriptions the portal renders hold no `eval(`."),
    Rule(
        "deprecated-operation-sunset",
        "warn",
        "A deprecated operation says when it goes away: `x-sunset` (a date) or a `Sunset` response header (RFC 8594).",
    ),
)
RULES_BY_ID = {rule.id: rule for rule in RULES}
_ALIASES = {alias: rule.id for rule in RULES for alias in rule.aliases if alias != rule.id}


class Ruleset(JsonBody):
    """A team's lint settings. `extends` is the starting point (`recommended`: every rule at its
    default level; `none`: every rule off), `rules` sets levels by rule id (Spectral's and Redocly's
    names accepted), `blocking` makes lint errors reject a registration, and `maxWarnings` (with
    `blocking`) rejects one with more warnings than that."""

    extends: Literal["recommended", "none"] = "recommended"
    rules: dict[str, Level] = Field(default_factory=dict)
    blocking: bool = False
    max_warnings: JsonInteger | None = Field(default=None, ge=0, le=1_000_000)

    @field_validator("rules")
    @classmethod
    def _known_rules(cls, rules: dict[str, Level]) -> dict[str, Level]:
        resolved: dict[str, Level] = {}
        for name, level in rules.items():
            rule_id = name if name in RULES_BY_ID else _ALIASES.get(name)
            if rule_id is None:
                close = difflib.get_close_matches(name, [*RULES_BY_ID, *_ALIASES], n=1)
                hint = f"; did you mean `{close[0]}`?" if close else "; GET /lint/rules lists them."
                raise ValueError(f"`{name[:80]}` is not a lint rule{hint}")
            resolved[rule_id] = level
        return resolved

    def level_of(self, rule: Rule) -> Level:
        return self.rules.get(rule.id, rule.level if self.extends == "recommended" else "off")


RECOMMENDED = Ruleset()


def read_ruleset(body: Any, what: str = "The lint ruleset") -> Ruleset:
    """A ruleset from JSON (a request body or a parsed file): a 400 naming each member at fault."""
    if not isinstance(body, Mapping):
        raise InvalidParameter(f"{what} must be a JSON object.", [FieldError(detail="must be an object", pointer="/")])
    try:
        return Ruleset.model_validate(body)
    except ValidationError as error:
        raise invalid_body(what, error) from None


def parse_ruleset(raw: bytes, fmt: SpecFormat) -> Any:
    """A ruleset file's content (JSON or YAML). YAML 1.1 reads an unquoted `off` as false; as a
    rule's level it means what Spectral and Redocly files mean by it."""
    body = parse_spec(raw, SpecLimits(max_spec_bytes=MEBIBYTE), fmt).document
    if isinstance(body.get("rules"), dict):
        body["rules"] = {name: "off" if level is False else level for name, level in body["rules"].items()}
    return body


@dataclass(frozen=True)
class LintReport:
    findings: tuple[Finding, ...]  # at most max_findings, errors first, then warnings, infos, hints
    counts: Mapping[str, int]  # per severity: error, warning, info, hint - every finding counted
    blocking: str | None  # why the ruleset rejects the document, or None

    @property
    def truncated(self) -> bool:
        return sum(self.counts.values()) > len(self.findings)

    def blocking_findings(self, limit: int) -> tuple[Finding, ...]:
        """What a blocked registration is rejected with: the errors, else the warnings over the threshold."""
        errors = [f for f in self.findings if f.severity == "error"]
        return tuple((errors or [f for f in self.findings if f.severity == "warning"])[:limit])

    def to_wire(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "truncated": self.truncated,
            "findings": [
                {"pointer": f.pointer, "rule": f.rule, "severity": f.severity, "message": f.message}
                for f in self.findings
            ],
        }

    def summary(self) -> dict[str, Any]:
        return {
            "errors": self.counts.get("error", 0),
            "warnings": self.counts.get("warning", 0),
            "infos": self.counts.get("info", 0),
            "hints": self.counts.get("hint", 0),
            "blocking": self.blocking,
        }


def lint(
    document: Mapping[str, Any], dialect: Dialect, ruleset: Ruleset = RECOMMENDED, *, max_findings: int = 1000
) -> LintReport:
    levels = {rule.id: ruleset.level_of(rule) for rule in RULES if dialect in rule.dialects}
    on = {rule_id for rule_id, level in levels.items() if level != "off"}
    kept: dict[str, list[Finding]] = {severity: [] for severity in _SEVERITY.values()}  # worst kept first
    counts: Counter[str] = Counter()
    ctx = _Context.of(document, dialect, on)
    for check in _CHECKS:
        if on.isdisjoint(check.rules):
            continue
        for finding in check.run(ctx):
            if finding.rule not in on:
                continue
            severity = _SEVERITY[levels[finding.rule]]
            counts[severity] += 1
            if len(kept[severity]) < max_findings:
                kept[severity].append(Finding(finding.pointer, finding.message, finding.rule, severity))
    ctx.cache.clear()  # the compiled validators hold on to the document
    worst_first = [finding for severity in _SEVERITY.values() for finding in kept[severity]][:max_findings]
    return LintReport(tuple(worst_first), dict(counts), _blocking(ruleset, counts))


def _blocking(ruleset: Ruleset, counts: Mapping[str, int]) -> str | None:
    if not ruleset.blocking:
        return None
    errors, warnings = counts.get("error", 0), counts.get("warning", 0)
    if errors:
        return f"{errors} lint error(s); the owning team's ruleset makes lint errors block registration"
    if ruleset.max_warnings is not None and warnings > ruleset.max_warnings:
        return f"{warnings} lint warnings, more than the {ruleset.max_warnings} the owning team's ruleset allows"
    return None


# -- what the rules look at, gathered once per document -----------------------------------------


@dataclass
class _Operation:
    path: str
    method: str
    node: dict[str, Any]
    item: dict[str, Any]

    @property
    def where(self) -> list[Any]:
        return ["paths", self.path, self.method]

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


@dataclass
class _Context:
    document: Mapping[str, Any]
    dialect: Dialect
    operations: list[_Operation]
    on: frozenset[str] = frozenset()  # the rules whose findings are wanted (checks may skip the others' work)
    cache: dict[str, Any] = field(default_factory=dict)  # what more than one check needs, made once

    @classmethod
    def of(cls, document: Mapping[str, Any], dialect: Dialect, on: Iterable[str] = ()) -> _Context:
        operations = [
            _Operation(path, method, item[method], item)
            for path, item in as_mapping(document.get("paths")).items()
            if isinstance(item, dict) and not path.startswith("x-")
            for method in METHODS
            if isinstance(item.get(method), dict)
        ]
        return cls(document, dialect, operations, frozenset(on))

    @property
    def modern(self) -> bool:
        return self.dialect in ("3.1", "3.2")

    def resolve(self, node: Any) -> Any:
        """A Reference Object's target inside the document (None when it points nowhere)."""
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 20:
            try:
                node = resolve_local(self.document, node["$ref"])
            except KeyError:
                return None
            seen += 1
        return node


@dataclass(frozen=True)
class _Check:
    rules: frozenset[str]
    run: Callable[[_Context], Iterator[Finding]]


_CHECKS: list[_Check] = []


def _check(*rules: str) -> Callable[[Callable[[_Context], Iterator[Finding]]], Callable[[_Context], Iterator[Finding]]]:
    def register(run: Callable[[_Context], Iterator[Finding]]) -> Callable[[_Context], Iterator[Finding]]:
        _CHECKS.append(_Check(frozenset(rules), run))
        return run

    return register


def _brief(value: Any, limit: int = 60) -> str:
    text = orjson.dumps(value, default=str).decode() if not isinstance(value, str) else value
    return f"`{text[:limit]}{'...' if len(text) > limit else ''}`"


# -- info and tags -----------------------------------------------------------------------------


@_check("info-contact", "info-license", "info-description")
def _info(ctx: _Context) -> Iterator[Finding]:
    info = as_mapping(ctx.document.get("info"))
    if not isinstance(info.get("contact"), dict) or not info["contact"]:
        yield Finding(
            "/info", "`info.contact` is missing: say whom to ask about this API (name, email or url).", "info-contact"
        )
    if not isinstance(info.get("license"), dict):
        yield Finding("/info", "`info.license` is missing: say under which terms the API may be used.", "info-license")
    if not str(info.get("description") or "").strip():
        yield Finding("/info", "`info.description` is missing or empty: say what this API is for.", "info-description")


@_check("operation-tags", "operation-tag-defined", "tag-description")
def _tags(ctx: _Context) -> Iterator[Finding]:
    declared: dict[str, int] = {}
    for index, tag in enumerate(as_list(ctx.document.get("tags"))):
        if isinstance(tag, dict) and isinstance(tag.get("name"), str):
            declared.setdefault(tag["name"], index)
            if not str(tag.get("description") or "").strip():
                yield Finding(
                    to_pointer(["tags", index]), f"Tag `{tag['name']}` has no description.", "tag-description"
                )
    for op in ctx.operations:
        tags = op.node.get("tags")
        if not isinstance(tags, list) or not tags:
            yield Finding(
                to_pointer(op.where), f"{op.label} has no tags; the docs group operations by tag.", "operation-tags"
            )
            continue
        for index, tag in enumerate(tags):
            if isinstance(tag, str) and tag not in declared:
                yield Finding(
                    to_pointer([*op.where, "tags", index]),
                    f"Tag `{tag}` of {op.label} is not declared in the document's `tags`.",
                    "operation-tag-defined",
                )


# -- operations --------------------------------------------------------------------------------

_URL_SAFE = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]*$")


@_check("operation-operationId", "operation-operationId-valid-in-url", "operation-summary", "operation-description")
def _operation_texts(ctx: _Context) -> Iterator[Finding]:
    for op in ctx.operations:
        operation_id = op.node.get("operationId")
        if not isinstance(operation_id, str) or not operation_id:
            yield Finding(to_pointer(op.where), f"{op.label} has no operationId.", "operation-operationId")
        elif not _URL_SAFE.match(operation_id):
            yield Finding(
                to_pointer([*op.where, "operationId"]),
                f"operationId {_brief(operation_id)} has characters that are not safe in a URL (spaces, quotes, "
                "non-ASCII...); use letters, digits, `-`, `_` or `.`.",
                "operation-operationId-valid-in-url",
            )
        if not str(op.node.get("summary") or "").strip():
            yield Finding(to_pointer(op.where), f"{op.label} has no summary.", "operation-summary")
        if not str(op.node.get("description") or "").strip():
            yield Finding(to_pointer(op.where), f"{op.label} has no description.", "operation-description")


@_check("operation-success-response", "operation-4xx-response")
def _responses(ctx: _Context) -> Iterator[Finding]:
    for op in ctx.operations:
        codes = [str(code).upper() for code in as_mapping(op.node.get("responses"))]
        if not any(code[:1] in ("2", "3") for code in codes):
            yield Finding(
                to_pointer([*op.where, "responses"]),
                f"{op.label} documents no success response (2xx or 3xx).",
                "operation-success-response",
            )
        if not any(code[:1] == "4" for code in codes):
            yield Finding(
                to_pointer([*op.where, "responses"]),
                f"{op.label} documents no client error response (4xx).",
                "operation-4xx-response",
            )


_SUNSET_HEADER = "sunset"


@_check("deprecated-operation-sunset")
def _sunset(ctx: _Context) -> Iterator[Finding]:
    for op in ctx.operations:
        if op.node.get("deprecated") is not True:
            continue
        sunset = op.node.get("x-sunset")
        if sunset is not None:
            if not _is_date(sunset):
                yield Finding(
                    to_pointer([*op.where, "x-sunset"]),
                    f"`x-sunset` of {op.label} must be a date (2027-06-30) or a date-time; found {_brief(sunset)}.",
                    "deprecated-operation-sunset",
                )
            continue
        announced = any(
            _SUNSET_HEADER
            in (str(name).lower() for name in as_mapping(as_mapping(ctx.resolve(response)).get("headers")))
            for response in as_mapping(op.node.get("responses")).values()
        )
        if not announced:
            yield Finding(
                to_pointer([*op.where, "deprecated"]),
                f"{op.label} is deprecated but does not say when it goes away: add `x-sunset` (a date) or a "
                "`Sunset` response header.",
                "deprecated-operation-sunset",
            )


def _is_date(value: Any) -> bool:
    if isinstance(value, date):  # YAML reads an unquoted date as one
        return True
    if not isinstance(value, str):
        return False
    try:
        (date if len(value) == 10 else datetime).fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


# -- paths -------------------------------------------------------------------------------------

_PARAMETER = re.compile(r"\{[^{}]*\}")


@_check(
    "no-identical-paths",
    "no-ambiguous-paths",
    "path-not-include-query",
    "path-keys-no-trailing-slash",
    "path-declarations-must-exist",
)
def _paths(ctx: _Context) -> Iterator[Finding]:
    paths = [p for p, item in as_mapping(ctx.document.get("paths")).items() if not p.startswith("x-")]
    seen: dict[str, str] = {}
    groups: dict[int, list[tuple[str, list[str | None]]]] = {}
    for path in paths:
        pointer = to_pointer(["paths", path])
        if "?" in path:
            yield Finding(
                pointer,
                f"Path {path} holds a query string; declare query parameters instead.",
                "path-not-include-query",
            )
        if len(path) > 1 and path.endswith("/"):
            yield Finding(pointer, f"Path {path} ends with a slash.", "path-keys-no-trailing-slash")
        if "{}" in path:
            yield Finding(pointer, f"Path {path} has an unnamed parameter `{{}}`.", "path-declarations-must-exist")
        shape = _PARAMETER.sub("{}", path.split("?")[0].rstrip("/") or "/")
        if shape in seen:
            yield Finding(
                pointer,
                f"Path {path} is the same as {seen[shape]} but for its parameters' names; a "
                "request cannot tell them apart.",
                "no-identical-paths",
            )
            continue
        seen[shape] = path
        segments: list[str | None] = [None if _PARAMETER.fullmatch(s) else s for s in shape.split("/")]
        groups.setdefault(len(segments), []).append((path, segments))
    for group in groups.values():
        yield from _ambiguous(group)


def _ambiguous(group: list[tuple[str, list[str | None]]]) -> Iterator[Finding]:
    """Two paths are ambiguous when a URL could match both and neither is more specific: one has
    a parameter where the other has a literal segment, and the other way round somewhere else.
    Paths of one length are put in a trie (a parameter is the `None` branch) joined with itself,
    so only paths that could match one URL are ever compared - Microsoft Graph has 13,000."""
    trie: dict[Any, Any] = {}
    for order, (path, segments) in enumerate(group):
        node = trie
        for segment in segments:
            node = node.setdefault(segment, {})
        node[_LEAF] = (order, path)
    pairs: list[tuple[tuple[int, str], tuple[int, str]]] = []
    _join(trie, trie, True, False, False, pairs)
    for first, second in sorted(pairs, key=lambda pair: max(pair)):
        (_, earlier), (_, later) = sorted((first, second))
        yield Finding(
            to_pointer(["paths", later]),
            f"Paths {earlier} and {later} are ambiguous: a URL can match both, and neither is more specific.",
            "no-ambiguous-paths",
        )


_LEAF = object()


def _join(a: dict[Any, Any], b: dict[Any, Any], same: bool, mine: bool, theirs: bool, pairs: list[Any]) -> None:
    """Every pair of paths below `a` and `b` that a URL could match both of, with a parameter
    against a literal each way round (`mine`: `a` had the parameter; `theirs`: `b` had)."""
    if _LEAF in a:
        if mine and theirs and _LEAF in b:
            pairs.append((a[_LEAF], b[_LEAF]))
        return
    for key, below in a.items():
        if same:
            _join(below, below, True, mine, theirs, pairs)  # the same segment on both sides
            if key is None:  # the parameter against each literal of the same node
                for other, beside in a.items():
                    if other is not None:
                        _join(below, beside, False, True, theirs, pairs)
            continue
        if key is None:
            for other, beside in b.items():
                _join(below, beside, False, mine or other is not None, theirs, pairs)
        else:
            if key in b:
                _join(below, b[key], False, mine, theirs, pairs)
            if None in b:
                _join(below, b[None], False, mine, True, pairs)


# -- security and servers ----------------------------------------------------------------------


@_check("operation-security-defined", "security-defined")
def _security(ctx: _Context) -> Iterator[Finding]:
    schemes_at = ["securityDefinitions"] if ctx.dialect == "2.0" else ["components", "securitySchemes"]
    schemes = as_mapping(ctx.document.get(schemes_at[0]))
    if len(schemes_at) == 2:
        schemes = as_mapping(schemes.get(schemes_at[1]))
    where_declared = "/".join(schemes_at)

    def requirements(node: Any, where: list[Any]) -> Iterator[Finding]:
        for index, requirement in enumerate(as_list(node)):
            for name in as_mapping(requirement):
                if name not in schemes:
                    yield Finding(
                        to_pointer([*where, index, name]),
                        f"Security scheme `{name}` is not declared in `{where_declared}`.",
                        "operation-security-defined",
                    )

    overall = ctx.document.get("security")
    yield from requirements(overall, ["security"])
    for op in ctx.operations:
        own = op.node.get("security")
        yield from requirements(own, [*op.where, "security"])
        if own is None and not as_list(overall):
            yield Finding(
                to_pointer(op.where),
                f"{op.label} states no security, nor does the document; say which scheme protects it "
                "(`security: []` if it is public).",
                "security-defined",
            )


_VARIABLE = re.compile(r"\{([^{}]*)\}")


@_check("oas3-server-variables", "oas3-api-servers")
def _servers(ctx: _Context) -> Iterator[Finding]:
    servers = ctx.document.get("servers")
    if not as_list(servers):
        yield Finding(
            "/servers" if servers is not None else "",
            "The document lists no servers; docs, try-it and contract tests need the API's base URL.",
            "oas3-api-servers",
        )
    lists = [(["servers"], servers)]
    for path, item in as_mapping(ctx.document.get("paths")).items():
        if isinstance(item, dict):
            lists.append((["paths", path, "servers"], item.get("servers")))
    lists.extend(([*op.where, "servers"], op.node.get("servers")) for op in ctx.operations)
    for where, declared in lists:
        for index, server in enumerate(as_list(declared)):
            if not isinstance(server, dict) or not isinstance(server.get("url"), str):
                continue
            used = _VARIABLE.findall(server["url"])
            variables = as_mapping(server.get("variables"))
            at = [*where, index]
            for name in used:
                if name not in variables:
                    yield Finding(
                        to_pointer([*at, "url"]),
                        f"Server variable `{{{name}}}` is not declared in `variables`.",
                        "oas3-server-variables",
                    )
            for name, variable in variables.items():
                if name not in used:
                    yield Finding(
                        to_pointer([*at, "variables", name]),
                        f"Server variable `{name}` is declared but not used in {server['url']}.",
                        "oas3-server-variables",
                    )
                enum = as_mapping(variable).get("enum")
                if isinstance(enum, list) and enum and as_mapping(variable).get("default") not in enum:
                    yield Finding(
                        to_pointer([*at, "variables", name, "default"]),
                        f"The default of server variable `{name}` is not one of its enum values.",
                        "oas3-server-variables",
                    )


# -- schemas: enums and examples ---------------------------------------------------------------

_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def _typed_enum(ctx: _Context, place: Place, schema: Mapping[str, Any], enum: list[Any]) -> Iterator[Finding]:
    declared = schema.get("type")
    types = [declared] if isinstance(declared, str) else declared if isinstance(declared, list) else None
    if not types or not all(isinstance(t, str) and t in _JSON_TYPES for t in types):
        return
    nullable = schema.get("nullable") is True or "null" in types
    for index, value in enumerate(enum):
        if value is None and nullable:
            continue
        if not any(_JSON_TYPES[t](value) for t in types):
            yield Finding(
                place.pointer("enum", index),
                f"Enum value {_brief(value)} is not of the schema's type ({', '.join(types)}).",
                "typed-enum",
            )
            return


def _duplicates(place: Place, enum: list[Any]) -> Iterator[Finding]:
    seen: set[bytes] = set()
    for index, value in enumerate(enum):
        key = orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str)
        if key in seen:
            yield Finding(
                place.pointer("enum", index), f"{_brief(value)} is in this enum twice.", "duplicated-entry-in-enum"
            )
        seen.add(key)


_DOC = "urn:devportal:document"


@dataclass(frozen=True)
class _Pending:
    source: Any  # the schema as JSON Schema (a reference to a registered one, or converted)
    value: Any
    holder: Place | None  # where the example is written, and below it
    at: list[Any]
    rule: str


class _Examples:
    """Example values checked against their schemas. The simple ones (a type, a format, an enum)
    are checked at once; the rest are gathered and checked together by one validator compiled
    once - GitHub's 1,500 examples against 1,400 schemas compile four times faster as one, since
    the schemas they share are compiled once. The document's reusable schemas are converted to
    JSON Schema once and registered, so a schema that refers to them does not copy them."""

    def __init__(self, ctx: _Context) -> None:
        self.ctx = ctx
        self.draft = jsonschema_rs.Draft202012Validator if ctx.modern else jsonschema_rs.Draft4Validator
        self._registry: Any = None
        self.pending: list[_Pending] = []
        self.converted: dict[int, Any] = {}  # inline schemas converted once

    @classmethod
    def of(cls, ctx: _Context) -> _Examples:
        found = ctx.cache.get("examples")
        if found is None:
            found = ctx.cache["examples"] = cls(ctx)
        return found

    @property
    def registry(self) -> Any:
        if self._registry is None:
            # only the schemas: a schema refers to nothing else (and GitHub's components are half examples)
            document = self.ctx.document
            reusable = {key: document[key] for key in ("definitions", "$defs") if key in document}
            if isinstance(document.get("components"), dict) and "schemas" in document["components"]:
                reusable["components"] = {"schemas": document["components"]["schemas"]}
            draft = jsonschema_rs.Draft202012 if self.ctx.modern else jsonschema_rs.Draft4
            self._registry = jsonschema_rs.Registry([(_DOC, as_json_schema(reusable, self.ctx.modern))], draft=draft)
        return self._registry

    def _source(self, place: Place | None, schema: Any) -> Any:
        parts = place.parts() if place is not None else []
        if parts[:2] == ["components", "schemas"] or parts[:1] in (["definitions"], ["$defs"]):
            return {"$ref": f"{_DOC}#{to_pointer(parts)}"}
        known = self.converted.get(id(schema))  # the document's objects live as long as the lint
        if known is None:
            known = _absolute_refs(as_json_schema(schema, self.ctx.modern))
            if isinstance(known, dict):
                for data in ("example", "examples", "default"):
                    known.pop(data, None)
            self.converted[id(schema)] = known
        return known

    def check(
        self, place: Place | None, schema: Any, value: Any, at: list[Any], rule: str, *, where: Place | None = None
    ) -> Iterator[Finding]:
        holder = where if where is not None else place
        if _SIMPLE.issuperset(schema) and schema.get("type") in _JSON_TYPES:
            message = _simple_problem(schema, value, self.ctx.modern)  # most examples: no compile needed
            if message is not None:
                yield _example_finding(holder, at, rule, message, [])
            return
        self.pending.append(_Pending(self._source(place, schema), value, holder, at, rule))

    def flush(self) -> Iterator[Finding]:
        """The gathered examples, checked: by one validator, or - when one of their schemas cannot
        compile or a value cannot be read - each on its own, the unreadable ones not judged."""
        pending, self.pending = self.pending, []
        if not pending:
            return
        first: dict[int, Any] = {}
        try:
            combined = self._compile({"properties": {str(i): item.source for i, item in enumerate(pending)}})
            for problem in combined.iter_errors({str(i): item.value for i, item in enumerate(pending)}):
                first.setdefault(int(problem.instance_path[0]), problem)
        except Exception:
            first = {}
            for index, item in enumerate(pending):
                with contextlib.suppress(Exception):  # a schema that cannot compile is validation's business
                    problem = next(self._compile(item.source).iter_errors(item.value), None)
                    if problem is not None:
                        first[index] = problem
            for index, problem in sorted(first.items()):
                item = pending[index]
                yield _example_finding(item.holder, item.at, item.rule, problem.message, list(problem.instance_path))
            return
        for index, problem in sorted(first.items()):
            item = pending[index]
            yield _example_finding(item.holder, item.at, item.rule, problem.message, list(problem.instance_path)[1:])

    def _compile(self, source: Any) -> Any:
        return self.draft(source, registry=self.registry, validate_formats=True, formats=FORMATS, offline=True)


def _example_finding(holder: Place | None, at: list[Any], rule: str, message: str, inside: list[Any]) -> Finding:
    located = "".join(f"/{part}" for part in inside)
    said = f" at `{located}`" if located else ""
    pointer = to_pointer([*(holder.parts() if holder is not None else []), *at])
    return Finding(pointer, f"The example does not match its schema{said}: {message[:200]}.", rule)


# Schemas of one type and these keywords (three in four of GitHub's with an example) are checked
# without compiling a validator.
_SIMPLE = frozenset({"type", "format", "nullable", "enum", "default", "example", "description", "title", "readOnly",
                     "writeOnly", "deprecated"})  # fmt: skip


def _simple_problem(schema: Mapping[str, Any], value: Any, modern: bool) -> str | None:
    kind = schema["type"]
    shown = orjson.dumps(value, default=str).decode()[:80]
    if value is None and schema.get("nullable") is True and not modern:
        return None
    if not _JSON_TYPES[kind](value):
        return f'{shown} is not of type "{kind}"'
    enum = schema.get("enum")
    if type(enum) is list and not any(_same(value, option) for option in enum):
        return f"{shown} is not one of {orjson.dumps(enum, default=str).decode()[:120]}"
    check = FORMATS.get(str(schema.get("format")))
    if check is not None and not check(value):
        return f'{shown} is not a "{schema["format"]}"'
    return None


def _same(a: Any, b: Any) -> bool:
    if type(a) is bool or type(b) is bool:
        return a is b
    return bool(a == b)


def _absolute_refs(node: Any) -> Any:
    """A schema outside the reusable ones, with its local refs pointed at the registered document."""
    if type(node) is dict:
        return {key: (f"{_DOC}{value}" if key == "$ref" and isinstance(value, str) and value.startswith("#")
                      else value if key in DATA_KEYWORDS else _absolute_refs(value))
                for key, value in node.items()}  # fmt: skip
    if type(node) is list:
        return [_absolute_refs(item) for item in node]
    return node


def _media_examples(ctx: _Context, node: dict[str, Any], place: Place) -> Iterator[Finding]:
    """The examples of an object with a `schema` - a media type, parameter or header (or a 2.0
    response) - against that schema."""
    schema = node["schema"]
    schema_place = Place(place, "schema") if "$ref" not in schema else _place_of_ref(schema["$ref"])
    examples = _Examples.of(ctx)
    rule = "oas3-valid-media-example"
    if "example" in node:
        yield from examples.check(schema_place, schema, node["example"], ["example"], rule, where=place)
    if ctx.dialect == "2.0":
        for mime, value in as_mapping(node.get("examples")).items():
            yield from examples.check(schema_place, schema, value, ["examples", mime], rule, where=place)
        return
    for name, example in as_mapping(node.get("examples")).items():
        example = ctx.resolve(example)
        if isinstance(example, dict) and "value" in example:
            yield from examples.check(
                schema_place, schema, example["value"], ["examples", name, "value"], rule, where=place
            )


def _schema_values(ctx: _Context, node: dict[str, Any], place: Place) -> Iterator[Finding]:
    """A schema's enum (typed, and in 3.1 unique) and its examples against it."""
    enum = node.get("enum")
    if type(enum) is list:
        if "type" in node:
            yield from _typed_enum(ctx, place, node, enum)
        if ctx.modern:
            yield from _duplicates(place, enum)
    if "oas3-valid-schema-example" not in ctx.on:
        return
    if "example" in node and (ctx.modern or "$ref" not in node):
        yield from _Examples.of(ctx).check(place, node, node["example"], ["example"], "oas3-valid-schema-example")
    if ctx.modern and type(node.get("examples")) is list:
        for index, example in enumerate(node["examples"]):
            yield from _Examples.of(ctx).check(place, node, example, ["examples", index], "oas3-valid-schema-example")


def _place_of_ref(ref: str) -> Place | None:
    try:
        return Place.of(ref_tokens(ref))
    except KeyError:
        return None


# -- the whole document: components used, $ref siblings, markdown --------------------------------

_COMPONENTS = (
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "links",
    "callbacks",
    "pathItems",
)
_MARKDOWN = frozenset({"description", "summary", "title"})
_WEBHOOKS = frozenset({"x-webhooks"})  # 3.0's webhooks, as GitHub writes them: walked like paths
_SCRIPT = re.compile(r"<script", re.IGNORECASE)
_EVAL = re.compile(r"\beval\s*\(")


@_check(
    "oas3-unused-component",
    "no-$ref-siblings",
    "no-script-tags-in-markdown",
    "no-eval-in-markdown",
    "oas3-valid-media-example",
    "typed-enum",
    "duplicated-entry-in-enum",
    "oas3-valid-schema-example",
)
def _every_object(ctx: _Context) -> Iterator[Finding]:
    """One walk over every object of the document (GitHub's has 58,000): references, text the
    portal renders, examples, enums."""
    refs: set[str] = set()
    siblings = ctx.dialect in ("2.0", "3.0")
    media = "oas3-valid-media-example" in ctx.on
    values = not ctx.on.isdisjoint({"typed-enum", "duplicated-entry-in-enum", "oas3-valid-schema-example"})
    for node, place in keyword_objects(ctx.document, extensions=_WEBHOOKS):
        if place is None:
            continue  # the document itself: none of these apply
        ref = node.get("$ref")
        if type(ref) is str:
            refs.add(ref)
            if siblings and len(node) > 1:
                extra = sorted(key for key in node if key != "$ref")
                yield Finding(
                    place.pointer(extra[0]),
                    f"`{extra[0]}` beside a `$ref` is ignored before OpenAPI 3.1.",
                    "no-$ref-siblings",
                )
        if "discriminator" in node:
            for target in as_mapping(as_mapping(node["discriminator"]).get("mapping")).values():
                if isinstance(target, str):
                    refs.add(target if target.startswith("#") else f"#/components/schemas/{target}")
        if not _MARKDOWN.isdisjoint(node):
            yield from _markdown(node, place)
        if "schema" in node and type(node["schema"]) is dict:
            if media:
                yield from _media_examples(ctx, node, place)
        elif values and not _SCHEMA_VALUES.isdisjoint(node):
            yield from _schema_values(ctx, node, place)
    yield from _Examples.of(ctx).flush()
    yield from _unused(ctx, refs)


_SCHEMA_VALUES = frozenset({"enum", "example", "examples"})


def _markdown(node: dict[str, Any], place: Place) -> Iterator[Finding]:
    for key in _MARKDOWN.intersection(node):
        text = node[key]
        if not isinstance(text, str):
            continue
        if _SCRIPT.search(text):
            yield Finding(
                place.pointer(key),
                "A `<script>` tag in text the portal renders; it is never run, "
                "and readers see it as text. Describe the behaviour instead.",
                "no-script-tags-in-markdown",
            )
        if _EVAL.search(text):
            yield Finding(place.pointer(key), "`eval(` in text the portal renders.", "no-eval-in-markdown")


def _at(place: Place | None, key: str) -> str:
    return place.pointer(key) if place is not None else to_pointer([key])


def _unused(ctx: _Context, refs: set[str]) -> Iterator[Finding]:
    used: set[tuple[str, ...]] = set()
    for ref in refs:
        try:
            tokens = ref_tokens(ref)
        except KeyError:
            continue
        used.add(tuple(tokens[:3]))
        used.add(tuple(tokens[:2]))  # 2.0: definitions/name
    if ctx.dialect == "2.0":
        kinds = [(["definitions"], ctx.document.get("definitions")), (["parameters"], ctx.document.get("parameters")),
                 (["responses"], ctx.document.get("responses"))]  # fmt: skip
    else:
        components = as_mapping(ctx.document.get("components"))
        kinds = [(["components", kind], components.get(kind)) for kind in _COMPONENTS]
    for where, declared in kinds:
        for name in as_mapping(declared):
            if (*where, name) not in used:
                yield Finding(
                    to_pointer([*where, name]),
                    f"`{name}` in `{'/'.join(where)}` is never referred to.",
                    "oas3-unused-component",
                )
