"""POST /apis/uploads/{uploadId}/submission - submit what was PUT to an upload's URL, with the
checks and the answer of POST /apis (202 + status URL)."""

from __future__ import annotations

from devportal.http import ApiRequest, ApiResponse
from devportal.identity.access import require
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.submissions import submitted


def submit_upload(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "apis:submit")
    upload = portal.uploads.read(request.caller.subject, request.path_parameters.get("uploadId", ""))
    return submitted(request, portal, body=upload.body, media_type=upload.media_type, uploaded=True)


handler = api_function(submit_upload)
