"""POST /apis/{apiId}/versions/{version}/lifecycle - activate a draft, deprecate a version with its
sunset date, make a deprecated one active again, or retire it (devportal.registry.lifecycle)."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require_team_member
from devportal.registry.lifecycle import read_change
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.identity_views import profile_of
from functions.requested import requested_version
from functions.views import version_view

logger = Logger()


def change_version_lifecycle(request: ApiRequest, portal: Portal) -> ApiResponse:
    record = requested_version(request, portal, "catalog:read")
    profile = profile_of(portal, request.caller)
    require_team_member(request.caller, profile, record.owner)
    change = read_change(request.json_object())
    changed = portal.change_lifecycle(record, change, profile.email, request.correlation_id)
    logger.info("lifecycle changed", api_id=record.api_id, version=record.version, status=changed.status)
    return json_response(200, version_view(request, changed), {"Cache-Control": "no-store"})


handler = api_function(change_version_lifecycle)
