"""GET /me - the caller's profile."""

from __future__ import annotations

from devportal.entrypoints import api_function
from devportal.http import ApiRequest, ApiResponse, json_response
from functions.identity_views import profile_of


def get_me(request: ApiRequest) -> ApiResponse:
    return json_response(200, profile_of(request.caller).view())


handler = api_function(get_me)
