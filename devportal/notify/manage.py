"""A team's subscriptions, managed through the gateway: created (a webhook's signing secret shown
once; an e-mail address sent a confirmation link), listed, changed, paused, deleted, a webhook's
secret rotated, an address confirmed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from devportal.errors import AlreadyExists, ConstraintViolated, FieldError, InvalidParameter, NotFound, StateConflict
from devportal.notify.ports import Mailer, SigningSecrets, SubscriptionStore
from devportal.notify.signing import new_secret
from devportal.notify.subscriptions import (
    MAX_SUBSCRIPTIONS_PER_TEAM,
    SUBSCRIPTION_ID,
    NewSubscription,
    Subscription,
    SubscriptionChanges,
    WebhookPolicy,
    changed,
    confirmation_token,
    created,
    new_subscription_id,
    token_hash,
)


@dataclass(frozen=True)
class Created:
    subscription: Subscription
    secret: str | None  # a webhook's signing secret, shown this once


def check_subscription_id(subscription_id: str) -> str:
    if not SUBSCRIPTION_ID.fullmatch(subscription_id):
        raise InvalidParameter(
            "`subscriptionId` is not a subscription id (sub- and 24 hex digits).",
            [FieldError(detail="invalid format", parameter="subscriptionId")],
        )
    return subscription_id


@dataclass
class Subscriptions:
    """Its collaborators other than the store come through providers, built on first use: a route
    that only reads subscriptions never reaches (nor is configured for) secrets, mail or SSM."""

    store: SubscriptionStore
    secrets: Callable[[], SigningSecrets]
    mailer: Callable[[], Mailer]
    policy: Callable[[], WebhookPolicy]
    now: Callable[[], datetime]
    portal_url: Callable[[], str]

    def create(self, team: str, request: NewSubscription, by: str) -> Created:
        if request.webhook_url is not None:
            self.policy().check(request.webhook_url.strip())
        target = (request.email or request.webhook_url or "").strip()
        if any(kept.target == target for kept in self.store.of_team(team)):
            raise AlreadyExists(
                f"Team {team} already has a subscription for {target}: change its events instead.",
                [FieldError("already subscribed", "/email" if request.email else "/webhookUrl")],
            )
        token, hashed = confirmation_token()
        subscription = created(request, team, by, self.now(), new_subscription_id(), hashed)
        secret = None
        if subscription.channel == "webhook":
            secret = new_secret()
            self.secrets().create(subscription.subscription_id, secret, team=team)
        if not self.store.create(subscription, MAX_SUBSCRIPTIONS_PER_TEAM):
            if secret is not None:
                self.secrets().delete(subscription.subscription_id)
            raise ConstraintViolated(f"Team {team} has {MAX_SUBSCRIPTIONS_PER_TEAM} subscriptions, the most it may.")
        if subscription.channel == "email":
            self._send_confirmation(subscription, token)
        return Created(subscription, secret)

    def _send_confirmation(self, subscription: Subscription, token: str) -> None:
        link = f"{self.portal_url().rstrip('/')}/subscriptions/confirm/?token={token}"
        self.mailer().send(
            subscription.target,
            f"[devportal] Confirm notifications for team {subscription.team}",
            "\n".join(
                (
                    f"{subscription.created_by} subscribed this address to notifications of team {subscription.team}: "
                    f"{', '.join(subscription.events)}.",
                    "",
                    f"Nothing is sent here until you confirm: {link}",
                    "",
                    "If you did not expect this, ignore it; the link expires in 7 days.",
                )
            ),
        )

    def of_team(self, team: str) -> list[Subscription]:
        return sorted(self.store.of_team(team), key=lambda s: s.created_at)

    def get(self, team: str, subscription_id: str) -> Subscription:
        found = self.store.get(team, check_subscription_id(subscription_id))
        if found is None:
            raise NotFound(f"Team {team} has no subscription {subscription_id}.")
        return found

    def change(self, team: str, subscription_id: str, changes: SubscriptionChanges) -> Subscription:
        updated = changed(self.get(team, subscription_id), changes, self.now())
        if not self.store.replace(updated):
            raise NotFound(f"Team {team} has no subscription {subscription_id}.")
        return updated

    def delete(self, team: str, subscription_id: str) -> None:
        subscription = self.get(team, subscription_id)
        if not self.store.delete(team, subscription.subscription_id):
            raise NotFound(f"Team {team} has no subscription {subscription_id}.")
        if subscription.channel == "webhook":
            self.secrets().delete(subscription.subscription_id)

    def rotate_secret(self, team: str, subscription_id: str) -> Created:
        """A new signing secret, shown once; deliveries are signed with both for a day, so the
        receiver can switch without missing one."""
        subscription = self.get(team, subscription_id)
        if subscription.channel != "webhook":
            raise StateConflict(f"Subscription {subscription_id} sends e-mail: it has no signing secret.")
        secret = new_secret()
        self.secrets().rotate(subscription.subscription_id, secret)
        return Created(subscription, secret)

    def confirm(self, token: str) -> Subscription:
        confirmed = self.store.confirm(token_hash(token), self.now())
        if confirmed is None:
            raise NotFound("This confirmation link is not valid: it was used already, or it expired.")
        return confirmed
