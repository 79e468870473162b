"""The checks a schema cannot make that openapi-spec-validator makes (issue 12): operationIds unique
across the document, and path parameters - every `{name}` in a path template declared as an
`in: path` parameter of the operation or its path item, no path parameter declared that the
template does not have, no parameter declared twice in one list. Local `$ref`s to parameters are
followed (inside the document only; a ref that points nowhere is reported elsewhere). Rule ids
follow Spectral's `spectral:oas` names where one exists."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

import jsonschema_rs
import orjson

from devportal.specs.pointers import Place, resolve_local, to_pointer
from devportal.specs.validation import Finding

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")
_TEMPLATE = re.compile(r"\{([^{}]+)\}")


def semantic_findings(document: Mapping[str, Any]) -> Iterator[Finding]:
    paths = document.get("paths")
    if not isinstance(paths, Mapping):
        return
    first_use: dict[str, str] = {}
    for path, item in paths.items():
        if not isinstance(item, Mapping) or not isinstance(path, str) or path.startswith("x-"):
            continue  # `paths` may carry extensions of any shape; they are not path items
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


# -- defaults that do not match their own schema ------------------------------------------------

_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
_NOT_WALKED = frozenset({"example", "examples", "default", "enum", "const", "schemas"})
_SCHEMA_ONES = frozenset({"items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames"})


def value_findings(document: Mapping[str, Any], dialect: str) -> Iterator[Finding]:
    """The values schemas hold, in one walk over every Schema Object: each `default` against its
    own schema, and (2.0, 3.0) each enum's values unique."""
    defaults = _Defaults(document, dialect)
    unique_enums = dialect in ("2.0", "3.0")
    for place, schema in _schemas(document):
        if "default" in schema:
            yield from defaults.check(place, schema)
        if unique_enums and type(schema.get("enum")) is list:
            yield from _enum(place, schema["enum"])


def default_findings(document: Mapping[str, Any], dialect: str) -> Iterator[Finding]:
    return (f for f in value_findings(document, dialect) if f.rule in _DEFAULT_RULES)


def enum_findings(document: Mapping[str, Any], dialect: str) -> Iterator[Finding]:
    return (f for f in value_findings(document, dialect) if f.rule == _ENUM_RULE)


_DEFAULT_RULES = frozenset({"oas3-valid-schema-example", "oas2-valid-schema-example"})
_ENUM_RULE = "duplicated-entry-in-enum"


class _Defaults:
    """Each schema's `default` checked against that schema (local refs followed): 2.0 and 3.0
    schemas as JSON Schema draft 4 (3.0's `nullable` allowing null), 3.1 and 3.2 as 2020-12."""

    def __init__(self, document: Mapping[str, Any], dialect: str) -> None:
        self.modern = dialect in ("3.1", "3.2")
        self.rule = "oas3-valid-schema-example" if dialect != "2.0" else "oas2-valid-schema-example"
        self.document = document
        self._roots: dict[str, Any] | None = None
        self.compiled: dict[bytes, Any] = {}  # the same schema (its default aside) compiles once

    @property
    def roots(self) -> dict[str, Any]:
        """The document's schemas a default's schema may refer to, converted once, when first needed."""
        if self._roots is None:
            found = {key: self.document[key] for key in ("components", "definitions", "$defs") if key in self.document}
            self._roots = as_json_schema(found, self.modern)
        return self._roots

    def check(self, place: Place, schema: Mapping[str, Any]) -> Iterator[Finding]:
        if not self.modern and "$ref" in schema:
            return  # before 3.1 a Reference Object's siblings are ignored, its `default` too
        own = as_json_schema(schema, self.modern)
        own.pop("default", None)
        # the document's schemas ride along only when the default's schema refers to them
        refers = _refers(own)
        key = orjson.dumps(own, option=orjson.OPT_SORT_KEYS, default=str) + (b"+roots" if refers else b"")
        try:
            if key not in self.compiled:
                validator = jsonschema_rs.Draft202012Validator if self.modern else jsonschema_rs.Draft4Validator
                self.compiled[key] = validator(
                    {**self.roots, **own} if refers else own, validate_formats=True, formats=FORMATS, offline=True
                )
            problems = [problem.message for problem in self.compiled[key].iter_errors(schema["default"])]
        except Exception:  # a schema that cannot compile is the structure check's finding
            return
        fits = _INTEGER_FORMATS.get(str(schema.get("format")))  # JSON Schema formats only judge strings
        if fits is not None and not fits(schema["default"]):
            problems.append(f"{schema['default']} is outside the range of a {schema['format']}")
        if problems:
            where = place.parts()
            yield Finding(
                to_pointer([*where, "default"]),
                f"The default does not match its own schema: {problems[0][:200]}.",
                self.rule,
                "warning" if _in_request_body(where) else "error",
            )


def _in_request_body(where: list[Any]) -> bool:
    """Inside a 3.x request body's own schemas a wrong default or a repeated enum value is a
    warning: the validity verdict is the reference validator's (osv), which does not look at
    those schemas, and real descriptions (GitHub's, Stripe's) have both there. Where the schema is
    a component, it is an error."""
    return "requestBody" in where or where[:2] == ["components", "requestBodies"]


def _enum(place: Place, values: list[Any]) -> Iterator[Finding]:
    """JSON Schema draft 4 (2.0 and 3.0 schemas) requires an enum's values to be unique; 2020-12
    only recommends it, so 3.1 and 3.2 are not held to it."""
    seen: set[bytes] = set()
    for index, value in enumerate(values):
        key = orjson.dumps(_same_number(value), option=orjson.OPT_SORT_KEYS, default=str)
        if key in seen:
            where = place.parts()
            yield Finding(
                to_pointer([*where, "enum", index]),
                f"`{key.decode()[:60]}` is in this enum twice; each value of an enum must be listed once.",
                _ENUM_RULE,
                "warning" if _in_request_body(where) else "error",
            )
        seen.add(key)


def _same_number(value: Any) -> Any:
    """1 and 1.0 are the same JSON number."""
    return int(value) if type(value) is float and value.is_integer() else value


def _int_within(bits: int) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        return not isinstance(value, int) or isinstance(value, bool) or -(1 << bits - 1) <= value < 1 << bits - 1

    return check


def _parses(parse: Callable[[str], Any], shape: re.Pattern[str] | None = None) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        if not isinstance(value, str):
            return True
        if shape is not None and not shape.fullmatch(value):
            return False
        try:
            parse(value)
        except ValueError:
            return False
        return True

    return check


def _uuid(value: str) -> uuid.UUID:
    if [value[i : i + 1] for i in (8, 13, 18, 23)] != ["-"] * 4:
        raise ValueError(value)
    return uuid.UUID(value)


def _byte(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as error:
        raise ValueError(value) from error


def _any(_value: Any) -> bool:
    return True


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_TIME = re.compile(r"\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")

# A default is checked against its schema's `format` where the format has one unambiguous grammar
# (the formats osv asserts too); the rest annotate, as JSON Schema has it: "" or "/pets" is a fine
# default for a `uri`, and no one agrees on what a hostname is.
_INTEGER_FORMATS = {"int32": _int_within(32), "int64": _int_within(64)}
FORMATS: dict[str, Callable[[Any], bool]] = {
    "date": _parses(date.fromisoformat, _DATE),
    "date-time": _parses(lambda v: datetime.fromisoformat(v.replace("z", "Z").replace("t", "T")), _DATE_TIME),
    "time": _parses(lambda v: datetime.fromisoformat("1970-01-01T" + v.replace("z", "Z")), _TIME),
    "email": lambda value: not isinstance(value, str) or "@" in value,
    "ipv4": _parses(ipaddress.IPv4Address),
    "ipv6": _parses(ipaddress.IPv6Address),
    "uuid": _parses(_uuid),
    "byte": _parses(_byte),
    **dict.fromkeys(
        ("uri", "uri-reference", "iri", "iri-reference", "uri-template", "hostname", "idn-hostname", "idn-email",
         "duration", "json-pointer", "relative-json-pointer", "regex", "binary", "password", "float", "double"),
        _any,
    ),
}  # fmt: skip


def _refers(node: Any) -> bool:
    if isinstance(node, Mapping):
        return "$ref" in node or any(_refers(value) for value in node.values())
    if isinstance(node, list):
        return any(_refers(value) for value in node)
    return False


def as_json_schema(schema: Any, modern: bool) -> Any:
    """A 3.1 schema is JSON Schema already. A 3.0 one (at every depth) has `nullable: true` turned
    into `null` being allowed (by its type, and its enum if it has one)."""
    if modern:
        return dict(schema) if type(schema) is dict else schema
    if type(schema) is list:
        return [as_json_schema(item, modern) for item in schema]
    if type(schema) is not dict:
        return schema
    converted = {key: as_json_schema(value, modern) for key, value in schema.items() if key not in _DATA_KEYS}
    converted.update((key, schema[key]) for key in _DATA_KEYS if key in schema)
    if converted.get("nullable") is True:
        if isinstance(converted.get("type"), str):
            converted["type"] = [converted["type"], "null"]
        if type(converted.get("enum")) is list and None not in converted["enum"]:
            converted["enum"] = [*converted["enum"], None]
    return converted


_DATA_KEYS = ("default", "enum", "example", "const")  # values, not schemas: copied as they are


def _schemas(document: Mapping[str, Any]) -> Iterator[tuple[Place, Mapping[str, Any]]]:
    """Every Schema Object of the document with where it is, from the places schemas live."""
    seen: set[int] = set()
    for where, schema in schema_roots(document):
        yield from _nested(Place.of(where), schema, seen)


def schema_roots(document: Mapping[str, Any]) -> list[tuple[list[Any], Any]]:
    """The outermost Schema Objects: those of `components/schemas` (`definitions` in 2.0) and each
    `schema` of a parameter, media type or header, with where they are."""
    starts: list[tuple[list[Any], Any]] = []
    for key in ("definitions", "$defs"):
        for name, schema in _items(document.get(key)):
            starts.append(([key, name], schema))
    components = document.get("components")
    for name, schema in _items(components.get("schemas") if isinstance(components, Mapping) else None):
        starts.append((["components", "schemas", name], schema))
    for where, node in _walk(document, []):
        if where and where[-1] == "schema":
            starts.append((where, node))
    return starts


def _nested(place: Place | None, schema: Any, seen: set[int]) -> Iterator[tuple[Place, Mapping[str, Any]]]:
    """`schema` and every schema inside it (parsed documents are plain dicts and lists: `type() is`
    checks, and only the keys a schema has, keep this walk fast on GitHub's 13 MB)."""
    stack = [(place, schema)]
    while stack:
        place, schema = stack.pop()
        if type(schema) is not dict or id(schema) in seen or place is None:
            continue
        seen.add(id(schema))
        yield place, schema
        for key, value in schema.items():
            if key in _SCHEMA_ONES:
                stack.append((Place(place, key), value))
            elif key in _SCHEMA_LISTS and type(value) is list:
                inside = Place(place, key)
                stack.extend((Place(inside, index), sub) for index, sub in enumerate(value))
            elif key in _SCHEMA_MAPS and type(value) is dict:
                inside = Place(place, key)
                stack.extend((Place(inside, name), sub) for name, sub in value.items())


def _walk(node: Any, where: list[Any]) -> Iterator[tuple[list[Any], Any]]:
    """Every `schema` member (of parameters, media types, headers) with its place; example values,
    extensions and the `schemas` maps `_schemas` starts from are not walked."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key in _NOT_WALKED or (isinstance(key, str) and key.startswith("x-")):
                continue
            if key == "schema":
                yield [*where, key], value
            elif isinstance(value, Mapping | list):
                yield from _walk(value, [*where, key])
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, [*where, index])


def _items(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, Mapping):
        yield from ((str(key), value) for key, value in node.items())
