"""PATCH /teams/{team}/subscriptions/{subscriptionId} - events, APIs, digest, description, paused."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.notify.subscriptions import read_changes
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.notify_views import ensure_digests, subscription_team, subscription_view

logger = Logger()


def update_subscription(request: ApiRequest, portal: Portal) -> ApiResponse:
    team = subscription_team(request, portal)
    changes = read_changes(request.json_object())
    ensure_digests(portal, changes.digest)
    changed = portal.subscriptions.change(team, request.path_parameters.get("subscriptionId", ""), changes)
    logger.info("subscription changed", team=team, subscription_id=changed.subscription_id, status=changed.status)
    return json_response(200, subscription_view(changed), {"Cache-Control": "no-store"})


handler = api_function(update_subscription)
