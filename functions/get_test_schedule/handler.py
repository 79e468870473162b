"""GET /apis/{apiId}/test-schedule - when the API's contract tests run on their own: the cron
expression and time zone its team set, the environment, whether it is paused (by the team, or by
ops in the Temporal Web UI), and its next firings. 404 when the API has no schedule."""

from __future__ import annotations

from devportal.errors import NotFound
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.requested import requested_entry
from functions.views import test_schedule_view
from temporal_bridge.schedules import describe_test_schedule


def get_test_schedule(request: ApiRequest, portal: Portal) -> ApiResponse:
    api_id = requested_entry(request, portal).api_id
    queue = portal.testing_task_queue
    found = portal.temporal.run(lambda client: describe_test_schedule(client, queue, api_id))
    if found is None:
        raise NotFound(f"{api_id} has no test schedule; its team sets one with PUT /apis/{api_id}/test-schedule.")
    return json_response(200, test_schedule_view(found, portal.temporal_ui_url), {"Cache-Control": "no-store"})


handler = api_function(get_test_schedule)
