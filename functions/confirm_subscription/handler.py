"""POST /subscriptions/confirmations - open to whoever holds the token the confirmation link carries."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from pydantic import Field, ValidationError

from devportal.bodies import JsonBody, invalid_body
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.wiring import Portal
from functions.entrypoints import api_function

logger = Logger()


class Confirmation(JsonBody):
    token: str = Field(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")


def confirm_subscription(request: ApiRequest, portal: Portal) -> ApiResponse:
    try:
        given = Confirmation.model_validate(request.json_object())
    except ValidationError as error:
        raise invalid_body("The confirmation's members", error) from None
    confirmed = portal.subscriptions.confirm(given.token)
    logger.info("e-mail subscription confirmed", team=confirmed.team, subscription_id=confirmed.subscription_id)
    view = {
        "subscriptionId": confirmed.subscription_id,
        "team": confirmed.team,
        "email": confirmed.target,
        "events": list(confirmed.events),
    }
    return json_response(200, view, {"Cache-Control": "no-store"})


handler = api_function(confirm_subscription)
