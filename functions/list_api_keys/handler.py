"""GET /keys?team= - a team's API keys, without secrets."""

from __future__ import annotations

from devportal import wiring
from devportal.entrypoints import api_function
from devportal.errors import FieldError, InvalidParameter
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require


def list_api_keys(request: ApiRequest) -> ApiResponse:
    require(request.caller, "keys:manage")
    team = request.query.get("team")
    if not team:
        raise InvalidParameter(
            "Name the team in the `team` query parameter.", [FieldError("required", parameter="team")]
        )
    return json_response(200, {"items": [key.view() for key in wiring.api_keys().list(team)]})


handler = api_function(list_api_keys)
