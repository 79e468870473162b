"""POST /auth/login - e-mail and password -> access, id and refresh tokens, and who signed in.

`refreshTokenDelivery: cookie` is the browser's sign-in: only the access token comes back in the
body; the refresh and device tokens go into HttpOnly cookies (devportal.identity.session)."""

from __future__ import annotations

from datetime import UTC, datetime

from aws_lambda_powertools import Logger

from devportal.errors import FieldError, InvalidParameter
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.attempts import DEVICE_TOKEN
from devportal.identity.session import DEVICE_COOKIE, device_cookie, on_loopback, refresh_cookie
from devportal.identity.users import check_email
from devportal.wiring import Portal
from events.envelope import new_event
from events.identity import UserSignedIn
from functions.entrypoints import api_function
from functions.identity_views import fields, profile_of, token_view

logger = Logger()


DELIVERIES = ("body", "cookie")


def login(request: ApiRequest, portal: Portal) -> ApiResponse:
    given = fields(
        request.json_object(),
        {"email": (3, 320), "password": (8, 256)},
        {"deviceToken": (1, 64), "refreshTokenDelivery": (1, 16)},
    )
    email = check_email(given["email"])
    delivery = given.get("refreshTokenDelivery", "body")
    if delivery not in DELIVERIES:
        raise InvalidParameter(
            "`refreshTokenDelivery` is `body` (the default: every token in the answer) or `cookie` (a browser's "
            "sign-in: the refresh token in an HttpOnly cookie).",
            [FieldError(detail="must be body or cookie", pointer="/refreshTokenDelivery")],
        )
    device_token = given.get("deviceToken")
    if device_token is None and delivery == "cookie":
        remembered = request.cookie(DEVICE_COOKIE)
        device_token = remembered if remembered and DEVICE_TOKEN.fullmatch(remembered) else None
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
    if delivery == "cookie":
        secure = not on_loopback(request.host)
        body = {**token_view(tokens, browser=True), "user": profile.view()}
        response = json_response(200, body, {"Cache-Control": "no-store"})
        response.cookies = [device_cookie(signed_in.device_token, secure=secure)]
        if tokens.refresh_token is not None:
            response.cookies.append(refresh_cookie(tokens.refresh_token, secure=secure))
        return response
    body = {**token_view(tokens), "deviceToken": signed_in.device_token, "user": profile.view()}
    return json_response(200, body, {"Cache-Control": "no-store"})


handler = api_function(login)
