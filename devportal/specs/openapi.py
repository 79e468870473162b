"""What an OpenAPI document says about itself: its dialect, title, version and operations."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from devportal.errors import FieldError, InvalidParameter, InvalidSpecField, NotOpenApi

Dialect = Literal["2.0", "3.0", "3.1", "3.2"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

API_ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
VERSION_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$")
TEAM_PATTERN = API_ID_PATTERN
MAX_TITLE_CHARS = 200


@dataclass(frozen=True)
class SpecIdentity:
    """What the document declares. `version` is `info.version` as written; whether it can serve
    as a registry version is the registry's decision (`check_version`)."""

    dialect: Dialect
    openapi_version: str
    title: str
    version: str


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str | None
    summary: str | None
    tags: tuple[str, ...]
    deprecated: bool
    statuses: frozenset[str] = frozenset()  # its response keys, upper-cased: "200", "4XX", "DEFAULT"

    @property
    def anchor(self) -> str:
        return "op-" + re.sub(r"[^A-Za-z0-9_-]+", "-", f"{self.method}-{self.path}").strip("-")


def identify(document: dict[str, Any]) -> SpecIdentity:
    """The dialect, title and version, or an error naming the field at fault."""
    if "openapi" in document and "swagger" in document:
        raise NotOpenApi(
            "The document declares both `openapi` and `swagger`; an OpenAPI document declares one of them.",
            [FieldError(detail="declared with swagger", pointer="/openapi")],
        )
    if "openapi" in document:
        declared = document["openapi"]
        if not isinstance(declared, str):
            raise NotOpenApi(
                '`openapi` must be a version string such as "3.1.0".',
                [FieldError(detail="must be a string", pointer="/openapi")],
            )
        dialect = _dialect_of(declared)
        if dialect is None:
            raise NotOpenApi(
                f"OpenAPI version {declared[:40]!r} is not supported; use 2.0, 3.0.x, 3.1.x or 3.2.x.",
                [FieldError(detail="unsupported version", pointer="/openapi")],
            )
    elif "swagger" in document:
        declared = document["swagger"]
        if declared != "2.0":
            raise NotOpenApi('`swagger` must be "2.0".', [FieldError(detail='must be "2.0"', pointer="/swagger")])
        dialect = "2.0"
    else:
        raise NotOpenApi(
            "The document has neither an `openapi` nor a `swagger` field; it is not an OpenAPI document.",
            [FieldError(detail="missing", pointer="/openapi")],
        )

    info = document.get("info")
    if not isinstance(info, dict):
        raise InvalidSpecField(
            "`info` must be an object with `title` and `version`.",
            [FieldError(detail="missing or not an object", pointer="/info")],
        )
    title = info.get("title")
    if not isinstance(title, str) or len(title) > MAX_TITLE_CHARS:
        raise InvalidSpecField(
            f"`info.title` must be a string of at most {MAX_TITLE_CHARS} characters.",
            [FieldError(detail="invalid title", pointer="/info/title")],
        )
    version = info.get("version")
    if not isinstance(version, str) or not version.strip():
        raise InvalidSpecField(
            '`info.version` must be a non-empty string. In YAML, quote numbers: version: "1.0".',
            [FieldError(detail="must be a non-empty string", pointer="/info/version")],
        )
    return SpecIdentity(dialect=dialect, openapi_version=str(declared), title=title.strip(), version=version.strip())


def _dialect_of(declared: str) -> Dialect | None:
    match = re.fullmatch(r"3\.([0-2])\.[0-9]+(?:-[0-9A-Za-z.-]+)?", declared)
    if match is None:
        return None
    return {"0": "3.0", "1": "3.1", "2": "3.2"}[match.group(1)]  # type: ignore[return-value]


def derive_api_id(title: str) -> str:
    """A URL-safe id from a title: "Payments API (v2)" -> "payments-api-v2"."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:63].strip("-")


def check_api_id(api_id: str, *, parameter: str = "apiId") -> str:
    if not API_ID_PATTERN.fullmatch(api_id):
        raise InvalidParameter(
            f"`{parameter}` must be 1-63 lowercase letters, digits or hyphens, starting and ending with a "
            "letter or digit.",
            [FieldError(detail="invalid format", parameter=parameter)],
        )
    return api_id


def check_team(team: str, *, pointer: str | None = None, parameter: str = "team") -> str:
    """A team slug, from a query parameter (`team`, or the one named) or, with `pointer`, from a JSON body."""
    if not TEAM_PATTERN.fullmatch(team):
        raise InvalidParameter(
            f"`{parameter if pointer is None else pointer.lstrip('/')}` must be 1-63 lowercase letters, digits or "
            "hyphens.",
            [FieldError(detail="invalid format", pointer=pointer, parameter=None if pointer else parameter)],
        )
    return team


def check_version(version: str, *, parameter: str = "version") -> str:
    if not VERSION_PATTERN.fullmatch(version):
        raise InvalidParameter(
            f"`{parameter}` must be 1-64 letters, digits or . _ + -, starting with a letter or digit.",
            [FieldError(detail="invalid format", parameter=parameter)],
        )
    return version


def iter_operations(document: dict[str, Any]) -> Iterator[Operation]:
    """Every operation under `paths`, in document order. Tolerates malformed entries (they are the
    validator's business, not the renderer's)."""
    paths = document.get("paths")
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        if not isinstance(item, dict) or str(path).startswith("x-"):  # an extension, not a path
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            operation_id = operation.get("operationId")
            summary = operation.get("summary")
            tags = operation.get("tags")
            responses = operation.get("responses")
            yield Operation(
                method=method,
                path=str(path),
                operation_id=operation_id if isinstance(operation_id, str) else None,
                summary=summary if isinstance(summary, str) else None,
                tags=tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else (),
                deprecated=operation.get("deprecated") is True,
                statuses=frozenset(str(code).upper() for code in responses)
                if isinstance(responses, dict)
                else frozenset(),
            )


def as_mapping(value: Any) -> dict[str, Any]:
    """`value` if the document has an object there, else an empty one: documents are untrusted."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """`value` if the document has a list there, else an empty one."""
    return value if isinstance(value, list) else []
