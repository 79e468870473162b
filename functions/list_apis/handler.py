"""GET /apis - the catalog, a page at a time."""

from __future__ import annotations

from devportal.errors import FieldError, InvalidParameter
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
    raw_limit = request.query.get("limit", str(DEFAULT_LIMIT))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise InvalidParameter(
            f"`limit` must be an integer from 1 to {MAX_LIMIT}.",
            [FieldError(detail="invalid", parameter="limit")],
        )
    owner, cursor = request.query_param("owner"), request.query_param("cursor")
    page = portal.registry.list_catalog(
        limit=int(raw_limit),
        cursor=check_api_id(cursor, parameter="cursor") if cursor is not None else None,
        owner=check_team(owner) if owner is not None else None,
    )
    return json_response(
        200,
        {"items": [catalog_view(request, e) for e in page.entries], "nextCursor": page.next_cursor},
    )


handler = api_function(list_apis)
