"""GET /apis/{apiId}/versions/{version}/rating - the version's docs votes (devportal.analytics.ratings)."""

from __future__ import annotations

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.requested import requested_version


def get_docs_rating(request: ApiRequest, portal: Portal) -> ApiResponse:
    record = requested_version(request, portal)
    view = portal.ratings.view(record.api_id, record.version, request.caller.subject)
    return json_response(200, view, {"Cache-Control": "private, no-cache"})


handler = api_function(get_docs_rating)
