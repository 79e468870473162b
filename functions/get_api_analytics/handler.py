"""GET /apis/{apiId}/analytics - an API's usage over a period (devportal.analytics.report)."""

from __future__ import annotations

from datetime import UTC, datetime

from devportal.analytics.report import check_query
from devportal.errors import NotFound
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.specs.openapi import check_api_id
from devportal.wiring import Portal
from functions.entrypoints import api_function


def get_api_analytics(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "catalog:read")
    api_id = check_api_id(request.path_parameters.get("apiId", ""))
    query = check_query(
        api_id,
        start=request.query_param("from"),
        end=request.query_param("to"),
        granularity=request.query_param("granularity"),
        version=request.query_param("version"),
        operation=request.query_param("operationId"),
        now=datetime.now(UTC),
        retention_days=portal.usage_window().retention_days,
    )
    if portal.registry.get_catalog_entry(api_id) is None:
        raise NotFound(f"No API {api_id!r} is in the catalog.")
    return json_response(200, portal.usage_reports.report(query), {"Cache-Control": "private, max-age=60"})


handler = api_function(get_api_analytics)
