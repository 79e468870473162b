"""POST /teams/{team}/subscriptions - a webhook URL or an e-mail address subscribed to kinds of
event about the team's APIs; a developer of the team or an admin."""

from __future__ import annotations

from urllib.parse import quote

from aws_lambda_powertools import Logger

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.notify.subscriptions import read_new
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.identity_views import profile_of
from functions.notify_views import ensure_digests, subscription_team, subscription_view

logger = Logger()


def create_subscription(request: ApiRequest, portal: Portal) -> ApiResponse:
    team = subscription_team(request, portal)
    wanted = read_new(request.json_object())
    ensure_digests(portal, wanted.digest)
    created = portal.subscriptions.create(team, wanted, profile_of(portal, request.caller).email)
    subscription = created.subscription
    logger.info(
        "subscription created",
        team=team,
        subscription_id=subscription.subscription_id,
        channel=subscription.channel,
        events=list(subscription.events),
    )
    view = subscription_view(subscription)
    if created.secret is not None:
        view["secret"] = created.secret
    location = request.url(f"/teams/{quote(team)}/subscriptions/{subscription.subscription_id}")
    return json_response(201, view, {"Location": location, "Cache-Control": "no-store"})


handler = api_function(create_subscription)
