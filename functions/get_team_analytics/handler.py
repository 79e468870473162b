"""GET /teams/{team}/analytics - the team's APIs ranked by calls over a period
(devportal.analytics.report.UsageReports.team)."""

from __future__ import annotations

from datetime import UTC, datetime

from devportal.analytics.report import check_query
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.specs.openapi import check_team
from devportal.wiring import Portal
from functions.entrypoints import api_function


def get_team_analytics(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "catalog:read")
    team = check_team(request.path_parameters.get("team", ""), parameter="team")
    window = check_query(
        "",
        start=request.query_param("from"),
        end=request.query_param("to"),
        granularity="week",  # only the period is checked here: from before to, inside the retention
        version=None,
        operation=None,
        now=datetime.now(UTC),
        retention_days=portal.usage_window().retention_days,
    )
    overview = portal.usage_reports.team(team, window.start, window.end)
    return json_response(200, overview, {"Cache-Control": "private, max-age=60"})


handler = api_function(get_team_analytics)
