"""GET /apis/{apiId}/test-settings - what the owning team set up for contract tests (the
defaults where it set nothing). Credentials appear as the names of their secrets only."""

from __future__ import annotations

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.requested import requested_entry


def get_test_settings(request: ApiRequest, portal: Portal) -> ApiResponse:
    api_id = requested_entry(request, portal).api_id
    settings = portal.test_runs.settings(api_id)
    return json_response(200, {"apiId": api_id, **settings.to_wire()}, {"Cache-Control": "no-store"})


handler = api_function(get_test_settings)
