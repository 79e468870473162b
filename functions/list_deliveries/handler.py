"""GET /teams/{team}/subscriptions/{subscriptionId}/deliveries - newest first, each with its attempts."""

from __future__ import annotations

from devportal.errors import FieldError, InvalidParameter
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.notify_views import delivery_view, subscription_team

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_CURSOR = 1024


def list_deliveries(request: ApiRequest, portal: Portal) -> ApiResponse:
    team = subscription_team(request, portal)
    subscription = portal.subscriptions.get(team, request.path_parameters.get("subscriptionId", ""))
    limit = request.page_limit(DEFAULT_LIMIT, MAX_LIMIT)
    cursor = request.query_param("cursor")
    if cursor is not None and not 1 <= len(cursor) <= MAX_CURSOR:
        raise InvalidParameter(
            f"`cursor` is at most {MAX_CURSOR} characters: pass the `nextCursor` of the previous page.",
            [FieldError(detail="too long", parameter="cursor")],
        )
    deliveries, next_cursor = portal.delivery_store.page(subscription.subscription_id, limit, cursor)
    page: dict[str, object] = {"items": [delivery_view(d) for d in deliveries]}
    if next_cursor is not None:
        page["nextCursor"] = next_cursor
    return json_response(200, page, {"Cache-Control": "no-store"})


handler = api_function(list_deliveries)
