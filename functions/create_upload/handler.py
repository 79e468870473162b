"""POST /apis/uploads - a URL to PUT a document too large for a request body (up to 64 MB), then
POST /apis/uploads/{uploadId}/submission to submit it like any other."""

from __future__ import annotations

from urllib.parse import quote

from aws_lambda_powertools import Logger

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.registry.uploads import check_upload_request
from devportal.wiring import Portal
from functions.entrypoints import api_function

logger = Logger()


def create_upload(request: ApiRequest, portal: Portal) -> ApiResponse:
    caller = request.caller
    require(caller, "apis:submit")
    wanted = check_upload_request(request.json_object())
    ticket = portal.uploads.open(caller.subject, wanted.content_type, wanted.size)
    logger.info("upload opened", upload_id=ticket.upload_id, size=wanted.size, by=caller.subject)
    submit = request.url(f"/apis/uploads/{quote(ticket.upload_id)}/submission")
    return json_response(
        201,
        {
            "uploadId": ticket.upload_id,
            "uploadUrl": ticket.url,
            "method": "PUT",
            "headers": ticket.headers,
            "expiresAt": ticket.expires_at.isoformat().replace("+00:00", "Z"),
            "maxBytes": ticket.max_bytes,
            "links": {"submit": submit},
        },
        {"Cache-Control": "no-store", "Location": submit},
    )


handler = api_function(create_upload)
