"""PUT /apis/{apiId}/test-schedule - the owning team sets when its API is contract-tested on its
own: a cron expression (five fields) in a time zone, against one of its test environments or the
spec's declared base URL, paused or not. The schedule is a Temporal schedule; each firing asks
for a run of the API's latest version (not while one is still going)."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.testing.schedules import check_schedule
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.identity_views import profile_of
from functions.requested import owned_entry
from functions.views import test_schedule_view
from temporal_bridge.schedules import put_test_schedule

logger = Logger()


def set_test_schedule(request: ApiRequest, portal: Portal) -> ApiResponse:
    caller = request.caller
    entry = owned_entry(request, portal)
    schedule = check_schedule(request.json_object())
    if schedule.environment is not None:
        portal.test_runs.settings(entry.api_id).named(entry.api_id, schedule.environment)  # or a 422
    queue, by = portal.testing_task_queue, profile_of(portal, caller).email
    found = portal.temporal.run(
        lambda client: put_test_schedule(client, queue, entry.api_id, entry.owner, schedule, by)
    )
    logger.info("test schedule set", api_id=entry.api_id, cron=schedule.cron, paused=schedule.paused)
    return json_response(200, test_schedule_view(found, portal.temporal_ui_url), {"Cache-Control": "no-store"})


handler = api_function(set_test_schedule)
