"""DELETE /teams/{team}/subscriptions/{subscriptionId}."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from devportal.http import ApiRequest, ApiResponse
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.notify_views import subscription_team

logger = Logger()


def delete_subscription(request: ApiRequest, portal: Portal) -> ApiResponse:
    team = subscription_team(request, portal)
    subscription_id = request.path_parameters.get("subscriptionId", "")
    portal.subscriptions.delete(team, subscription_id)
    logger.info("subscription deleted", team=team, subscription_id=subscription_id)
    return ApiResponse(204, headers={"Cache-Control": "no-store"})


handler = api_function(delete_subscription)
