"""DELETE /apis/{apiId}/test-schedule - the owning team stops its API's scheduled contract tests.
Runs the schedule already started are left to finish. 404 when there is no schedule."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from devportal.errors import NotFound
from devportal.http import ApiRequest, ApiResponse
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.requested import owned_entry
from temporal_bridge.schedules import delete_test_schedule as delete

logger = Logger()


def delete_test_schedule(request: ApiRequest, portal: Portal) -> ApiResponse:
    api_id = owned_entry(request, portal).api_id
    queue = portal.testing_task_queue
    if not portal.temporal.run(lambda client: delete(client, queue, api_id)):
        raise NotFound(f"{api_id} has no test schedule.")
    logger.info("test schedule deleted", api_id=api_id, by=request.caller.subject)
    return ApiResponse(204, b"")


handler = api_function(delete_test_schedule)
