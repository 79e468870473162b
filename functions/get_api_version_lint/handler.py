"""GET /apis/{apiId}/versions/{version}/lint - the lint report stored with the version."""

from __future__ import annotations

import orjson

from devportal.errors import NotFound
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.requested import requested_version


def get_api_version_lint(request: ApiRequest, portal: Portal) -> ApiResponse:
    record = requested_version(request, portal, "catalog:read")
    if not record.lint_key:
        raise NotFound(f"{record.api_id} {record.version} was registered before the portal linted versions.")
    report = orjson.loads(portal.specs.get(record.lint_key))
    return json_response(
        200,
        {"apiId": record.api_id, "version": record.version, **report},
        {"Cache-Control": "public, max-age=300, immutable"},
    )


handler = api_function(get_api_version_lint)
