"""Starting registrations (one workflow per submission) and test runs (one per run), each at most once.

The workflow id is derived from the submission, the reuse policy rejects duplicates and the
conflict policy returns a running workflow: a redelivered event starts nothing, whether the first
registration is still running or long finished."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, Protocol

from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from devportal.registry.approval import Decision
from devportal.registry.register import Submitted
from devportal.testing.runs import workflow_id_for
from temporal_bridge.search import API_ID, API_VERSION, OWNER, STEP
from temporal_bridge.testing import TestOrchestrationWorkflow, TestRunStart
from temporal_bridge.workflows import ApiRegistrationWorkflow

log = logging.getLogger("devportal.starter")
_RUN_TIMEOUT = timedelta(hours=6)


class RunToStart(Protocol):
    """What starting a run's workflow needs of its request (TestRunRequested) or its record."""

    @property
    def run_id(self) -> str: ...
    @property
    def api_id(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def owner(self) -> str: ...


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
    signal: tuple[str, str] | None = None,
) -> bool:
    """Start a workflow unless one with its id exists (running or closed), with the search
    attributes ops filter by (ApiId, ApiVersion, Owner, Step=queued). With `signal` (a signal
    name and its argument), the running workflow, or the one just started, gets it
    (signal-with-start). False when the workflow had already closed."""
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
            start_signal=signal[0] if signal else None,
            start_signal_args=[signal[1]] if signal else [],
        )
    except WorkflowAlreadyStartedError:
        log.info("%s already ran; nothing started", what, extra={"workflow_id": workflow_id})
        return False
    return True


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


async def ensure_test_run(
    client: Client, run: RunToStart, task_queue: str, *, signal: tuple[str, str] | None = None
) -> bool:
    """Start the run's TestOrchestrationWorkflow unless it exists (running or closed); with
    `signal`, the workflow gets it too (see cancel_test_run). False when it had already closed."""
    return await _start_once(
        client,
        TestOrchestrationWorkflow.run,
        TestRunStart(run.run_id),
        workflow_id=workflow_id_for(run.run_id),
        task_queue=task_queue,
        api_id=run.api_id,
        version=run.version,
        owner=run.owner,
        what="test run",
        execution_timeout=_RUN_TIMEOUT,
        signal=signal,
    )


async def cancel_test_run(client: Client, run: RunToStart, task_queue: str, by: str) -> bool:
    """Signal a run's workflow to stop. A run still queued (its workflow not started yet) is started
    with the signal already in it (signal-with-start): it plans, tests nothing and ends cancelled,
    and the bridge's own start later finds it. False when the workflow has already closed."""
    return await ensure_test_run(client, run, task_queue, signal=("cancel", by))


async def signal_decision(client: Client, workflow_id: str, decision: Decision) -> bool:
    """Hand an admin's decision to the registration workflow waiting for it; False when that
    workflow has closed (decided before, or its deadline passed)."""
    handle = client.get_workflow_handle_for(ApiRegistrationWorkflow.run, workflow_id)
    try:
        await handle.signal(ApiRegistrationWorkflow.decide, decision)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:  # completed: Temporal refuses signals to it
            return False
        raise
    return True
