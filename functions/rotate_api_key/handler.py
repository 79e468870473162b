"""POST /keys/{keyId}/rotate - a new secret; the old one keeps working for the grace period."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.wiring import Portal
from functions.entrypoints import api_function

logger = Logger()


def rotate_api_key(request: ApiRequest, portal: Portal) -> ApiResponse:
    caller = request.caller
    require(caller, "keys:manage")
    old_id = request.path_parameters.get("keyId", "")
    issued = portal.api_keys.rotate(old_id)
    logger.info("api key rotated", key_id=old_id, replaced_by=issued.key.key_id, by=caller.subject)
    return json_response(201, {**issued.key.view(), "secret": issued.secret}, {"Cache-Control": "no-store"})


handler = api_function(rotate_api_key)
