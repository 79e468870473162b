"""GET /apis/{apiId}/versions/{version} - one registered version."""

from __future__ import annotations

from devportal.errors import NotFound
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.specs.openapi import check_api_id, check_version
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.views import version_view


def get_api_version(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "catalog:read")
    api_id = check_api_id(request.path_parameters.get("apiId", ""))
    version = check_version(request.path_parameters.get("version", ""))
    record = portal.registry.get_version(api_id, version)
    if record is None:
        raise NotFound(f"{api_id} has no registered version {version!r}.")
    return json_response(200, version_view(request, record))


handler = api_function(get_api_version)
