"""Telling a team, end to end on the local stack: subscriptions through the gateway, a registration
delivered to a webhook receiver on loopback (signed) and, once confirmed, to a mailbox (SES in
moto), retries after a receiver's 5xx, a receiver that never recovers dead-lettered and redriven,
an event put on the bus twice delivered once, and a URL the portal will not call refused.

Each test subscribes for its own API id only (`apis`), so tests of the shared stack never receive
each other's events."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from typing import Any

import requests

from devportal.notify.signing import verify
from devportal_local.webhook_receiver import webhook_receiver
from tests.support.events import put_on_bus, registered
from tests.support.specs import petstore_json
from tests.support.stack import RunningStack


def subscribe(stack: RunningStack, body: dict[str, Any], role: str = "developer") -> requests.Response:
    return stack.post("/teams/pets/subscriptions", json.dumps(body).encode(), "application/json", role=role)


def deliveries(stack: RunningStack, subscription_id: str) -> list[dict[str, Any]]:
    answer = stack.get(f"/teams/pets/subscriptions/{subscription_id}/deliveries", role="developer")
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def settled(stack: RunningStack, subscription_id: str, status: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        items = deliveries(stack, subscription_id)
        if items and items[0]["status"] == status:
            return items[0]
        assert time.monotonic() < deadline, f"no {status} delivery for {subscription_id}: {items}"
        time.sleep(0.2)


def mail_to(stack: RunningStack, address: str, timeout: float = 20) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        shown = stack.cli("mail", "--to", address, "--json")
        assert shown.returncode == 0, shown.stderr
        mails = [json.loads(line) for line in shown.stdout.splitlines() if line.strip()]
        if mails:
            return mails
        assert time.monotonic() < deadline, f"no mail to {address}"
        time.sleep(0.3)


def test_a_registration_reaches_a_signed_webhook_and_a_confirmed_mailbox(stack: RunningStack) -> None:
    api_id = f"nt-{uuid.uuid4().hex[:8]}"
    address = f"owners-{api_id}@pets.test"
    with webhook_receiver() as receiver:
        hook = subscribe(stack, {"events": ["api.registered"], "apis": [api_id], "webhookUrl": receiver.url})
        assert hook.status_code == 201, hook.text
        assert hook.headers["Location"].endswith(f"/teams/pets/subscriptions/{hook.json()['subscriptionId']}")
        secret = hook.json()["secret"]
        mailbox = subscribe(stack, {"events": ["api.registered"], "apis": [api_id], "email": address})
        assert mailbox.status_code == 201, mailbox.text
        assert mailbox.json()["status"] == "pending-confirmation"
        assert "secret" not in mailbox.json()
        # the address is confirmed with the link mailed to it (no sign-in needed)
        (confirmation,) = mail_to(stack, address)
        token = confirmation["text"].split("token=", 1)[1].split()[0]
        confirmed = requests.post(f"{stack.gateway}/subscriptions/confirmations", json={"token": token}, timeout=30)
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["email"] == address
        again = requests.post(f"{stack.gateway}/subscriptions/confirmations", json={"token": token}, timeout=30)
        assert again.status_code == 404
        assert again.headers["Content-Type"] == "application/problem+json"

        stack.register(api_id, petstore_json())
        (got,) = receiver.wait_for(1, seconds=60)
        verify(secret, got.headers, got.body, now=int(time.time()))
        payload = json.loads(got.body)
        assert (payload["type"], payload["data"]["apiId"], payload["data"]["version"]) == (
            "api.registered",
            api_id,
            "1.0.0",
        )
        delivered = settled(stack, hook.json()["subscriptionId"], "delivered")
        assert delivered["deliveryId"] == got.headers["webhook-id"]
        assert [a["status"] for a in delivered["attempts"]] == [200]
        # and the mailbox got the same news in words, with a link to the API's page
        mails = [m for m in mail_to(stack, address) if "registered" in m["subject"]]
        assert [m["subject"] for m in mails] == [f"[devportal] {api_id} 1.0.0 is registered and active"]
        assert f"{stack.gateway}/catalog/api/?id={api_id}" in mails[0]["text"]


def test_a_receiver_answering_500_three_times_gets_it_once_more_after_backoff(stack: RunningStack) -> None:
    api_id = f"nt-{uuid.uuid4().hex[:8]}"
    with webhook_receiver(statuses=(500, 500, 500, 200)) as receiver:
        hook = subscribe(stack, {"events": ["api.registered"], "apis": [api_id], "webhookUrl": receiver.url})
        assert hook.status_code == 201, hook.text
        stack.register(api_id, petstore_json())
        received = receiver.wait_for(4, seconds=60)
        assert [r.status for r in received] == [500, 500, 500, 200]
        gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(received)]
        assert all(gap < 10 for gap in gaps), gaps  # the local backoff: 1 s doubling to 4 s, full jitter
        delivered = settled(stack, hook.json()["subscriptionId"], "delivered")
        assert [(a["outcome"], a["status"]) for a in delivered["attempts"]] == [
            ("retryable", 500),
            ("retryable", 500),
            ("retryable", 500),
            ("delivered", 200),
        ]
        time.sleep(2)
        assert len(receiver.received) == 4


def test_a_receiver_that_always_fails_is_dead_lettered_then_redriven_once_it_recovers(stack: RunningStack) -> None:
    api_id = f"nt-{uuid.uuid4().hex[:8]}"
    with webhook_receiver(statuses=(503,)) as receiver:
        hook = subscribe(stack, {"events": ["api.registered"], "apis": [api_id], "webhookUrl": receiver.url})
        subscription_id = hook.json()["subscriptionId"]
        stack.register(api_id, petstore_json())
        failed = settled(stack, subscription_id, "failed", timeout=90)
        assert len(failed["attempts"]) == 5
        listed = stack.cli("dlq", "list")
        assert f"{stack.cfg.names.failed_deliveries_queue} " in listed.stdout
        assert f"ApiVersionRegistered apiId={api_id}" in listed.stdout
        # the receiver works again; ops redrive the failed deliveries
        receiver.answer_from_now(200)
        redriven = stack.cli("dlq", "redrive", "--queue", stack.cfg.names.failed_deliveries_queue)
        assert redriven.returncode == 0, redriven.stderr
        delivered = settled(stack, subscription_id, "delivered")
        assert delivered["rounds"] == 2
        time.sleep(2)
        assert [r.status for r in receiver.received][-1] == 200
        assert len(receiver.received) == 6  # five failed attempts, one delivery
        # and it can be sent again by hand, as a new round with the same webhook-id
        again = stack.post(
            f"/teams/pets/subscriptions/{subscription_id}/deliveries/{delivered['deliveryId']}/redeliver",
            b"",
            "application/json",
            role="developer",
        )
        assert again.status_code == 202, again.text
        assert receiver.wait_for(7)[-1].headers["webhook-id"] == delivered["deliveryId"]


def test_an_event_on_the_bus_twice_is_delivered_once(stack: RunningStack) -> None:
    api_id = f"nt-{uuid.uuid4().hex[:8]}"
    with webhook_receiver() as receiver:
        hook = subscribe(stack, {"events": ["api.registered"], "apis": [api_id], "webhookUrl": receiver.url})
        assert hook.status_code == 201, hook.text
        event = registered(api_id, version="9.9.9")
        for _ in range(2):
            put_on_bus(stack.aws("events"), stack.cfg.names.event_bus, event)
        receiver.wait_for(1, seconds=30)
        time.sleep(3)
        assert len(receiver.received) == 1
        assert len(deliveries(stack, hook.json()["subscriptionId"])) == 1


def test_a_url_the_portal_will_not_call_is_refused_when_subscribing(stack: RunningStack) -> None:
    for url, said in (
        ("http://169.254.169.254/latest/meta-data", "a cloud metadata address"),
        ("http://10.1.2.3/hook", "a private address"),
        ("ftp://example.com/hook", "not an http(s) URL"),
    ):
        refused = subscribe(stack, {"events": ["api.registered"], "webhookUrl": url})
        assert refused.status_code == 422, refused.text
        assert refused.headers["Content-Type"] == "application/problem+json"
        problem = refused.json()
        assert said in problem["detail"]
        assert problem["errors"][0]["pointer"] == "/webhookUrl"
    unknown = subscribe(stack, {"events": ["api.exploded"], "email": "a@pets.test"})
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["pointer"] == "/events/0"
    assert "not an event kind" in unknown.json()["errors"][0]["detail"]
    viewer = subscribe(stack, {"events": ["api.registered"], "email": "viewer@pets.test"}, role="viewer")
    assert viewer.status_code == 403


async def test_a_daily_digest_tells_what_waited_in_one_signed_delivery(stack: RunningStack) -> None:
    from devportal.names import TASK_QUEUE_ANALYTICS
    from temporal_bridge.digests import NotificationDigestWorkflow
    from temporal_bridge.schedules import digest_schedule_id, trigger_now

    api_id = f"nt-{uuid.uuid4().hex[:8]}"
    # health alerts are told at once: a digest of them is refused, naming the member
    refused = subscribe(stack, {"events": ["health.degraded"], "digest": ["health.degraded"], "email": "o@pets.test"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["pointer"] == "/digest/0"
    with webhook_receiver() as receiver:
        # Given a webhook that hears of registrations once a day (the digest's schedule is made now)
        hook = subscribe(
            stack,
            {"events": ["api.registered"], "digest": ["api.registered"], "apis": [api_id], "webhookUrl": receiver.url},
        )
        assert hook.status_code == 201, hook.text
        assert hook.json()["digest"] == ["api.registered"]
        subscription_id, secret = hook.json()["subscriptionId"], hook.json()["secret"]
        # When its API is registered, nothing is sent: the delivery waits for the digest
        stack.register(api_id, petstore_json())
        waiting = settled(stack, subscription_id, "digested")
        assert "digestId" not in waiting
        time.sleep(1)
        assert receiver.received == []
        # Then the morning's digest (triggered now, as an operator would in the Web UI) tells it
        client = await stack.cfg.connect_temporal()
        started = await trigger_now(client, digest_schedule_id(TASK_QUEUE_ANALYTICS))
        result = await client.get_workflow_handle_for(
            NotificationDigestWorkflow.run, started.workflow_id, run_id=started.first_execution_run_id
        ).result()
        (mine,) = [outcome for outcome in result.sent if outcome.subscription_id == subscription_id]
        (got,) = receiver.wait_for(1, seconds=60)
        verify(secret, got.headers, got.body, now=int(time.time()))
        payload = json.loads(got.body)
        assert (payload["type"], got.headers["webhook-id"]) == ("digest", mine.digest_id)
        assert [(n["type"], n["data"]["apiId"]) for n in payload["data"]["notices"]] == [("api.registered", api_id)]
        digest = settled(stack, subscription_id, "delivered")  # newest first: the digest
        assert (digest["kind"], digest["notices"], digest["deliveryId"]) == ("digest", 1, mine.digest_id)
        assert "apiId" not in digest
        (told,) = [d for d in deliveries(stack, subscription_id) if d["kind"] == "api.registered"]
        assert (told["status"], told["digestId"]) == ("digested", mine.digest_id)
