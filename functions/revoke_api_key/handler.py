"""DELETE /keys/{keyId} - the key stops working at once."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from devportal.http import ApiRequest, ApiResponse
from devportal.identity.access import require
from devportal.wiring import Portal
from functions.entrypoints import api_function

logger = Logger()


def revoke_api_key(request: ApiRequest, portal: Portal) -> ApiResponse:
    caller = request.caller
    require(caller, "keys:manage")
    key = portal.api_keys.revoke(request.path_parameters.get("keyId", ""))
    logger.info("api key revoked", key_id=key.key_id, by=caller.subject)
    return ApiResponse(204, b"")


handler = api_function(revoke_api_key)
