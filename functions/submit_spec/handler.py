"""POST /apis - accept an OpenAPI document for registration (202 + status URL)."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit

from devportal.adapters.metrics import emit
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import is_admin, submitting_team
from devportal.registry.submit import SubmitRequest
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.identity_views import profile_of
from functions.views import submission_view

logger = Logger()


def submit(request: ApiRequest, portal: Portal) -> ApiResponse:
    caller = request.caller
    team = submitting_team(caller, profile_of(portal, caller), request.query_param("team"))
    outcome = portal.submit_spec(
        SubmitRequest(
            body=request.body,
            media_type=request.headers.get("content-type"),
            team=team,
            correlation_id=request.correlation_id,
            api_id=request.query_param("apiId"),
            version=request.query_param("version"),
            any_team=is_admin(caller),
        )
    )
    view = submission_view(request, outcome.submission, portal.temporal_ui_url)
    logger.info(
        "submission accepted",
        submission_id=outcome.submission.submission_id,
        api_id=outcome.submission.api_id,
        version=outcome.submission.version,
        finished=outcome.finished,
    )
    emit("Submissions", 1, MetricUnit.Count, service="submit-spec", outcome="seen" if outcome.finished else "accepted")
    status_url = view["links"]["self"]
    return json_response(200 if outcome.finished else 202, view, {"Location": status_url})


handler = api_function(submit)
