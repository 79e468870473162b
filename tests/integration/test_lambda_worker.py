"""The registration worker as AWS runs it: `temporal_bridge.lambda_worker.handler` invoked like a
Lambda function (a context with a deadline), connecting with the Temporal connection it reads
from the Secrets Manager secret, polling as a versioned serverless worker until shortly before the
deadline - against the real Temporal dev server and moto."""

from __future__ import annotations

import asyncio
import importlib
import json
import time
import uuid

import pytest
from temporalio.api.workflowservice.v1 import (
    DescribeWorkerDeploymentRequest,
    SetWorkerDeploymentCurrentVersionRequest,
)
from temporalio.client import Client
from temporalio.service import RPCError

from devportal import wiring
from devportal.registry.register import Submitted
from devportal.registry.submit import SubmitRequest
from devportal_local.lambda_runtime import LambdaContext
from temporal_bridge.starter import ensure_registration
from temporal_bridge.workflows import ApiRegistrationWorkflow
from tests.support.aws import AwsWorld, reset_process_caches
from tests.support.specs import petstore_json

INVOCATION_SECONDS = 15  # Lambda timeout of this invocation; the worker stops ~7 s before it


async def wait_for_version(client: Client, deployment: str, build_id: str) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            described = await client.workflow_service.describe_worker_deployment(
                DescribeWorkerDeploymentRequest(namespace=client.namespace, deployment_name=deployment)
            )
            builds = {v.deployment_version.build_id for v in described.worker_deployment_info.version_summaries}
            if build_id in builds:
                return
        except RPCError:
            pass  # the deployment appears once the worker's first poll reaches the server
        assert time.monotonic() < deadline, f"worker version {build_id} never registered"
        await asyncio.sleep(0.2)


async def test_the_lambda_handler_registers_an_api_as_a_versioned_worker(
    aws: AwsWorld, temporal_client: Client, task_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = aws.client("secretsmanager").create_secret(
        Name=f"{aws.names.prefix}/temporal-cloud",
        SecretString=json.dumps(
            {"TEMPORAL_ADDRESS": temporal_client.service_client.config.target_host, "TEMPORAL_NAMESPACE": "default"}
        ),
    )
    build_id = f"test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("DEVPORTAL_TEMPORAL_SECRET_ARN", secret["ARN"])
    monkeypatch.setenv("DEVPORTAL_BUILD_ID", build_id)
    monkeypatch.setenv("DEVPORTAL_REGISTRATION_TASK_QUEUE", task_queue)
    monkeypatch.delenv("TEMPORAL_ADDRESS", raising=False)
    reset_process_caches()  # a cold start: settings and the secret are read again
    lambda_worker = importlib.import_module("temporal_bridge.lambda_worker")
    deployment = lambda_worker.DEPLOYMENT_NAME

    context = LambdaContext("devportal-test-registration-worker", timeout_seconds=INVOCATION_SECONDS)
    invocation = asyncio.create_task(asyncio.to_thread(lambda_worker.handler, {}, context))
    await wait_for_version(temporal_client, deployment, build_id)
    await temporal_client.workflow_service.set_worker_deployment_current_version(
        SetWorkerDeploymentCurrentVersionRequest(
            namespace=temporal_client.namespace, deployment_name=deployment, build_id=build_id
        )
    )

    outcome = wiring.portal().submit_spec(
        SubmitRequest(
            body=petstore_json(),
            media_type="application/json",
            team="pets",
            correlation_id="corr-lambda",
            api_id=f"lambda-{uuid.uuid4().hex[:8]}",
        )
    )
    s = outcome.submission
    submitted = Submitted(
        s.submission_id, s.api_id, s.version, s.owner, s.spec_key, s.sha256, s.format, s.correlation_id, s.workflow_id
    )
    await ensure_registration(temporal_client, submitted, task_queue)
    handle = temporal_client.get_workflow_handle_for(ApiRegistrationWorkflow.run, submitted.workflow_id)
    result = await asyncio.wait_for(handle.result(), timeout=INVOCATION_SECONDS)
    assert result.status == "registered"
    history = [e async for e in handle.fetch_history_events()]
    completed = [e for e in history if e.HasField("workflow_task_completed_event_attributes")]
    assert any(e.workflow_task_completed_event_attributes.deployment_version.build_id == build_id for e in completed)

    # The invocation ends on its own, before the Lambda deadline.
    await asyncio.wait_for(invocation, timeout=INVOCATION_SECONDS)
    assert context.get_remaining_time_in_millis() > 0
