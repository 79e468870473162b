"""GET /apis - the catalog, a page at a time."""

from __future__ import annotations

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.specs.openapi import check_api_id, check_team
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.views import catalog_view

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def list_apis(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "catalog:read")
    owner, cursor = request.query_param("owner"), request.query_param("cursor")
    page = portal.registry.list_catalog(
        limit=request.page_limit(DEFAULT_LIMIT, MAX_LIMIT),
        cursor=check_api_id(cursor, parameter="cursor") if cursor is not None else None,
        owner=check_team(owner, parameter="owner") if owner is not None else None,
    )
    return json_response(
        200,
        {"items": [catalog_view(request, e) for e in page.entries], "nextCursor": page.next_cursor},
    )


handler = api_function(list_apis)
