"""GET /keys?team= - a team's API keys, without secrets."""

from __future__ import annotations

from devportal.errors import FieldError, InvalidParameter
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.wiring import Portal
from functions.entrypoints import api_function


def list_api_keys(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "keys:manage")
    team = request.query_param("team")
    if team is None:
        raise InvalidParameter(
            "Name the team in the `team` query parameter.", [FieldError("required", parameter="team")]
        )
    return json_response(200, {"items": [key.view() for key in portal.api_keys.list(team)]})


handler = api_function(list_api_keys)
