"""POST /test-runs/{runId}/cancel - the owning team stops a run. The workflow stops its batches at
their next case, keeps what finished and reports the run as cancelled. 202: the signal is sent;
409: the run has already ended."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from devportal.errors import NotFound, StateConflict
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require_team_member
from devportal.testing.runs import ACTIVE, RunRef, check_run_id
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.identity_views import profile_of
from functions.views import test_run_view
from temporal_bridge.starter import cancel_test_run as signal_cancel

logger = Logger()


def cancel_test_run(request: ApiRequest, portal: Portal) -> ApiResponse:
    caller = request.caller
    run_id = check_run_id(request.path_parameters.get("runId", ""))
    run = portal.test_runs.get(run_id)
    if run is None:
        raise NotFound(f"No test run {run_id}.")
    profile = profile_of(portal, caller)
    require_team_member(caller, profile, str(run["owner"]))
    if run["status"] not in ACTIVE:
        raise StateConflict(f"Test run {run_id} has already ended ({run['status']}).")
    ref, queue = RunRef.of(run), portal.testing_task_queue
    by = profile.email
    if not portal.temporal.run(lambda client: signal_cancel(client, ref, queue, by)):
        raise StateConflict(f"Test run {run_id} has just ended; read it again for its results.")
    logger.info("test run cancel requested", run_id=run_id, by=by)
    return json_response(202, test_run_view(run, portal.temporal_ui_url), {"Cache-Control": "no-store"})


handler = api_function(cancel_test_run)
