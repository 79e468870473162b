"""GET /approvals - the versions waiting for an admin's decision on their breaking changes, oldest
first (admins)."""

from __future__ import annotations

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.wiring import Portal
from functions.approvals import approval_view
from functions.entrypoints import api_function

MAX_LISTED = 100


def list_approvals(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "users:manage")
    pending = portal.approvals.pending(MAX_LISTED)
    return json_response(
        200, {"items": [approval_view(request, asked) for asked in pending]}, {"Cache-Control": "no-store"}
    )


handler = api_function(list_approvals)
