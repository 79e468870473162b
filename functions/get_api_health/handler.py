"""GET /apis/{apiId}/health - each health rule's state, the lines in effect and the alert history
(devportal.analytics.overview)."""

from __future__ import annotations

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.requested import requested_entry


def get_api_health(request: ApiRequest, portal: Portal) -> ApiResponse:
    api_id = requested_entry(request, portal).api_id
    return json_response(200, portal.health_overview.view(api_id), {"Cache-Control": "private, max-age=60"})


handler = api_function(get_api_health)
