"""GET /apis/{apiId}/analytics/reports - the API's daily reports, newest first (devportal.analytics.daily)."""

from __future__ import annotations

from devportal.analytics.daily import check_day
from devportal.errors import NotFound
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.specs.openapi import check_api_id
from devportal.wiring import Portal
from functions.entrypoints import api_function

DEFAULT_LIMIT = 30
MAX_LIMIT = 100


def list_analytics_reports(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "catalog:read")
    api_id = check_api_id(request.path_parameters.get("apiId", ""))
    limit = request.page_limit(DEFAULT_LIMIT, MAX_LIMIT)
    cursor = request.query_param("cursor")
    before = check_day(cursor, "cursor") if cursor is not None else None
    if portal.registry.get_catalog_entry(api_id) is None:
        raise NotFound(f"No API {api_id!r} is in the catalog.")
    page = portal.report_store.page(api_id, limit=limit, before=before)
    return json_response(
        200,
        {
            "apiId": api_id,
            "items": page.reports,
            "nextCursor": page.next_day.isoformat() if page.next_day is not None else None,
        },
        {"Cache-Control": "private, max-age=60"},
    )


handler = api_function(list_analytics_reports)
