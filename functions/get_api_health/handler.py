"""GET /apis/{apiId}/health - each health rule's state, the lines in effect and the alert history
(devportal.analytics.overview)."""

from __future__ import annotations

from devportal.errors import NotFound
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.specs.openapi import check_api_id
from devportal.wiring import Portal
from functions.entrypoints import api_function


def get_api_health(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "catalog:read")
    api_id = check_api_id(request.path_parameters.get("apiId", ""))
    if portal.registry.get_catalog_entry(api_id) is None:
        raise NotFound(f"No API {api_id!r} is in the catalog.")
    return json_response(200, portal.health_overview.view(api_id), {"Cache-Control": "private, max-age=60"})


handler = api_function(get_api_health)
