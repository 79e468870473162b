"""PUT /apis/{apiId}/health/thresholds - the owning team's own health lines; members left out keep
the defaults, `{}` goes back to them. The next hourly evaluation judges by them."""

from __future__ import annotations

from datetime import UTC, datetime

from aws_lambda_powertools import Logger

from devportal.analytics.overview import check_overrides
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.requested import owned_entry

logger = Logger()


def set_api_health_thresholds(request: ApiRequest, portal: Portal) -> ApiResponse:
    caller = request.caller
    api_id = owned_entry(request, portal).api_id
    overrides = check_overrides(request.json_object())
    portal.health_overview.set_lines(api_id, overrides, caller.subject, datetime.now(UTC))
    logger.info("health thresholds set", api_id=api_id, overrides=overrides, by=caller.subject)
    return json_response(200, portal.health_overview.view(api_id), {"Cache-Control": "no-store"})


handler = api_function(set_api_health_thresholds)
