"""POST /users - an admin invites a user: account, role group, profile. A generated password is
returned once."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from devportal import wiring
from devportal.entrypoints import api_function
from devportal.errors import FieldError, InvalidParameter
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require

logger = Logger()
_FIELDS = {"email": 320, "role": 16, "team": 63, "name": 128, "password": 256}
_REQUIRED = ("email", "role", "team")


def invite_user(request: ApiRequest) -> ApiResponse:
    caller = request.caller
    require(caller, "users:manage")
    body = request.json_object()
    problems = [FieldError(detail="unknown field", pointer=f"/{name}") for name in body if name not in _FIELDS]
    problems += [FieldError(detail="required", pointer=f"/{name}") for name in _REQUIRED if name not in body]
    given: dict[str, Any] = {}
    for name, longest in _FIELDS.items():
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or not 0 < len(value) <= longest:
            problems.append(FieldError(detail=f"must be a string of 1 to {longest} characters", pointer=f"/{name}"))
        else:
            given[name] = value
    if problems:
        raise InvalidParameter("The request body is not what this operation takes.", problems)
    invited = wiring.invite_user()(**given)
    logger.info("user invited", user_id=invited.profile.user_id, role=invited.profile.role, by=caller.subject)
    view: dict[str, Any] = {"user": invited.profile.view()}
    if invited.generated:
        view["password"] = invited.password
    return json_response(201, view, {"Cache-Control": "no-store"})


handler = api_function(invite_user)
