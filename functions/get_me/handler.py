"""GET /me - the caller's profile."""

from __future__ import annotations

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.identity_views import profile_of


def get_me(request: ApiRequest, portal: Portal) -> ApiResponse:
    return json_response(200, profile_of(portal, request.caller).view())


handler = api_function(get_me)
