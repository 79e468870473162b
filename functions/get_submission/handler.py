"""GET /submissions/{submissionId} - where a submission stands, with findings when rejected."""

from __future__ import annotations

import re

from devportal.errors import FieldError, InvalidParameter, NotFound
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require_team_member
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.identity_views import profile_of
from functions.views import submission_view

_SUBMISSION_ID = re.compile(r"^sub-[0-9a-f]{24}$")


def get_submission(request: ApiRequest, portal: Portal) -> ApiResponse:
    submission_id = request.path_parameters.get("submissionId", "")
    if not _SUBMISSION_ID.fullmatch(submission_id):
        raise InvalidParameter(
            "`submissionId` is not a submission id.",
            [FieldError(detail="invalid format", parameter="submissionId")],
        )
    caller = request.caller
    submission = portal.registry.get_submission(submission_id)
    if submission is None:
        raise NotFound(f"No submission {submission_id}.")
    require_team_member(caller, profile_of(portal, caller), submission.owner)
    return json_response(200, submission_view(request, submission))


handler = api_function(get_submission)
