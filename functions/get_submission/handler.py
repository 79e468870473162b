"""GET /submissions/{submissionId} - where a submission stands, with findings when rejected."""

from __future__ import annotations

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.requested import requested_submission
from functions.views import submission_view


def get_submission(request: ApiRequest, portal: Portal) -> ApiResponse:
    submission = requested_submission(request, portal)
    return json_response(200, submission_view(request, submission, portal.temporal_ui_url))


handler = api_function(get_submission)
