"""POST /auth/logout - the caller's refresh tokens stop working (Cognito GlobalSignOut)."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from devportal.http import ApiRequest, ApiResponse
from devportal.identity.tokens import bearer_token
from devportal.wiring import Portal
from functions.entrypoints import api_function

logger = Logger()


def logout(request: ApiRequest, portal: Portal) -> ApiResponse:
    caller = request.caller
    portal.directory.sign_out(bearer_token(request.headers.get("authorization")))
    logger.info("signed out", user_id=caller.subject)
    return ApiResponse(204, b"", {"Cache-Control": "no-store"})


handler = api_function(logout)
