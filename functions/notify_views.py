"""Subscriptions and deliveries as the gateway contract shows them, and the team a subscription
route names (for a developer of that team or an admin)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_lambda_powertools import Logger

from devportal.http import ApiRequest
from devportal.identity.access import require_team_member
from devportal.notify.kinds import BY_NAME
from devportal.notify.subscriptions import DIGEST, Delivery, Subscription
from devportal.specs.openapi import check_team
from devportal.wiring import Portal
from functions.identity_views import profile_of
from functions.views import wire_time
from temporal_bridge.schedules import digest_schedule_id, ensure_digest_schedule

logger = Logger()


def subscription_team(request: ApiRequest, portal: Portal) -> str:
    team = check_team(request.path_parameters.get("team", ""), parameter="team")
    require_team_member(request.caller, profile_of(portal, request.caller), team)
    return team


def subscription_view(subscription: Subscription) -> dict[str, Any]:
    return {
        "subscriptionId": subscription.subscription_id,
        "team": subscription.team,
        "channel": subscription.channel,
        ("webhookUrl" if subscription.channel == "webhook" else "email"): subscription.target,
        "events": list(subscription.events),
        "apis": list(subscription.apis),
        "digest": list(subscription.digest),
        "status": subscription.status,
        "createdBy": subscription.created_by,
        "createdAt": wire_time(subscription.created_at),
        "updatedAt": wire_time(subscription.updated_at),
        "description": subscription.description,
    }


def delivery_view(delivery: Delivery) -> dict[str, Any]:
    view: dict[str, Any] = {
        "deliveryId": delivery.delivery_id,
        "subscriptionId": delivery.subscription_id,
        "kind": delivery.kind,
        **({"apiId": delivery.api_id} if delivery.api_id else {}),
        **({"notices": len(delivery.items)} if delivery.kind == DIGEST else {}),
        **({"digestId": delivery.digest_id} if delivery.digest_id else {}),
        "eventId": delivery.event_id,
        "createdAt": wire_time(delivery.created_at),
        "status": delivery.status,
        "rounds": delivery.rounds,
        "attempts": [
            {
                "at": wire_time(attempt.at),
                "outcome": attempt.outcome,
                "status": attempt.status,
                "latencyMs": attempt.latency_ms,
                "detail": attempt.detail,
            }
            for attempt in delivery.attempts
        ],
    }
    return view


def ensure_digests(portal: Portal, digest: Sequence[str] | None) -> None:
    """A subscription that asks for a daily digest needs the digest's schedule: made before the
    subscription is kept (an unreachable Temporal refuses the request; nothing half-done)."""
    if not any(BY_NAME[kind].digestible for kind in digest or ()):
        return  # nothing that can be digested: the request is refused further on, or has no digest
    queue = portal.analytics_task_queue
    if portal.temporal.run(lambda client: ensure_digest_schedule(client, queue)):
        logger.info("daily digest schedule created", schedule_id=digest_schedule_id(queue))
