"""POST /keys - an admin creates an API key for a team's service; the secret is shown once."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.identity_views import fields

logger = Logger()


def create_api_key(request: ApiRequest, portal: Portal) -> ApiResponse:
    caller = request.caller
    require(caller, "keys:manage")
    given = fields(request.json_object(), {"team": (1, 63), "name": (1, 128)})
    issued = portal.api_keys.create(team=given["team"], name=given["name"])
    logger.info("api key created", key_id=issued.key.key_id, team=issued.key.team, by=caller.subject)
    return json_response(201, {**issued.key.view(), "secret": issued.secret}, {"Cache-Control": "no-store"})


handler = api_function(create_api_key)
