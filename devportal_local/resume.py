"""Deliveries a restart left behind. moto keeps no Step Functions executions across a restart of
`devportal up`, so a delivery whose round was running when the stack stopped would stay `pending`
for ever; the pollers process starts each such round again once its Lambda endpoint is up. (In
AWS executions are durable and nothing like this runs.)"""

from __future__ import annotations

import logging
from typing import Any

from devportal import wiring
from devportal.names import ResourceNames

log = logging.getLogger("devportal.resume")


def pending_deliveries(names: ResourceNames) -> list[tuple[str, str]]:
    """(subscription id, delivery id) of every pending delivery in the local table (a Scan: the
    local table is small, and this runs once per start)."""
    import boto3

    client = boto3.client("dynamodb")
    found: list[tuple[str, str]] = []
    start: dict[str, Any] | None = None
    while True:
        page = client.scan(
            TableName=names.table,
            FilterExpression="begins_with(SK, :delivery) AND #status = :pending",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":delivery": {"S": "DELIVERY#"}, ":pending": {"S": "pending"}},
            ProjectionExpression="subscriptionId, deliveryId",
            **({"ExclusiveStartKey": start} if start else {}),  # type: ignore[arg-type]
        )
        found += [(i["subscriptionId"]["S"], i["deliveryId"]["S"]) for i in page.get("Items", [])]
        start = page.get("LastEvaluatedKey")
        if not start:
            return found


def resume_pending_deliveries(names: ResourceNames) -> int:
    """Start the round of each pending delivery again; how many were started."""
    notify = wiring.portal().notify
    started = 0
    for subscription_id, delivery_id in pending_deliveries(names):
        try:
            started += notify.resume(subscription_id, delivery_id)
        except Exception:  # one that cannot start is left as it was; the others go on
            log.exception("delivery %s could not be resumed", delivery_id)
    if started:
        log.info("resumed %d delivery round(s) the last stop interrupted", started)
    return started
