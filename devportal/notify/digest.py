"""The daily digest: what a subscription chose to hear once a day, told in one delivery.

The notifier keeps a delivery of a digested kind as `digested` rather than sending it. Once a day
the digest's Temporal schedule (temporal_bridge.digests) runs: `plan` names the subscriptions with
deliveries waiting, and `send` makes each one digest - a delivery of kind `digest` listing the
deliveries it tells - and starts the notify state machine's execution for it, so a digest is
rendered, signed, retried, recorded and redelivered as any delivery is.

At-least-once, never twice: a digest's id comes from its subscription and the run's start
(`until`), so a retried `send` finds the digest it kept and goes on from there; the deliveries it
tells are marked with its id (they leave the waiting index) before its execution starts, and the
execution's name is the digest's id. A run that starts later sends what arrived since."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from devportal.notify.deliver import start_round
from devportal.notify.ports import DeliveryStore, Executions, SubscriptionStore
from devportal.notify.subscriptions import DIGEST, Delivery, digest_id_for

MAX_DIGEST_ITEMS = 500  # told in one digest; more wait for the next one
MAX_SUBSCRIPTIONS_PER_RUN = 5000


@dataclass(frozen=True)
class DigestSent:
    """What `send` did for one subscription."""

    digest_id: str | None  # None: nothing to send (nothing waiting, or the subscription is gone or paused)
    items: int = 0
    started: bool = False
    why: str = ""


@dataclass
class Digests:
    subscriptions: SubscriptionStore
    deliveries: DeliveryStore
    executions: Executions
    now: Callable[[], datetime]

    def plan(self, limit: int = MAX_SUBSCRIPTIONS_PER_RUN) -> list[tuple[str, str]]:
        """(team, subscription id) of every subscription with deliveries waiting for a digest."""
        return self.deliveries.waiting_subscriptions(limit)

    def send(self, team: str, subscription_id: str, until: datetime) -> DigestSent:
        """One digest of what the subscription was kept before `until`; idempotent."""
        digest_id = digest_id_for(subscription_id, until)
        digest = self.deliveries.get(subscription_id, digest_id)
        subscription = self.subscriptions.get(team, subscription_id)
        if digest is None:
            if subscription is None:  # what it kept is told to nobody: it waits no more
                gone = self.deliveries.waiting(subscription_id, until, MAX_DIGEST_ITEMS)
                self.deliveries.include(subscription_id, [delivery.delivery_id for delivery in gone], "")
                return DigestSent(None, why="the subscription was deleted")
            if subscription.status != "active":  # they wait for it to be resumed
                return DigestSent(None, why=f"the subscription is {subscription.status}")
            waiting = self.deliveries.waiting(subscription_id, until, MAX_DIGEST_ITEMS)
            if not waiting:
                return DigestSent(None, why="nothing waits for a digest")
            digest = self._digest(digest_id, subscription_id, team, until, waiting)
            if not self.deliveries.create(digest):  # kept by an earlier try of this send
                digest = self.deliveries.get(subscription_id, digest_id) or digest
        self.deliveries.include(subscription_id, list(digest.items), digest_id)
        if subscription is None:
            return DigestSent(digest_id, len(digest.items), why="the subscription was deleted")
        started = start_round(self.executions, digest, subscription, 1)
        return DigestSent(digest_id, len(digest.items), started)

    def _digest(
        self, digest_id: str, subscription_id: str, team: str, until: datetime, waiting: list[Delivery]
    ) -> Delivery:
        return Delivery(
            delivery_id=digest_id,
            subscription_id=subscription_id,
            team=team,
            kind=DIGEST,
            api_id="",
            event_id=digest_id,
            created_at=self.now(),
            status="pending",
            items=tuple(delivery.delivery_id for delivery in waiting),
            event=json.dumps({"until": until.isoformat(), "items": len(waiting)}),
        )
