"""GET /apis/{apiId} - one API and its versions."""

from __future__ import annotations

from devportal.errors import NotFound
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.registry.models import latest_of
from devportal.specs.openapi import check_api_id
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.views import catalog_view, version_view


def get_api(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "catalog:read")
    api_id = check_api_id(request.path_parameters.get("apiId", ""))
    versions = portal.registry.list_versions(api_id)
    if not versions:
        raise NotFound(f"No API {api_id!r} is registered.")
    entry = portal.registry.get_catalog_entry(api_id)
    # a version whose registration failed after it was stored is listed (failed), never the latest
    latest = latest_of([r for r in versions if r.status != "failed"] or versions)
    if entry is not None:
        body = catalog_view(request, entry)
    else:  # the catalog view is updated from events; right after registration it may lag
        body = {
            "apiId": api_id,
            "title": latest.title,
            "owner": latest.owner,
            "latestVersion": latest.version,
        }
    ordered = sorted(versions, key=lambda r: r.registered_at, reverse=True)
    body["versions"] = [version_view(request, r) for r in ordered]
    return json_response(200, body)


handler = api_function(get_api)
