"""Notifications, in the domain: signatures (the Standard Webhooks test vector), subscriptions'
rules, what each event says, and what the notifier and the state machine's tasks do - against
in-memory ports."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from devportal.errors import AlreadyExists, ConstraintViolated, InvalidParameter, NotFound, StateConflict
from devportal.notify.deliver import (
    MAX_PAYLOAD_BYTES,
    DeliveryRefused,
    FinishDelivery,
    Notify,
    RenderDelivery,
    RetryableDelivery,
    SendWebhook,
    Step,
    webhook_body,
)
from devportal.notify.digest import Digests
from devportal.notify.kinds import BY_NAME, KINDS, NOTIFIED_EVENTS
from devportal.notify.manage import Subscriptions
from devportal.notify.signing import WebhookVerificationError, new_secret, sign, signed_headers, verify
from devportal.notify.subscriptions import (
    NewSubscription,
    SubscriptionChanges,
    WebhookPolicy,
    delivery_id_for,
    digest_id_for,
    execution_name,
    read_new,
)
from events.envelope import new_event
from events.notify import NotificationFailed
from events.registry import ApiRegistrationRejected, ApiVersionLifecycleChanged, Finding
from tests.support.events import eventbridge_body, registered
from tests.support.fakes import (
    InMemoryDeliveries,
    InMemorySecrets,
    InMemorySubscriptions,
    RecordingExecutions,
    RecordingMailer,
    RecordingPublisher,
    ScriptedPoster,
)

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


# -- Standard Webhooks ---------------------------------------------------------------------------


def test_the_signature_is_the_standard_webhooks_test_vector() -> None:
    # The specification's example (standard-webhooks/standard-webhooks, spec/standard-webhooks.md)
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_a_receiver_verifies_our_headers_and_refuses_tampering_and_replays() -> None:
    secret, body = new_secret(), b'{"type":"api.registered"}'
    headers = signed_headers([secret], "msg_1", 1_800_000_000, body)
    verify(secret, headers, body, now=1_800_000_030)
    with pytest.raises(WebhookVerificationError, match="no signature matches"):
        verify(secret, headers, body + b" ", now=1_800_000_030)
    with pytest.raises(WebhookVerificationError, match="no signature matches"):
        verify(new_secret(), headers, body, now=1_800_000_030)
    with pytest.raises(WebhookVerificationError, match="too far"):
        verify(secret, headers, body, now=1_800_000_000 + 301)
    with pytest.raises(WebhookVerificationError, match="missing"):
        verify(secret, {"webhook-id": "msg_1"}, body, now=1_800_000_000)


def test_during_a_rotation_both_secrets_sign_and_either_verifies() -> None:
    old, new, body = new_secret(), new_secret(), b"{}"
    headers = signed_headers([new, old], "msg_2", 1_800_000_000, body)
    assert headers["webhook-signature"].count("v1,") == 2
    verify(new, headers, body, now=1_800_000_000)
    verify(old, headers, body, now=1_800_000_000)


def test_a_secret_is_whsec_and_24_random_bytes() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(secret) == len("whsec_") + 32
    assert secret != new_secret()


# -- subscriptions -------------------------------------------------------------------------------


def _manager(refusal: str | None = None, *, https_only: bool = False) -> tuple[Subscriptions, RecordingMailer]:
    mailer = RecordingMailer()
    policy = WebhookPolicy(https_only=https_only, refusal=lambda url: refusal)
    secrets = InMemorySecrets()
    manager = Subscriptions(
        InMemorySubscriptions(), lambda: secrets, lambda: mailer, lambda: policy, lambda: NOW, lambda: "http://portal"
    )
    return manager, mailer


def test_a_body_names_either_a_webhook_or_an_address_and_known_kinds() -> None:
    with pytest.raises(InvalidParameter) as neither:
        read_new({"events": ["api.registered"]})
    assert "either `webhookUrl` or `email`" in neither.value.detail
    with pytest.raises(InvalidParameter) as both:
        read_new({"events": ["api.registered"], "email": "a@b.test", "webhookUrl": "https://x.test/h"})
    assert "not both" in both.value.detail
    with pytest.raises(InvalidParameter) as unknown:
        read_new({"events": ["api.registered", "api.exploded"], "email": "a@b.test"})
    assert unknown.value.errors[0].pointer == "/events/1"
    assert "the kinds are api.registered" in unknown.value.errors[0].detail
    with pytest.raises(InvalidParameter) as mailbox:
        read_new({"events": ["api.registered"], "email": "not an address"})
    assert "not an e-mail address" in mailbox.value.detail
    with pytest.raises(InvalidParameter):
        read_new({"events": [], "email": "a@b.test"})


def test_a_webhook_gets_a_secret_once_and_an_address_a_confirmation_link() -> None:
    manager, mailer = _manager()
    hook = manager.create(
        "pets", NewSubscription.model_validate({"events": ["api.registered"], "webhookUrl": "https://h.test/x"}), "d"
    )
    assert hook.secret is not None
    assert hook.subscription.status == "active"
    secrets = manager.secrets()
    assert isinstance(secrets, InMemorySecrets)
    assert secrets.teams == {hook.subscription.subscription_id: "pets"}  # the secret is the team's (its tag)
    mailbox = manager.create(
        "pets", NewSubscription.model_validate({"events": ["api.registered"], "email": "o@pets.test"}), "d"
    )
    assert mailbox.secret is None
    assert mailbox.subscription.status == "pending-confirmation"
    ((to, subject, text),) = mailer.sent
    assert (to, subject) == ("o@pets.test", "[devportal] Confirm notifications for team pets")
    token = text.split("token=", 1)[1].split()[0]
    assert text.count("http://portal/subscriptions/confirm/?token=") == 1
    assert manager.confirm(token).status == "active"
    with pytest.raises(NotFound, match="used already, or it expired"):
        manager.confirm(token)


def test_one_subscription_per_target_and_team() -> None:
    manager, _ = _manager()
    request = NewSubscription.model_validate({"events": ["api.registered"], "webhookUrl": "https://h.test/x"})
    manager.create("pets", request, "d")
    with pytest.raises(AlreadyExists) as twice:
        manager.create("pets", request, "d")
    assert twice.value.errors[0].pointer == "/webhookUrl"
    assert manager.create("other", request, "d").subscription.team == "other"


def test_a_refused_or_plain_http_url_is_a_422_naming_webhook_url() -> None:
    refused, _ = _manager("10.0.0.1 is a private address; webhooks do not reach it")
    with pytest.raises(ConstraintViolated) as private:
        refused.create("pets", read_new({"events": ["api.registered"], "webhookUrl": "https://h.test/x"}), "d")
    assert private.value.errors[0].pointer == "/webhookUrl"
    assert "private address" in private.value.detail
    https_only, _ = _manager(https_only=True)
    with pytest.raises(ConstraintViolated, match="https only"):
        https_only.create("pets", read_new({"events": ["api.registered"], "webhookUrl": "http://h.test/x"}), "d")
    with pytest.raises(ConstraintViolated, match="credentials in the URL"):
        https_only.create("pets", read_new({"events": ["api.registered"], "webhookUrl": "https://u:p@h.test/"}), "d")


def test_health_alerts_are_never_digested_and_a_digest_holds_subscribed_kinds() -> None:
    manager, _ = _manager()
    with pytest.raises(ConstraintViolated) as health:
        manager.create(
            "pets",
            read_new({"events": ["health.degraded"], "digest": ["health.degraded"], "email": "o@pets.test"}),
            "d",
        )
    assert health.value.errors[0].pointer == "/digest/0"
    with pytest.raises(ConstraintViolated, match="not in `events`"):
        manager.create(
            "pets", read_new({"events": ["api.registered"], "digest": ["api.rejected"], "email": "o@p.test"}), "d"
        )


def test_a_digest_of_subscribed_kinds_is_accepted() -> None:
    manager, _ = _manager()
    created = manager.create(
        "pets",
        read_new({"events": ["api.registered", "health.degraded"], "digest": ["api.registered"], "email": "o@p.test"}),
        "d",
    )
    assert created.subscription.digest == ("api.registered",)
    assert created.subscription.digested("api.registered")
    assert not created.subscription.digested("health.degraded")


def test_changes_keep_what_they_leave_out_and_pausing_stops_deliveries() -> None:
    manager, _ = _manager()
    created = manager.create(
        "pets", read_new({"events": ["api.registered", "api.rejected"], "webhookUrl": "https://h.test/"}), "d"
    ).subscription
    changed = manager.change(
        "pets", created.subscription_id, SubscriptionChanges.model_validate({"events": ["api.registered"]})
    )
    assert (changed.events, changed.digest, changed.apis) == (("api.registered",), (), ())
    paused = manager.change("pets", created.subscription_id, SubscriptionChanges.model_validate({"paused": True}))
    assert paused.status == "paused"
    assert not paused.wants("api.registered", "petstore")
    email = manager.create("pets", read_new({"events": ["api.registered"], "email": "o@pets.test"}), "d")
    with pytest.raises(StateConflict, match="no signing secret"):
        manager.rotate_secret("pets", email.subscription.subscription_id)


# -- what events say -----------------------------------------------------------------------------


def test_every_kind_is_a_catalog_event_and_names_its_api() -> None:
    assert len({kind.detail_type for kind in KINDS}) == len(KINDS) == len(NOTIFIED_EVENTS)
    assert [kind.name for kind in KINDS if not kind.digestible] == ["health.degraded", "health.recovered"]


def test_notices_say_what_happened_in_words() -> None:
    rejected = ApiRegistrationRejected(
        submission_id="sub-" + "a" * 24,
        api_id="petstore",
        version="2.0.0",
        owner="pets",
        workflow_id="w",
        reason="lint-failed",
        findings=[
            Finding(pointer="/paths/~1pets/get", message="no summary", rule="operation-summary", severity="error")
        ],
        findings_truncated=False,
    )
    notice = BY_NAME["api.rejected"].tell(rejected)
    assert notice.subject == "petstore 2.0.0 was not registered"
    assert notice.lines[0] == "petstore 2.0.0 was not registered: lint found more than the team's ruleset allows."
    assert "- /paths/~1pets/get: no summary (operation-summary)" in notice.lines
    assert notice.path == "/submission/?id=sub-" + "a" * 24
    deprecated = ApiVersionLifecycleChanged(
        api_id="petstore",
        version="1.0.0",
        owner="pets",
        from_status="active",
        to_status="deprecated",
        sunset=date(2027, 3, 1),
        reason="2.0.0 replaces it",
        changed_by="dev@pets.test",
        changed_at=NOW,
    )
    told = BY_NAME["api.lifecycle-changed"].tell(deprecated)
    assert told.subject == "petstore 1.0.0 is deprecated (sunset 2027-03-01)"
    assert "Consumers should move off it before 2027-03-01." in told.lines


# -- the notifier and the tasks ------------------------------------------------------------------


class World:
    def __init__(self, *outcomes: int | Exception) -> None:
        self.subscriptions = InMemorySubscriptions()
        self.deliveries = InMemoryDeliveries()
        self.executions = RecordingExecutions()
        self.secrets = InMemorySecrets()
        self.mailer = RecordingMailer()
        self.poster = ScriptedPoster(*(outcomes or (200,)))
        self.publisher = RecordingPublisher()
        owners = {"petstore": "pets"}
        self.notify = Notify(self.subscriptions, self.deliveries, self.executions, owners.get, lambda: NOW)
        policy = WebhookPolicy(False, lambda url: None)
        self.manager = Subscriptions(
            self.subscriptions,
            lambda: self.secrets,
            lambda: self.mailer,
            lambda: policy,
            lambda: NOW,
            lambda: "http://p",
        )
        self.send = SendWebhook(self.subscriptions, self.deliveries, self.secrets, self.poster, lambda: NOW)
        self.render = RenderDelivery(self.subscriptions, self.deliveries, "n@portal.test", "http://p")
        self.finish = FinishDelivery(self.subscriptions, self.deliveries, self.publisher, lambda: NOW)

    def hook(self, **body: Any) -> str:
        request = read_new({"events": ["api.registered"], "webhookUrl": f"https://h.test/{uuid.uuid4().hex}", **body})
        return self.manager.create("pets", request, "d").subscription.subscription_id

    def step(self, subscription_id: str, event: Any, round_number: int = 1) -> Step:
        return Step(
            delivery_id_for(event.metadata.event_id, subscription_id), subscription_id, "pets", "webhook", round_number
        )


def test_an_event_starts_one_execution_per_wanting_subscription_named_after_both() -> None:
    world = World()
    wanted = world.hook()
    other_api = world.hook(apis=["billing"])
    other_kind = world.hook(events=["api.rejected"])
    world.manager.create("pets", read_new({"events": ["api.registered"], "email": "o@pets.test"}), "d")  # unconfirmed
    event = registered()
    noticed = world.notify.handle(eventbridge_body(event))
    assert (noticed.started, noticed.known) == (1, 0)
    delivery_id = delivery_id_for(event.metadata.event_id, wanted)
    assert list(world.executions.started) == [delivery_id]
    assert world.executions.started[delivery_id] == {
        "deliveryId": delivery_id,
        "subscriptionId": wanted,
        "team": "pets",
        "channel": "webhook",
        "round": 1,
    }
    del other_api, other_kind
    # the same event again: nothing new
    again = world.notify.handle(eventbridge_body(event))
    assert (again.started, again.known) == (0, 1)
    assert len(world.executions.started) == 1
    assert execution_name(delivery_id, 1) == delivery_id


def test_a_delivery_kept_but_not_started_is_started_when_its_event_comes_again() -> None:
    world = World()
    subscription_id = world.hook()
    event = registered()
    world.notify.handle(eventbridge_body(event))
    world.executions.started.clear()  # as if the notifier died between keeping and starting
    world.notify.handle(eventbridge_body(event))
    assert list(world.executions.started) == [delivery_id_for(event.metadata.event_id, subscription_id)]


def test_resume_starts_a_pending_round_whose_execution_is_gone_and_nothing_else() -> None:
    world = World()
    subscription_id = world.hook()
    event = registered()
    world.notify.handle(eventbridge_body(event))
    step = world.step(subscription_id, event)
    world.executions.started.clear()  # a local restart: moto forgot the execution
    assert world.notify.resume(subscription_id, step.delivery_id) is True
    assert list(world.executions.started) == [step.delivery_id]
    assert world.notify.resume(subscription_id, step.delivery_id) is False  # it exists now
    world.finish.finish(step, {"delivered": True})
    world.executions.started.clear()
    assert world.notify.resume(subscription_id, step.delivery_id) is False  # not pending
    assert world.notify.resume(subscription_id, "msg_" + "0" * 26) is False


def test_an_event_about_an_api_without_owner_tells_nobody() -> None:
    world = World()
    world.hook()
    decided = new_event(
        __import__("events.registry", fromlist=["ApiApprovalDecided"]).ApiApprovalDecided(
            api_id="gone", version="1.0.0", workflow_id="w", approved=True, reason="ok", decided_by="a", decided_at=NOW
        ),
        correlation_id="c",
        producer="t",
    )
    assert world.notify.handle(eventbridge_body(decided)).started == 0


def test_send_signs_records_and_classifies_each_answer() -> None:
    world = World(503, 429, ConnectionError("no answer within 10 s"), 301, 200)
    subscription_id = world.hook()
    event = registered()
    world.notify.handle(eventbridge_body(event))
    step = world.step(subscription_id, event)
    for _ in range(3):
        with pytest.raises(RetryableDelivery):
            world.send.send(step)
    with pytest.raises(DeliveryRefused, match="a 301 is not retried"):
        world.send.send(step)
    assert world.send.send(step) == {"status": 200}
    kept = world.deliveries.get(subscription_id, step.delivery_id)
    assert kept is not None
    assert [(a.outcome, a.status) for a in kept.attempts] == [
        ("retryable", 503),
        ("retryable", 429),
        ("retryable", None),
        ("refused", 301),
        ("delivered", 200),
    ]
    assert kept.attempts[2].detail == "no answer within 10 s"
    _, body, headers = world.poster.posted[-1]
    verify(world.secrets.current(subscription_id)[0], headers, body, now=int(NOW.timestamp()))
    assert headers["webhook-id"] == step.delivery_id
    assert json.loads(body)["type"] == "api.registered"


def test_a_failure_is_recorded_announced_once_and_its_event_handed_back() -> None:
    world = World()
    subscription_id = world.hook()
    event = registered()
    world.notify.handle(eventbridge_body(event))
    step = world.step(subscription_id, event)
    caught = {
        "Error": "RetryableDelivery",
        "Cause": json.dumps({"errorType": "RetryableDelivery", "errorMessage": "h answered 500"}),
    }
    outcome = world.finish.finish(step, {"error": caught})
    assert outcome["failed"] is True
    assert json.loads(outcome["event"])["detail"]["metadata"]["eventId"] == event.metadata.event_id
    (announced,) = world.publisher.published
    assert isinstance(announced.data, NotificationFailed)
    assert announced.data.error == "RetryableDelivery: h answered 500"
    assert announced.metadata.event_id == f"{step.delivery_id}-r1"
    # a redriven copy brings it to that subscription again, as round 2; a second copy does nothing
    redriven = world.notify.handle(outcome["event"], only=subscription_id)
    assert redriven.started == 1
    assert f"{step.delivery_id}-r2" in world.executions.started
    assert world.notify.handle(outcome["event"], only=subscription_id).started == 0
    # the late end of round 1 does not overwrite round 2
    assert world.finish.finish(step, {"delivered": True}) == {"delivered": True}
    kept = world.deliveries.get(subscription_id, step.delivery_id)
    assert kept is not None
    assert (kept.status, kept.rounds) == ("pending", 2)


def test_redeliver_by_hand_refuses_a_round_under_way() -> None:
    world = World()
    subscription_id = world.hook()
    event = registered()
    world.notify.handle(eventbridge_body(event))
    step = world.step(subscription_id, event)
    with pytest.raises(StateConflict, match="still being delivered"):
        world.notify.redeliver("pets", subscription_id, step.delivery_id)
    world.finish.finish(step, {"delivered": True})
    again = world.notify.redeliver("pets", subscription_id, step.delivery_id)
    assert (again.status, again.rounds) == ("pending", 2)
    with pytest.raises(NotFound):
        world.notify.redeliver("other", subscription_id, step.delivery_id)


def test_a_paused_or_deleted_subscription_is_skipped_at_render() -> None:
    world = World()
    subscription_id = world.hook()
    event = registered()
    world.notify.handle(eventbridge_body(event))
    step = world.step(subscription_id, event)
    assert world.render.render(step) == {"send": True}
    world.manager.change("pets", subscription_id, SubscriptionChanges.model_validate({"paused": True}))
    assert world.render.render(step) == {"send": False, "why": "the subscription is paused"}
    # the round ends skipped, saying why - not failed, and nothing announced
    assert world.finish.finish(step, {"skipped": "the subscription is paused"}) == {
        "skipped": "the subscription is paused"
    }
    kept = world.deliveries.get(subscription_id, step.delivery_id)
    assert kept is not None
    assert kept.status == "skipped"
    assert [(a.outcome, a.detail) for a in kept.attempts] == [("skipped", "the subscription is paused")]
    assert world.publisher.published == []
    # once resumed, it can be sent again
    world.manager.change("pets", subscription_id, SubscriptionChanges.model_validate({"paused": False}))
    assert world.notify.redeliver("pets", subscription_id, step.delivery_id).rounds == 2


def test_an_email_says_why_it_came_and_links_the_portal() -> None:
    world = World()
    mailbox = world.manager.create("pets", read_new({"events": ["api.registered"], "email": "o@pets.test"}), "d")
    token = world.mailer.sent[0][2].split("token=", 1)[1].split()[0]
    world.manager.confirm(token)
    event = registered()
    world.notify.handle(eventbridge_body(event))
    subscription_id = mailbox.subscription.subscription_id
    step = Step(delivery_id_for(event.metadata.event_id, subscription_id), subscription_id, "pets", "email", 1)
    message = world.render.render(step)
    assert message["to"] == ["o@pets.test"]
    assert message["from"] == "n@portal.test"
    assert message["subject"] == "[devportal] petstore 1.0.0 is registered and active"
    assert "In the portal: http://p/catalog/api/?id=petstore" in message["text"]
    assert "team pets subscribed o@pets.test to api.registered" in message["text"]


def _rejection(findings: int = 0) -> Any:
    """petstore 2.0.0 refused as an invalid spec, with `findings` long findings."""
    found = [Finding(pointer=f"/p/{i}", message="x" * 900, rule="r", severity="error") for i in range(findings)]
    rejected = ApiRegistrationRejected(
        submission_id="sub-" + uuid.uuid4().hex[:24],
        api_id="petstore",
        version="2.0.0",
        owner="pets",
        workflow_id="w",
        reason="invalid-spec",
        findings=found,
        findings_truncated=findings > 50,
    )
    return new_event(rejected, correlation_id="c", producer="t")


def test_a_large_event_is_cut_to_fit_a_webhook_body() -> None:
    event = _rejection(findings=100)
    from devportal.notify.subscriptions import Delivery

    delivery = Delivery(
        "msg_x", "sub-x", "pets", "api.rejected", "petstore", "e", NOW, "pending", event=eventbridge_body(event)
    )
    body = webhook_body(delivery)
    assert len(body) <= MAX_PAYLOAD_BYTES
    payload = json.loads(body)
    assert payload["truncated"] is True
    assert 0 < len(payload["data"]["findings"]) < 100


# -- the daily digest ----------------------------------------------------------------------------

LATER = NOW + timedelta(hours=19)  # the digest's run


def _digesting(world: World, channel: str = "webhook") -> str:
    kinds = {"events": ["api.registered", "api.rejected"], "digest": ["api.registered"]}
    _ticking(world)
    if channel == "webhook":
        return world.hook(**kinds)
    created = world.manager.create("pets", read_new({**kinds, "email": "o@pets.test"}), "d")
    token = world.mailer.sent[-1][2].split("token=", 1)[1].split()[0]
    world.manager.confirm(token)
    return created.subscription.subscription_id


def _ticking(world: World) -> None:
    """The notifier's clock moves a second per read, so notices have an order."""
    seconds = iter(range(1, 100_000))
    world.notify.now = lambda: NOW + timedelta(seconds=next(seconds))


def _digests(world: World) -> Digests:
    return Digests(world.subscriptions, world.deliveries, world.executions, lambda: LATER)


def test_a_digested_kind_waits_and_one_digest_a_day_tells_all_that_waited() -> None:
    world = World()
    subscription_id = _digesting(world)
    events = [registered(version=f"1.{n}.0") for n in range(3)]
    for event in events:
        assert world.notify.handle(eventbridge_body(event)).digested == 1
    assert world.executions.started == {}  # nothing is sent at once
    digests = _digests(world)
    assert digests.plan() == [("pets", subscription_id)]

    sent = digests.send("pets", subscription_id, LATER)
    assert (sent.items, sent.started) == (3, True)
    assert sent.digest_id == digest_id_for(subscription_id, LATER)
    assert world.executions.started[sent.digest_id]["deliveryId"] == sent.digest_id
    assert digests.plan() == []  # told: they wait no more
    told = [delivery_id_for(e.metadata.event_id, subscription_id) for e in events]
    assert {world.deliveries.items[(subscription_id, d)].digest_id for d in told} == {sent.digest_id}
    # a retried send finds its digest and starts nothing twice; a later run has nothing to tell
    assert digests.send("pets", subscription_id, LATER) == replace(sent, started=False)
    assert digests.send("pets", subscription_id, LATER + timedelta(days=1)).digest_id is None

    # the digest is one signed webhook whose data lists the notices, oldest first
    step = Step(sent.digest_id, subscription_id, "pets", "webhook", 1)
    assert world.render.render(step) == {"send": True}
    assert world.send.send(step) == {"status": 200}
    _, body, headers = world.poster.posted[-1]
    verify(world.secrets.current(subscription_id)[0], headers, body, now=int(NOW.timestamp()))
    payload = json.loads(body)
    assert (payload["type"], payload["eventId"], headers["webhook-id"]) == ("digest", sent.digest_id, sent.digest_id)
    assert payload["data"]["total"] == 3
    assert [n["data"]["version"] for n in payload["data"]["notices"]] == ["1.0.0", "1.1.0", "1.2.0"]
    assert [n["deliveryId"] for n in payload["data"]["notices"]] == told
    with pytest.raises(StateConflict, match="told in daily digest"):
        world.notify.redeliver("pets", subscription_id, told[0])


def test_kinds_not_digested_are_told_at_once_beside_a_digest() -> None:
    world = World()
    subscription_id = _digesting(world)
    rejected = _rejection()
    noticed = world.notify.handle(eventbridge_body(rejected))
    assert (noticed.started, noticed.digested) == (1, 0)
    assert list(world.executions.started) == [delivery_id_for(rejected.metadata.event_id, subscription_id)]


def test_a_paused_subscription_keeps_its_digest_until_resumed_and_a_deleted_one_drops_it() -> None:
    world = World()
    subscription_id = _digesting(world)
    world.notify.handle(eventbridge_body(registered()))
    digests = _digests(world)
    world.manager.change("pets", subscription_id, SubscriptionChanges.model_validate({"paused": True}))
    assert digests.send("pets", subscription_id, LATER).why == "the subscription is paused"
    assert digests.plan() == [("pets", subscription_id)]
    world.manager.change("pets", subscription_id, SubscriptionChanges.model_validate({"paused": False}))
    assert digests.send("pets", subscription_id, LATER).items == 1

    gone = _digesting(world, "email")
    world.notify.handle(eventbridge_body(registered()))
    world.manager.delete("pets", gone)
    assert digests.send("pets", gone, LATER + timedelta(days=1)).why == "the subscription was deleted"
    assert digests.plan() == [("pets", subscription_id)]  # its own new notice; the deleted one's are dropped


def test_a_digest_by_email_lists_each_notice_with_its_link() -> None:
    world = World()
    subscription_id = _digesting(world, "email")
    world.notify.handle(eventbridge_body(registered("petstore", version="1.0.0")))
    world.notify.handle(eventbridge_body(registered("petstore", version="1.1.0")))
    sent = _digests(world).send("pets", subscription_id, LATER)
    assert sent.digest_id is not None
    message = world.render.render(Step(sent.digest_id, subscription_id, "pets", "email", 1))
    assert message["subject"] == "[devportal] Daily digest for team pets: 2 notices"
    text = message["text"]
    assert text.index("- petstore 1.0.0 is registered and active") < text.index("- petstore 1.1.0 is registered")
    assert "http://p/catalog/api/?id=petstore" in text
    assert "once a day because team pets asked for a daily digest of api.registered at o@pets.test" in text


def test_a_failed_digest_is_announced_without_an_api_and_redriven_by_its_id() -> None:
    world = World()
    subscription_id = _digesting(world)
    world.notify.handle(eventbridge_body(registered()))
    sent = _digests(world).send("pets", subscription_id, LATER)
    assert sent.digest_id is not None
    step = Step(sent.digest_id, subscription_id, "pets", "webhook", 1)
    outcome = world.finish.finish(step, {"error": {"Error": "DeliveryRefused", "Cause": "h answered 410"}})
    (announced,) = world.publisher.published
    assert isinstance(announced.data, NotificationFailed)
    assert (announced.data.kind, announced.data.api_id) == ("digest", None)
    assert BY_NAME["notification.failed"].tell(announced.data).subject == "A webhook daily digest was not delivered"
    assert json.loads(outcome["event"]) == {
        "redeliver": {"team": "pets", "subscriptionId": subscription_id, "deliveryId": sent.digest_id}
    }
    assert world.notify.handle(outcome["event"], only=subscription_id).started == 1
    assert f"{sent.digest_id}-r2" in world.executions.started
    assert world.notify.handle(outcome["event"], only=subscription_id).started == 0  # under way now


def test_a_large_digest_is_cut_to_fit_a_webhook_body() -> None:
    world = World()
    subscription_id = _digesting(world)
    for n in range(40):
        world.notify.handle(eventbridge_body(registered(version=f"1.{n}.0")))
    sent = _digests(world).send("pets", subscription_id, LATER)
    assert sent.digest_id is not None
    digest = world.deliveries.get(subscription_id, sent.digest_id)
    assert digest is not None
    told = world.deliveries.many(subscription_id, list(digest.items))
    small = json.loads(webhook_body(digest, told))
    assert len(small["data"]["notices"]) == 40
    assert "truncated" not in small
    # the same number of notices, each a rejection with long findings: as many as fit are kept
    body_of = eventbridge_body(_rejection(findings=40))
    large = [replace(item, kind="api.rejected", event=body_of) for item in told]
    body = webhook_body(digest, large)
    assert len(body) <= MAX_PAYLOAD_BYTES
    payload = json.loads(body)
    assert payload["truncated"] is True
    assert payload["data"]["total"] == 40
    assert 0 < len(payload["data"]["notices"]) < 40


def test_the_local_retries_are_quick_and_keep_what_is_retried() -> None:
    from functions import state_machines

    (path,) = state_machines.files()
    definition = state_machines.definition(path)
    quick = state_machines.with_quick_retries(definition, interval=1, cap=4, attempts=4)
    webhook = quick["States"]["SendWebhook"]["Retry"][0]
    assert webhook["ErrorEquals"] == ["RetryableDelivery", "States.Timeout"]
    assert (webhook["IntervalSeconds"], webhook["MaxDelaySeconds"], webhook["MaxAttempts"]) == (1, 4, 4)
    assert webhook["JitterStrategy"] == "FULL"
    production = definition["States"]["SendWebhook"]["Retry"][0]
    assert (production["IntervalSeconds"], production["MaxAttempts"], production["MaxDelaySeconds"]) == (10, 8, 900)
    assert timedelta(seconds=sum(min(10 * 2**n, 900) for n in range(8))) < timedelta(hours=1)


def test_every_placeholder_of_the_state_machine_has_a_value() -> None:
    from devportal.names import ResourceNames
    from functions import state_machines

    (path,) = state_machines.files()
    names = ResourceNames("t")
    values = state_machines.substitutions("notify", names, lambda f: f"arn:{f.name}", "https://q")
    filled = json.loads(state_machines.filled(path.read_text(), values))
    assert filled["States"]["SendWebhook"]["Parameters"]["FunctionName"] == "arn:send-webhook"
    assert filled["States"]["SendEmail"]["Parameters"]["ConfigurationSetName"] == "t-mail"
    with pytest.raises(KeyError, match="SendWebhookFunction"):
        state_machines.filled(path.read_text(), {k: v for k, v in values.items() if k != "SendWebhookFunction"})


def test_the_contract_states_the_rules_a_new_subscription_is_held_to() -> None:
    from contracts import gateway_contract
    from devportal.notify.kinds import KIND_NAMES
    from devportal.notify.subscriptions import _EMAIL

    schemas = gateway_contract()["components"]["schemas"]
    assert schemas["NewSubscription"]["properties"]["email"]["pattern"] == _EMAIL.pattern
    assert schemas["NotificationKind"]["enum"] == list(KIND_NAMES)
