"""GET /test-runs/{runId} - a run as it stands: queued, running (cases done of the total), or
ended with its results per operation and per check (devportal.testing.results)."""

from __future__ import annotations

from devportal.errors import NotFound
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.testing.runs import ACTIVE, check_run_id
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.views import test_run_view


def get_test_run(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "catalog:read")
    run_id = check_run_id(request.path_parameters.get("runId", ""))
    run = portal.test_runs.get(run_id)
    if run is None:
        raise NotFound(f"No test run {run_id}.")
    cache = "no-store" if run["status"] in ACTIVE else "private, max-age=300"
    return json_response(200, test_run_view(run, portal.temporal_ui_url), {"Cache-Control": cache})


handler = api_function(get_test_run)
