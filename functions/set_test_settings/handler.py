"""PUT /apis/{apiId}/test-settings - the owning team's contract-test settings, whole: its
environments (base URL, whether unsafe methods are sent, the credential's secret), whether each
new version is tested after registration, and the run's limits. Base URLs are checked against
what contract tests may reach when saved, and again on every request."""

from __future__ import annotations

from datetime import UTC, datetime

from aws_lambda_powertools import Logger

from devportal.errors import FieldError, TargetRefused
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.testing.runs import check_settings
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.requested import owned_entry

logger = Logger()


def set_test_settings(request: ApiRequest, portal: Portal) -> ApiResponse:
    caller = request.caller
    api_id = owned_entry(request, portal).api_id
    settings = check_settings(request.json_object())
    for index, environment in enumerate(settings.environments):
        problem = portal.target_policy.check_url(str(environment.base_url))
        if problem is not None:
            raise TargetRefused(
                f"Contract tests cannot target {environment.base_url}: {problem}.",
                [FieldError(detail=problem, pointer=f"/environments/{index}/baseUrl")],
            )
    portal.test_runs.put_settings(api_id, settings, caller.subject, datetime.now(UTC))
    logger.info("test settings set", api_id=api_id, environments=[e.name for e in settings.environments])
    return json_response(200, {"apiId": api_id, **settings.to_wire()}, {"Cache-Control": "no-store"})


handler = api_function(set_test_settings)
