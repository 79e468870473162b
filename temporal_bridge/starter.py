"""Starting registrations (one workflow per submission) and test runs (one per run), each at most once.

The workflow id is derived from the submission, the reuse policy rejects duplicates and the
conflict policy returns a running workflow: a redelivered event starts nothing, whether the first
registration is still running or long finished."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from devportal.registry.register import Submitted
from devportal.testing.runs import workflow_id_for
from events.testing import TestRunRequested
from temporal_bridge.search import API_ID, API_VERSION, OWNER, STEP
from temporal_bridge.testing import TestOrchestrationWorkflow, TestRunStart
from temporal_bridge.workflows import ApiRegistrationWorkflow

log = logging.getLogger("devportal.starter")


async def _start_once(
    client: Client,
    run: Any,
    argument: Any,
    *,
    workflow_id: str,
    task_queue: str,
    api_id: str,
    version: str,
    owner: str,
    what: str,
    execution_timeout: timedelta | None = None,
) -> None:
    """Start a workflow unless one with its id exists (running or closed), with the search
    attributes ops filter by (ApiId, ApiVersion, Owner, Step=queued)."""
    try:
        await client.start_workflow(
            run,
            argument,
            id=workflow_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            execution_timeout=execution_timeout,
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(API_ID, api_id),
                    SearchAttributePair(API_VERSION, version),
                    SearchAttributePair(OWNER, owner),
                    SearchAttributePair(STEP, "queued"),
                ]
            ),
            rpc_timeout=timedelta(seconds=10),
        )
    except WorkflowAlreadyStartedError:
        log.info("%s already ran; nothing started", what, extra={"workflow_id": workflow_id})


async def ensure_registration(client: Client, submitted: Submitted, task_queue: str) -> None:
    """Start the submission's workflow unless it exists (running or closed)."""
    await _start_once(
        client,
        ApiRegistrationWorkflow.run,
        submitted,
        workflow_id=submitted.workflow_id,
        task_queue=task_queue,
        api_id=submitted.api_id,
        version=submitted.version,
        owner=submitted.owner,
        what="registration",
    )


async def ensure_test_run(client: Client, requested: TestRunRequested, task_queue: str) -> None:
    """Start the run's TestOrchestrationWorkflow unless it exists (running or closed)."""
    await _start_once(
        client,
        TestOrchestrationWorkflow.run,
        TestRunStart(requested.run_id),
        workflow_id=workflow_id_for(requested.run_id),
        task_queue=task_queue,
        api_id=requested.api_id,
        version=requested.version,
        owner=requested.owner,
        what="test run",
        execution_timeout=timedelta(hours=6),
    )


async def cancel_test_run(client: Client, workflow_id: str, by: str) -> bool:
    """Signal a run's workflow to stop; False when its workflow has not been started yet (the
    bridge starts it within seconds of the request) or has already closed."""
    try:
        await client.get_workflow_handle(workflow_id).signal(
            TestOrchestrationWorkflow.cancel, by, rpc_timeout=timedelta(seconds=10)
        )
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True
