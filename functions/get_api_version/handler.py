"""GET /apis/{apiId}/versions/{version} - one registered version."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths

from devportal import wiring
from devportal.errors import NotFound
from devportal.http import ApiRequest, ApiResponse, http_handler, json_response
from devportal.specs.openapi import check_api_id, check_version
from functions.views import version_view

logger = Logger()


def get_api_version(request: ApiRequest) -> ApiResponse:
    api_id = check_api_id(request.path_parameters.get("apiId", ""))
    version = check_version(request.path_parameters.get("version", ""))
    record = wiring.registry().get_version(api_id, version)
    if record is None:
        raise NotFound(f"{api_id} has no registered version {version!r}.")
    return json_response(200, version_view(request, record))


_route = http_handler(get_api_version)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return _route(event, context)
