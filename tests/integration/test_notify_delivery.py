"""Notifications delivered by the notify state machine, executed by moto for real: its Lambda
tasks reach the portal's handlers through the local Lambda invoke endpoint, e-mail goes through
SES's SDK integration, webhooks to receivers on loopback. The local definition's retries are the
quick ones (1 s doubling to 4 s, 4 retries), as `devportal up` provisions it."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from temporalio.client import Client

from devportal import wiring
from devportal.notify.signing import verify
from devportal.notify.subscriptions import NewSubscription, delivery_id_for
from devportal_local.config import LOOPBACK, free_port
from devportal_local.lambda_front import serving_invocations
from devportal_local.outbox import Mail, outbox
from devportal_local.webhook_receiver import webhook_receiver
from temporal_bridge.digests import DigestResult, NotificationDigestWorkflow
from temporal_bridge.schedules import digest_schedule_id, ensure_digest_schedule, trigger_now
from temporal_bridge.worker import build_analytics_worker
from tests.support.aws import AwsWorld
from tests.support.events import eventbridge_body, registered

pytestmark = pytest.mark.integration
T = TypeVar("T")


@pytest.fixture
def notifying(aws: AwsWorld, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsWorld]:
    """The AWS world with the local Lambda endpoint up and moto's state machines reaching it."""
    port = free_port()
    monkeypatch.setenv("DEVPORTAL_LAMBDA_ENDPOINT", f"http://{LOOPBACK}:{port}")
    monkeypatch.setenv("MOTO_PORT", aws.endpoint.rsplit(":", 1)[1])
    wiring.reset()
    with serving_invocations(LOOPBACK, port, aws.names):
        yield aws


def until(condition: Callable[[], T | None], seconds: float, what: str) -> T:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{what} within {seconds} s")


def subscribe(receiver_url: str | None = None, email: str | None = None) -> tuple[str, str | None]:
    request = NewSubscription.model_validate(
        {"events": ["api.registered"], **({"webhookUrl": receiver_url} if receiver_url else {"email": email})}
    )
    created = wiring.portal().subscriptions.create("pets", request, "dev@pets.test")
    return created.subscription.subscription_id, created.secret


def delivery(subscription_id: str, event: Any) -> Any:
    return wiring.portal().delivery_store.get(
        subscription_id, delivery_id_for(event.metadata.event_id, subscription_id)
    )


def settled(subscription_id: str, event: Any, status: str) -> Callable[[], Any]:
    def check() -> Any:
        found = delivery(subscription_id, event)
        return found if found is not None and found.status == status else None

    return check


def test_a_webhook_gets_the_event_signed_and_a_duplicate_delivers_once(notifying: AwsWorld) -> None:
    with webhook_receiver() as receiver:
        subscription_id, secret = subscribe(receiver.url)
        assert secret is not None
        assert secret.startswith("whsec_")
        event = registered(f"nt-{uuid.uuid4().hex[:8]}")
        body = eventbridge_body(event)
        noticed = wiring.portal().notify.handle(body)
        assert noticed.started == 1
        (got,) = receiver.wait_for(1)
        # Standard Webhooks: the id is the delivery's, the signature checks with the secret shown once
        verify(secret, got.headers, got.body, now=int(time.time()))
        assert got.headers["webhook-id"] == delivery_id_for(event.metadata.event_id, subscription_id)
        payload = json.loads(got.body)
        assert payload["type"] == "api.registered"
        assert payload["data"]["apiId"] == event.data.api_id
        kept = until(settled(subscription_id, event, "delivered"), 20, "the delivery was not marked delivered")
        assert [(a.outcome, a.status) for a in kept.attempts] == [("delivered", 200)]
        # the same event again (at-least-once delivery): nothing more is sent
        again = wiring.portal().notify.handle(eventbridge_body(event))
        assert (again.started, again.known) == (0, 1)
        time.sleep(1.5)
        assert len(receiver.received) == 1


def test_a_receiver_failing_three_times_gets_it_once_more_after_backoff(notifying: AwsWorld) -> None:
    with webhook_receiver(statuses=(500, 503, 429, 200)) as receiver:
        subscription_id, _ = subscribe(receiver.url)
        event = registered(f"nt-{uuid.uuid4().hex[:8]}")
        wiring.portal().notify.handle(eventbridge_body(event))
        received = receiver.wait_for(4, seconds=40)
        assert [r.status for r in received] == [500, 503, 429, 200]
        assert len({r.headers["webhook-id"] for r in received}) == 1  # one idempotency key for every attempt
        kept = until(settled(subscription_id, event, "delivered"), 20, "the delivery was not marked delivered")
        assert [a.outcome for a in kept.attempts] == ["retryable", "retryable", "retryable", "delivered"]


def test_a_receiver_that_always_fails_ends_in_the_failed_queue_and_a_redrive_delivers(
    notifying: AwsWorld,
) -> None:
    with webhook_receiver(statuses=(500,)) as receiver:
        subscription_id, _ = subscribe(receiver.url)
        event = registered(f"nt-{uuid.uuid4().hex[:8]}")
        wiring.portal().notify.handle(eventbridge_body(event))
        kept = until(settled(subscription_id, event, "failed"), 60, "the delivery did not fail")
        assert len(kept.attempts) == 5  # the first and four retries
        # its event on the failed-deliveries queue, naming the subscription; NotificationFailed announced
        (dead,) = until(
            lambda: notifying.drain(notifying.names.failed_deliveries_queue, 1) or None, 10, "no dead letter"
        )
        assert json.loads(dead["Body"])["detail"]["metadata"]["eventId"] == event.metadata.event_id
        assert dead["MessageAttributes"]["subscription"]["StringValue"] == subscription_id
        told = [json.loads(m["Body"]) for m in notifying.drain(notifying.names.queue("notify"), 1)]
        (failed,) = [t["detail"]["data"] for t in told if t["detail-type"] == "NotificationFailed"]
        assert (failed["deliveryId"], failed["attempts"]) == (kept.delivery_id, 5)
        assert failed["error"] == f"RetryableDelivery: {receiver.url} answered 500"
        # the receiver recovers; the redriven message (its body and subscription) delivers once more
        receiver.answer_from_now(200)
        redriven = wiring.portal().notify.handle(dead["Body"], only=subscription_id)
        assert redriven.started == 1
        until(settled(subscription_id, event, "delivered"), 20, "the redriven delivery was not delivered")
        assert [r.status for r in receiver.wait_for(6)][-1] == 200
        assert wiring.portal().notify.handle(dead["Body"], only=subscription_id).started == 0  # once


def test_a_failed_webhook_is_refused_at_once_on_a_4xx(notifying: AwsWorld) -> None:
    with webhook_receiver(statuses=(410,)) as receiver:
        subscription_id, _ = subscribe(receiver.url)
        event = registered(f"nt-{uuid.uuid4().hex[:8]}")
        wiring.portal().notify.handle(eventbridge_body(event))
        kept = until(settled(subscription_id, event, "failed"), 20, "the delivery did not fail")
        assert [(a.outcome, a.status) for a in kept.attempts] == [("refused", 410)]
        assert len(receiver.received) == 1


def test_a_round_for_a_paused_subscription_ends_skipped_and_sends_nothing(notifying: AwsWorld) -> None:
    from devportal.notify.subscriptions import SubscriptionChanges

    with webhook_receiver() as receiver:
        subscription_id, _ = subscribe(receiver.url)
        wiring.portal().subscriptions.change("pets", subscription_id, SubscriptionChanges(paused=True))
        event = registered(f"nt-{uuid.uuid4().hex[:8]}")
        # a redriven message names its subscription: its round starts, and Render finds it paused
        assert wiring.portal().notify.handle(eventbridge_body(event), only=subscription_id).started == 1
        kept = until(settled(subscription_id, event, "skipped"), 20, "the round did not end skipped")
        assert [(a.outcome, a.detail) for a in kept.attempts] == [("skipped", "the subscription is paused")]
        assert receiver.received == []


def test_a_round_a_restart_interrupted_is_started_again(notifying: AwsWorld) -> None:
    from datetime import UTC, datetime

    from devportal.notify.subscriptions import Delivery
    from devportal_local.resume import resume_pending_deliveries

    with webhook_receiver() as receiver:
        subscription_id, _ = subscribe(receiver.url)
        event = registered(f"nt-{uuid.uuid4().hex[:8]}")
        # Given a delivery in its second round, pending, whose execution is gone (moto forgot it)
        delivery_id = delivery_id_for(event.metadata.event_id, subscription_id)
        kept = Delivery(delivery_id, subscription_id, "pets", "api.registered", event.data.api_id,
                        event.metadata.event_id, datetime.now(UTC), "pending", rounds=2,
                        event=eventbridge_body(event))  # fmt: skip
        assert wiring.portal().delivery_store.create(kept)
        # When the pollers process starts, Then that round starts again and the receiver has it
        assert resume_pending_deliveries(notifying.names) >= 1
        (got,) = receiver.wait_for(1)
        assert got.headers["webhook-id"] == delivery_id
        done = until(settled(subscription_id, event, "delivered"), 20, "the resumed round did not deliver")
        assert (done.rounds, [a.status for a in done.attempts]) == (2, [200])
        # a second start finds nothing of it to resume
        resume_pending_deliveries(notifying.names)
        time.sleep(1)
        assert len(receiver.received) == 1


def test_an_email_goes_through_ses_once_its_address_is_confirmed(notifying: AwsWorld) -> None:
    address = f"owner-{uuid.uuid4().hex[:6]}@pets.test"
    subscription_id, secret = subscribe(email=address)
    assert secret is None
    event = registered(f"nt-{uuid.uuid4().hex[:8]}")
    # not confirmed yet: nothing is sent
    assert wiring.portal().notify.handle(eventbridge_body(event)).started == 0
    confirmation = until(lambda: _mail_to(notifying, address), 10, "no confirmation mail")
    assert confirmation.subject == "[devportal] Confirm notifications for team pets"
    token = confirmation.body.split("token=", 1)[1].split()[0]
    assert wiring.portal().subscriptions.confirm(token).status == "active"
    event = registered(f"nt-{uuid.uuid4().hex[:8]}")
    assert wiring.portal().notify.handle(eventbridge_body(event)).started == 1
    until(settled(subscription_id, event, "delivered"), 20, "the e-mail was not delivered")
    mails = until(lambda: [m for m in _mails(notifying) if event.data.api_id in m.subject], 10, "no mail")
    (mail,) = mails
    assert mail.to == (address,)
    assert mail.sender == "notifications@devportal.local"
    assert mail.subject == f"[devportal] {event.data.api_id} 1.0.0 is registered and active"
    assert f"http://portal.test/catalog/api/?id={event.data.api_id}" in mail.body


def _mails(world: AwsWorld) -> list[Mail]:
    return outbox(world.endpoint)


def _mail_to(world: AwsWorld, address: str) -> Mail | None:
    return next((mail for mail in _mails(world) if address in mail.to), None)


def test_the_local_state_machine_is_the_file_with_quick_retries_only(aws: AwsWorld) -> None:
    from devportal_local.provision import QUICK_RETRIES
    from functions import state_machines

    sfn = aws.client("stepfunctions")
    (machine,) = [
        m for m in sfn.list_state_machines()["stateMachines"] if m["name"] == aws.names.state_machine("notify")
    ]
    local = json.loads(sfn.describe_state_machine(stateMachineArn=machine["stateMachineArn"])["definition"])
    (path,) = state_machines.files()
    expected = state_machines.with_quick_retries(state_machines.definition(path), **QUICK_RETRIES)
    # the same states, transitions, catches and retried errors; the functions named for this deployment
    assert local.keys() == expected.keys()
    for name, state in expected["States"].items():
        mine = local["States"][name]
        assert {k: v for k, v in mine.items() if k != "Parameters"} == {
            k: v for k, v in state.items() if k != "Parameters"
        }, name
    function = local["States"]["SendWebhook"]["Parameters"]["FunctionName"]
    assert function.endswith(f":function:{aws.names.prefix}-send-webhook")


async def test_the_daily_digest_sends_what_waited_as_one_signed_delivery(
    notifying: AwsWorld, temporal_client: Client
) -> None:
    task_queue = f"analytics-{uuid.uuid4().hex[:8]}"
    with webhook_receiver() as receiver:
        # Given a webhook that hears of registrations once a day, and two registrations
        request = NewSubscription.model_validate(
            {"events": ["api.registered"], "digest": ["api.registered"], "webhookUrl": receiver.url}
        )
        created = wiring.portal().subscriptions.create("pets", request, "dev@pets.test")
        subscription_id, secret = created.subscription.subscription_id, created.secret
        assert secret is not None
        events = [registered(f"dg-{uuid.uuid4().hex[:8]}") for _ in range(2)]
        for event in events:
            assert wiring.portal().notify.handle(eventbridge_body(event)).digested == 1
            assert delivery(subscription_id, event).status == "digested"

        # When the digest's schedule (made once) runs, as it does each morning, and runs again
        assert await ensure_digest_schedule(temporal_client, task_queue) is True
        assert await ensure_digest_schedule(temporal_client, task_queue) is False
        schedule = temporal_client.get_schedule_handle(digest_schedule_id(task_queue))
        try:
            async with build_analytics_worker(temporal_client, task_queue, wiring.portal()):
                first = await _digest_run(temporal_client, schedule.id)
                again = await _digest_run(temporal_client, schedule.id)
        finally:
            await schedule.delete()

        # Then one digest was sent, through the notify state machine, signed; the second run had
        # nothing of this subscription's to tell
        (mine,) = [outcome for outcome in first.sent if outcome.subscription_id == subscription_id]
        assert mine.notices == 2
        assert mine.digest_id is not None
        assert [outcome for outcome in again.sent if outcome.subscription_id == subscription_id] == []
        (got,) = receiver.wait_for(1)
        verify(secret, got.headers, got.body, now=int(time.time()))
        payload = json.loads(got.body)
        assert (payload["type"], got.headers["webhook-id"]) == ("digest", mine.digest_id)
        assert [n["data"]["apiId"] for n in payload["data"]["notices"]] == [e.data.api_id for e in events]
        store = wiring.portal().delivery_store

        def digest_delivered() -> Any:
            found = store.get(subscription_id, mine.digest_id or "")
            return found if found is not None and found.status == "delivered" else None

        digest = until(digest_delivered, 20, "the digest was not marked delivered")
        assert (digest.kind, len(digest.items), [a.status for a in digest.attempts]) == ("digest", 2, [200])
        assert {delivery(subscription_id, e).digest_id for e in events} == {mine.digest_id}
        time.sleep(1)
        assert len(receiver.received) == 1


async def _digest_run(client: Client, schedule_id: str) -> DigestResult:
    started = await trigger_now(client, schedule_id)
    run = client.get_workflow_handle_for(
        NotificationDigestWorkflow.run, started.workflow_id, run_id=started.first_execution_run_id
    )
    return await run.result()


def test_the_digest_index_names_who_waits_and_forgets_what_a_digest_told(aws: AwsWorld) -> None:
    from datetime import UTC, datetime, timedelta

    from devportal.adapters.subscriptions import DynamoDeliveryStore
    from devportal.notify.subscriptions import Delivery

    store = DynamoDeliveryStore(aws.names.table, aws.client("dynamodb"))
    mine, other = (f"sub-{uuid.uuid4().hex[:24]}" for _ in range(2))
    t0 = datetime(2026, 12, 6, 8, tzinfo=UTC)

    def kept(subscription_id: str, n: int, status: str = "digested") -> str:
        delivery_id = f"msg_{uuid.uuid4().hex[:26]}"
        at = t0 + timedelta(minutes=n)
        assert store.create(Delivery(delivery_id, subscription_id, "pets", "api.registered", "p", "e", at, status))  # type: ignore[arg-type]
        return delivery_id

    first, second, third = (kept(mine, n) for n in range(3))
    kept(mine, 4, "pending")  # told at once: not waiting
    kept(other, 0)
    waiting = store.waiting_subscriptions(10_000)
    assert ("pets", mine) in waiting
    assert ("pets", other) in waiting
    assert len(waiting) == len(set(waiting))  # each subscription once, however many wait
    # what waited before the run's start, oldest first
    assert [d.delivery_id for d in store.waiting(mine, t0 + timedelta(minutes=2), 500)] == [first, second]
    # marked by a digest (one of them gone meanwhile: the others are marked one by one)
    store.include(mine, [first, f"msg_{'0' * 26}", second], "msg_" + "d" * 26)
    assert [d.delivery_id for d in store.waiting(mine, t0 + timedelta(days=1), 500)] == [third]
    told = store.many(mine, [second, f"msg_{'0' * 26}", first])
    assert [(d.delivery_id, d.digest_id) for d in told] == [(second, "msg_" + "d" * 26), (first, "msg_" + "d" * 26)]
    store.include(mine, [third], "msg_" + "e" * 26)  # the whole transaction
    assert store.waiting(mine, t0 + timedelta(days=1), 500) == []
    assert ("pets", mine) not in store.waiting_subscriptions(10_000)


def test_a_webhook_secret_carries_the_cost_allocation_tags_and_its_team(aws: AwsWorld) -> None:
    from datetime import UTC, datetime

    from devportal.adapters.notify import SecretsManagerSigningSecrets

    client = aws.client("secretsmanager")
    subscription_id = f"sub-{uuid.uuid4().hex[:8]}"
    secrets = SecretsManagerSigningSecrets(
        "devportal-staging/webhook-secrets/", lambda: datetime.now(UTC), client=client
    )
    secrets.create(subscription_id, "whsec_x", team="pets")
    described = client.describe_secret(SecretId=f"devportal-staging/webhook-secrets/{subscription_id}")
    assert {t["Key"]: t["Value"] for t in described["Tags"]} == {
        "project": "devportal",
        "stage": "staging",
        "deployment": "devportal-staging",
        "team": "pets",
    }
    assert secrets.current(subscription_id) == ["whsec_x"]
