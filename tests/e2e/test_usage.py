"""Usage through HTTP: a team's service publishes with its key, bad records are refused by index,
a retried batch counts once, and keys and user tokens open only their own routes."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.support.stack import RunningStack

SPEC = """openapi: 3.0.3
info: {{title: Kennel {tag}, version: 1.0.0}}
paths:
  /dogs/{{dogId}}:
    get:
      operationId: getDog
      parameters: [{{name: dogId, in: path, required: true, schema: {{type: string}}}}]
      responses:
        '200': {{description: A dog}}
        '404': {{description: No such dog}}
"""


def service_key(stack: RunningStack, team: str) -> str:
    created = stack.post("/keys", f'{{"team": "{team}", "name": "kennel-service"}}'.encode(), "application/json")
    assert created.status_code == 201, created.text
    secret: str = created.json()["secret"]
    return secret


def publish(stack: RunningStack, key: str | None, body: dict[str, Any], **headers: str) -> requests.Response:
    sent = {"Content-Type": "application/json", **({"x-api-key": key} if key else {}), **headers}
    return requests.post(stack.gateway + "/usage", json=body, headers=sent, timeout=30)


def call(api_id: str, **overrides: Any) -> dict[str, Any]:
    """A usage record of `api_id`; an override of None leaves that member out."""
    values = {
        "apiId": api_id,
        "version": "1.0.0",
        "method": "GET",
        "path": "/dogs/rex",
        "status": 200,
        "latencyMs": 12.5,
        "timestamp": datetime.now(UTC).isoformat(),
        "consumerId": "vet-app",
    }
    return {name: value for name, value in {**values, **overrides}.items() if value is not None}


def report(stack: RunningStack, api_id: str, calls: int) -> dict[str, Any]:
    """The API's report for the last hours, once it shows `calls` calls."""
    deadline = time.monotonic() + 30
    while True:
        answer = stack.get(f"/apis/{api_id}/analytics", role="viewer", params={"granularity": "hour"})
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        if body["totals"]["calls"] >= calls:
            return body
        assert time.monotonic() < deadline, f"{body['totals']['calls']} of {calls} calls counted"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def kennel(stack: RunningStack) -> str:
    """An API of team pets, registered for this module."""
    tag = uuid.uuid4().hex[:8]
    api_id = f"kennel-{tag}"
    stack.register(api_id, SPEC.format(tag=tag).encode())
    return api_id


def test_a_service_publishes_usage_and_a_retried_batch_counts_once(stack: RunningStack, kennel: str) -> None:
    # Given an API of team pets and a service key of that team
    api_id, tag = kennel, uuid.uuid4().hex[:8]
    key = service_key(stack, "pets")

    # When it publishes a batch of 3 calls, one of which is refused, and then sends the batch again
    batch = {
        "batchId": f"batch-{tag}",
        "records": [call(api_id), call(api_id, status=503), call(api_id, timestamp="yesterday")],
    }
    first = publish(stack, key, batch)
    again = publish(stack, key, batch)

    # Then the bad record is named by index, and the two good ones are counted once
    assert first.status_code == 207, first.text
    assert first.headers["Content-Type"] == "application/problem+json"
    problem = first.json()
    assert (problem["accepted"], problem["refused"]) == (2, 1)
    assert problem["errors"][0]["pointer"] == "/records/2/timestamp"
    assert "RFC 3339" in problem["errors"][0]["detail"]
    assert again.status_code == 207
    report(stack, api_id, 2)
    time.sleep(1)  # the second delivery has had its time to be (not) counted
    totals = report(stack, api_id, 2)
    assert totals["totals"]["calls"] == 2
    assert totals["totals"]["statusCodes"] == {"200": 1, "503": 1}
    assert totals["totals"]["errorRate"] == 0.5
    assert totals["totals"]["latencyMs"]["p50"] == pytest.approx(12.5, rel=0.01)
    assert totals["topOperations"] == [{"operation": "getDog", "calls": 2, "serverErrors": 1, "errorRate": 0.5}]
    assert totals["topConsumers"] == [{"consumerId": "vet-app", "calls": 2}]
    assert totals["undocumented"] == [{"call": "getDog 503", "calls": 1}]  # the spec lists 200 and 404 only


def test_keys_and_tokens_open_only_their_own_routes(stack: RunningStack) -> None:
    key = service_key(stack, "pets")
    batch = {"batchId": "b", "records": [call("petstore")]}

    with_a_token = publish(stack, None, batch, Authorization=f"Bearer {stack.token('developer')}")
    wrong_key = publish(stack, "dpk_" + "x" * 43, batch)
    key_on_a_user_route = requests.get(stack.gateway + "/apis", headers={"x-api-key": key}, timeout=30)

    assert with_a_token.status_code == 401, with_a_token.text
    assert with_a_token.headers["WWW-Authenticate"].startswith("ApiKey")
    assert wrong_key.status_code == 401
    assert wrong_key.json()["detail"] == "The API key is missing, unknown, revoked or past its rotation grace period."
    assert key_on_a_user_route.status_code == 401


def test_a_key_of_another_team_counts_nothing(stack: RunningStack, kennel: str) -> None:
    key = service_key(stack, "platform")

    refused = publish(stack, key, {"batchId": "b-x", "records": [call(kennel)]})

    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["pointer"] == "/records/0/apiId"
    assert "belongs to team pets" in refused.json()["errors"][0]["detail"]


def api_health(stack: RunningStack, api_id: str) -> dict[str, Any]:
    answer = stack.get(f"/apis/{api_id}/health", role="viewer")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def catalog_health(stack: RunningStack, api_id: str, expected: str) -> dict[str, Any]:
    """The API's catalog entry once update-catalog has taken the health event in."""
    deadline = time.monotonic() + 30
    while True:
        entry: dict[str, Any] = stack.get(f"/apis/{api_id}", role="viewer").json()
        if entry["health"] == expected:
            return entry
        assert time.monotonic() < deadline, f"the catalog says {entry['health']}, not {expected}"
        time.sleep(0.2)


async def sweep(stack: RunningStack, through: datetime) -> Any:
    """One run of the hourly health sweep through `through`, on the stack's analytics worker."""
    from devportal.names import TASK_QUEUE_ANALYTICS
    from temporal_bridge.health import ApiHealthWorkflow, HealthSweep

    client = await stack.cfg.connect_temporal()
    return await client.execute_workflow(
        ApiHealthWorkflow.run,
        HealthSweep(through),
        id=f"test-sweep-{uuid.uuid4().hex[:8]}",
        task_queue=TASK_QUEUE_ANALYTICS,
    )


async def test_an_incident_raises_an_alert_and_a_healthy_hour_closes_it(stack: RunningStack) -> None:
    # Given an API of team pets with a healthy hour, then an hour with a fifth of its calls failing
    tag = uuid.uuid4().hex[:8]
    api_id = f"kennel-{tag}"
    stack.register(api_id, SPEC.format(tag=tag).encode())
    key = service_key(stack, "pets")
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=4)
    hours = [
        [
            call(
                api_id,
                status=500 if hour == 1 and n % 5 == 0 else 200,
                timestamp=(first + timedelta(hours=hour, minutes=n)).isoformat(),
            )
            for n in range(50)
        ]
        for hour in range(3)
    ]
    for hour in (0, 1):
        assert publish(stack, key, {"batchId": f"{tag}-{hour}", "records": hours[hour]}).status_code == 202
    report(stack, api_id, 100)

    # When the hourly sweep judges the incident hour
    result = await sweep(stack, first + timedelta(hours=1))

    # Then an alert opens with its evidence, and the catalog shows the API degraded
    alert_id = f"{api_id}:error-rate:{first + timedelta(hours=1):%Y%m%dT%H}"
    assert alert_id in result.degraded
    health = api_health(stack, api_id)
    assert health["status"] == "degraded"
    (alert,) = health["alerts"]
    assert (alert["alertId"], alert["status"]) == (alert_id, "open")
    assert alert["degraded"]["value"] == pytest.approx(0.2)
    assert alert["degraded"]["evidence"] == {
        "hour": f"{first + timedelta(hours=1):%Y-%m-%dT%H}:00:00Z",
        "calls": 50,
        "serverErrors": 10,
    }
    assert catalog_health(stack, api_id, "degraded")["degradedRules"] == ["error-rate"]

    # When a healthy hour follows and is judged, the same alert closes
    assert publish(stack, key, {"batchId": f"{tag}-2", "records": hours[2]}).status_code == 202
    report(stack, api_id, 150)
    result = await sweep(stack, first + timedelta(hours=2))
    assert alert_id in result.recovered
    (alert,) = api_health(stack, api_id)["alerts"]
    assert alert["status"] == "closed"
    assert alert["recovered"]["summary"].startswith(f"recovered at {first + timedelta(hours=2):%Y-%m-%dT%H}")
    assert catalog_health(stack, api_id, "healthy")["degradedRules"] == []

    # And the team's overview ranks the API with its figures and health
    ranking = stack.get("/teams/pets/analytics", role="viewer")
    assert ranking.status_code == 200, ranking.text
    (ranked,) = [api for api in ranking.json()["apis"] if api["apiId"] == api_id]
    assert (ranked["calls"], ranked["serverErrors"], ranked["health"]) == (150, 10, "healthy")
    bad = stack.get("/teams/pets/analytics", role="viewer", params={"from": "yesterday"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["parameter"] == "from"

    # And a team's own line applies from the next evaluation, set by its developers only
    lenient = stack.put(f"/apis/{api_id}/health/thresholds", b'{"errorRate": 0.25}', "application/json")
    assert lenient.status_code == 200, lenient.text
    assert lenient.json()["thresholds"]["errorRate"] == 0.25
    refused = stack.put(f"/apis/{api_id}/health/thresholds", b'{"errorRate": 5}', "application/json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["pointer"] == "/errorRate"


def test_readers_rate_the_docs_once_each_and_the_report_counts_them(stack: RunningStack, kennel: str) -> None:
    path = f"/apis/{kennel}/versions/1.0.0/rating"
    first = stack.put(path, b'{"helpful": false, "comment": "No example of a 404"}', "application/json", role="viewer")
    assert first.status_code == 200, first.text
    assert first.json()["mine"]["helpful"] is False
    stack.put(path, b'{"helpful": true}', "application/json", role="developer")
    changed = stack.put(path, b'{"helpful": true, "comment": "Found it"}', "application/json", role="viewer")
    body = changed.json()
    assert (body["votes"], body["helpful"], body["notHelpful"]) == (2, 2, 0)  # the viewer's vote changed
    assert [c["comment"] for c in body["recentComments"]] == ["Found it"]
    refused = stack.put(path, b'{"helpful": "yes"}', "application/json", role="viewer")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["pointer"] == "/helpful"
    assert stack.get(f"/apis/{kennel}/versions/9.9.9/rating", role="viewer").status_code == 404
    satisfaction = stack.get(f"/apis/{kennel}/analytics", role="viewer").json()["satisfaction"]
    assert (satisfaction["votes"], satisfaction["helpfulShare"]) == (2, 1.0)
    assert satisfaction["versions"][0]["version"] == "1.0.0"


async def daily_report(stack: RunningStack, api_id: str) -> Any:
    """The API's daily analytics schedule triggered now, as an operator would, and the run's result."""
    from devportal.names import TASK_QUEUE_ANALYTICS
    from temporal_bridge.reports import ApiAnalyticsWorkflow
    from temporal_bridge.schedules import report_schedule_id, trigger_now

    client = await stack.cfg.connect_temporal()
    run = await trigger_now(client, report_schedule_id(TASK_QUEUE_ANALYTICS, api_id))
    return await client.get_workflow_handle_for(
        ApiAnalyticsWorkflow.run, run.workflow_id, run_id=run.first_execution_run_id
    ).result()


async def test_the_daily_schedule_keeps_a_report_of_each_day(stack: RunningStack) -> None:
    from devportal.analytics.daily import last_complete_day
    from tests.support.contract import assert_matches_contract

    # Given an API of team pets whose service published today's calls, then yesterday's and the
    # day before's (late: after the API's first traffic was counted)
    tag = uuid.uuid4().hex[:8]
    api_id = f"kennel-{tag}"
    stack.register(api_id, SPEC.format(tag=tag).encode())
    key = service_key(stack, "pets")
    yesterday = last_complete_day(datetime.now(UTC), timedelta(minutes=5))
    midnight = datetime.combine(yesterday, datetime.min.time(), tzinfo=UTC)
    days = {
        "today": [call(api_id, consumerId="vet-app")],
        "before": [call(api_id, timestamp=(midnight - timedelta(hours=14, minutes=n)).isoformat()) for n in range(20)],
        "yesterday": [
            call(api_id, status=500 if n % 10 == 0 else 200, latencyMs=40.0,
                 timestamp=(midnight + timedelta(hours=9, minutes=n)).isoformat(), consumerId=f"groomer-{n % 2}")
            for n in range(50)
        ],
    }  # fmt: skip
    for name, records in days.items():
        assert publish(stack, key, {"batchId": f"{tag}-{name}", "records": records}).status_code == 202
    report(stack, api_id, 71)

    # When an operator triggers the API's daily schedule (the bridge created it on its first traffic)
    result = await daily_report(stack, api_id)

    # Then the two complete days are reported, newest first in the list
    assert [d.day for d in result.reported] == [yesterday - timedelta(days=1), yesterday]
    listing = stack.get(f"/apis/{api_id}/analytics/reports", role="viewer")
    assert listing.status_code == 200, listing.text
    assert_matches_contract("/apis/{apiId}/analytics/reports", "GET", 200, "application/json", listing.json())
    assert [(r["day"], r["calls"]) for r in listing.json()["items"]] == [
        (yesterday.isoformat(), 50),
        ((yesterday - timedelta(days=1)).isoformat(), 20),
    ]
    # and yesterday reads whole, in plain words
    one = stack.get(f"/apis/{api_id}/analytics/reports/{yesterday}", role="viewer")
    assert one.status_code == 200, one.text
    assert_matches_contract("/apis/{apiId}/analytics/reports/{day}", "GET", 200, "application/json", one.json())
    body = one.json()
    assert body["headline"] == "50 calls, 10.0 % answered 5xx, p99 40 ms; 150 % more calls than the day before."
    assert "2 new consumers made a first call: groomer-0, groomer-1." in body["highlights"]
    assert body["usage"]["totals"]["statusCodes"] == {"200": 45, "500": 5}
    # and the catalog shows the newest report
    deadline = time.monotonic() + 30
    while (entry := stack.get(f"/apis/{api_id}", role="viewer").json())["lastReport"] is None:
        assert time.monotonic() < deadline, "the catalog never took the report in"
        time.sleep(0.2)
    assert entry["lastReport"] == {"day": yesterday.isoformat(), "headline": body["headline"]}
    # A day not reported is a 404, a day that is not one a 400 naming it
    missing = stack.get(f"/apis/{api_id}/analytics/reports/{yesterday - timedelta(days=3)}", role="viewer")
    assert missing.status_code == 404
    assert "no report of" in missing.json()["detail"]
    bad = stack.get(f"/apis/{api_id}/analytics/reports/2026-13-01", role="viewer")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["parameter"] == "day"
