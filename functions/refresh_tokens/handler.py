"""POST /auth/refresh - a refresh token -> new access and id tokens."""

from __future__ import annotations

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.identity_views import fields, token_view


def refresh(request: ApiRequest, portal: Portal) -> ApiResponse:
    given = fields(request.json_object(), {"refreshToken": (1, 8192)})
    tokens = portal.directory.refresh(given["refreshToken"])
    return json_response(200, token_view(tokens), {"Cache-Control": "no-store"})


handler = api_function(refresh)
