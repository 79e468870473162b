"""GET /teams/{team}/subscriptions - the team's subscriptions, oldest first."""

from __future__ import annotations

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.notify_views import subscription_team, subscription_view


def list_subscriptions(request: ApiRequest, portal: Portal) -> ApiResponse:
    team = subscription_team(request, portal)
    items = [subscription_view(s) for s in portal.subscriptions.of_team(team)]
    return json_response(200, {"items": items}, {"Cache-Control": "no-store"})


handler = api_function(list_subscriptions)
