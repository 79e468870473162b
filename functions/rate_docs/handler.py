"""PUT /apis/{apiId}/versions/{version}/rating - the caller's vote on the version's docs, one per
reader and version: voting again replaces it (devportal.analytics.ratings)."""

from __future__ import annotations

from datetime import UTC, datetime

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.requested import requested_version


def rate_docs(request: ApiRequest, portal: Portal) -> ApiResponse:
    record = requested_version(request, portal)
    body = request.json_object()
    view = portal.ratings.vote(record.api_id, record.version, request.caller.subject, body, datetime.now(UTC))
    return json_response(200, view, {"Cache-Control": "no-store"})


handler = api_function(rate_docs)
