"""POST /auth/logout - the caller's refresh tokens stop working (Cognito GlobalSignOut)."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from devportal import wiring
from devportal.entrypoints import api_function
from devportal.http import ApiRequest, ApiResponse

logger = Logger()


def logout(request: ApiRequest) -> ApiResponse:
    caller = request.caller
    token = request.headers.get("authorization", "")
    wiring.directory().sign_out(token[7:].strip() if token[:7].lower() == "bearer " else token.strip())
    logger.info("signed out", user_id=caller.subject)
    return ApiResponse(204, b"", {"Cache-Control": "no-store"})


handler = api_function(logout)
