"""POST /teams/{team}/subscriptions/{subscriptionId}/deliveries/{deliveryId}/redeliver."""

from __future__ import annotations

import re

from aws_lambda_powertools import Logger

from devportal.errors import FieldError, InvalidParameter
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.notify.manage import check_subscription_id
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.notify_views import delivery_view, subscription_team

logger = Logger()
_DELIVERY_ID = re.compile(r"^msg_[0-9a-f]{26}$")


def redeliver_notification(request: ApiRequest, portal: Portal) -> ApiResponse:
    team = subscription_team(request, portal)
    subscription_id = check_subscription_id(request.path_parameters.get("subscriptionId", ""))
    delivery_id = request.path_parameters.get("deliveryId", "")
    if not _DELIVERY_ID.fullmatch(delivery_id):
        raise InvalidParameter(
            "`deliveryId` is not a delivery id (msg_ and 26 hex digits).",
            [FieldError(detail="invalid format", parameter="deliveryId")],
        )
    again = portal.notify.redeliver(team, subscription_id, delivery_id)
    logger.info("redelivery started", team=team, delivery_id=delivery_id, round=again.rounds)
    return json_response(202, delivery_view(again), {"Cache-Control": "no-store"})


handler = api_function(redeliver_notification)
