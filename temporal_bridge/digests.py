"""NotificationDigestWorkflow: the daily digest (devportal.notify.digest) - once a day from the
deployment's digest schedule (`<analytics task queue>-digest`, temporal_bridge.schedules), it
plans the subscriptions with deliveries waiting for a digest, then sends one digest to each: an
activity per subscription, a few at a time, so the Web UI shows who was sent what and a failure
is retried for that subscription alone. Each digest then goes through the notify state machine as
any delivery does (render, send, retry, record).

The run's start (`workflow.now()`) bounds what it tells and names its digests, so a retried
activity sends the same digest, never a second one."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from temporalio import activity, workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from aws_lambda_powertools import Logger

    from devportal.notify.digest import Digests
    from temporal_bridge.activities import blocking

logger = Logger(service="analytics-worker")

_RETRIED = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_interval=timedelta(minutes=1))
AT_ONCE = 8  # digests sent side by side


@dataclass(frozen=True)
class DigestRun:
    """What the schedule starts the workflow with; nothing to choose today."""


@dataclass(frozen=True)
class DigestPlan:
    waiting: list[tuple[str, str]]  # (team, subscription id)


@dataclass(frozen=True)
class DigestOf:
    team: str
    subscription_id: str
    until: datetime


@dataclass(frozen=True)
class DigestOutcome:
    subscription_id: str
    digest_id: str | None
    notices: int
    why: str = ""


@dataclass(frozen=True)
class DigestResult:
    until: datetime
    sent: list[DigestOutcome] = field(default_factory=list)


class DigestActivities:
    def __init__(self, digests: Digests) -> None:
        self._digests = digests

    @activity.defn(name="plan_digests")
    async def plan(self, _: DigestRun) -> DigestPlan:
        waiting = await blocking(self._digests.plan)
        logger.info("digests planned", extra={"subscriptions": len(waiting)})
        return DigestPlan(waiting)

    @activity.defn(name="send_digest")
    async def send(self, request: DigestOf) -> DigestOutcome:
        sent = await blocking(partial(self._digests.send, request.team, request.subscription_id, request.until))
        logger.info(
            "digest sent" if sent.digest_id else "no digest",
            extra={
                "team": request.team,
                "subscription_id": request.subscription_id,
                "digest_id": sent.digest_id,
                "notices": sent.items,
                "why": sent.why,
            },
        )
        return DigestOutcome(request.subscription_id, sent.digest_id, sent.items, sent.why)


@workflow.defn
class NotificationDigestWorkflow:
    def __init__(self) -> None:
        self._planned = 0
        self._done = 0

    @workflow.query
    def progress(self) -> dict[str, Any]:
        return {"subscriptions": self._planned, "done": self._done}

    @workflow.run
    async def run(self, run: DigestRun) -> DigestResult:
        until = workflow.now()
        plan = await workflow.execute_activity_method(
            DigestActivities.plan, run, start_to_close_timeout=timedelta(minutes=2), retry_policy=_RETRIED
        )
        self._planned = len(plan.waiting)
        sent: list[DigestOutcome] = []
        for start in range(0, len(plan.waiting), AT_ONCE):
            batch = plan.waiting[start : start + AT_ONCE]
            sent += await asyncio.gather(
                *(
                    workflow.execute_activity_method(
                        DigestActivities.send,
                        DigestOf(team, subscription_id, until),
                        start_to_close_timeout=timedelta(minutes=2),
                        retry_policy=_RETRIED,
                    )
                    for team, subscription_id in batch
                )
            )
            self._done += len(batch)
        return DigestResult(until, sent)
