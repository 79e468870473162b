"""POST /auth/login - e-mail and password -> access, id and refresh tokens, and who signed in."""

from __future__ import annotations

from datetime import UTC, datetime

from aws_lambda_powertools import Logger

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.users import check_email
from devportal.wiring import Portal
from events.envelope import new_event
from events.identity import UserSignedIn
from functions.entrypoints import api_function
from functions.identity_views import fields, profile_of, token_view

logger = Logger()


def login(request: ApiRequest, portal: Portal) -> ApiResponse:
    given = fields(request.json_object(), {"email": (3, 320), "password": (8, 256)})
    email = check_email(given["email"])
    tokens = portal.sign_in(email, given["password"])
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
    return json_response(200, {**token_view(tokens), "user": profile.view()}, {"Cache-Control": "no-store"})


handler = api_function(login)
