"""Submitting a document, from a request body (POST /apis) or an upload (POST
/apis/uploads/{uploadId}/submission): the same checks, the same answer."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit

from devportal.adapters.metrics import emit
from devportal.errors import FieldError, InvalidParameter
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import is_admin, submitting_team
from devportal.registry.submit import SubmitRequest
from devportal.wiring import Portal
from functions.identity_views import profile_of
from functions.views import submission_view

logger = Logger()


def submitted(
    request: ApiRequest, portal: Portal, *, body: bytes, media_type: str | None, uploaded: bool = False
) -> ApiResponse:
    """A document submitted from the request's body or from an upload: the same checks, the same answer."""
    caller = request.caller
    team = submitting_team(caller, profile_of(portal, caller), request.query_param("team"))
    outcome = portal.submit_spec(
        SubmitRequest(
            body=body,
            media_type=media_type,
            team=team,
            correlation_id=request.correlation_id,
            api_id=request.query_param("apiId"),
            version=request.query_param("version"),
            any_team=is_admin(caller),
            uploaded=uploaded,
            draft=_draft(request),
        )
    )
    view = submission_view(request, outcome.submission, portal.temporal_ui_url)
    logger.info(
        "submission accepted",
        submission_id=outcome.submission.submission_id,
        api_id=outcome.submission.api_id,
        version=outcome.submission.version,
        finished=outcome.finished,
        uploaded=uploaded,
    )
    emit("Submissions", 1, MetricUnit.Count, service="submit-spec", outcome="seen" if outcome.finished else "accepted")
    status_url = view["links"]["self"]
    return json_response(200 if outcome.finished else 202, view, {"Location": status_url})


def _draft(request: ApiRequest) -> bool:
    """`status=draft` registers the version as a draft; `active` (the default) offers it at once."""
    status = request.query_param("status") or "active"
    if status not in ("active", "draft"):
        raise InvalidParameter(
            "`status` must be `active` (the default) or `draft`.",
            [FieldError(detail="must be active or draft", parameter="status")],
        )
    return status == "draft"
