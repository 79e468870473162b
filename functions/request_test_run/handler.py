"""POST /apis/{apiId}/versions/{version}/test-runs - the owning team asks for a contract test run
against one of its test environments, a base URL (safe methods only, no credential), or the base
URL the spec declares. 202: the run is queued; TestRunRequested starts it."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from devportal.errors import FieldError, InvalidParameter
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require_team_member
from devportal.testing.runs import RunRequest
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.identity_views import profile_of
from functions.requested import requested_version
from functions.views import test_run_view

logger = Logger()
_FIELDS = {"environment", "baseUrl"}


def request_test_run(request: ApiRequest, portal: Portal) -> ApiResponse:
    caller = request.caller
    record = requested_version(request, portal, "apis:submit")
    profile = profile_of(portal, caller)
    require_team_member(caller, profile, record.owner)
    body = request.json_object() if request.body.strip() else {}
    unknown = sorted(set(body) - _FIELDS)
    if unknown:
        raise InvalidParameter(
            f"A test run request has no member {unknown[0]!r}; it takes `environment` or `baseUrl`.",
            [FieldError(detail="unknown member", pointer=f"/{unknown[0]}")],
        )
    environment, base_url = body.get("environment"), body.get("baseUrl")
    if environment is not None and base_url is not None:
        raise InvalidParameter(
            "Give `environment` or `baseUrl`, not both.", [FieldError(detail="both given", pointer="/baseUrl")]
        )
    for name, value in (("environment", environment), ("baseUrl", base_url)):
        if value is not None and (not isinstance(value, str) or not value):
            raise InvalidParameter(
                f"`{name}` must be a non-empty string.", [FieldError(detail="not a string", pointer=f"/{name}")]
            )
    if isinstance(base_url, str) and (not base_url.startswith(("http://", "https://")) or len(base_url) > 2048):
        raise InvalidParameter(
            "`baseUrl` must be an http(s) URL of at most 2048 characters.",
            [FieldError(detail="not an http(s) URL", pointer="/baseUrl")],
        )
    run, _ = portal.request_test_run(
        RunRequest(
            api_id=record.api_id,
            version=record.version,
            trigger="manual",
            requested_by=profile.email,
            environment=environment,
            base_url=base_url,
            correlation_id=request.correlation_id,
        )
    )
    logger.info("test run requested", run_id=run["runId"], api_id=record.api_id, version=record.version)
    location = request.url(f"/test-runs/{run['runId']}")
    return json_response(
        202, test_run_view(run, portal.temporal_ui_url), {"Location": location, "Cache-Control": "no-store"}
    )


handler = api_function(request_test_run)
