"""POST /apis - accept an OpenAPI document for registration (202 + status URL)."""

from __future__ import annotations

from devportal.http import ApiRequest, ApiResponse
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.submissions import submitted


def submit(request: ApiRequest, portal: Portal) -> ApiResponse:
    return submitted(request, portal, body=request.body, media_type=request.headers.get("content-type"))


handler = api_function(submit)
