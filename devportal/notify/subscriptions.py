"""A team's subscriptions: who is told (a webhook URL or an e-mail address), of which kinds of
event, about which of its APIs, and when (at once, or in a daily digest per kind).

Webhook URLs are checked where they are given: https only in AWS, and never an address the
portal's own network should not be reached through (loopback - allowed locally -, link-local,
private ranges, cloud metadata). E-mail addresses receive nothing until their owner confirms them
through the link the portal sends."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, ValidationError, field_validator, model_validator

from devportal.bodies import JsonBody, invalid_body
from devportal.errors import ConstraintViolated, FieldError
from devportal.notify.kinds import BY_NAME, KIND_NAMES, api_of, owner_of
from devportal.specs.openapi import API_ID_PATTERN
from events.envelope import DomainEvent

MAX_SUBSCRIPTIONS_PER_TEAM = 100
MAX_URL_LENGTH = 2048
# What a mailbox looks like for sending to it: one @, a dotted domain, no spaces or angle brackets.
_EMAIL = re.compile(r"""^[^@\s<>"',;]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$""")
SUBSCRIPTION_ID = re.compile(r"^sub-[0-9a-f]{24}$")

Channel = Literal["webhook", "email"]
Status = Literal["active", "pending-confirmation", "paused"]


def _known_kind(kind: str) -> str:
    if kind not in BY_NAME:
        raise ValueError(f"{kind!r} is not an event kind; the kinds are {', '.join(KIND_NAMES)}")
    return kind


KindName = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_known_kind)]


@dataclass(frozen=True)
class Subscription:
    subscription_id: str
    team: str
    channel: Channel
    target: str  # the webhook URL or the e-mail address
    events: tuple[str, ...]
    apis: tuple[str, ...]  # empty: every API of the team
    digest: tuple[str, ...]  # kinds delivered in the daily digest rather than at once
    status: Status
    created_by: str
    created_at: datetime
    updated_at: datetime
    description: str = ""
    # The hash of the e-mail confirmation token; "" once confirmed (or for a webhook).
    confirmation: str = ""
    secret_version: int = 0  # bumped by each rotation of a webhook's signing secret

    def wants(self, kind: str, api_id: str) -> bool:
        """Active, subscribed to the kind, and to the API when it names some ("" is about none:
        a failed daily digest)."""
        return self.status == "active" and kind in self.events and (not self.apis or not api_id or api_id in self.apis)

    def digested(self, kind: str) -> bool:
        return kind in self.digest and BY_NAME[kind].digestible


class _Choices(JsonBody):
    events: list[KindName] | None = Field(default=None, min_length=1, max_length=len(KIND_NAMES))
    apis: list[Annotated[str, Field(pattern=API_ID_PATTERN.pattern)]] | None = Field(default=None, max_length=100)
    digest: list[KindName] | None = Field(default=None, max_length=len(KIND_NAMES))
    description: str | None = Field(default=None, max_length=200)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nulls(cls, value: object) -> object:
        # A member left out keeps its value (or has none); `null` is not one of the values any has.
        if value is None:
            raise ValueError("must not be null: leave the member out instead")
        return value


class NewSubscription(_Choices):
    events: list[KindName] = Field(min_length=1, max_length=len(KIND_NAMES))
    webhook_url: str | None = Field(default=None, min_length=8, max_length=MAX_URL_LENGTH)
    email: str | None = Field(default=None, min_length=3, max_length=254)

    @model_validator(mode="after")
    def _one_channel(self) -> NewSubscription:
        if (self.webhook_url is None) == (self.email is None):
            raise ValueError("give either `webhookUrl` or `email`, not both and not neither")
        if self.email is not None and not _EMAIL.fullmatch(self.email):
            raise ValueError("`email` is not an e-mail address")
        return self


class SubscriptionChanges(_Choices):
    paused: bool | None = None


def read_new(body: object) -> NewSubscription:
    try:
        return NewSubscription.model_validate(body)
    except ValidationError as error:
        raise invalid_body("The subscription's members", error) from None


def read_changes(body: object) -> SubscriptionChanges:
    try:
        return SubscriptionChanges.model_validate(body)
    except ValidationError as error:
        raise invalid_body("The subscription's changes", error) from None


def check_digest(events: Sequence[str], digest: Sequence[str]) -> None:
    """Digested kinds must be subscribed, and health alerts are never kept for a digest."""
    problems = []
    for index, kind in enumerate(digest):
        if not BY_NAME[kind].digestible:
            problems.append(
                FieldError(f"{kind} is told at once: health alerts are never kept for a digest", f"/digest/{index}")
            )
        elif kind not in events:
            problems.append(FieldError(f"{kind} is in the digest but not in `events`", f"/digest/{index}"))
    if problems:
        said = "; ".join(problem.detail for problem in problems)
        raise ConstraintViolated(f"The digest names kinds it cannot hold: {said}.", problems)


@dataclass(frozen=True)
class WebhookPolicy:
    """Where webhooks may go: `https_only` in AWS; `refusal(url)` says why a URL may not be used
    (the address check of contract-test targets, resolved now), None when it may."""

    https_only: bool
    refusal: Callable[[str], str | None]

    def check(self, url: str) -> None:
        parts = urlsplit(url)
        why = None
        if parts.scheme not in ("https", "http") or not parts.hostname:
            why = "it is not an http(s) URL with a host"
        elif self.https_only and parts.scheme != "https":
            why = "webhooks are sent over https only"
        elif parts.username or parts.password:
            why = "credentials in the URL would be sent in the clear and kept in logs; use the signature instead"
        else:
            why = self.refusal(url)
        if why is not None:
            raise ConstraintViolated(
                f"The webhook URL cannot be used: {why}.", [FieldError(f"cannot be used: {why}", "/webhookUrl")]
            )


def new_subscription_id() -> str:
    return "sub-" + secrets.token_hex(12)


def confirmation_token() -> tuple[str, str]:
    """A token to mail (the link) and its hash (what is kept)."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def created(
    request: NewSubscription, team: str, by: str, now: datetime, subscription_id: str, confirmation: str
) -> Subscription:
    events = tuple(dict.fromkeys(request.events))
    digest = tuple(dict.fromkeys(request.digest or ()))
    check_digest(events, digest)
    is_email = request.email is not None
    return Subscription(
        subscription_id=subscription_id,
        team=team,
        channel="email" if is_email else "webhook",
        target=(request.email or request.webhook_url or "").strip(),
        events=events,
        apis=tuple(dict.fromkeys(request.apis or ())),
        digest=digest,
        status="pending-confirmation" if is_email else "active",
        created_by=by,
        created_at=now,
        updated_at=now,
        description=request.description or "",
        confirmation=confirmation if is_email else "",
    )


def changed(subscription: Subscription, changes: SubscriptionChanges, now: datetime) -> Subscription:
    events = tuple(dict.fromkeys(changes.events)) if changes.events is not None else subscription.events
    digest = tuple(dict.fromkeys(changes.digest)) if changes.digest is not None else subscription.digest
    if changes.events is not None and changes.digest is None:
        digest = tuple(kind for kind in digest if kind in events)  # fewer kinds: their digests go too
    check_digest(events, digest)
    status = subscription.status
    if changes.paused is not None and status != "pending-confirmation":
        status = "paused" if changes.paused else "active"
    return replace(
        subscription,
        events=events,
        digest=digest,
        apis=tuple(dict.fromkeys(changes.apis)) if changes.apis is not None else subscription.apis,
        description=changes.description if changes.description is not None else subscription.description,
        status=status,
        updated_at=now,
    )


@dataclass(frozen=True)
class Addressed:
    """An event that concerns a team: its kind, its API, and the team told."""

    kind: str
    api_id: str
    team: str


def addressed(event: DomainEvent, detail_type: str, owner: Callable[[str], str | None]) -> Addressed | None:
    """Who an event concerns, or None when nobody is told of it (its API has no owner any more)."""
    from devportal.notify.kinds import BY_DETAIL_TYPE

    kind = BY_DETAIL_TYPE.get(detail_type)
    if kind is None:
        return None
    api_id = api_of(event)
    team = owner_of(event) or owner(api_id)
    return None if team is None else Addressed(kind.name, api_id, team)


@dataclass(frozen=True)
class Attempt:
    """One try at a delivery: when, what came back, how long it took."""

    at: datetime
    outcome: Literal["delivered", "retryable", "refused", "failed", "skipped"]
    status: int | None
    latency_ms: float
    detail: str = ""


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    subscription_id: str
    team: str
    kind: str  # a notified kind, or DIGEST
    api_id: str  # "" for a digest (it is about the team's APIs)
    event_id: str  # the event's id; a digest's own id
    created_at: datetime
    status: Literal["pending", "delivered", "failed", "skipped", "digested"]
    attempts: tuple[Attempt, ...] = field(default_factory=tuple)
    rounds: int = 1  # 1, then one more per redelivery
    event: str = ""  # the EventBridge event as received (JSON), to render and to deliver again
    items: tuple[str, ...] = ()  # a digest: the deliveries it tells, oldest first
    digest_id: str = ""  # a digested delivery: the digest that told it, once sent


DIGEST = "digest"  # the kind of a daily digest's delivery


def delivery_id_for(event_id: str, subscription_id: str) -> str:
    """One id per (event, subscription): the webhook-id, the execution's name, the record's key."""
    digest = hashlib.sha256(f"{event_id}\n{subscription_id}".encode()).hexdigest()
    return f"msg_{digest[:26]}"


def digest_id_for(subscription_id: str, until: datetime) -> str:
    """One digest per subscription and run of the daily digest (`until`: when the run started)."""
    digest = hashlib.sha256(f"digest\n{subscription_id}\n{until.isoformat()}".encode()).hexdigest()
    return f"msg_{digest[:26]}"


def execution_name(delivery_id: str, round_number: int) -> str:
    return delivery_id if round_number <= 1 else f"{delivery_id}-r{round_number}"
