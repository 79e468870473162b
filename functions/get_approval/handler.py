"""GET /apis/{apiId}/versions/{version}/approval - what an admin is (or was) asked about a version:
its breaking changes, the consumers that called each affected operation lately, the deadline, and
the decision once made."""

from __future__ import annotations

from devportal.errors import NotFound
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.specs.openapi import check_api_id, check_version
from devportal.wiring import Portal
from functions.approvals import approval_view
from functions.entrypoints import api_function


def get_approval(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "catalog:read")
    api_id = check_api_id(request.path_parameters.get("apiId", ""))
    version = check_version(request.path_parameters.get("version", ""))
    asked = portal.approvals.get(api_id, version)
    if asked is None:
        raise NotFound(f"{api_id} {version} has not asked for an approval.")
    return json_response(200, approval_view(request, asked), {"Cache-Control": "no-store"})


handler = api_function(get_approval)
