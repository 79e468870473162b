"""Delivering events to subscriptions: what the notifier, the state machine's tasks and the
redeliver route do.

One delivery per (event, subscription), its id derived from both: the notifier keeps it before it
starts the state machine's execution of the same name, so an event seen twice delivers once. The
state machine (state_machines/notify.asl.json) renders, sends - SES for e-mail, `SendWebhook` for
webhooks - and retries what may succeed later (timeouts, 429, 5xx) with backoff and jitter; what
cannot (other 4xx, a refused address) fails at once. Every webhook attempt is recorded as it
happens; a delivery that fails for good is marked failed, announced (`NotificationFailed`) and its
event put on the failed-deliveries queue, whose redrive - or the gateway - delivers it again."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

import orjson

from devportal.errors import NotFound, StateConflict
from devportal.notify.kinds import BY_NAME
from devportal.notify.ports import DeliveryStore, Executions, SigningSecrets, SubscriptionStore, WebhookPoster
from devportal.notify.signing import signed_headers
from devportal.notify.subscriptions import (
    DIGEST,
    Addressed,
    Attempt,
    Delivery,
    Subscription,
    addressed,
    delivery_id_for,
    execution_name,
)
from devportal.registry.ports import EventPublisher
from events.envelope import Envelope, new_event
from events.notify import NotificationFailed
from events.parsing import parse_event

log = logging.getLogger("devportal.notify")

MAX_PAYLOAD_BYTES = 64 * 1024  # a webhook body; lists are cut to fit (the portal has the rest)
USER_AGENT = "devportal-webhooks/1"
MAX_DIGEST_LINES = 100  # notices listed in a digest's e-mail; the team's page has them all
REDELIVER = "redeliver"  # a failed-deliveries message that names a delivery rather than carrying an event


class RetryableDelivery(Exception):
    """The receiver may take it later: a timeout, no connection, 429 or 5xx."""


class DeliveryRefused(Exception):
    """The receiver (or the address policy) refused it: retrying would not help."""


def retryable(status: int) -> bool:
    return status == 429 or status >= 500


@dataclass(frozen=True)
class Step:
    """What the state machine hands each task: which delivery, which round of it."""

    delivery_id: str
    subscription_id: str
    team: str
    channel: Literal["webhook", "email"]
    round: int

    @classmethod
    def of(cls, payload: dict[str, Any]) -> Step:
        return cls(
            str(payload["deliveryId"]),
            str(payload["subscriptionId"]),
            str(payload["team"]),
            "email" if payload["channel"] == "email" else "webhook",
            int(payload.get("round", 1)),
        )

    def payload(self) -> dict[str, Any]:
        return {
            "deliveryId": self.delivery_id,
            "subscriptionId": self.subscription_id,
            "team": self.team,
            "channel": self.channel,
            "round": self.round,
        }


@dataclass(frozen=True)
class Noticed:
    """What the notifier did with one event: deliveries started, already known, kept for a digest."""

    started: int = 0
    known: int = 0
    digested: int = 0


@dataclass
class Notify:
    subscriptions: SubscriptionStore
    deliveries: DeliveryStore
    executions: Executions
    owner: Callable[[str], str | None]
    now: Callable[[], datetime]

    def handle(self, body: str, only: str | None = None) -> Noticed:
        """An event as the notifier's queue holds it. `only`: a redriven failed delivery names its
        subscription; that one is delivered again if its delivery failed. A redriven digest names
        itself (`{"redeliver": {...}}`): it has no event of its own."""
        named = _named_delivery(body)
        if named is not None:
            return self._redrive(*named)
        event = parse_event(body)
        target = addressed(event.data, event.detail_type, self.owner)
        if target is None:
            return Noticed()
        started = known = digested = 0
        for subscription in self.subscriptions.of_team(target.team):
            if only is not None and subscription.subscription_id != only:
                continue
            if only is None and not subscription.wants(target.kind, target.api_id):
                continue
            if (
                isinstance(event.data, NotificationFailed)
                and event.data.subscription_id == subscription.subscription_id
            ):
                continue  # a receiver that failed is not told of it through itself
            delivery = self._delivery(event, body, target, subscription)
            if self.deliveries.create(delivery):
                if delivery.status == "digested":
                    digested += 1
                    continue
                self._start(delivery, subscription, 1)
                started += 1
                continue
            kept = self.deliveries.get(subscription.subscription_id, delivery.delivery_id)
            if kept is None:  # deleted with its subscription meanwhile
                known += 1
            elif kept.status == "pending":  # kept, but its start may not have happened: start it (once)
                self._start(kept, subscription, kept.rounds)
                known += 1
            elif only is not None and kept.status == "failed" and subscription.status == "active":
                started += self._again(kept, subscription)
            else:
                known += 1
        return Noticed(started, known, digested)

    def redeliver(self, team: str, subscription_id: str, delivery_id: str) -> Delivery:
        """Deliver a failed (or delivered) delivery once more, as a new round."""
        subscription = self.subscriptions.get(team, subscription_id)
        delivery = self.deliveries.get(subscription_id, delivery_id) if subscription else None
        if subscription is None or delivery is None or delivery.team != team:
            raise NotFound(f"No delivery {delivery_id} of subscription {subscription_id}.")
        if delivery.status == "pending":
            raise StateConflict(f"Delivery {delivery_id} is still being delivered (round {delivery.rounds}).")
        if delivery.status == "digested" and delivery.digest_id:
            raise StateConflict(
                f"Delivery {delivery_id} was told in daily digest {delivery.digest_id}: deliver that digest again."
            )
        if delivery.status == "digested":
            raise StateConflict(f"Delivery {delivery_id} waits for the daily digest.")
        if subscription.status != "active":
            raise StateConflict(f"Subscription {subscription_id} is {subscription.status}: nothing is sent to it.")
        if not self._again(delivery, subscription):
            raise StateConflict(f"Delivery {delivery_id} was delivered again meanwhile.")
        return replace(delivery, status="pending", rounds=delivery.rounds + 1)

    def resume(self, subscription_id: str, delivery_id: str) -> bool:
        """Start a pending delivery's current round again, if its execution is gone (a local stack
        restarted: moto keeps no executions). Where the execution exists, nothing happens."""
        delivery = self.deliveries.get(subscription_id, delivery_id)
        subscription = self.subscriptions.get(delivery.team, subscription_id) if delivery else None
        if delivery is None or subscription is None or delivery.status != "pending":
            return False
        return start_round(self.executions, delivery, subscription, delivery.rounds)

    def _redrive(self, team: str, subscription_id: str, delivery_id: str) -> Noticed:
        subscription = self.subscriptions.get(team, subscription_id)
        delivery = self.deliveries.get(subscription_id, delivery_id) if subscription else None
        if subscription is None or delivery is None or delivery.status != "failed" or subscription.status != "active":
            return Noticed(known=1)  # gone, paused, or delivered again meanwhile
        return Noticed(started=self._again(delivery, subscription))

    def _again(self, delivery: Delivery, subscription: Subscription) -> int:
        if not self.deliveries.next_round(subscription.subscription_id, delivery.delivery_id, delivery.rounds):
            return 0
        self._start(delivery, subscription, delivery.rounds + 1)
        return 1

    def _delivery(self, event: Envelope[Any], body: str, target: Addressed, subscription: Subscription) -> Delivery:
        return Delivery(
            delivery_id=delivery_id_for(event.metadata.event_id, subscription.subscription_id),
            subscription_id=subscription.subscription_id,
            team=target.team,
            kind=target.kind,
            api_id=target.api_id,
            event_id=event.metadata.event_id,
            created_at=self.now(),
            status="digested" if subscription.digested(target.kind) else "pending",
            event=body,
        )

    def _start(self, delivery: Delivery, subscription: Subscription, round_number: int) -> None:
        start_round(self.executions, delivery, subscription, round_number)


def start_round(executions: Executions, delivery: Delivery, subscription: Subscription, round_number: int) -> bool:
    """Start the notify state machine's execution of a delivery's round, named after both; False
    when it exists already (the round was started before)."""
    step = Step(delivery.delivery_id, subscription.subscription_id, delivery.team, subscription.channel, round_number)
    started = executions.start(execution_name(delivery.delivery_id, round_number), step.payload())
    if not started:
        log.info("delivery %s round %d already started", delivery.delivery_id, round_number)
    return started


def _named_delivery(body: str) -> tuple[str, str, str] | None:
    if not body.startswith('{"redeliver"'):
        return None
    try:
        named = json.loads(body)[REDELIVER]
        return str(named["team"]), str(named["subscriptionId"]), str(named["deliveryId"])
    except (ValueError, KeyError, TypeError):
        return None


def redelivery_message(delivery: Delivery) -> str:
    """What the failed-deliveries queue keeps for a delivery without an event of its own (a digest)."""
    named = {"team": delivery.team, "subscriptionId": delivery.subscription_id, "deliveryId": delivery.delivery_id}
    return json.dumps({REDELIVER: named}, separators=(",", ":"))


def webhook_body(delivery: Delivery, told: list[Delivery] | None = None) -> bytes:
    """The Standard Webhooks payload: `type`, `timestamp` (when the event happened) and `data`
    (the event's data as the catalog defines it, lists cut to fit MAX_PAYLOAD_BYTES). A digest's
    `data` lists the deliveries it tells (`told`), each as its own webhook would carry it; as many
    as fit, oldest first."""
    if delivery.kind == DIGEST:
        return _digest_body(delivery, told or [])
    return orjson.dumps(_event_payload(delivery))


def _digest_body(digest: Delivery, told: list[Delivery]) -> bytes:
    notices = [{"deliveryId": item.delivery_id, **_event_payload(item)} for item in told]
    payload: dict[str, Any] = {
        "type": DIGEST,
        "timestamp": digest.created_at.isoformat().replace("+00:00", "Z"),
        "eventId": digest.event_id,
        "data": {"team": digest.team, "total": len(told), "notices": notices},
    }
    body = orjson.dumps(payload)
    while len(body) > MAX_PAYLOAD_BYTES and notices:
        notices = notices[: len(notices) // 2]
        payload["data"]["notices"] = notices
        payload["truncated"] = True
        body = orjson.dumps(payload)
    return body


def _event_payload(delivery: Delivery) -> dict[str, Any]:
    event = parse_event(delivery.event)
    data = event.data.to_wire()
    payload = {
        "type": delivery.kind,
        "timestamp": event.metadata.occurred_at.isoformat().replace("+00:00", "Z"),
        "eventId": delivery.event_id,
        "data": data,
    }
    body = orjson.dumps(payload)
    while len(body) > MAX_PAYLOAD_BYTES:
        longest = max(
            (k for k, v in data.items() if isinstance(v, list) and v), key=lambda k: len(data[k]), default=None
        )
        if longest is None:
            data = {k: v for k, v in data.items() if not isinstance(v, str) or len(v) < 1000}
            payload["data"] = data
            payload["truncated"] = True
            return payload
        data[longest] = data[longest][: len(data[longest]) // 2]
        payload["truncated"] = True
        body = orjson.dumps(payload)
    return payload


@dataclass(frozen=True)
class Email:
    send: bool
    to: str = ""
    sender: str = ""
    subject: str = ""
    text: str = ""
    why: str = ""

    def wire(self) -> dict[str, Any]:
        if not self.send:
            return {"send": False, "why": self.why}
        return {"send": True, "to": [self.to], "from": self.sender, "subject": self.subject, "text": self.text}


@dataclass
class _DeliveryStep:
    subscriptions: SubscriptionStore
    deliveries: DeliveryStore

    def _delivery(self, step: Step) -> Delivery:
        delivery = self.deliveries.get(step.subscription_id, step.delivery_id)
        if delivery is None:
            raise DeliveryRefused(f"delivery {step.delivery_id} is gone (its subscription was deleted)")
        return delivery

    def _load(self, step: Step) -> tuple[Subscription | None, Delivery]:
        delivery = self._delivery(step)
        return self.subscriptions.get(step.team, step.subscription_id), delivery

    def _attempt(self, step: Step, attempt: Attempt) -> None:
        self.deliveries.add_attempt(step.subscription_id, step.delivery_id, attempt)


@dataclass
class RenderDelivery(_DeliveryStep):
    """Task `Render`."""

    sender: str
    portal_url: str

    def render(self, step: Step) -> dict[str, Any]:
        """Whether to send at all (the subscription may be gone or paused), and for e-mail the
        message; a webhook's body is made where it is signed."""
        subscription, delivery = self._load(step)
        if subscription is None or subscription.status != "active":
            why = (
                "the subscription was deleted" if subscription is None else f"the subscription is {subscription.status}"
            )
            return Email(False, why=why).wire()
        if subscription.channel == "webhook":
            return {"send": True}
        if delivery.kind == DIGEST:
            return self._digest(subscription, delivery).wire()
        kind = BY_NAME[delivery.kind]
        notice = kind.tell(parse_event(delivery.event).data)
        lines = [
            *notice.lines,
            "",
            f"In the portal: {self.portal_url.rstrip('/')}{notice.path}",
            "",
            f"You receive this because team {subscription.team} subscribed {subscription.target} to {kind.name} "
            f"({kind.description}). The team changes its subscriptions on its page in the portal.",
        ]
        return Email(True, subscription.target, self.sender, f"[devportal] {notice.subject}", "\n".join(lines)).wire()

    def _digest(self, subscription: Subscription, digest: Delivery) -> Email:
        told = self.deliveries.many(subscription.subscription_id, list(digest.items))
        portal = self.portal_url.rstrip("/")
        count = f"{len(told)} notice{'' if len(told) == 1 else 's'}"
        lines = [f"What happened to team {subscription.team}'s APIs since the last digest ({count}, oldest first):"]
        for item in told[:MAX_DIGEST_LINES]:
            notice = BY_NAME[item.kind].tell(parse_event(item.event).data)
            lines += ["", f"- {notice.subject}", f"  {portal}{notice.path}"]
        if len(told) > MAX_DIGEST_LINES:
            lines += ["", f"...and {len(told) - MAX_DIGEST_LINES} more, each on the team's page: {portal}/team/"]
        kinds = ", ".join(subscription.digest) or "the kinds it chose"
        lines += [
            "",
            f"You receive this once a day because team {subscription.team} asked for a daily digest of {kinds} "
            f"at {subscription.target}. The team changes its subscriptions on its page in the portal.",
        ]
        subject = f"[devportal] Daily digest for team {subscription.team}: {count}"
        return Email(True, subscription.target, self.sender, subject, "\n".join(lines))


@dataclass
class SendWebhook(_DeliveryStep):
    """Task `SendWebhook`."""

    secrets: SigningSecrets
    poster: WebhookPoster
    now: Callable[[], datetime]

    def send(self, step: Step) -> dict[str, Any]:
        subscription, delivery = self._load(step)
        if subscription is None:
            raise DeliveryRefused("the subscription was deleted")
        told = self.deliveries.many(step.subscription_id, list(delivery.items)) if delivery.kind == DIGEST else None
        body = webhook_body(delivery, told)
        timestamp = int(self.now().timestamp())
        headers = {
            **signed_headers(self.secrets.current(subscription.subscription_id), delivery.delivery_id, timestamp, body),
            "content-type": "application/json",
            "user-agent": USER_AGENT,
        }
        started = time.perf_counter()
        at = self.now()
        try:
            status, latency_ms = self.poster.post(subscription.target, body, headers)
        except DeliveryRefused as refused:
            self._attempt(step, Attempt(at, "refused", None, _ms(started), str(refused)[:300]))
            raise
        except Exception as error:  # no answer: a timeout, a refused or reset connection
            detail = str(error)[:300] or type(error).__name__
            self._attempt(step, Attempt(at, "retryable", None, _ms(started), detail))
            raise RetryableDelivery(detail) from None
        if 200 <= status < 300:
            self._attempt(step, Attempt(at, "delivered", status, latency_ms))
            return {"status": status}
        if retryable(status):
            self._attempt(step, Attempt(at, "retryable", status, latency_ms, f"answered {status}"))
            raise RetryableDelivery(f"{subscription.target} answered {status}")
        self._attempt(step, Attempt(at, "refused", status, latency_ms, f"answered {status}"))
        raise DeliveryRefused(f"{subscription.target} answered {status}; a {status} is not retried")


@dataclass
class FinishDelivery(_DeliveryStep):
    """Tasks `Delivered`, `Skipped`, `Failed`."""

    publisher: EventPublisher
    now: Callable[[], datetime]

    def finish(self, step: Step, outcome: dict[str, Any]) -> dict[str, Any]:
        """The end of a round: `{"delivered": true}`, `{"skipped": why}`, or `{"error": {Error, Cause}}`
        (what the state machine caught). A failure is announced and its event handed back for the
        failed-deliveries queue."""
        delivery = self._delivery(step)  # read after every attempt of the round was recorded
        if "skipped" in outcome:  # paused or deleted: nothing was sent, and nothing failed
            why = str(outcome["skipped"])[:300]
            self._attempt(step, Attempt(self.now(), "skipped", None, 0.0, why))
            self.deliveries.finish(step.subscription_id, step.delivery_id, "skipped", step.round)
            return {"skipped": why}
        attempts = len(delivery.attempts)
        if step.channel == "email":  # SES's step records nothing itself: its one attempt is recorded here
            error = outcome.get("error")
            detail = "" if error is None else _caught(error)
            self._attempt(step, Attempt(self.now(), "delivered" if error is None else "failed", None, 0.0, detail))
            attempts += 1
        if "error" not in outcome:
            self.deliveries.finish(step.subscription_id, step.delivery_id, "delivered", step.round)
            return {"delivered": True}
        kept = delivery.event if delivery.kind != DIGEST else redelivery_message(delivery)
        if not self.deliveries.finish(step.subscription_id, step.delivery_id, "failed", step.round):
            return {"superseded": True, "event": kept, "subscriptionId": step.subscription_id}
        failed = NotificationFailed(
            delivery_id=delivery.delivery_id,
            subscription_id=delivery.subscription_id,
            owner=delivery.team,
            api_id=delivery.api_id or None,
            channel=step.channel,
            kind=delivery.kind,
            event_id=delivery.event_id,
            attempts=attempts,
            error=_caught(outcome["error"])[:500],
            failed_at=self.now(),
        )
        if delivery.kind != "notification.failed":  # a failure to tell of a failure is not told again
            self.publisher.publish(
                [
                    new_event(
                        failed,
                        correlation_id=delivery.event_id,
                        producer="state_machines/notify",
                        event_id=f"{delivery.delivery_id}-r{step.round}",
                    )
                ]
            )
        return {"failed": True, "event": kept, "subscriptionId": step.subscription_id}


def _caught(error: Any) -> str:
    """What the state machine caught, in words: a Lambda error's message, or the service's."""
    if not isinstance(error, dict):
        return str(error)
    name, cause = str(error.get("Error", "")), error.get("Cause", "")
    try:
        parsed = json.loads(cause) if isinstance(cause, str) else cause
    except ValueError:
        parsed = cause
    if isinstance(parsed, dict) and "errorMessage" in parsed:
        return f"{parsed.get('errorType', name)}: {parsed['errorMessage']}"
    return f"{name}: {cause}" if cause else name


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
