"""POST /auth/logout - the caller's refresh tokens stop working (Cognito GlobalSignOut)."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from devportal import wiring
from devportal.entrypoints import api_function
from devportal.http import ApiRequest, ApiResponse
from devportal.identity.tokens import bearer_token

logger = Logger()


def logout(request: ApiRequest) -> ApiResponse:
    caller = request.caller
    wiring.directory().sign_out(bearer_token(request.headers.get("authorization")))
    logger.info("signed out", user_id=caller.subject)
    return ApiResponse(204, b"", {"Cache-Control": "no-store"})


handler = api_function(logout)
