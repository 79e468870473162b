"""GET /apis/{apiId}/test-settings - what the owning team set up for contract tests (the
defaults where it set nothing). Credentials appear as the names of their secrets only."""

from __future__ import annotations

from devportal.errors import NotFound
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.specs.openapi import check_api_id
from devportal.wiring import Portal
from functions.entrypoints import api_function


def get_test_settings(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "catalog:read")
    api_id = check_api_id(request.path_parameters.get("apiId", ""))
    if portal.registry.get_catalog_entry(api_id) is None:
        raise NotFound(f"No API {api_id!r} is in the catalog.")
    settings = portal.test_runs.settings(api_id)
    return json_response(200, {"apiId": api_id, **settings.to_wire()}, {"Cache-Control": "no-store"})


handler = api_function(get_test_settings)
