"""Starting registrations: one workflow per submission, started at most once.

The workflow id is derived from the submission, the reuse policy rejects duplicates and the
conflict policy returns a running workflow: a redelivered event starts nothing, whether the first
registration is still running or long finished."""

from __future__ import annotations

import logging
from datetime import timedelta

from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError

from devportal.registry.register import Submitted
from temporal_bridge.search import API_ID, API_VERSION, OWNER, STEP
from temporal_bridge.workflows import ApiRegistrationWorkflow

log = logging.getLogger("devportal.starter")


async def ensure_registration(client: Client, submitted: Submitted, task_queue: str) -> None:
    """Start the submission's workflow unless it exists (running or closed)."""
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
        log.info("registration already ran; nothing started", extra={"workflow_id": submitted.workflow_id})
