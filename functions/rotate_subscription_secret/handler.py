"""POST /teams/{team}/subscriptions/{subscriptionId}/secret."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.notify_views import subscription_team, subscription_view

logger = Logger()


def rotate_subscription_secret(request: ApiRequest, portal: Portal) -> ApiResponse:
    team = subscription_team(request, portal)
    rotated = portal.subscriptions.rotate_secret(team, request.path_parameters.get("subscriptionId", ""))
    logger.info("webhook secret rotated", team=team, subscription_id=rotated.subscription.subscription_id)
    return json_response(
        200, {**subscription_view(rotated.subscription), "secret": rotated.secret}, {"Cache-Control": "no-store"}
    )


handler = api_function(rotate_subscription_secret)
