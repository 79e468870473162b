"""POST /auth/logout - the caller's refresh tokens stop working (Cognito GlobalSignOut), and a
browser's session cookie is cleared."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from devportal.http import ApiRequest, ApiResponse
from devportal.identity.session import cleared_refresh_cookie, on_loopback
from devportal.identity.tokens import bearer_token
from devportal.wiring import Portal
from functions.entrypoints import api_function

logger = Logger()


def logout(request: ApiRequest, portal: Portal) -> ApiResponse:
    caller = request.caller
    portal.directory.sign_out(bearer_token(request.headers.get("authorization")))
    logger.info("signed out", user_id=caller.subject)
    return ApiResponse(
        204, b"", {"Cache-Control": "no-store"}, cookies=[cleared_refresh_cookie(secure=not on_loopback(request.host))]
    )


handler = api_function(logout)
