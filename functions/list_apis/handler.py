"""GET /apis - the catalog, a page at a time."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths

from devportal import wiring
from devportal.errors import FieldError, InvalidParameter
from devportal.http import ApiRequest, ApiResponse, http_handler, json_response
from devportal.specs.openapi import check_team
from functions.views import catalog_view

logger = Logger()

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def list_apis(request: ApiRequest) -> ApiResponse:
    raw_limit = request.query.get("limit", str(DEFAULT_LIMIT))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise InvalidParameter(
            f"`limit` must be an integer from 1 to {MAX_LIMIT}.",
            [FieldError(detail="invalid", parameter="limit")],
        )
    owner = request.query.get("owner")
    page = wiring.registry().list_catalog(
        limit=int(raw_limit),
        cursor=request.query.get("cursor"),
        owner=check_team(owner) if owner else None,
    )
    return json_response(
        200,
        {"items": [catalog_view(request, e) for e in page.entries], "nextCursor": page.next_cursor},
    )


_route = http_handler(list_apis)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return _route(event, context)
