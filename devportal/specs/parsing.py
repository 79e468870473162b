"""Turning untrusted bytes into a plain JSON-compatible document, or a precise refusal.

Everything downstream (validation, rendering, diffing) walks the document freely, so this is where
inputs that could hang or explode later are stopped: oversized bodies, YAML anchors and aliases
(an alias bomb loads in milliseconds and explodes on the first walk), nesting deep enough to blow
the validator's recursion, and YAML values that JSON cannot carry.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from typing import Any, Literal

import orjson
import yaml

from devportal.errors import EmptySpec, FieldError, SpecTooLarge, UnparseableSpec, UnsafeSpec
from devportal.settings import SpecLimits
from devportal.specs.pointers import to_pointer

SpecFormat = Literal["json", "yaml"]
_BOM = b"\xef\xbb\xbf"

# The media types a submitted document may carry (the gateway contract lists exactly these for
# POST /apis), and the format each announces: the body is parsed as what it says it is.
MEDIA_TYPE_FORMATS: dict[str, SpecFormat] = {
    "application/json": "json",
    "application/vnd.oai.openapi+json": "json",
    "application/yaml": "yaml",
    "application/vnd.oai.openapi": "yaml",
}
SUPPORTED_MEDIA_TYPES = tuple(MEDIA_TYPE_FORMATS)


@dataclass(frozen=True)
class ParsedSpec:
    document: dict[str, Any]
    format: SpecFormat
    sha256: str  # of the document (document_sha256): its identity, whatever the bytes looked like
    bytes_sha256: str  # of the bytes as sent: where they are stored
    size_bytes: int


def to_json(document: dict[str, Any], *, sort_keys: bool = False) -> bytes:
    """The document as compact JSON. orjson holds integers of 64 bits; a document with larger ones
    (YAML and JSON both allow them) goes through the standard library instead, which is slower and
    exact."""
    try:
        return orjson.dumps(document, option=orjson.OPT_SORT_KEYS if sort_keys else 0)
    except TypeError:  # "Integer exceeds 64-bit range"
        return json.dumps(document, sort_keys=sort_keys, separators=(",", ":"), ensure_ascii=False).encode()


def document_sha256(document: dict[str, Any]) -> str:
    """The document's identity: SHA-256 of its canonical JSON (keys sorted at every level, no
    whitespace), so the same document sent as JSON or as YAML, indented or not, is the same."""
    return hashlib.sha256(to_json(document, sort_keys=True)).hexdigest()


class _SpecYamlLoader(yaml.CSafeLoader):
    """Safe loader that keeps unquoted dates as strings: `version: 2024-01-01` is a version, not a
    `datetime.date` JSON cannot carry."""


_SpecYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}


def media_type_format(media_type: str | None) -> SpecFormat:
    """The format a Content-Type announces (parameters such as charset aside).

    Raises ValueError, with the media type's essence ("" when there is none), for a type that
    cannot carry a specification."""
    essence = (media_type or "").split(";", 1)[0].strip().lower()
    if essence not in MEDIA_TYPE_FORMATS:
        raise ValueError(essence)
    return MEDIA_TYPE_FORMATS[essence]


def parse_spec(raw: bytes, limits: SpecLimits, declared: SpecFormat | None = None) -> ParsedSpec:
    if len(raw) > limits.max_spec_bytes:
        raise SpecTooLarge(f"The specification is {len(raw):,} bytes; the limit is {limits.max_spec_bytes:,} bytes.")
    if not raw.strip():
        raise EmptySpec("The request body is empty; send an OpenAPI document as JSON or YAML.")
    text = _decode(raw)
    fmt = declared or ("json" if text.lstrip().startswith("{") else "yaml")
    document = _load_json(raw.removeprefix(_BOM)) if fmt == "json" else _load_yaml(text)
    if not isinstance(document, dict):
        raise UnparseableSpec(
            f"The document must be a JSON object or YAML mapping at its root, not {_json_type(document)}.",
            [FieldError(detail="root is not an object", pointer="")],
        )
    try:
        _check_tree(document, 1, limits.max_spec_depth, set(), normalize=fmt == "yaml")
    except _TreeError as error:
        raise error.domain_error() from None
    return ParsedSpec(
        document=document,
        format=fmt,
        sha256=document_sha256(document),
        bytes_sha256=hashlib.sha256(raw).hexdigest(),
        size_bytes=len(raw),
    )


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnparseableSpec(f"The body is not UTF-8 text (invalid byte at offset {error.start}).") from None


_ORJSON_POSITION = re.compile(r"line (\d+) column (\d+)")


def _load_json(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        message = str(error)
        if "recursion" in message.lower():
            raise UnsafeSpec(
                "The document is nested too deeply to process.",
                [FieldError(detail="nesting too deep", line=error.lineno, column=error.colno)],
            ) from None
        raise UnparseableSpec(
            f"Invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}.",
            [FieldError(detail=error.msg, line=error.lineno, column=error.colno)],
        ) from None


def _load_yaml(text: str) -> Any:
    # Anchors and aliases cannot occur without '&' or '*'; the event scan costs ~1/15 of a load.
    if "&" in text or "*" in text:
        _refuse_anchors(text)
    try:
        return yaml.load(text, Loader=_SpecYamlLoader)  # noqa: S506 - a CSafeLoader subclass
    except RecursionError:
        raise UnsafeSpec("The document is nested too deeply to process.") from None
    except yaml.MarkedYAMLError as error:
        raise _yaml_error(error) from None
    except yaml.YAMLError as error:
        raise UnparseableSpec(f"Invalid YAML: {_bounded(str(error))}") from None


def _refuse_anchors(text: str) -> None:
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            anchor = getattr(event, "anchor", None)
            if isinstance(event, yaml.AliasEvent) or anchor is not None:
                mark = event.start_mark
                kind = "alias" if isinstance(event, yaml.AliasEvent) else "anchor"
                line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
                raise UnsafeSpec(
                    "YAML anchors and aliases are not accepted: they let a tiny document expand "
                    "into an enormous one. Write the repeated part out, or use a JSON `$ref`.",
                    [
                        FieldError(
                            detail=f"YAML {kind} '{anchor}'",
                            line=line,
                            column=column,
                        )
                    ],
                )
    except RecursionError:
        raise UnsafeSpec("The document is nested too deeply to process.") from None
    except yaml.MarkedYAMLError as error:
        raise _yaml_error(error) from None


def _yaml_error(error: yaml.MarkedYAMLError) -> UnparseableSpec:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or error.context or "syntax error"
    if mark is None:
        return UnparseableSpec(f"Invalid YAML: {_bounded(problem)}.")
    return UnparseableSpec(
        f"Invalid YAML at line {mark.line + 1}, column {mark.column + 1}: {_bounded(problem)}.",
        [FieldError(detail=_bounded(problem), line=mark.line + 1, column=mark.column + 1)],
    )


class _TreeError(Exception):
    def __init__(self, kind: Literal["deep", "shared", "value", "key"], detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.reversed_path: list[str] = []

    def domain_error(self) -> UnsafeSpec | UnparseableSpec:
        pointer = to_pointer(reversed(self.reversed_path))
        if self.kind == "deep":
            return UnsafeSpec(
                f"The document is nested more deeply than the limit of {self.detail} levels.",
                [FieldError(detail="nesting too deep", pointer=pointer)],
            )
        if self.kind == "shared":
            return UnsafeSpec(
                "The document shares one node between several places (YAML aliases).",
                [FieldError(detail="shared node", pointer=pointer)],
            )
        return UnparseableSpec(
            f"The document holds a value JSON cannot represent: {self.detail}.",
            [FieldError(detail=self.detail, pointer=pointer)],
        )


_SCALARS = (str, int, bool, type(None))


def _check_tree(node: Any, depth: int, max_depth: int, seen: set[int], *, normalize: bool) -> None:
    """Depth limit, no shared nodes, JSON-representable values; YAML keys made strings in place.

    Recursive on purpose: depth is bounded by `max_depth` (<= 512), and the JSON pointer of a
    failure is assembled only while the error unwinds."""
    if depth > max_depth:
        raise _TreeError("deep", str(max_depth))
    if normalize:
        if id(node) in seen:
            raise _TreeError("shared", "shared node")
        seen.add(id(node))
    if isinstance(node, dict):
        if normalize and not all(type(key) is str for key in node):
            _normalize_keys(node)
        items: Any = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:  # pragma: no cover - callers only pass containers
        return
    for key, value in items:
        if isinstance(value, _SCALARS):
            continue
        try:
            if isinstance(value, dict | list):
                _check_tree(value, depth + 1, max_depth, seen, normalize=normalize)
            elif isinstance(value, float):
                if not math.isfinite(value):
                    raise _TreeError("value", f"non-finite number {value!r}")
            else:
                raise _TreeError("value", f"a {type(value).__name__} value")
        except _TreeError as error:
            error.reversed_path.append(str(key))
            raise


def _normalize_keys(mapping: dict[Any, Any]) -> None:
    normalized: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(key, bool):
            text = "true" if key else "false"
        elif key is None:
            text = "null"
        elif isinstance(key, int | float | str):
            text = str(key)
        else:
            raise _TreeError("key", f"a {type(key).__name__} used as a mapping key")
        if text in normalized:
            error = _TreeError("key", f"duplicate key {text!r} once keys are read as strings")
            error.reversed_path.append(text)
            raise error
        normalized[text] = value
    mapping.clear()
    mapping.update(normalized)


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "a number" if isinstance(value, int | float) and not isinstance(value, bool) else "a boolean"


def _bounded(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
