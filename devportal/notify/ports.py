"""The ports notifications talk through; adapters in `devportal.adapters` implement them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from devportal.notify.subscriptions import Attempt, Delivery, Subscription


class SubscriptionStore(Protocol):
    def of_team(self, team: str) -> list[Subscription]: ...

    def get(self, team: str, subscription_id: str) -> Subscription | None: ...

    def create(self, subscription: Subscription, limit: int) -> bool:
        """Keep a new subscription; False when the team already has `limit` of them."""
        ...

    def replace(self, subscription: Subscription) -> bool:
        """Write over an existing subscription; False when it is gone."""
        ...

    def delete(self, team: str, subscription_id: str) -> bool: ...

    def confirm(self, token_hash: str, now: datetime) -> Subscription | None:
        """Make the subscription whose confirmation token hashes to `token_hash` active."""
        ...


class DeliveryStore(Protocol):
    def create(self, delivery: Delivery) -> bool:
        """Keep a new delivery; False when one with its id exists (the same event, again)."""
        ...

    def get(self, subscription_id: str, delivery_id: str) -> Delivery | None: ...

    def add_attempt(self, subscription_id: str, delivery_id: str, attempt: Attempt) -> None: ...

    def finish(self, subscription_id: str, delivery_id: str, status: str, round_number: int) -> bool:
        """Record the outcome of a round; False when a later round has started since."""
        ...

    def next_round(self, subscription_id: str, delivery_id: str, expected_round: int) -> bool:
        """Start round `expected_round + 1` of a delivery that is not pending; False otherwise."""
        ...

    def page(self, subscription_id: str, limit: int, cursor: str | None) -> tuple[list[Delivery], str | None]: ...

    def waiting_subscriptions(self, limit: int) -> list[tuple[str, str]]:
        """(team, subscription id) of subscriptions with deliveries waiting for a digest."""
        ...

    def waiting(self, subscription_id: str, until: datetime, limit: int) -> list[Delivery]:
        """The subscription's deliveries kept for a digest before `until`, oldest first."""
        ...

    def include(self, subscription_id: str, delivery_ids: list[str], digest_id: str) -> None:
        """Mark deliveries as told by the digest `digest_id` (they wait no more)."""
        ...

    def many(self, subscription_id: str, delivery_ids: list[str]) -> list[Delivery]:
        """The deliveries named that still exist, in the order named."""
        ...


class Executions(Protocol):
    def start(self, name: str, payload: dict[str, Any]) -> bool:
        """Start the notification state machine's execution `name`; False when it exists already."""
        ...


class SigningSecrets(Protocol):
    """Webhook signing secrets, one per subscription (Secrets Manager in AWS and locally)."""

    def create(self, subscription_id: str, secret: str, *, team: str) -> None:
        """Keep a new subscription's secret, labelled with the team it belongs to (cost allocation)."""
        ...

    def current(self, subscription_id: str) -> list[str]:
        """The secrets to sign with, newest first (two during a rotation's grace)."""
        ...

    def rotate(self, subscription_id: str, secret: str) -> None: ...

    def delete(self, subscription_id: str) -> None: ...


class Mailer(Protocol):
    def send(self, to: str, subject: str, text: str) -> str:
        """Send one e-mail; the provider's message id."""
        ...


class WebhookPoster(Protocol):
    def post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, float]:
        """POST once; (status, latency in ms). Raises OSError-like errors for no answer."""
        ...


Deliveries = Sequence[Delivery]


@dataclass(frozen=True)
class SentMail:
    message_id: str
    sender: str
    to: tuple[str, ...]
    subject: str
    body: str

    def wire(self) -> dict[str, Any]:
        return {"messageId": self.message_id, "from": self.sender, "to": list(self.to), "subject": self.subject,
                "text": self.body}  # fmt: skip


class Outbox(Protocol):
    """What the portal's mail service kept of what it sent (a local stack's SES in moto)."""

    def sent(self) -> list[SentMail]: ...
