"""Least privilege, usage half: run the whole registration journey through the real handlers
against moto and the Temporal dev server, record every AWS call each function makes, and compare
with what its Function declares (and the stacks grant, tests/infra/test_least_privilege.py).
A declared action nobody calls fails, and so does a call nobody declared."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterator, Mapping, Set
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests
from temporalio.client import Client

from devportal import wiring
from devportal.adapters.temporal import connect_config
from devportal.analytics.usage import hour_of
from devportal.identity.users import UserProfile
from devportal.registry.models import ApiVersionRecord
from devportal.testing.runs import run_id_for, workflow_id_for
from devportal.wiring import Portal
from devportal_local.config import MAIL_FROM
from devportal_local.lambda_runtime import LambdaContext, load_handler
from devportal_local.outbox import outbox
from devportal_local.pollers import lambda_record, sns_forward_target
from devportal_local.provision import topic_arns
from devportal_local.webhook_receiver import webhook_receiver
from events.analytics import ApiUsageRecorded, UsageRecord
from events.envelope import new_event
from functions.catalog import function, functions
from functions.declaration import RESOURCE_SETTINGS, Function
from temporal_bridge.digests import DigestRun, NotificationDigestWorkflow
from temporal_bridge.health import ApiHealthWorkflow, HealthSweep
from temporal_bridge.reports import AnalyticsRun, ApiAnalyticsWorkflow
from temporal_bridge.schedules import digest_schedule_id, health_schedule_id, report_schedule_id, trigger_now
from temporal_bridge.worker import build_analytics_worker, build_testing_worker, build_worker
from temporal_bridge.workflows import ApiRegistrationWorkflow
from tests.support.aws import AwsWorld, reset_process_caches
from tests.support.contract_services import Service, serve
from tests.support.events import eventbridge_body
from tests.support.events import registered as registered_event
from tests.support.specs import petstore_json

# DynamoDB transactions are authorized per item: the action of each item's kind.
TRANSACT_ITEM_ACTIONS = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
}
# Calls authorized as another action.
AUTHORIZED_AS = {"s3:HeadObject": "s3:GetObject"}
# Calls that, given a parameter, are authorized as a second action too (tags at creation).
ALSO_AUTHORIZED = {"secretsmanager:CreateSecret": {"Tags": "secretsmanager:TagResource"}}


class CallRecorder:
    """Records (resource kind, IAM action) per function from botocore's before-parameter-build
    event, which fires for API calls and for presigned URLs alike.

    Whose call it is lives in a context variable, not on the recorder: asyncio tasks, asyncio.to_thread
    and Temporal's activity threads inherit it, so a worker started as "registration-worker" keeps
    making that worker's calls while the test goes on to call a route, and threads nobody started
    from here (moto running state machine executions, anything a test before this one left running)
    make nobody's calls."""

    def __init__(self, resources: dict[str, str]) -> None:
        self.by_name = {name: kind for kind, name in resources.items()}
        self._current: ContextVar[str | None] = ContextVar("calling_function", default=None)
        # per function, each (resource kind, IAM action) it called, with the thread that called it first
        self.calls: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
        self.roots: dict[str, Portal] = {}  # one execution environment per function

    @property
    def current(self) -> str | None:
        """The function whose calls this context makes: set before a worker starts, it stays the
        worker's in every task and activity thread the worker runs."""
        return self._current.get()

    @current.setter
    def current(self, name: str | None) -> None:
        self._current.set(name)

    @contextlib.contextmanager
    def acting_as(self, name: str) -> Iterator[None]:
        token = self._current.set(name)
        try:
            yield
        finally:
            self._current.reset(token)

    def __call__(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if self.current is None or model.auth_type == "none":
            return  # unsigned calls (Cognito's public sign-in API) are not IAM's business
        prefix = model.service_model.signing_name
        operation = model.name
        if operation == "TransactWriteItems":
            for item in params["TransactItems"]:
                ((kind, body),) = item.items()
                self._add(TRANSACT_ITEM_ACTIONS[kind], body["TableName"])
            return
        target = (
            params.get("TableName")
            or params.get("Bucket")
            or params.get("SecretId")
            or (params.get("Name") if prefix in ("secretsmanager", "ssm") else None)
            or params.get("stateMachineArn")
            or params.get("FromEmailAddress")
            or params.get("UserPoolId")
            or params.get("Path")
            or next(iter(params.get("RequestItems") or {}), None)
            or self._bus_of(params)
            or "?"
        )
        action = f"{prefix}:{operation}"
        self._add(AUTHORIZED_AS.get(action, action), target)
        for parameter, also in ALSO_AUTHORIZED.get(action, {}).items():
            if params.get(parameter):
                self._add(also, target)

    @staticmethod
    def _bus_of(params: dict[str, Any]) -> str | None:
        entries = params.get("Entries") or [{}]
        bus: str | None = entries[0].get("EventBusName")
        return bus

    def mismatches(self, declared: Mapping[str, Set[tuple[str, str]]]) -> dict[str, dict[str, list[tuple[str, ...]]]]:
        """Per function whose calls differ from its declaration: what it called undeclared and
        what it declared but never called (short enough to read in a failure, unlike a diff of
        the whole map); an undeclared call names the thread that made it."""
        differing: dict[str, dict[str, list[tuple[str, ...]]]] = {}
        for name in sorted(set(self.calls) | set(declared)):
            threads = self.calls.get(name, {})
            called, allowed = set(threads), set(declared.get(name, ()))
            if called != allowed:
                differing[name] = {
                    "undeclared": [(*each, threads[each]) for each in sorted(called - allowed)],
                    "unused": sorted(allowed - called),
                }
        return differing

    def _add(self, action: str, target: str) -> None:
        assert self.current is not None
        kind = self.by_name.get(target) or next(
            (kind for name, kind in self.by_name.items() if name.endswith("/") and target.startswith(name)), target
        )
        self.calls[self.current].setdefault((kind, action), threading.current_thread().name)


@pytest.fixture
def recorder(aws: AwsWorld, monkeypatch: pytest.MonkeyPatch) -> Iterator[CallRecorder]:
    secret_id = aws.client("secretsmanager").create_secret(
        Name=f"{aws.names.prefix}/temporal-cloud", SecretString="{}"
    )["ARN"]
    (setting,) = RESOURCE_SETTINGS["temporal-secret"]
    monkeypatch.setenv(setting, secret_id)
    credential = aws.client("secretsmanager").create_secret(
        Name=f"{aws.names.test_credentials_prefix}pets-staging", SecretString="staging-token"
    )["Name"]
    resources = {
        "test-credentials": credential,
        "table": aws.names.table,
        "specs": aws.names.specs_bucket,
        "docs": aws.names.docs_bucket,
        "bus": aws.names.event_bus,
        "temporal-secret": secret_id,
        "user-pool": aws.user_pool_id,
        "parameters": aws.names.parameters_path,
        "webhook-secrets": aws.names.webhook_secrets_prefix,  # a prefix: every subscription's secret
        "notifications": os.environ["DEVPORTAL_NOTIFY_STATE_MACHINE_ARN"],
        "mail": MAIL_FROM,
        "portal-url": aws.names.portal_url_parameter,
    }
    recorder = CallRecorder(resources)
    boto3.setup_default_session()
    boto3.DEFAULT_SESSION.events.register("before-parameter-build", recorder)  # type: ignore[union-attr]
    reset_process_caches()
    yield recorder
    boto3.DEFAULT_SESSION.events.unregister("before-parameter-build", recorder)  # type: ignore[union-attr]
    reset_process_caches()


def proxy_event(method: str, resource: str, **parts: Any) -> dict[str, Any]:
    """An API Gateway REST proxy event for `resource` (a contract path), its path filled in."""
    body = parts.get("body")
    path_parameters = parts.get("path_parameters") or {}
    return {
        "resource": resource,
        "path": resource.format(**path_parameters),
        "httpMethod": method,
        "headers": parts.get("headers", {}),
        "multiValueHeaders": {},
        "queryStringParameters": parts.get("query"),
        "multiValueQueryStringParameters": None,
        "pathParameters": parts.get("path_parameters"),
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "domainName": "api.example.com",
            "stage": "v1",
            "authorizer": {"claims": parts.get("claims", {})},
        },
        "body": body,
        "isBase64Encoded": False,
    }


def invoke(recorder: CallRecorder, spec: Function, event: dict[str, Any]) -> Any:
    """Runs the function in its own execution environment: a composition root of its own, kept
    between its invocations (what one function has read and cached is not another's)."""
    outside = wiring.portal()
    with recorder.acting_as(spec.name):
        wiring.use(recorder.roots.setdefault(spec.name, Portal()))
        try:
            return load_handler(spec.handler)(event, LambdaContext(spec.name))
        finally:
            wiring.use(outside)


def sqs_records(aws: AwsWorld, queue: str) -> dict[str, Any]:
    """What `queue` holds, as Lambda hands it over (the SNS fan-outs forwarded first)."""
    messages = aws.consumed(queue)
    assert messages, f"nothing arrived on {queue}"
    return {"Records": [lambda_record(m, f"arn:aws:sqs:us-east-1:000000000000:{queue}") for m in messages]}


@pytest.fixture
def live() -> Iterator[Service]:
    """A live service on loopback for the contract tests (loopback is allowed locally)."""
    with serve(defective=False) as service:
        yield service


async def test_every_function_calls_exactly_what_it_declares(
    aws: AwsWorld,
    recorder: CallRecorder,
    temporal_client: Client,
    task_queue: str,
    live: Service,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = temporal_client.service_client.config.target_host
    aws.client("secretsmanager").put_secret_value(
        SecretId=recorder_secret(recorder),
        SecretString=json.dumps({"TEMPORAL_ADDRESS": target, "TEMPORAL_NAMESPACE": "default"}),
    )
    monkeypatch.delenv("TEMPORAL_ADDRESS", raising=False)
    monkeypatch.setenv("DEVPORTAL_REGISTRATION_TASK_QUEUE", task_queue)
    analytics_queue = f"{task_queue}-analytics"
    monkeypatch.setenv("DEVPORTAL_ANALYTICS_TASK_QUEUE", analytics_queue)
    testing_queue = f"{task_queue}-testing"
    monkeypatch.setenv("DEVPORTAL_TESTING_TASK_QUEUE", testing_queue)
    monkeypatch.setenv("DEVPORTAL_TEST_TARGETS_ALLOW_LOOPBACK", "true")
    api_id, raced_id = f"pets-{uuid.uuid4().hex[:6]}", f"raced-{uuid.uuid4().hex[:6]}"
    # a developer of team pets, signed in (none of this is any function's doing)
    password = "Corr3ct-Horse-Battery!"
    email = f"dev-{uuid.uuid4().hex[:6]}@example.com"
    user_id = wiring.portal().directory.invite(email, role="developer", team="pets", name="Dev", password=password)
    wiring.portal().profiles.put_profile(
        UserProfile(user_id, email, "Dev", "developer", "pets", datetime.now(UTC), permissions=("apis:submit",))
    )
    claims = (
        wiring.portal().token_verifier.verify(wiring.portal().directory.sign_in(email, password).access_token).claims()
    )

    # 1. POST /apis, twice: one submission registers, the other loses a race (below)
    submissions = {}
    served = {**json.loads(petstore_json()), "servers": [{"url": live.base_url}]}
    for each in (api_id, raced_id):
        response = invoke(
            recorder,
            function("submit-spec"),
            proxy_event(
                "POST",
                "/apis",
                body=json.dumps(served),
                headers={"content-type": "application/json"},
                query={"apiId": each},
                claims=claims,
            ),
        )
        assert response["statusCode"] == 202, response
        submissions[each] = json.loads(response["body"])
    submission_id, version = submissions[api_id]["submissionId"], submissions[api_id]["version"]

    # 1b. the same document through an upload: opened, PUT by the client (no function's doing),
    # submitted - the same submission
    document = json.dumps(served).encode()
    opened = invoke(
        recorder,
        function("create-upload"),
        proxy_event(
            "POST",
            "/apis/uploads",
            body=json.dumps({"size": len(document), "contentType": "application/json"}),
            headers={"content-type": "application/json"},
            claims=claims,
        ),
    )
    assert opened["statusCode"] == 201, opened
    ticket = json.loads(opened["body"])
    assert requests.put(ticket["uploadUrl"], data=document, headers=ticket["headers"], timeout=30).status_code == 200
    uploaded = invoke(
        recorder,
        function("submit-upload"),
        proxy_event(
            "POST",
            "/apis/uploads/{uploadId}/submission",
            path_parameters={"uploadId": ticket["uploadId"]},
            query={"apiId": api_id},
            claims=claims,
        ),
    )
    assert uploaded["statusCode"] == 202, uploaded
    assert json.loads(uploaded["body"])["submissionId"] == submission_id
    # Different content for the raced version gets stored while its registration runs.
    wiring.portal().registry.store_version(
        ApiVersionRecord(raced_id, version, "Winner", "pets", "f" * 64, "k", "n", "docs/winner.html", "3.1.0", 1,
                         "sub-" + "f" * 24, datetime.now(UTC))
    )  # fmt: skip

    # 2. the bridge starts both workflows, with the Temporal connection from the secret (a cold start)
    wiring.reset()
    bridge = await asyncio.to_thread(
        invoke, recorder, function("start-registration"), sqs_records(aws, aws.names.queue("start-registration"))
    )
    assert bridge == {"batchItemFailures": []}

    # 3. the worker runs both registrations (the Lambda worker's connection code path)
    recorder.current = "registration-worker"
    worker_root = Portal()  # the worker's own execution environment
    worker_client = await Client.connect(**connect_config(worker_root.temporal_overrides))
    async with build_worker(worker_client, task_queue, worker_root.registrar):
        results = {
            each: await temporal_client.get_workflow_handle_for(
                ApiRegistrationWorkflow.run, submissions[each]["workflowId"]
            ).result()
            for each in (api_id, raced_id)
        }
    recorder.current = None
    worker_root.spec_sandbox.close()  # the processes that checked the documents
    assert results[api_id].status == "registered"
    assert (results[raced_id].status, results[raced_id].reason) == ("rejected", "version-conflict")

    # 4. consumers of the outcome; locally, the SNS fan-out goes through its SQS stand-in
    topic = aws.names.topic("ApiVersionRegistered")
    topic_arn = topic_arns(aws.client("sns"))[topic]
    forwarded = aws.drain(aws.names.fanout_queue("ApiVersionRegistered"))
    assert sns_forward_target(aws.names.fanout_queue("ApiVersionRegistered"), topic_arn).deliver(forwarded) == set()
    for consumer in ("track-submission", "update-catalog", "index-catalog"):
        records = sqs_records(aws, aws.names.queue(consumer))
        for _delivery in range(2):  # at-least-once: the second delivery finds the first one's work done
            outcome = invoke(recorder, function(consumer), records)
            assert outcome == {"batchItemFailures": []}

    # 4a. contract tests: the team opts in to a run after each registration and sets a staging
    # environment with a credential; the new version's run, two it asks for (against staging, and
    # the spec's server URL) and one it cancels while queued all run on the testing worker
    def developer_call(name: str, method: str, resource: str, **parts: Any) -> dict[str, Any]:
        answered: dict[str, Any] = invoke(
            recorder, function(name), proxy_event(method, resource, claims=claims, **parts)
        )
        return answered

    staging = {
        "name": "staging",
        "baseUrl": live.base_url,
        "credential": {"secret": "pets-staging", "scheme": "bearer"},
    }
    settings = developer_call(
        "set-test-settings",
        "PUT",
        "/apis/{apiId}/test-settings",
        path_parameters={"apiId": api_id},
        body=json.dumps({"runAfterRegistration": True, "environments": [staging], "maxExamples": 2}),
        headers={"content-type": "application/json"},
    )
    assert settings["statusCode"] == 200, settings
    ruleset = developer_call(
        "set-lint-ruleset",
        "PUT",
        "/teams/{team}/lint-ruleset",
        path_parameters={"team": "pets"},
        body=json.dumps({"rules": {"operation-description": "off"}}),
        headers={"content-type": "application/json"},
    )
    assert ruleset["statusCode"] == 200, ruleset
    registered = sqs_records(aws, aws.names.queue("test-after-registration"))
    for _delivery in range(2):  # at-least-once: the run id comes from the submission
        assert invoke(recorder, function("test-after-registration"), registered) == {"batchItemFailures": []}
    run_ids = [run_id_for("registration", submission_id)]
    for body in ({"environment": "staging"}, {}, {"environment": "staging"}):  # {}: the spec's server URL
        asked = developer_call(
            "request-test-run",
            "POST",
            "/apis/{apiId}/versions/{version}/test-runs",
            path_parameters={"apiId": api_id, "version": version},
            body=json.dumps(body),
            headers={"content-type": "application/json"},
        )
        assert asked["statusCode"] == 202, asked
        run_ids.append(json.loads(asked["body"])["runId"])
    cancelled = await asyncio.to_thread(
        developer_call, "cancel-test-run", "POST", "/test-runs/{runId}/cancel", path_parameters={"runId": run_ids[-1]}
    )
    assert cancelled["statusCode"] == 202, cancelled
    requested = sqs_records(aws, aws.names.queue("start-test-run"))
    for _delivery in range(2):  # the bridge starts each once; the cancelled one already started
        assert await asyncio.to_thread(invoke, recorder, function("start-test-run"), requested) == {
            "batchItemFailures": []
        }
    # the team schedules its tests against staging (the schedule fires once, below), reads the
    # schedule, and in the end deletes it
    scheduled = await asyncio.to_thread(
        developer_call,
        "set-test-schedule",
        "PUT",
        "/apis/{apiId}/test-schedule",
        path_parameters={"apiId": api_id},
        body=json.dumps({"cron": "0 6 * * 1-5", "timeZone": "Europe/Berlin", "environment": "staging"}),
        headers={"content-type": "application/json"},
    )
    assert scheduled["statusCode"] == 200, scheduled
    recorder.current = "test-worker"
    testing_root = Portal()
    testing_client = await Client.connect(**connect_config(testing_root.temporal_overrides))
    async with build_testing_worker(testing_client, testing_queue, testing_root):
        ended = [await temporal_client.get_workflow_handle(workflow_id_for(run_id)).result() for run_id in run_ids]
        fired = await trigger_now(temporal_client, json.loads(scheduled["body"])["scheduleId"])
        scheduled_run = await temporal_client.get_workflow_handle(
            fired.workflow_id, run_id=fired.first_execution_run_id
        ).result()
    recorder.current = None
    assert wiring.portal().test_runs.get(scheduled_run)["trigger"] == "schedule"  # type: ignore[index]
    schedule = await asyncio.to_thread(
        developer_call, "get-test-schedule", "GET", "/apis/{apiId}/test-schedule", path_parameters={"apiId": api_id}
    )
    assert json.loads(schedule["body"])["cron"] == "0 6 * * 1-5", schedule
    deleted = await asyncio.to_thread(
        developer_call,
        "delete-test-schedule",
        "DELETE",
        "/apis/{apiId}/test-schedule",
        path_parameters={"apiId": api_id},
    )
    assert deleted["statusCode"] == 204, deleted
    # (the petstore's spec is not the live service's: the two runs find its differences)
    assert [run["status"] for run in ended] == ["failed", "failed", "failed", "cancelled"], ended
    assert "staging-token" not in json.dumps(ended)
    completed = sqs_records(aws, aws.names.queue("update-catalog"))
    for _delivery in range(2):
        assert invoke(recorder, function("update-catalog"), completed) == {"batchItemFailures": []}
    tested = wiring.portal().registry.get_catalog_entry(api_id)
    assert tested is not None
    assert tested.last_test_run is not None

    # 4b. a service of team pets puts its usage on the bus itself; the aggregator counts it once:
    # an hour with half its calls failing, then a healthy hour
    bad_hour = hour_of(datetime.now(UTC)) - timedelta(hours=3)
    usage = ApiUsageRecorded(
        batch_id=f"batch-{uuid.uuid4().hex[:6]}",
        publisher="pets",
        records=[
            UsageRecord(api_id=api_id, version=version, method="get", path="/pets", status=500 if n < 15 else 200,
                        latency_ms=12.0, timestamp=bad_hour + timedelta(minutes=10 + n % 60 // 2),
                        consumer_id="checkout")
            for n in range(30)
        ] + [
            UsageRecord(api_id=api_id, version=version, method="get", path="/pets", status=200, latency_ms=12.0,
                        timestamp=bad_hour + timedelta(hours=1, minutes=n), consumer_id="checkout")
            for n in range(30)
        ],
    )  # fmt: skip
    wiring.portal().publisher.publish([new_event(usage, correlation_id="usage-1", producer="a-service")])
    recorded = sqs_records(aws, aws.names.queue("aggregate-usage"))
    for _delivery in range(2):  # at-least-once: the second delivery finds its hours counted
        assert invoke(recorder, function("aggregate-usage"), recorded) == {"batchItemFailures": []}
    counted = wiring.portal().usage_store.read(api_id, "ALL", bad_hour, bad_hour + timedelta(hours=2))
    assert [hour.calls for _, hour in counted] == [30, 30]

    # 4c. the API's first usage starts the analytics schedules (the bridge, once however often)
    started = sqs_records(aws, aws.names.queue("start-analytics"))
    for _delivery in range(2):
        assert await asyncio.to_thread(invoke, recorder, function("start-analytics"), started) == {
            "batchItemFailures": []
        }
    health = temporal_client.get_schedule_handle(health_schedule_id(analytics_queue))
    daily = temporal_client.get_schedule_handle(report_schedule_id(analytics_queue, api_id))
    yesterday = (datetime.now(UTC) - timedelta(days=1, minutes=5)).date()
    try:
        assert (await health.describe()).schedule.action.task_queue == analytics_queue  # type: ignore[attr-defined]
        assert (await daily.describe()).schedule.action.task_queue == analytics_queue  # type: ignore[attr-defined]

        # 4d. the analytics worker sweeps the hour that degraded, then the one that recovered
        recorder.current = "analytics-worker"
        analytics_root = Portal()
        analytics_client = await Client.connect(**connect_config(analytics_root.temporal_overrides))
        sweeps = []
        async with build_analytics_worker(analytics_client, analytics_queue, analytics_root):
            for through in (bad_hour, bad_hour + timedelta(hours=1)):
                sweeps.append(
                    await temporal_client.execute_workflow(
                        ApiHealthWorkflow.run,
                        HealthSweep(through),
                        id=f"sweep-{uuid.uuid4().hex[:8]}",
                        task_queue=analytics_queue,
                    )
                )
            # and the daily analytics workflow reports yesterday
            reported = await temporal_client.execute_workflow(
                ApiAnalyticsWorkflow.run,
                AnalyticsRun(api_id, yesterday),
                id=f"report-{uuid.uuid4().hex[:8]}",
                task_queue=analytics_queue,
            )
        recorder.current = None
    finally:
        await health.delete()
        await daily.delete()
    assert [d.day for d in reported.reported] == [yesterday]
    alert = f"{api_id}:error-rate:{bad_hour:%Y%m%dT%H}"
    assert [(s.degraded, s.recovered) for s in sweeps] == [([alert], []), ([], [alert])]
    health_events = sqs_records(aws, aws.names.queue("update-catalog"))
    for _delivery in range(2):  # the catalog entry ends healthy, whatever the order
        assert invoke(recorder, function("update-catalog"), health_events) == {"batchItemFailures": []}
    entry = wiring.portal().registry.get_catalog_entry(api_id)
    assert entry is not None
    assert entry.health["error-rate"] == ("healthy", bad_hour + timedelta(hours=1))
    assert entry.last_report is not None
    assert entry.last_report[0] == yesterday
    # the owning team sets its own lines
    lines = invoke(
        recorder,
        function("set-api-health-thresholds"),
        proxy_event(
            "PUT",
            "/apis/{apiId}/health/thresholds",
            path_parameters={"apiId": api_id},
            body=json.dumps({"errorRate": 0.2}),
            headers={"content-type": "application/json"},
            claims=claims,
        ),
    )
    assert lines["statusCode"] == 200, lines
    assert json.loads(lines["body"])["thresholds"]["errorRate"] == 0.2
    # a reader rates the docs
    vote = invoke(
        recorder,
        function("rate-docs"),
        proxy_event(
            "PUT",
            "/apis/{apiId}/versions/{version}/rating",
            path_parameters={"apiId": api_id, "version": version},
            body=json.dumps({"helpful": True}),
            headers={"content-type": "application/json"},
            claims=claims,
        ),
    )
    assert vote["statusCode"] == 200, vote

    # 5. signing in (once wrongly), and out
    wrong = invoke(
        recorder,
        function("login"),
        proxy_event("POST", "/auth/login", body=json.dumps({"email": email, "password": "Wr0ng-pass!"})),
    )
    assert wrong["statusCode"] == 401, wrong
    signed_in = invoke(
        recorder,
        function("login"),
        proxy_event("POST", "/auth/login", body=json.dumps({"email": email, "password": password})),
    )
    assert signed_in["statusCode"] == 200, signed_in
    tokens = json.loads(signed_in["body"])
    assert tokens["user"]["lastLogin"] is None
    sign_ins = sqs_records(aws, aws.names.queue("record-sign-in"))
    for _delivery in range(2):  # at-least-once: the second delivery moves nothing
        assert invoke(recorder, function("record-sign-in"), sign_ins) == {"batchItemFailures": []}
    profile = wiring.portal().profiles.get_profile(user_id)
    assert profile is not None
    assert profile.last_login is not None
    refreshed = invoke(
        recorder,
        function("refresh-tokens"),
        proxy_event("POST", "/auth/refresh", body=json.dumps({"refreshToken": tokens["refreshToken"]})),
    )
    assert refreshed["statusCode"] == 200, refreshed
    me = invoke(recorder, function("get-me"), proxy_event("GET", "/me", claims=claims))
    assert json.loads(me["body"])["email"] == email
    signed_out = invoke(
        recorder,
        function("logout"),
        proxy_event(
            "POST",
            "/auth/logout",
            claims=claims,
            headers={"authorization": f"Bearer {tokens['accessToken']}"},
        ),
    )
    assert signed_out["statusCode"] == 204, signed_out

    # 6. an admin invites: a weak chosen password is refused (by the portal's policy check, and
    # by a pool configured stricter than the portal knows: the half-made account goes again), then
    # one generated
    admin = wiring.portal().invite_user(
        email=f"admin-{uuid.uuid4().hex[:6]}@example.com", role="admin", team="platform"
    )
    admin_claims = (
        wiring.portal()
        .token_verifier.verify(wiring.portal().directory.sign_in(admin.profile.email, admin.password).access_token)
        .claims()
    )
    stricter = {"PasswordPolicy": {"MinimumLength": 16, "RequireLowercase": True, "RequireUppercase": True,
                                   "RequireNumbers": True, "RequireSymbols": True}}  # fmt: skip
    for body, status, pool_policy in (
        ({"password": "password"}, 400, None),
        ({"password": "Short-but-0k"}, 400, stricter),
        ({}, 201, None),
    ):
        if pool_policy is not None:
            aws.client("cognito-idp").update_user_pool(UserPoolId=aws.user_pool_id, Policies=pool_policy)
        answered = invoke(
            recorder,
            function("invite-user"),
            proxy_event(
                "POST",
                "/users",
                body=json.dumps({"email": f"new-{uuid.uuid4().hex[:6]}@example.com", "role": "viewer",
                                 "team": "platform", **body}),
                claims=admin_claims,
            ),
        )  # fmt: skip
        assert answered["statusCode"] == status, answered

    # 7. service keys: create, list, rotate, revoke
    def admin_call(name: str, method: str, resource: str, **parts: Any) -> dict[str, Any]:
        answered: dict[str, Any] = invoke(
            recorder, function(name), proxy_event(method, resource, claims=admin_claims, **parts)
        )
        return answered

    created = admin_call("create-api-key", "POST", "/keys", body=json.dumps({"team": "pets", "name": "svc"}))
    assert created["statusCode"] == 201, created
    key_id, secret = json.loads(created["body"])["keyId"], json.loads(created["body"])["secret"]
    published = invoke(
        recorder,
        function("record-usage"),
        proxy_event(
            "POST",
            "/usage",
            headers={"x-api-key": secret, "content-type": "application/json"},
            body=json.dumps({"batchId": "svc-1", "records": [
                {"apiId": api_id, "version": version, "operationId": "listPets", "status": 200, "latencyMs": 5,
                 "timestamp": datetime.now(UTC).isoformat(), "consumerId": "web"},
            ]}),
        ),
    )  # fmt: skip
    assert published["statusCode"] == 202, published
    listed = admin_call("list-api-keys", "GET", "/keys", query={"team": "pets"})
    assert listed["statusCode"] == 200, listed
    rotated = admin_call("rotate-api-key", "POST", "/keys/{keyId}/rotate", path_parameters={"keyId": key_id})
    assert rotated["statusCode"] == 201, rotated
    revoked = admin_call("revoke-api-key", "DELETE", "/keys/{keyId}", path_parameters={"keyId": key_id})
    assert revoked["statusCode"] == 204, revoked
    users = admin_call("list-users", "GET", "/users", query={"team": "platform"})
    assert users["statusCode"] == 200, users
    assert json.loads(users["body"])["items"], users

    # 8. the read routes (a second version of the same document, to compare with the first)
    first_version = wiring.portal().registry.get_version(api_id, version)
    assert first_version is not None
    wiring.portal().registry.store_version(dataclasses.replace(first_version, version="9.0.0"))
    reads = {
        "list-apis": proxy_event("GET", "/apis", claims=claims),
        "get-api": proxy_event("GET", "/apis/{apiId}", path_parameters={"apiId": api_id}, claims=claims),
        "get-api-changes": proxy_event(
            "GET",
            "/apis/{apiId}/changes",
            path_parameters={"apiId": api_id},
            query={"from": version, "to": "9.0.0"},
            claims=claims,
        ),
        "get-api-version": proxy_event(
            "GET",
            "/apis/{apiId}/versions/{version}",
            path_parameters={"apiId": api_id, "version": version},
            claims=claims,
        ),
        "get-api-docs": proxy_event(
            "GET",
            "/apis/{apiId}/versions/{version}/docs",
            path_parameters={"apiId": api_id, "version": version},
            claims=claims,
        ),
        "get-api-spec": proxy_event(
            "GET",
            "/apis/{apiId}/versions/{version}/spec",
            path_parameters={"apiId": api_id, "version": version},
            claims=claims,
        ),
        "get-submission": proxy_event(
            "GET",
            "/submissions/{submissionId}",
            path_parameters={"submissionId": submission_id},
            claims=claims,
        ),
        "get-submission-document": proxy_event(
            "GET",
            "/submissions/{submissionId}/document",
            path_parameters={"submissionId": submission_id},
            claims=claims,
        ),
        "search-catalog": proxy_event("GET", "/catalog/search", query={"q": api_id}, claims=claims),
        "get-docs-rating": proxy_event(
            "GET",
            "/apis/{apiId}/versions/{version}/rating",
            path_parameters={"apiId": api_id, "version": version},
            claims=claims,
        ),
        "get-team-analytics": proxy_event(
            "GET", "/teams/{team}/analytics", path_parameters={"team": "pets"}, claims=claims
        ),
        "get-api-health": proxy_event("GET", "/apis/{apiId}/health", path_parameters={"apiId": api_id}, claims=claims),
        "list-analytics-reports": proxy_event(
            "GET", "/apis/{apiId}/analytics/reports", path_parameters={"apiId": api_id}, claims=claims
        ),
        "get-analytics-report": proxy_event(
            "GET",
            "/apis/{apiId}/analytics/reports/{day}",
            path_parameters={"apiId": api_id, "day": yesterday.isoformat()},
            claims=claims,
        ),
        "get-test-run": proxy_event("GET", "/test-runs/{runId}", path_parameters={"runId": run_ids[0]}, claims=claims),
        "list-test-runs": proxy_event(
            "GET", "/apis/{apiId}/test-runs", path_parameters={"apiId": api_id}, claims=claims
        ),
        "get-test-settings": proxy_event(
            "GET", "/apis/{apiId}/test-settings", path_parameters={"apiId": api_id}, claims=claims
        ),
        "get-api-version-lint": proxy_event(
            "GET",
            "/apis/{apiId}/versions/{version}/lint",
            path_parameters={"apiId": api_id, "version": version},
            claims=claims,
        ),
        "get-lint-ruleset": proxy_event(
            "GET", "/teams/{team}/lint-ruleset", path_parameters={"team": "pets"}, claims=claims
        ),
        "list-lint-rules": proxy_event("GET", "/lint/rules", claims=claims),
        "get-api-analytics": proxy_event(
            "GET",
            "/apis/{apiId}/analytics",
            path_parameters={"apiId": api_id},
            query={"granularity": "hour"},
            claims=claims,
        ),
    }
    for name, event in reads.items():
        answered = invoke(recorder, function(name), event)
        assert answered["statusCode"] == 200, (name, answered)

    # 8a. a version that breaks the first one's consumers waits for an admin, who approves it
    breaking = json.loads(json.dumps(served))
    post_path = next(path for path, item in breaking["paths"].items() if "post" in item)
    del breaking["paths"][post_path]["post"]
    breaking["info"]["version"] = "1.1.0"
    asked = invoke(
        recorder,
        function("submit-spec"),
        proxy_event("POST", "/apis", body=json.dumps(breaking), headers={"content-type": "application/json"},
                    query={"apiId": api_id}, claims=claims),
    )  # fmt: skip
    assert asked["statusCode"] == 202, asked
    waiting_id = json.loads(asked["body"])["workflowId"]
    started = await asyncio.to_thread(
        invoke, recorder, function("start-registration"), sqs_records(aws, aws.names.queue("start-registration"))
    )
    assert started == {"batchItemFailures": []}
    recorder.current = "registration-worker"
    worker_root = Portal()
    worker_client = await Client.connect(**connect_config(worker_root.temporal_overrides))
    async with build_worker(worker_client, task_queue, worker_root.registrar):
        waiting = temporal_client.get_workflow_handle_for(ApiRegistrationWorkflow.run, waiting_id)
        for _ in range(600):  # until the request is stored and announced (the worker's calls, not the routes')
            if await waiting.query(ApiRegistrationWorkflow.current_step) == "awaiting-approval":
                break
            await asyncio.sleep(0.1)
        recorder.current = None
        assert admin_call("list-approvals", "GET", "/approvals")["statusCode"] == 200
        shown = developer_call(
            "get-approval", "GET", "/apis/{apiId}/versions/{version}/approval",
            path_parameters={"apiId": api_id, "version": "1.1.0"},
        )  # fmt: skip
        assert shown["statusCode"] == 200, shown
        decided = admin_call(
            "approve-version", "POST", "/apis/{apiId}/versions/{version}/approve",
            path_parameters={"apiId": api_id, "version": "1.1.0"}, body=json.dumps({"reason": "moved"}),
            headers={"content-type": "application/json"},
        )  # fmt: skip
        assert decided["statusCode"] == 202, decided
        # a second admin rejects before the first decision reaches the workflow: the first one counts
        late = admin_call(
            "reject-version", "POST", "/apis/{apiId}/versions/{version}/reject",
            path_parameters={"apiId": api_id, "version": "1.1.0"}, body=json.dumps({"reason": "no"}),
            headers={"content-type": "application/json"},
        )  # fmt: skip
        assert late["statusCode"] == 202, late
        signal = sqs_records(aws, aws.names.queue("signal-approval"))
        signal["Records"].sort(key=lambda record: '"approved":true' not in record["body"].replace(" ", ""))
        assert await asyncio.to_thread(invoke, recorder, function("signal-approval"), signal) == {
            "batchItemFailures": []
        }
        outcome = await temporal_client.get_workflow_handle_for(ApiRegistrationWorkflow.run, waiting_id).result()
    worker_root.spec_sandbox.close()
    assert outcome.status == "registered"
    waiting_records = sqs_records(aws, aws.names.queue("track-submission"))
    assert invoke(recorder, function("track-submission"), waiting_records) == {"batchItemFailures": []}

    # 9. the team deprecates its version; the docs page is marked through the fan-out
    sunset = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    moved = developer_call(
        "change-version-lifecycle",
        "POST",
        "/apis/{apiId}/versions/{version}/lifecycle",
        path_parameters={"apiId": api_id, "version": version},
        body=json.dumps({"status": "deprecated", "sunset": sunset}),
        headers={"content-type": "application/json"},
    )
    assert moved["statusCode"] == 200, moved
    lifecycle_topic = aws.names.topic("ApiVersionLifecycleChanged")
    lifecycle_arn = topic_arns(aws.client("sns"))[lifecycle_topic]
    fanout = aws.names.fanout_queue("ApiVersionLifecycleChanged")
    assert sns_forward_target(fanout, lifecycle_arn).deliver(aws.drain(fanout)) == set()
    marking = sqs_records(aws, aws.names.queue("mark-docs"))
    for _delivery in range(2):  # the second finds the page marked already
        assert invoke(recorder, function("mark-docs"), marking) == {"batchItemFailures": []}
        assert b"goes away on" in wiring.portal().docs.get(first_version.docs_key)

    # 10. the team subscribes a webhook and a mailbox; the mailbox is confirmed; a registration is
    # noticed (twice: one delivery) and sent by the state machine's tasks, called here as it calls
    # them; a failure is redriven, then sent again by hand; the team reads, changes and deletes
    with webhook_receiver() as receiver:
        hook = developer_call(
            "create-subscription",
            "POST",
            "/teams/{team}/subscriptions",
            path_parameters={"team": "pets"},
            body=json.dumps({"events": ["api.registered"], "apis": [api_id], "webhookUrl": receiver.url}),
            headers={"content-type": "application/json"},
        )
        assert hook["statusCode"] == 201, hook
        hook_id = json.loads(hook["body"])["subscriptionId"]
        mailbox = developer_call(
            "create-subscription",
            "POST",
            "/teams/{team}/subscriptions",
            path_parameters={"team": "pets"},
            body=json.dumps({"events": ["api.registered"], "apis": [api_id], "email": f"{api_id}@pets.test"}),
            headers={"content-type": "application/json"},
        )
        assert mailbox["statusCode"] == 201, mailbox
        # a digest of registrations: the route makes the digest's schedule (Temporal, from the secret)
        digest = await asyncio.to_thread(
            developer_call,
            "create-subscription",
            "POST",
            "/teams/{team}/subscriptions",
            path_parameters={"team": "pets"},
            body=json.dumps(
                {
                    "events": ["api.registered"],
                    "digest": ["api.registered"],
                    "apis": [api_id],
                    "webhookUrl": f"{receiver.url}digest",
                }
            ),
            headers={"content-type": "application/json"},
        )
        assert digest["statusCode"] == 201, digest
        digest_id = json.loads(digest["body"])["subscriptionId"]
        (confirmation,) = [mail for mail in outbox(aws.endpoint) if f"{api_id}@pets.test" in mail.to]
        token = confirmation.body.split("token=", 1)[1].split()[0]
        confirmed = invoke(
            recorder,
            function("confirm-subscription"),
            proxy_event(
                "POST",
                "/subscriptions/confirmations",
                body=json.dumps({"token": token}),
                headers={"content-type": "application/json"},
            ),
        )
        assert confirmed["statusCode"] == 200, confirmed
        noticed = registered_event(api_id, version="7.0.0")
        record = {
            "messageId": str(uuid.uuid4()),
            "receiptHandle": "r",
            "body": eventbridge_body(noticed),
            "attributes": {},
            "messageAttributes": {},
            "eventSource": "aws:sqs",
        }
        for _delivery in range(2):  # the second finds the deliveries kept (and started)
            assert invoke(recorder, function("notify"), {"Records": [record]}) == {"batchItemFailures": []}
        deliveries = {d.subscription_id: d for d in (wiring.portal().delivery_store.page(hook_id, 5, None)[0])}
        (hook_delivery,) = deliveries.values()
        step = {"deliveryId": hook_delivery.delivery_id, "subscriptionId": hook_id, "team": "pets",
                "channel": "webhook", "round": 1}  # fmt: skip
        assert invoke(recorder, function("render-notification"), step) == {"send": True}
        assert invoke(recorder, function("send-webhook"), step) == {"status": 200}
        caught = {"Error": "RetryableDelivery", "Cause": "{}"}
        finished = invoke(recorder, function("finish-delivery"), {**step, "outcome": {"error": caught}})
        assert finished["failed"] is True
        redriven = {**record, "messageAttributes": {"subscription": {"stringValue": hook_id, "dataType": "String"}}}
        assert invoke(recorder, function("notify"), {"Records": [redriven]}) == {"batchItemFailures": []}
        invoke(recorder, function("finish-delivery"), {**step, "round": 2, "outcome": {"delivered": True}})
        # the digest's daily run on the analytics worker: one digest delivery, its execution started
        assert [d.status for d in wiring.portal().delivery_store.page(digest_id, 5, None)[0]] == ["digested"]
        recorder.current = "analytics-worker"
        digest_root = Portal()
        digest_client = await Client.connect(**connect_config(digest_root.temporal_overrides))
        async with build_analytics_worker(digest_client, analytics_queue, digest_root):
            digested = await temporal_client.execute_workflow(
                NotificationDigestWorkflow.run,
                DigestRun(),
                id=f"digest-{uuid.uuid4().hex[:8]}",
                task_queue=analytics_queue,
            )
        recorder.current = None
        assert [o.notices for o in digested.sent if o.subscription_id == digest_id] == [1]
        for name, method, resource, extra in (
            ("list-subscriptions", "GET", "/teams/{team}/subscriptions", {}),
            ("get-subscription", "GET", "/teams/{team}/subscriptions/{subscriptionId}", {}),
            ("list-deliveries", "GET", "/teams/{team}/subscriptions/{subscriptionId}/deliveries", {}),
            ("rotate-subscription-secret", "POST", "/teams/{team}/subscriptions/{subscriptionId}/secret", {}),
            (
                "update-subscription",
                "PATCH",
                "/teams/{team}/subscriptions/{subscriptionId}",
                {
                    "body": json.dumps({"paused": False, "digest": ["api.registered"]}),
                    "headers": {"content-type": "application/json"},
                },
            ),
            (
                "redeliver-notification",
                "POST",
                "/teams/{team}/subscriptions/{subscriptionId}/deliveries/{deliveryId}/redeliver",
                {"deliveryId": hook_delivery.delivery_id},
            ),
            ("delete-subscription", "DELETE", "/teams/{team}/subscriptions/{subscriptionId}", {}),
        ):
            delivery_id = extra.pop("deliveryId", None)
            path = {"team": "pets", "subscriptionId": hook_id, **({"deliveryId": delivery_id} if delivery_id else {})}
            answered = await asyncio.to_thread(developer_call, name, method, resource, path_parameters=path, **extra)
            assert answered["statusCode"] in (200, 202, 204), (name, answered)
        await temporal_client.get_schedule_handle(digest_schedule_id(analytics_queue)).delete()

    declared = {spec.name: set(spec.actions()) for spec in functions() if spec.actions()}
    assert recorder.mismatches(declared) == {}


def recorder_secret(recorder: CallRecorder) -> str:
    (secret,) = [name for name, kind in recorder.by_name.items() if kind == "temporal-secret"]
    return secret
