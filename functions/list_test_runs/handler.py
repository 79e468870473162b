"""GET /apis/{apiId}/test-runs - the API's runs, newest first: each one's status, score and
coverage, so a page can draw their trend."""

from __future__ import annotations

from devportal.errors import NotFound
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.specs.openapi import check_api_id
from devportal.wiring import Portal
from functions.entrypoints import api_function

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def list_test_runs(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "catalog:read")
    api_id = check_api_id(request.path_parameters.get("apiId", ""))
    limit = request.page_limit(DEFAULT_LIMIT, MAX_LIMIT)
    cursor = request.query_param("cursor")
    if portal.registry.get_catalog_entry(api_id) is None:
        raise NotFound(f"No API {api_id!r} is in the catalog.")
    runs, next_cursor = portal.test_runs.page(api_id, limit=limit, cursor=cursor)
    return json_response(
        200, {"apiId": api_id, "items": runs, "nextCursor": next_cursor}, {"Cache-Control": "no-store"}
    )


handler = api_function(list_test_runs)
