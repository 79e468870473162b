"""POST /auth/login - e-mail and password -> access, id and refresh tokens, and who signed in."""

from __future__ import annotations

from datetime import UTC, datetime

from aws_lambda_powertools import Logger

from devportal.errors import FieldError, InvalidParameter
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.attempts import DEVICE_TOKEN
from devportal.identity.users import check_email
from devportal.wiring import Portal
from events.envelope import new_event
from events.identity import UserSignedIn
from functions.entrypoints import api_function
from functions.identity_views import fields, profile_of, token_view

logger = Logger()


def login(request: ApiRequest, portal: Portal) -> ApiResponse:
    given = fields(request.json_object(), {"email": (3, 320), "password": (8, 256)}, {"deviceToken": (1, 64)})
    email = check_email(given["email"])
    device_token = given.get("deviceToken")
    if device_token is not None and not DEVICE_TOKEN.fullmatch(device_token):
        raise InvalidParameter(
            "`deviceToken` is not one this portal issues: send the deviceToken of an earlier sign-in, or none.",
            [FieldError(detail="not a device token", pointer="/deviceToken")],
        )
    signed_in = portal.sign_in(email, given["password"], client=request.source_ip, device_token=device_token)
    tokens = signed_in.tokens
    caller = portal.token_verifier.verify(tokens.access_token)
    profile = profile_of(portal, caller)
    portal.publisher.publish(
        [
            new_event(
                UserSignedIn(user_id=caller.subject, signed_in_at=datetime.now(UTC)),
                correlation_id=request.correlation_id,
                producer="functions/login",
            )
        ]
    )
    logger.info("signed in", user_id=caller.subject, role=caller.role)
    body = {**token_view(tokens), "deviceToken": signed_in.device_token, "user": profile.view()}
    return json_response(200, body, {"Cache-Control": "no-store"})


handler = api_function(login)
