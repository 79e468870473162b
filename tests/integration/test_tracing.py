"""Tracing is real: a route function and a queue consumer, run as Lambda runs them (in their own
process, with Lambda's environment and an X-Ray trace header), send their subsegments - the
invocation, each record, every boto3 call to moto - to an X-Ray daemon address, here a UDP socket
the test reads. Outside Lambda the same code traces nothing."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from devportal_local.config import LOOPBACK
from tests.support.aws import AwsWorld

ROOT = Path(__file__).resolve().parents[2]
TRACE_ID = "1-6a2b3c4d-5e6f708192a3b4c5d6e7f809"


@pytest.fixture
def daemon() -> Any:
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((LOOPBACK, 0))
    udp.settimeout(0.2)
    yield udp
    udp.close()


def run_as_lambda(script: str, daemon: socket.socket, function_name: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "LAMBDA_TASK_ROOT": str(ROOT),
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "_X_AMZN_TRACE_ID": f"Root={TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1",
        "AWS_XRAY_DAEMON_ADDRESS": f"{LOOPBACK}:{daemon.getsockname()[1]}",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "POWERTOOLS_TRACE_DISABLED": "false",
        "POWERTOOLS_SERVICE_NAME": function_name,
    }
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def received(daemon: socket.socket) -> list[dict[str, Any]]:
    """Every entity the daemon got, subsegments nested in them flattened."""
    entities: list[dict[str, Any]] = []
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            datagram = daemon.recv(65536).decode()
        except TimeoutError:
            if entities:
                break
            continue
        _, _, body = datagram.partition("\n")
        pending = [json.loads(body)]
        while pending:
            entity = pending.pop()
            entities.append(entity)
            pending.extend(entity.get("subsegments", []))
    return entities


def test_a_route_traces_its_invocation_and_its_boto3_calls(aws: AwsWorld, daemon: socket.socket) -> None:
    ran = run_as_lambda(
        """
        from functions.get_api.handler import handler
        from devportal_local.lambda_runtime import LambdaContext
        event = {
            "resource": "/apis/{apiId}", "path": "/apis/nothing-here", "httpMethod": "GET",
            "headers": {"X-Correlation-Id": "trace-me-1"}, "pathParameters": {"apiId": "nothing-here"},
            "requestContext": {
                "requestId": "req-1", "authorizer": {"claims": {"sub": "u", "cognito:groups": "viewer"}}
            },
        }
        print(handler(event, LambdaContext("get-api"))["statusCode"])
        """,
        daemon,
        "get-api",
    )
    assert ran.stdout.strip().endswith("404"), ran.stdout + ran.stderr
    entities = received(daemon)
    names = {entity["name"] for entity in entities}
    assert "## handler" in names, entities
    dynamodb = [e for e in entities if e["name"] == "dynamodb"]
    assert {e["aws"]["operation"] for e in dynamodb} == {"Query"}, (
        entities,
        ran.stderr[-3000:],
    )  # the versions of the API asked for
    assert all(e["trace_id"] == TRACE_ID for e in entities if "trace_id" in e)
    annotated = [e for e in entities if e.get("annotations", {}).get("correlation_id") == "trace-me-1"]
    assert annotated, entities


def test_a_consumer_traces_each_record(aws: AwsWorld, daemon: socket.socket) -> None:
    ran = run_as_lambda(
        """
        import json
        from functions.record_sign_in.handler import handler
        from devportal_local.lambda_runtime import LambdaContext
        from events.envelope import new_event
        from events.identity import UserSignedIn
        from datetime import UTC, datetime
        event = new_event(UserSignedIn(user_id="nobody", signed_in_at=datetime.now(UTC)), correlation_id="corr-9",
                          producer="test")
        body = json.dumps({"id": "1", "source": event.source, "detail-type": event.detail_type,
                           "detail": event.to_wire()})
        record = {"messageId": "m-1", "receiptHandle": "r", "body": body, "attributes": {}, "messageAttributes": {},
                  "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:0:q",
                  "awsRegion": "us-east-1"}
        print(handler({"Records": [record]}, LambdaContext("record-sign-in")))
        """,
        daemon,
        "record-sign-in",
    )
    assert "batchItemFailures" in ran.stdout, ran.stdout + ran.stderr
    entities = received(daemon)
    (record,) = [e for e in entities if e["name"] == "## record"]
    assert record["annotations"] == {"message_id": "m-1", "correlation_id": "corr-9"}
    assert "dynamodb" in {e["name"] for e in entities}


def test_outside_lambda_nothing_is_traced(aws: AwsWorld, daemon: socket.socket) -> None:
    from devportal_local.lambda_runtime import LambdaContext
    from functions.get_api.handler import handler

    claims = {"sub": "u", "cognito:groups": "viewer"}
    event = {"resource": "/apis/{apiId}", "path": "/apis/x", "httpMethod": "GET", "pathParameters": {"apiId": "x"},
             "requestContext": {"requestId": "r", "authorizer": {"claims": claims}}}  # fmt: skip
    assert handler(event, LambdaContext("get-api"))["statusCode"] == 404
    assert received(daemon) == []


def test_an_activity_traces_itself_with_the_submission_it_serves(aws: AwsWorld, daemon: socket.socket) -> None:
    ran = run_as_lambda(
        """
        import asyncio
        from temporalio.testing import ActivityEnvironment
        from devportal import wiring
        from devportal.registry.register import Submitted
        from temporal_bridge.activities import RegistrationActivities
        submitted = Submitted("sub-" + "0" * 24, "traced", "1.0.0", "pets", "specs/x", "0" * 64, "json", "corr-act",
                              "registration-traced-1.0.0-000000000000")
        activities = RegistrationActivities(wiring.portal().registrar)
        asyncio.run(ActivityEnvironment().run(activities.mark_registering, submitted))
        print("ran")
        """,
        daemon,
        "registration-worker",
    )
    assert "ran" in ran.stdout, ran.stdout + ran.stderr
    entities = received(daemon)
    (step,) = [e for e in entities if e["name"] == "## mark_registering"]
    assert step["annotations"] == {"correlation_id": "corr-act", "api_id": "traced"}
    assert "dynamodb" in {e["name"] for e in entities}
