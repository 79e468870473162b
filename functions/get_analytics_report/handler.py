"""GET /apis/{apiId}/analytics/reports/{day} - the API's report of one day (devportal.analytics.daily)."""

from __future__ import annotations

from devportal.analytics.daily import check_day
from devportal.errors import NotFound
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.specs.openapi import check_api_id
from devportal.wiring import Portal
from functions.entrypoints import api_function


def get_analytics_report(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "catalog:read")
    api_id = check_api_id(request.path_parameters.get("apiId", ""))
    day = check_day(request.path_parameters.get("day", ""), "day")
    if portal.registry.get_catalog_entry(api_id) is None:
        raise NotFound(f"No API {api_id!r} is in the catalog.")
    report = portal.report_store.get(api_id, day)
    if report is None:
        raise NotFound(
            f"{api_id} has no report of {day.isoformat()}: an API's report of a day is written shortly after "
            "the day ends (UTC), once the API has traffic."
        )
    return json_response(200, report, {"Cache-Control": "private, max-age=300"})


handler = api_function(get_analytics_report)
