"""Consumer: ApiSpecSubmitted -> start ApiRegistrationWorkflow.

The workflow id is derived from the submission, the reuse policy rejects duplicates and the
conflict policy returns a running workflow: a redelivered event starts nothing, whether the first
registration is still running or long finished."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any, TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError

from devportal import settings
from devportal.entrypoints import sqs_consumer
from devportal.registry.models import workflow_id_for
from devportal.registry.register import Submitted
from events.parsing import UnknownEvent, parse_event
from events.registry import ApiSpecSubmitted
from temporal_bridge import client as temporal_client
from temporal_bridge.search import API_ID, API_VERSION, OWNER, STEP
from temporal_bridge.workflows import ApiRegistrationWorkflow

logger = Logger()
T = TypeVar("T")

# One event loop and one client per process (a Lambda execution environment or a local poller),
# reused across invocations; the lock keeps the loop single-threaded.
_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_client: Client | None = None


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    global _loop
    with _lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
        return _loop.run_until_complete(coroutine)


async def _connected() -> Client:
    global _client
    if _client is None:
        _client = await temporal_client.connect()
    return _client


async def ensure_registration(submitted: Submitted, task_queue: str) -> None:
    """Start the submission's workflow unless it exists (running or closed)."""
    client = await _connected()
    try:
        await client.start_workflow(
            ApiRegistrationWorkflow.run,
            submitted,
            id=submitted.workflow_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(API_ID, submitted.api_id),
                    SearchAttributePair(API_VERSION, submitted.version),
                    SearchAttributePair(OWNER, submitted.owner),
                    SearchAttributePair(STEP, "queued"),
                ]
            ),
            rpc_timeout=timedelta(seconds=10),
        )
    except WorkflowAlreadyStartedError:
        logger.info("registration already ran; nothing started", workflow_id=submitted.workflow_id)


def record_handler(record: SQSRecord) -> None:
    event = parse_event(record.body)
    data = event.data
    if not isinstance(data, ApiSpecSubmitted):
        raise UnknownEvent(f"start-registration does not consume {event.detail_type}")
    submitted = Submitted(
        submission_id=data.submission_id,
        api_id=data.api_id,
        version=data.version,
        owner=data.owner,
        spec_key=data.spec_key,
        sha256=data.sha256,
        format=data.format,
        correlation_id=event.metadata.correlation_id,
        workflow_id=workflow_id_for(data.api_id, data.version, data.submission_id),
    )
    _run(ensure_registration(submitted, settings.temporal_settings().registration_task_queue))


handler = sqs_consumer(record_handler)
