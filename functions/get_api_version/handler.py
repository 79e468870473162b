"""GET /apis/{apiId}/versions/{version} - one registered version."""

from __future__ import annotations

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.requested import requested_version
from functions.views import version_view


def get_api_version(request: ApiRequest, portal: Portal) -> ApiResponse:
    return json_response(200, version_view(request, requested_version(request, portal, "catalog:read")))


handler = api_function(get_api_version)
