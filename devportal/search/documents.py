"""A search document: what the catalog search knows of one API, taken from its latest version.

Built once per registered version by the index-catalog consumer, from the normalized document:
names, title, description, tags, and every operation's method, path, summary and operationId.
Bounded so one item holds it (descriptions and summaries are cut, operations capped), and the cut
is said (`operations_truncated`), never silent."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from devportal.specs.openapi import iter_operations

MAX_DESCRIPTION_CHARS = 600
MAX_SUMMARY_CHARS = 160
MAX_TAGS = 50
MAX_OPERATIONS = 4_000
_MARKDOWN = re.compile(r"[`*_#>\[\]]|\(https?://[^)]*\)|<[^>]+>")
_SPACE = re.compile(r"\s+")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.MULTILINE)


@dataclass(frozen=True)
class OperationDoc:
    method: str
    path: str
    summary: str = ""
    operation_id: str = ""


@dataclass(frozen=True)
class SearchDocument:
    api_id: str
    version: str
    title: str
    owner: str
    status: str
    description: str
    tags: tuple[str, ...]
    operations: tuple[OperationDoc, ...]
    operation_count: int
    updated_at: datetime
    sha256: str = ""
    operations_truncated: bool = field(default=False)


def plain_text(markdown: str, limit: int) -> str:
    """A description's words without its markup, on one line, cut at `limit` characters."""
    text = _SPACE.sub(" ", _MARKDOWN.sub(" ", _LIST_MARKER.sub("", markdown))).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def document_for(
    *,
    api_id: str,
    version: str,
    title: str,
    owner: str,
    status: str,
    sha256: str,
    updated_at: datetime,
    spec: dict[str, Any],
) -> SearchDocument:
    info = spec.get("info") if isinstance(spec.get("info"), dict) else {}
    description = info.get("description") if isinstance(info, dict) else None
    tags: dict[str, None] = {}
    for tag in spec.get("tags") or []:
        if isinstance(tag, dict) and isinstance(tag.get("name"), str):
            tags[tag["name"]] = None
    operations: list[OperationDoc] = []
    count = 0
    for operation in iter_operations(spec):
        count += 1
        tags.update(dict.fromkeys(operation.tags))
        if len(operations) < MAX_OPERATIONS:
            operations.append(
                OperationDoc(
                    method=operation.method.upper(),
                    path=operation.path[:512],
                    summary=plain_text(operation.summary or "", MAX_SUMMARY_CHARS),
                    operation_id=(operation.operation_id or "")[:128],
                )
            )
    return SearchDocument(
        api_id=api_id,
        version=version,
        title=title,
        owner=owner,
        status=status,
        description=plain_text(description if isinstance(description, str) else "", MAX_DESCRIPTION_CHARS),
        tags=tuple(t[:64] for t in list(tags)[:MAX_TAGS]),
        operations=tuple(operations),
        operation_count=count,
        updated_at=updated_at,
        sha256=sha256,
        operations_truncated=count > len(operations),
    )
