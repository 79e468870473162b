"""Registering specs through the running stack and showing each step as it happens.

Everything goes through the front door: the spec is POSTed to the gateway over HTTP, the outcome
is read back over HTTP, and the steps come from the registration workflow's `current_step`
query, so what is printed is what ops would see in the Temporal Web UI."""

from __future__ import annotations

import asyncio
import json
import random
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any
from urllib.parse import quote, urlencode

import yaml
from temporalio.client import Client, ScheduleActionExecutionStartWorkflow, WorkflowHandle
from temporalio.service import RPCError

from devportal_local.web import ui_built

Say = Callable[[str], None]
TERMINAL = {"registered", "rejected"}
POLL_SECONDS = 0.05
TIMEOUT_SECONDS = 180.0
MAX_ENVIRONMENTS = 10  # an API's test environments at most (contracts: TestSettings.environments)


@dataclass(frozen=True)
class DemoSpec:
    file: str
    team: str
    api_id: str  # what the portal derives from its title
    expect: str = "registered"

    def body(self) -> bytes:
        return resources.files("devportal_local").joinpath("demo_specs", self.file).read_bytes()


DEMO_SPECS = (
    DemoSpec("authentication-api.yaml", team="identity", api_id="authentication-api"),
    DemoSpec("petstore.yaml", team="pets", api_id="petstore"),
)
BROKEN_SPEC = DemoSpec("broken-orders.yaml", team="orders", api_id="orders", expect="rejected")


@dataclass
class Outcome:
    api_id: str
    version: str
    status: str
    seconds: float
    submission: dict[str, Any]
    steps: list[tuple[str, float]] = field(default_factory=list)


class DemoFailed(RuntimeError):
    pass


def http(
    method: str, url: str, body: bytes | None = None, content_type: str | None = None, token: str | None = None
) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method)  # noqa: S310 - our own loopback URL
    if content_type:
        request.add_header("Content-Type", content_type)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@dataclass(frozen=True)
class Session:
    """A signed-in caller of the gateway: every request carries the access token."""

    gateway_url: str
    token: str
    user: dict[str, Any]

    @classmethod
    def sign_in(cls, gateway_url: str, email: str, password: str) -> Session:
        body = json.dumps({"email": email, "password": password}).encode()
        status, payload = http("POST", f"{gateway_url}/auth/login", body, "application/json")
        if status != 200:
            raise DemoFailed(f"signing in as {email} answered HTTP {status}: {payload.decode(errors='replace')}")
        signed_in = json.loads(payload)
        return cls(gateway_url, signed_in["accessToken"], signed_in["user"])

    def call(
        self, method: str, path: str, body: bytes | None = None, content_type: str | None = None
    ) -> tuple[int, bytes]:
        return http(method, f"{self.gateway_url}{path}", body, content_type, self.token)

    def submit_upload(self, body: bytes, query: str, say: Say | None = None) -> tuple[int, bytes]:
        """A JSON document past the request-body cap: open an upload, PUT it to the presigned URL,
        submit it with `query` (that of POST /apis); the submission's answer. `say` hears each step."""
        wanted = json.dumps({"size": len(body), "contentType": "application/json"}).encode()
        status, payload = self.call("POST", "/apis/uploads", wanted, "application/json")
        if status != 201:
            raise DemoFailed(f"POST /apis/uploads answered HTTP {status}: {payload.decode(errors='replace')}")
        ticket = json.loads(payload)
        if say:
            say(f"  POST /apis/uploads ({len(body):,} bytes) -> HTTP 201, upload {ticket['uploadId']}")
        # the URL the portal presigned (http, to the specs bucket)
        put = urllib.request.Request(ticket["uploadUrl"], data=body, method="PUT", headers=ticket["headers"])  # noqa: S310
        with urllib.request.urlopen(put, timeout=120) as answer:  # noqa: S310
            if answer.status != 200:
                raise DemoFailed(f"the PUT to the upload's URL answered HTTP {answer.status}")
        if say:
            say(f"  PUT {ticket['uploadUrl'].split('?')[0]} (presigned, into the specs bucket) -> stored")
        submit = ticket["links"]["submit"].removeprefix(self.gateway_url)
        status, payload = self.call("POST", f"{submit}?{query}")
        if say and status in (200, 202):
            say(f"  POST {submit} -> HTTP {status}, submission {json.loads(payload)['submissionId']}")
        return status, payload


async def register(session: Session, client: Client, spec: DemoSpec, say: Say) -> Outcome:
    started = time.perf_counter()
    status, payload = await asyncio.to_thread(
        session.call, "POST", f"/apis?{urlencode({'team': spec.team})}", spec.body(), "application/yaml"
    )
    if status not in (200, 202):
        raise DemoFailed(f"submitting {spec.file} answered HTTP {status}: {payload.decode(errors='replace')}")
    submission = json.loads(payload)
    say(f"  {submission['apiId']} {submission['version']} (team {spec.team}) -> HTTP {status}, "
        f"submission {submission['submissionId']}")  # fmt: skip
    return await follow(session, client, submission, started, say)


async def follow(session: Session, client: Client, submission: dict[str, Any], started: float, say: Say) -> Outcome:
    """A submission's registration, step by step as its workflow reports it, to its outcome."""
    label = f"{submission['apiId']} {submission['version']}"
    if ui_built():
        say(f"      follow it in the portal: {session.gateway_url}/submission/?id={submission['submissionId']}")
    outcome = Outcome(submission["apiId"], submission["version"], submission["status"], 0.0, submission)
    handle = client.get_workflow_handle(submission["workflowId"])
    last_step = None
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        try:
            step = await handle.query("current_step", rpc_timeout=timedelta(seconds=5))
        except RPCError:
            step = "queued"  # the bridge has not started the workflow yet
        if step != last_step:
            elapsed = time.perf_counter() - started
            outcome.steps.append((step, elapsed))
            say(f"      {elapsed:6.2f} s  {step}")
            last_step = step
        status, payload = await asyncio.to_thread(session.call, "GET", f"/submissions/{submission['submissionId']}")
        current = json.loads(payload) if status == 200 else submission
        if current["status"] in TERMINAL:
            outcome.status = current["status"]
            outcome.submission = current
            outcome.seconds = time.perf_counter() - started
            say(f"      {outcome.seconds:6.2f} s  submission {current['status']}")
            break
        if time.monotonic() > deadline:
            raise DemoFailed(f"{label} did not finish within {TIMEOUT_SECONDS:.0f} s (last step {last_step})")
        await asyncio.sleep(POLL_SECONDS)
    if outcome.status == "registered":
        await in_catalog(session, submission["apiId"], deadline)
    say(f"      timeline (from the workflow history): {await timeline(handle)}")
    if outcome.status == "rejected":
        for finding in current.get("findings", []):
            say(f"        finding at {finding['pointer'] or '(document)'}: {finding['message']}")
    return outcome


def large_document() -> bytes:
    """The petstore as an archive API with 11 MB of ballast (an extension, not rendered): over the
    10 MB a request body may carry."""
    document: dict[str, Any] = yaml.safe_load(next(s for s in DEMO_SPECS if s.api_id == "petstore").body())
    document["info"]["title"] = "Petstore archive"
    document["x-archive"] = ["0123456789abcdef" * 64] * (11 * 1024)
    return json.dumps(document, separators=(",", ":")).encode()


async def show_upload(session: Session, client: Client, say: Say) -> Outcome:
    """A document over the request-body cap: an upload, a PUT to its presigned URL, a submission."""
    body = large_document()
    started = time.perf_counter()
    query = urlencode({"team": "pets"})
    status, payload = await asyncio.to_thread(session.submit_upload, body, query, say)
    if status not in (200, 202):
        raise DemoFailed(f"submitting the upload answered HTTP {status}: {payload.decode(errors='replace')}")
    submission = json.loads(payload)
    return await follow(session, client, submission, started, say)


async def in_catalog(session: Session, api_id: str, deadline: float) -> None:
    """The catalog is a view fed by the registration's event: what follows a registration (the
    API's test settings, its runs) waits until it lists the API. GET /apis/{apiId} answers from
    the version records already; the test settings are read through the catalog entry."""
    while True:
        status, _ = await asyncio.to_thread(session.call, "GET", f"/apis/{quote(api_id, safe='')}/test-settings")
        if status == 200:
            return
        if time.monotonic() > deadline:
            raise DemoFailed(f"{api_id} was registered but never appeared in the catalog")
        await asyncio.sleep(POLL_SECONDS)


async def timeline(handle: WorkflowHandle[Any, Any]) -> str:
    """Each activity of the run with its duration, read from the workflow's event history."""
    scheduled: dict[int, tuple[str, float]] = {}
    parts = []
    first = last = None
    async for event in handle.fetch_history_events():
        moment = event.event_time.ToDatetime().timestamp()
        first = moment if first is None else first
        last = moment
        if event.HasField("activity_task_scheduled_event_attributes"):
            name = event.activity_task_scheduled_event_attributes.activity_type.name
            scheduled[event.event_id] = (name, moment)
        for field_name in ("activity_task_completed_event_attributes", "activity_task_failed_event_attributes"):
            if event.HasField(field_name):
                name, at = scheduled[getattr(event, field_name).scheduled_event_id]
                mark = "" if field_name.startswith("activity_task_completed") else " FAILED"
                parts.append(f"{name} {(moment - at) * 1000:.0f} ms{mark}")
    total = f" (workflow {(last - first) * 1000:.0f} ms)" if first is not None and last is not None else ""
    return " · ".join(parts) + total


def unregistered(session: Session, specs: tuple[DemoSpec, ...]) -> tuple[DemoSpec, ...]:
    """The specs whose API the catalog does not list yet."""
    status, payload = session.call("GET", "/apis?limit=200")
    if status != 200:
        raise DemoFailed(f"GET /apis answered HTTP {status}")
    listed = {item["apiId"] for item in json.loads(payload)["items"]}
    return tuple(spec for spec in specs if spec.api_id not in listed)


async def register_all(session: Session, client: Client, specs: tuple[DemoSpec, ...], say: Say) -> list[Outcome]:
    outcomes = []
    for spec in specs:
        outcome = await register(session, client, spec, say)
        if outcome.status != spec.expect:
            raise DemoFailed(f"{spec.file} ended {outcome.status}, expected {spec.expect}")
        outcomes.append(outcome)
    return outcomes


async def print_catalog(session: Session, say: Say) -> list[dict[str, Any]]:
    # The catalog view is fed by events; give its consumer a moment after the last registration.
    deadline = time.monotonic() + 10
    while True:
        status, payload = await asyncio.to_thread(session.call, "GET", "/apis")
        if status != 200:
            raise DemoFailed(f"GET /apis answered HTTP {status}")
        items: list[dict[str, Any]] = json.loads(payload)["items"]
        if len(items) >= len(DEMO_SPECS) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    say("Catalog (GET /apis):")
    for item in items:
        say(f"  {item['apiId']:<22} {item['latestVersion']:<8} {item['title']:<24} team {item['owner']}")
        say(f"  {'':<22} docs: {item['links']['docs']}")
        if ui_built():
            say(f"  {'':<22} page: {session.gateway_url}/catalog/api/?id={quote(item['apiId'], safe='')}")
    return items


async def show_lint(session: Session, say: Say, api_id: str = "petstore", version: str = "1.0.0") -> dict[str, Any]:
    """What lint found when the petstore registered, with the ruleset of its team."""
    path = f"/apis/{quote(api_id, safe='')}/versions/{quote(version, safe='')}/lint"
    status, payload = await asyncio.to_thread(session.call, "GET", path)
    if status != 200:
        raise DemoFailed(f"GET {path} answered HTTP {status}: {payload.decode(errors='replace')}")
    report: dict[str, Any] = json.loads(payload)
    whose = f"the ruleset of team {report['team']}" if report["rulesetUpdatedAt"] else "the recommended ruleset"
    counts = ", ".join(f"{report[kind]} {kind}" for kind in ("errors", "warnings", "infos", "hints") if report[kind])
    say(f"  {api_id} {version} was linted at registration with {whose}: {counts or 'nothing found'} (GET {path})")
    for finding in report["findings"][:3]:
        say(f"    {finding['severity']:<7} {finding['rule']:<28} at {finding['pointer'] or '/'}: {finding['message']}")
    if len(report["findings"]) > 3:
        say(f"    ... and {len(report['findings']) - 3} more")
    say("  A team changes its rules, or makes lint errors block its registrations, with PUT /teams/{team}/lint-ruleset"
        + (f" or on {session.gateway_url}/team/" if ui_built() else "") + "; the CLI runs the same rules offline: "
        "devportal spec lint FILE.")  # fmt: skip
    return report


async def show_approval(session: Session, client: Client, say: Say, api_id: str = "petstore") -> Outcome:
    """A version that breaks consumers waits for an admin, who approves it; then it registers."""
    document: dict[str, Any] = yaml.safe_load(next(s for s in DEMO_SPECS if s.api_id == api_id).body())
    document["info"]["version"] = "1.1.0"
    removed = next(path for path, item in document["paths"].items() if "post" in item)
    del document["paths"][removed]["post"]
    started = time.perf_counter()
    query = urlencode({"team": "pets", "apiId": api_id})
    status, payload = await asyncio.to_thread(
        session.call, "POST", f"/apis?{query}", json.dumps(document).encode(), "application/json"
    )
    if status != 202:
        raise DemoFailed(f"submitting {api_id} 1.1.0 answered HTTP {status}: {payload.decode(errors='replace')}")
    submission = json.loads(payload)
    say(f"  {api_id} 1.1.0 without POST {removed} -> HTTP 202, submission {submission['submissionId']}")
    path = f"/apis/{quote(api_id, safe='')}/versions/1.1.0"
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        status, payload = await asyncio.to_thread(session.call, "GET", path + "/approval")
        if status == 200:
            break
        if time.monotonic() > deadline:
            raise DemoFailed(f"{api_id} 1.1.0 never asked for an approval")
        await asyncio.sleep(POLL_SECONDS)
    request = json.loads(payload)
    say(f"  it waits at step awaiting-approval: {request['breakingCount']} breaking change(s) from "
        f"{request['baseVersion']}, decide by {request['deadline']} (GET {path}/approval)")  # fmt: skip
    for change in request["breaking"]:
        callers = ", ".join(change["consumers"]) or "no consumer in the last 30 days"
        say(f"    ERR {change['id']}: {change['message']} Called by: {callers}")
    reason = json.dumps({"reason": "the mobile app moved to the batch endpoint"}).encode()
    status, payload = await asyncio.to_thread(session.call, "POST", path + "/approve", reason, "application/json")
    if status != 202:
        raise DemoFailed(f"POST {path}/approve answered HTTP {status}: {payload.decode(errors='replace')}")
    say(f"  an admin approves it: POST {path}/approve -> HTTP 202 (an event; the bridge signals the workflow)")
    return await follow(session, client, submission, started, say)


async def show_lifecycle(session: Session, say: Say, api_id: str = "authentication-api") -> dict[str, Any]:
    """A version deprecated by its team, with the day it goes away; its page and docs say so."""
    sunset = (datetime.now(UTC) + timedelta(days=90)).date().isoformat()
    path = f"/apis/{quote(api_id, safe='')}/versions/1.0.0/lifecycle"
    body = json.dumps({"status": "deprecated", "sunset": sunset, "reason": "2.0 replaces sessions with tokens"})
    status, payload = await asyncio.to_thread(session.call, "POST", path, body.encode(), "application/json")
    if status != 200:
        raise DemoFailed(f"POST {path} answered HTTP {status}: {payload.decode(errors='replace')}")
    version: dict[str, Any] = json.loads(payload)
    say(f"  POST {path} -> HTTP 200: {api_id} 1.0.0 is {version['status']}, goes away on {version['sunset']}")
    say("  its docs page, its page in the portal and the catalog's search mark it; later: "
        '{"status": "retired"} (still readable), or {"status": "active"} to take it back.')  # fmt: skip
    return version


DEMO_MAILBOX = "pets-owners@pets.example"


async def subscribe_team(session: Session, moto_url: str, receiver_url: str, say: Say) -> tuple[str, str]:
    """Team pets subscribes a webhook (its receiver runs in this demo) and a mailbox, which confirms
    through the link it is sent; returns the webhook subscription's id and signing secret."""
    events = ["api.registered", "api.approval-requested", "api.approval-decided"]
    path = "/teams/pets/subscriptions"
    body = json.dumps({"events": events, "apis": ["petstore"], "webhookUrl": receiver_url}).encode()
    status, payload = await asyncio.to_thread(session.call, "POST", path, body, "application/json")
    if status != 201:
        raise DemoFailed(f"POST {path} answered HTTP {status}: {payload.decode(errors='replace')}")
    hook = json.loads(payload)
    say(f"  POST {path} -> HTTP 201: webhook {receiver_url} told of {', '.join(events)} about petstore;")
    say(f"    its signing secret, shown once: {hook['secret'][:12]}... (Standard Webhooks)")
    # the mailbox also hears of contract test runs, once a day in the digest
    mailbox = {"events": [*events, "test-run.completed"], "digest": ["test-run.completed"], "apis": ["petstore"]}
    body = json.dumps({**mailbox, "email": DEMO_MAILBOX}).encode()
    status, payload = await asyncio.to_thread(session.call, "POST", path, body, "application/json")
    if status == 201:
        from devportal_local.outbox import outbox

        mail = next(m for m in reversed(outbox(moto_url)) if DEMO_MAILBOX in m.to)
        token = mail.body.split("token=", 1)[1].split()[0]
        confirmation = json.dumps({"token": token}).encode()
        status, payload = await asyncio.to_thread(
            session.call, "POST", "/subscriptions/confirmations", confirmation, "application/json"
        )
        if status != 200:
            raise DemoFailed(f"confirming {DEMO_MAILBOX} answered HTTP {status}: {payload.decode(errors='replace')}")
        say(f"  and the mailbox {DEMO_MAILBOX}, confirmed with the link it was sent (devportal mail shows it)")
    elif status == 409:
        kept = await _demo_mailbox(session)
        changes = json.dumps({"events": mailbox["events"], "digest": mailbox["digest"]}).encode()
        status, payload = await asyncio.to_thread(
            session.call, "PATCH", f"{path}/{kept['subscriptionId']}", changes, "application/json"
        )
        if status != 200:
            raise DemoFailed(f"PATCH {path}/{kept['subscriptionId']} answered HTTP {status}: {payload.decode()}")
        say(f"  and the mailbox {DEMO_MAILBOX} (subscribed and confirmed by an earlier demo)")
    else:
        raise DemoFailed(f"subscribing {DEMO_MAILBOX} answered HTTP {status}: {payload.decode(errors='replace')}")
    return hook["subscriptionId"], hook["secret"]


async def _demo_mailbox(session: Session) -> dict[str, Any]:
    status, payload = await asyncio.to_thread(session.call, "GET", "/teams/pets/subscriptions")
    if status != 200:
        raise DemoFailed(f"GET /teams/pets/subscriptions answered HTTP {status}: {payload.decode(errors='replace')}")
    found = [s for s in json.loads(payload)["items"] if s.get("email") == DEMO_MAILBOX]
    if not found:
        raise DemoFailed(f"team pets has no subscription of {DEMO_MAILBOX}")
    kept: dict[str, Any] = found[0]
    return kept


async def show_digest(session: Session, client: Client, moto_url: str, say: Say, task_queue: str) -> str:
    """The mailbox hears of contract test runs once a day: the run just finished waits for the
    digest, whose schedule (made when the team asked for a digest) is triggered now, as an
    operator would in the Web UI; the digest's e-mail is shown as SES has it."""
    from devportal_local.outbox import outbox
    from temporal_bridge.digests import NotificationDigestWorkflow
    from temporal_bridge.schedules import digest_schedule_id

    mailbox = (await _demo_mailbox(session))["subscriptionId"]
    path = f"/teams/pets/subscriptions/{mailbox}/deliveries"
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:  # the run's TestRunCompleted reaches the notifier a queue away
        status, payload = await asyncio.to_thread(session.call, "GET", path)
        items = json.loads(payload)["items"] if status == 200 else []
        if any(d["kind"] == "test-run.completed" and d["status"] == "digested" and "digestId" not in d for d in items):
            break
        if time.monotonic() > deadline:
            raise DemoFailed(f"the test run's notice did not wait for the digest (GET {path} -> HTTP {status})")
        await asyncio.sleep(POLL_SECONDS)
    say(f"  the run's notice waits for the daily digest (GET {path}: digested)")
    before = {m.message_id for m in outbox(moto_url)}
    started = await _triggered(client, digest_schedule_id(task_queue))
    result = await client.get_workflow_handle_for(
        NotificationDigestWorkflow.run, started.workflow_id, run_id=started.first_execution_run_id
    ).result()
    mine = [outcome for outcome in result.sent if outcome.subscription_id == mailbox and outcome.digest_id]
    if not mine:
        raise DemoFailed(f"the digest run {started.workflow_id} sent nothing to {DEMO_MAILBOX}")
    say(f"  the digest's schedule, triggered now: run {started.workflow_id} sent digest {mine[0].digest_id}")
    while True:
        digests = [m for m in outbox(moto_url) if m.message_id not in before and DEMO_MAILBOX in m.to]
        if digests:
            break
        if time.monotonic() > deadline:
            raise DemoFailed(f"no digest reached {DEMO_MAILBOX} within {TIMEOUT_SECONDS:.0f} s")
        await asyncio.sleep(POLL_SECONDS)
    say(f"  {DEMO_MAILBOX} got: {digests[0].subject}")
    for line in digests[0].body.splitlines():
        if line.startswith("- "):
            say(f"    {line}")
    return digests[0].subject


async def show_told(
    session: Session, moto_url: str, receiver: Any, subscription_id: str, secret: str, say: Say, expected: int = 3
) -> list[str]:
    """What reached the team: the webhook's deliveries (each signature checked as the receiver
    would) and the mail; then the demo's webhook subscription goes (its receiver stops with it)."""
    from devportal_local.outbox import outbox

    await asyncio.to_thread(receiver.wait_for, expected, TIMEOUT_SECONDS)
    verified = receiver.verified(secret)
    kinds = [json.loads(r.body)["type"] for r in verified]
    say(f"  the webhook received {len(receiver.received)} POST(s), {len(verified)} with a valid signature:")
    for received in verified:
        payload = json.loads(received.body)
        data = payload["data"]
        told = f"{data.get('apiId')} {data.get('version')}"
        say(f"    {payload['type']:<24} {told:<16} webhook-id {received.headers['webhook-id']}")
    deadline = time.monotonic() + TIMEOUT_SECONDS  # the mail goes its own way: it may come a moment later
    while True:
        subjects = [m.subject for m in outbox(moto_url) if DEMO_MAILBOX in m.to and "petstore 1.1.0" in m.subject]
        if len(subjects) >= expected or time.monotonic() > deadline:
            break
        await asyncio.sleep(POLL_SECONDS)
    say(f"  and {DEMO_MAILBOX} got {len(subjects)} e-mail(s) through SES (`devportal mail --to {DEMO_MAILBOX}`):")
    for subject in subjects[-expected:]:
        say(f"    {subject}")
    path = f"/teams/pets/subscriptions/{subscription_id}"
    status, _ = await asyncio.to_thread(session.call, "GET", path + "/deliveries")
    say(f"  each delivery and its attempts: GET {path}/deliveries -> HTTP {status} (and on the team page)")
    await asyncio.to_thread(session.call, "DELETE", path)
    return kinds


def workflows_url(ui_url: str, namespace: str, api_id: str | None = None) -> str:
    base = f"{ui_url}/namespaces/{quote(namespace)}/workflows"
    if api_id is None:
        return base
    query = quote(f'ApiId="{api_id}"')
    return f"{base}?query={query}"


def usage_batch(api_id: str, version: str, now: datetime, batch_id: str, count: int = 500) -> dict[str, Any]:
    """A service's last hour of calls to the petstore: mostly fast reads, some slow writes, a few
    failures, and a status code the spec does not document (429 on createPet)."""
    rng = random.Random(batch_id)  # noqa: S311 - demo data, not a secret
    records = []
    for i in range(count):
        kind = rng.random()
        if kind < 0.6:
            operation, status, latency = "listPets", 200 if rng.random() > 0.03 else 500, rng.lognormvariate(3.2, 0.4)
        elif kind < 0.85:
            operation, status, latency = "showPetById", 200 if rng.random() > 0.2 else 404, rng.lognormvariate(2.8, 0.3)
        else:
            operation, status, latency = "createPet", 201 if rng.random() > 0.1 else 429, rng.lognormvariate(4.5, 0.5)
        records.append(
            {
                "apiId": api_id,
                "version": version,
                "operationId": operation,
                "status": status,
                "latencyMs": round(latency, 2),
                "timestamp": (now - timedelta(seconds=rng.uniform(0, 3000))).isoformat(),
                "consumerId": f"client-{i % 7}",
            }
        )
    return {"batchId": batch_id, "records": records}


def post_usage(session: Session, secret: str, batch: dict[str, Any]) -> tuple[int, bytes]:
    """POST /usage with a service key, as a service would."""
    request = urllib.request.Request(  # noqa: S310 - our own loopback URL
        f"{session.gateway_url}/usage", data=json.dumps(batch).encode(), method="POST"
    )
    request.add_header("Content-Type", "application/json")
    request.add_header("x-api-key", secret)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


async def publish_usage(session: Session, say: Say, api_id: str = "petstore", team: str = "pets") -> str:
    """A service key for the team (POST /keys), a batch of usage with it (POST /usage), and the
    API's report once the aggregator has counted it (GET /apis/{apiId}/analytics). Returns the
    key's secret, for the service's next batches."""
    status, payload = await asyncio.to_thread(
        session.call, "POST", "/keys", json.dumps({"team": team, "name": "demo-service"}).encode(), "application/json"
    )
    if status != 201:
        raise DemoFailed(f"POST /keys answered HTTP {status}: {payload.decode(errors='replace')}")
    key = json.loads(payload)
    say(f"  service key {key['keyId']} for team {team} (POST /keys; the secret is shown once, to the service)")
    version = "1.0.0"
    batch = usage_batch(api_id, version, datetime.now(UTC), f"demo-{uuid.uuid4().hex[:8]}")
    started = time.perf_counter()
    status, payload = await asyncio.to_thread(post_usage, session, key["secret"], batch)
    if status != 202:
        raise DemoFailed(f"POST /usage answered HTTP {status}: {payload.decode(errors='replace')}")
    say(f"  POST /usage with x-api-key: HTTP 202, {json.loads(payload)['accepted']} records accepted")
    report = await _counted(session, api_id, "granularity=hour", len(batch["records"]))
    say(f"  counted and reported {time.perf_counter() - started:.2f} s after the POST")
    print_report(report, say)
    return str(key["secret"])


async def _counted(session: Session, api_id: str, query: str, calls: int) -> dict[str, Any]:
    """The report of `query` once it counts at least `calls` calls (the aggregator is a queue away)."""
    deadline = time.monotonic() + 30
    while True:
        status, payload = await asyncio.to_thread(session.call, "GET", f"/apis/{api_id}/analytics?{query}")
        if status != 200:
            raise DemoFailed(f"GET /apis/{api_id}/analytics answered HTTP {status}: {payload.decode(errors='replace')}")
        report: dict[str, Any] = json.loads(payload)
        if report["totals"]["calls"] >= calls:
            return report
        if time.monotonic() > deadline:
            raise DemoFailed(f"only {report['totals']['calls']} of {calls} calls were counted in 30 s")
        await asyncio.sleep(0.2)


def incident_batch(api_id: str, version: str, now: datetime, batch_id: str) -> dict[str, Any]:
    """Three complete hours of the petstore: healthy, then a quarter of the calls failing with
    500, then healthy again - 80 calls each."""
    first = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=4)
    records = []
    for hour in range(3):
        for n in range(80):
            failing = hour == 1 and n % 4 == 0
            records.append(
                {
                    "apiId": api_id,
                    "version": version,
                    "operationId": "listPets",
                    "status": 500 if failing else 200,
                    "latencyMs": 30.0 + n % 20,
                    "timestamp": (first + timedelta(hours=hour, seconds=n * 40)).isoformat(),
                    "consumerId": f"client-{n % 7}",
                }
            )
    return {"batchId": batch_id, "records": records}


async def show_health(
    session: Session, client: Client, say: Say, secret: str, task_queue: str, api_id: str = "petstore"
) -> dict[str, Any]:
    """An incident in the petstore's recent hours (POST /usage), the hourly health schedule
    triggered as an operator would in the Web UI, and the alert it raised and closed (the
    sweep's result, then GET /apis/{apiId}/health)."""
    from temporal_bridge.health import ApiHealthWorkflow
    from temporal_bridge.schedules import health_schedule_id

    batch = incident_batch(api_id, "1.0.0", datetime.now(UTC), f"incident-{uuid.uuid4().hex[:8]}")
    status, payload = await asyncio.to_thread(post_usage, session, secret, batch)
    if status != 202:
        raise DemoFailed(f"POST /usage answered HTTP {status}: {payload.decode(errors='replace')}")
    first, last = batch["records"][0]["timestamp"], batch["records"][-1]["timestamp"]
    window = urlencode({"granularity": "hour", "from": first, "to": last})
    await _counted(session, api_id, window, len(batch["records"]) - 1)
    say(f"  POST /usage: {len(batch['records'])} calls over 3 hours, the middle one with 25 % answered 500")
    schedule_id = health_schedule_id(task_queue)
    run = await _triggered(client, schedule_id)
    result = await client.get_workflow_handle_for(
        ApiHealthWorkflow.run, run.workflow_id, run_id=run.first_execution_run_id
    ).result()
    say(
        f"  schedule {schedule_id} triggered: sweep {run.workflow_id} judged {result.hours} hours of "
        f"{result.apis} APIs through {result.through:%Y-%m-%d %H}:00 UTC"
    )
    status, payload = await asyncio.to_thread(session.call, "GET", f"/apis/{api_id}/health")
    if status != 200:
        raise DemoFailed(f"GET /apis/{api_id}/health answered HTTP {status}: {payload.decode(errors='replace')}")
    health: dict[str, Any] = json.loads(payload)
    say(f"Health of {api_id} (GET /apis/{api_id}/health): {health['status']}")
    for alert in health["alerts"]:
        say(f"  alert {alert['alertId']} ({alert['status']})")
        say(f"    {alert['degraded']['summary']}")
        if alert["recovered"] is not None:
            say(f"    {alert['recovered']['summary']}")
    if not health["alerts"]:
        raise DemoFailed("the sweep raised no alert for the incident hour")
    return health


async def _triggered(client: Client, schedule_id: str) -> ScheduleActionExecutionStartWorkflow:
    """The run a schedule starts when triggered now, as an operator would in the Web UI (the
    schedule itself is created by the bridge a queue away: it may take a moment to exist)."""
    from temporal_bridge.schedules import trigger_now

    try:
        return await trigger_now(client, schedule_id)
    except TimeoutError as error:
        raise DemoFailed(str(error)) from None


def day_batch(api_id: str, version: str, day: date, batch_id: str) -> dict[str, Any]:
    """A whole day (UTC) of the petstore's calls, busier from noon to 18:00: 360 calls, about 2 %
    answered 500, and a partner's first calls."""
    rng = random.Random(day.toordinal())  # noqa: S311 - demo traffic, not secrets
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    records: list[dict[str, Any]] = []
    for hour in range(24):
        for n in range(10 + 20 * (12 <= hour < 18)):
            operation = rng.choice(("listPets", "listPets", "showPetById", "createPet"))
            records.append(
                {
                    "apiId": api_id,
                    "version": version,
                    "operationId": operation,
                    "status": 500 if rng.random() < 0.02 else 201 if operation == "createPet" else 200,
                    "latencyMs": round(rng.lognormvariate(3.4, 0.5), 2),
                    "timestamp": (start + timedelta(hours=hour, seconds=n * 100 + rng.uniform(0, 90))).isoformat(),
                    "consumerId": "partner-portal" if hour >= 15 and n % 5 == 0 else f"client-{n % 7}",
                }
            )
    return {"batchId": batch_id, "records": records}


async def show_daily_report(
    session: Session, client: Client, say: Say, secret: str, task_queue: str, api_id: str = "petstore"
) -> dict[str, Any]:
    """Yesterday's calls of the petstore (POST /usage), its daily analytics schedule triggered as
    an operator would, and the report it kept (GET /apis/{apiId}/analytics/reports/{day})."""
    from devportal.analytics.daily import last_complete_day
    from temporal_bridge.reports import ApiAnalyticsWorkflow
    from temporal_bridge.schedules import report_schedule_id

    day = last_complete_day(datetime.now(UTC), timedelta(minutes=5))
    batch = day_batch(api_id, "1.0.0", day, f"day-{day}-{uuid.uuid4().hex[:8]}")
    status, payload = await asyncio.to_thread(post_usage, session, secret, batch)
    if status != 202:
        raise DemoFailed(f"POST /usage answered HTTP {status}: {payload.decode(errors='replace')}")
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    window = urlencode({"granularity": "day", "from": start.isoformat(), "to": (start + timedelta(days=1)).isoformat()})
    await _counted(session, api_id, window, len(batch["records"]))
    say(f"  POST /usage: {len(batch['records'])} calls over {day} (UTC)")
    schedule_id = report_schedule_id(task_queue, api_id)
    run = await _triggered(client, schedule_id)
    handle = client.get_workflow_handle_for(
        ApiAnalyticsWorkflow.run, run.workflow_id, run_id=run.first_execution_run_id
    )
    result = await handle.result()
    reported = ", ".join(str(d.day) for d in result.reported) or "nothing new (the day was reported already)"
    say(f"  schedule {schedule_id} triggered: {run.workflow_id} (collect, process, report, store) reported {reported}")
    status, payload = await asyncio.to_thread(session.call, "GET", f"/apis/{api_id}/analytics/reports/{day}")
    if status != 200:
        raise DemoFailed(
            f"GET /apis/{api_id}/analytics/reports/{day} answered HTTP {status}: {payload.decode(errors='replace')}"
        )
    report: dict[str, Any] = json.loads(payload)
    say(f"Report of {api_id} for {day} (GET /apis/{api_id}/analytics/reports/{day}):")
    say(f"  {report['headline']}")
    for line in report["highlights"]:
        say(f"  - {line}")
    return report


def print_report(report: dict[str, Any], say: Say) -> None:
    totals = report["totals"]
    latency = totals["latencyMs"]
    say(f"Usage of {report['apiId']} (GET /apis/{report['apiId']}/analytics, the last 7 days):")
    say(
        f"  {totals['calls']} calls, {totals['serverErrors']} server errors (error rate {totals['errorRate']:.1%}), "
        f"{totals['clientErrors']} client errors"
    )
    say(f"  latency p50 {latency['p50']:.1f} ms, p95 {latency['p95']:.1f} ms, p99 {latency['p99']:.1f} ms")
    say("  status codes: " + ", ".join(f"{code} x{count}" for code, count in totals["statusCodes"].items()))
    say("  top operations: " + ", ".join(f"{op['operation']} {op['calls']}" for op in report["topOperations"]))
    say(f"  consumers: {report['consumers']['distinct']} distinct")
    for call in report["undocumented"]:
        say(f"  undocumented: {call['call']} x{call['calls']} (the spec does not declare it)")


async def show_contract_test(session: Session, say: Say, base_url: str, api_id: str = "petstore") -> dict[str, Any]:
    """A contract test of the registered petstore against a live petstore the demo started
    (POST /apis/{apiId}/versions/{version}/test-runs with its base URL), its progress while it runs
    (GET /test-runs/{runId}), then its summary, each operation's verdict and the first failing case
    of each failed check as curl."""
    body = json.dumps({"baseUrl": base_url}).encode()
    status, payload = await asyncio.to_thread(
        session.call, "POST", f"/apis/{api_id}/versions/1.0.0/test-runs", body, "application/json"
    )
    if status != 202:
        raise DemoFailed(f"POST /apis/{api_id}/versions/1.0.0/test-runs answered HTTP {status}: {payload.decode()}")
    run: dict[str, Any] = json.loads(payload)
    run_id = run["runId"]
    say(f"  POST /apis/{api_id}/versions/1.0.0/test-runs: run {run_id} queued against {base_url} (GET and HEAD only)")
    started, shown = time.monotonic(), ""
    while run["status"] in ("queued", "running"):
        if time.monotonic() - started > TIMEOUT_SECONDS:
            raise DemoFailed(f"test run {run_id} did not finish within {TIMEOUT_SECONDS:.0f} s")
        progress = (
            f"{run['status']}, {run['casesDone']} of {run['casesTotal']} cases"
            if run.get("casesTotal") is not None
            else run["status"]
        )
        if progress != shown:
            say(f"      {time.monotonic() - started:6.2f} s  {progress}")
            shown = progress
        await asyncio.sleep(0.25)
        status, payload = await asyncio.to_thread(session.call, "GET", f"/test-runs/{run_id}")
        if status != 200:
            raise DemoFailed(f"GET /test-runs/{run_id} answered HTTP {status}: {payload.decode(errors='replace')}")
        run = json.loads(payload)
    say(f"      {time.monotonic() - started:6.2f} s  {run['status']}")
    say(f"Contract test of {api_id} 1.0.0 (GET /test-runs/{run_id}): {run['status']}")
    say(f"  {run['summary']}")
    for operation in run["results"]["operations"]:
        failed = [check["check"] for check in operation["checks"] if check["failed"]]
        verdict = operation["status"] + (f" ({', '.join(failed)})" if failed else "")
        say(f"  {operation['operation']:<30} {operation['cases']:>3} cases  {verdict}")
    for operation in run["results"]["operations"]:
        for check in operation["checks"]:
            first = check.get("firstFailure")
            if first is not None:
                say(f"  first failing case of {check['check']} in {operation['operation']}: {first['title']}")
                say(f"    {first['message'].splitlines()[0]}")
                say(f"    {first['curl']}")
    if run["status"] not in ("passed", "failed"):
        raise DemoFailed(f"test run {run_id} ended {run['status']}: {run.get('error', '')}")
    say(f"  in the portal: {session.gateway_url}/test-run/?id={run_id}")
    return run


def point_demo_environment(session: Session, base_url: str, api_id: str = "petstore") -> bool:
    """The API's `demo` test environment set to the live petstore `devportal up` runs (added, or
    moved to this start's URL; the team's other settings kept). False when the API is not in the
    catalog."""
    status, payload = session.call("GET", f"/apis/{api_id}/test-settings")
    if status == 404:
        return False
    if status != 200:
        raise DemoFailed(f"GET /apis/{api_id}/test-settings answered HTTP {status}: {payload.decode(errors='replace')}")
    settings = {key: value for key, value in json.loads(payload).items() if key != "apiId"}
    demo = {"name": "demo", "baseUrl": base_url, "unsafeMethods": False}
    others = [environment for environment in settings["environments"] if environment["name"] != "demo"]
    if len(others) == len(settings["environments"]) and len(others) >= MAX_ENVIRONMENTS:
        return False  # the team filled every place: leave its settings alone
    settings["environments"] = [demo, *others]
    body = json.dumps(settings).encode()
    status, payload = session.call("PUT", f"/apis/{api_id}/test-settings", body, "application/json")
    if status != 200:
        raise DemoFailed(f"PUT /apis/{api_id}/test-settings answered HTTP {status}: {payload.decode(errors='replace')}")
    return True
