"""GET /apis/{apiId}/changes?from=&to= - the changelog between two registered versions (every
level: ERR breaks consumers, WARN may, INFO does not); by default the latest version against the
one registered before it."""

from __future__ import annotations

from typing import Any

import orjson

from devportal.errors import FieldError, NotFound
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.registry.models import ApiVersionRecord, latest_of
from devportal.specs.diff import LEVELS, diff
from devportal.specs.openapi import check_api_id, check_version
from devportal.wiring import Portal
from functions.entrypoints import api_function


def get_api_changes(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "catalog:read")
    api_id = check_api_id(request.path_parameters.get("apiId", ""))
    asked = {name: request.query_param(name) for name in ("from", "to")}
    for name, value in asked.items():
        if value is not None:
            check_version(value, parameter=name)
    versions = portal.registry.list_versions(api_id)
    if not versions:
        raise NotFound(f"No API {api_id!r} is registered.")
    by_version = {record.version: record for record in versions}
    for name, value in asked.items():
        if value is not None and value not in by_version:
            raise NotFound(
                f"{api_id} has no registered version {value!r} to compare.",
                [FieldError(detail="not a registered version", parameter=name)],
            )
    to = by_version[asked["to"]] if asked["to"] else latest_of(versions)
    since = by_version[asked["from"]] if asked["from"] else _before(versions, to)
    changes = [] if since.version == to.version else diff(_document(portal, since), _document(portal, to))
    body = {
        "apiId": api_id,
        "from": since.version,
        "to": to.version,
        "counts": {level: sum(1 for c in changes if c.level == level) for level in LEVELS},
        "changes": [change.to_wire() for change in changes],
    }
    # Registered versions never change, so neither does what differs between two of them.
    return json_response(200, body, {"Cache-Control": "private, max-age=3600"})


def _document(portal: Portal, record: ApiVersionRecord) -> dict[str, Any]:
    if portal.specs.size(record.normalized_key) is None:
        raise NotFound(f"The document of {record.api_id} {record.version} is not available to compare.")
    document: dict[str, Any] = orjson.loads(portal.specs.get(record.normalized_key))
    return document


def _before(versions: list[ApiVersionRecord], to: ApiVersionRecord) -> ApiVersionRecord:
    """The version registered last before `to` (or `to` itself when it was the first)."""
    earlier = [record for record in versions if record.registered_at < to.registered_at]
    return max(earlier, key=lambda record: record.registered_at) if earlier else to


handler = api_function(get_api_changes)
