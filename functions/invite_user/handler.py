"""POST /users - an admin invites a user: account, role group, profile. A generated password is
returned once."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.identity.pool import MAX_PASSWORD_CHARS
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.identity_views import fields

logger = Logger()


def invite_user(request: ApiRequest, portal: Portal) -> ApiResponse:
    caller = request.caller
    require(caller, "users:manage")
    given = fields(
        request.json_object(),
        {"email": (1, 320), "role": (1, 16), "team": (1, 63)},
        {"name": (1, 128), "password": (8, MAX_PASSWORD_CHARS)},
    )
    invited = portal.invite_user(**given)
    logger.info("user invited", user_id=invited.profile.user_id, role=invited.profile.role, by=caller.subject)
    view: dict[str, Any] = {"user": invited.profile.view()}
    if invited.generated:
        view["password"] = invited.password
    return json_response(201, view, {"Cache-Control": "no-store"})


handler = api_function(invite_user)
