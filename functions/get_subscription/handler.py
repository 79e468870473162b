"""GET /teams/{team}/subscriptions/{subscriptionId}."""

from __future__ import annotations

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.notify_views import subscription_team, subscription_view


def get_subscription(request: ApiRequest, portal: Portal) -> ApiResponse:
    team = subscription_team(request, portal)
    subscription = portal.subscriptions.get(team, request.path_parameters.get("subscriptionId", ""))
    return json_response(200, subscription_view(subscription), {"Cache-Control": "no-store"})


handler = api_function(get_subscription)
