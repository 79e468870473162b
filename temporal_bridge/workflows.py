"""ApiRegistrationWorkflow: validate -> render -> store -> announce.

Deterministic and small: every side effect is an activity. The current step is kept for the
`current_step` query and mirrored to the `Step` search attribute, so ops can list registrations by
step in the Temporal Web UI."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from devportal.registry.approval import APPROVAL_WAIT, Comparison, Decision
    from devportal.registry.ports import StoreResult
    from devportal.registry.register import Submitted, conflict_finding
    from devportal.specs.validation import Finding
    from events.registry import RejectReason
    from temporal_bridge.activities import (
        ApprovalInput,
        CloseApprovalInput,
        CompareInput,
        RegistrationActivities,
        RejectInput,
        RenderInput,
        StoreInput,
    )
    from temporal_bridge.search import STEP

# Work on the spec itself: a few attempts, then the submitter is told.
_BOUNDED = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=5)
# Writes that make the outcome durable: retried until they succeed; a stuck one shows in the UI.
_PERSISTENT = RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=30))
# Announcing a stored version: retried for about half an hour, then the version is compensated.
_ANNOUNCE = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1), maximum_attempts=40
)


@dataclass(frozen=True)
class RegistrationResult:
    status: str  # "registered" | "rejected"
    api_id: str
    version: str
    docs_key: str | None = None
    reason: str | None = None
    finding_count: int = 0


@workflow.defn
class ApiRegistrationWorkflow:
    def __init__(self) -> None:
        self._step = "queued"
        self._decision: Decision | None = None

    @workflow.query
    def current_step(self) -> str:
        return self._step

    @workflow.signal
    def decide(self, decision: Decision) -> None:
        """An admin's approval or rejection of the breaking changes (the first one counts)."""
        if self._decision is None:
            self._decision = decision

    def _enter(self, step: str, submitted: Submitted) -> None:
        self._step = step
        workflow.upsert_search_attributes([STEP.value_set(step)])
        # workflow.logger says nothing while a history replays, and adds the workflow's ids
        workflow.logger.info("registration step: %s (correlation id %s)", step, submitted.correlation_id)

    @workflow.run
    async def run(self, submitted: Submitted) -> RegistrationResult:
        self._enter("validating", submitted)
        await workflow.execute_activity_method(
            RegistrationActivities.mark_registering,
            submitted,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=_PERSISTENT,
        )
        try:
            validated = await workflow.execute_activity_method(
                RegistrationActivities.validate,
                submitted,
                start_to_close_timeout=timedelta(minutes=10),
                heartbeat_timeout=timedelta(seconds=10),
                retry_policy=_BOUNDED,
            )
            if not validated.valid:
                return await self._reject(submitted, "invalid-spec", validated.findings, validated.findings_truncated)
            if validated.lint_blocking:  # the owning team's ruleset makes lint block (absent before: no branch)
                return await self._reject(submitted, "lint-failed", validated.lint_blocking, False)
            # Histories from before breaking changes were judged take the path they took (no compare).
            if workflow.patched("breaking-change-approval"):
                refused = await self._breaking_changes(submitted, validated.normalized_key)
                if refused is not None:
                    return refused
            self._enter("rendering", submitted)
            docs_key = await workflow.execute_activity_method(
                RegistrationActivities.render_docs,
                RenderInput(submitted, validated.normalized_key, validated.lint_key),
                start_to_close_timeout=timedelta(minutes=5),
                heartbeat_timeout=timedelta(seconds=10),
                retry_policy=_BOUNDED,
            )
        except ActivityError as failure:
            self._enter("failed", submitted)
            await self._reject(
                submitted,
                "internal-error",
                (Finding("", f"Registration could not complete: {failure.cause or failure}", "internal"),),
                False,
            )
            raise

        self._enter("storing", submitted)
        stored = await workflow.execute_activity_method(
            RegistrationActivities.store_version,
            StoreInput(submitted, validated, docs_key, workflow.info().start_time),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=_PERSISTENT,
        )
        if stored is StoreResult.CONFLICT:
            self._enter("compensating", submitted)
            await workflow.execute_activity_method(
                RegistrationActivities.discard_docs,
                docs_key,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=_PERSISTENT,
            )
            return await self._reject(submitted, "version-conflict", (conflict_finding(submitted),), False)

        self._enter("announcing", submitted)
        try:
            await workflow.execute_activity_method(
                RegistrationActivities.announce_registered,
                StoreInput(submitted, validated, docs_key, workflow.info().start_time),
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=_ANNOUNCE,
            )
        except ActivityError as failure:
            # Stored but never announced: the version is marked failed and its page removed, and the
            # submitter told (the same document may be submitted again).
            self._enter("compensating", submitted)
            await workflow.execute_activity_method(
                RegistrationActivities.compensate_stored,
                StoreInput(submitted, validated, docs_key, workflow.info().start_time),
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=_PERSISTENT,
            )
            reason = f"The version was stored but could not be announced: {failure.cause or failure}"
            return await self._reject(submitted, "internal-error", (Finding("", reason, "internal"),), False)
        self._enter("registered", submitted)
        return RegistrationResult("registered", submitted.api_id, submitted.version, docs_key=docs_key)

    async def _breaking_changes(self, submitted: Submitted, normalized_key: str) -> RegistrationResult | None:
        """None when the version may go on: no breaking change, a major version bump, changes
        approved before, or an admin's approval now. Otherwise the rejection."""
        comparison: Comparison = await workflow.execute_activity_method(
            RegistrationActivities.compare,
            CompareInput(submitted, normalized_key),
            start_to_close_timeout=timedelta(minutes=2),
            heartbeat_timeout=timedelta(seconds=10),
            retry_policy=_BOUNDED,
        )
        if comparison.verdict == "rejected-before" and comparison.earlier is not None:
            return await self._reject(
                submitted, "breaking-change-rejected", _findings(comparison, comparison.earlier, expired=False), False
            )
        if comparison.verdict != "ask":
            return None
        await workflow.execute_activity_method(
            RegistrationActivities.request_approval,
            ApprovalInput(submitted, comparison, workflow.now()),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=_PERSISTENT,
        )
        self._enter("awaiting-approval", submitted)  # the request is stored and announced
        with contextlib.suppress(TimeoutError):  # the deadline: decided below as expired
            await workflow.wait_condition(lambda: self._decision is not None, timeout=APPROVAL_WAIT)
        expired = self._decision is None
        decision = self._decision or Decision(
            approved=False,
            by="deadline",
            reason=f"No admin decided within {APPROVAL_WAIT.days} days.",
            at=workflow.now(),
        )
        await workflow.execute_activity_method(
            RegistrationActivities.close_approval,
            CloseApprovalInput(submitted, comparison, decision, expired),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=_PERSISTENT,
        )
        if decision.approved:
            return None
        reason: RejectReason = "approval-expired" if expired else "breaking-change-rejected"
        return await self._reject(submitted, reason, _findings(comparison, decision, expired=expired), False)

    async def _reject(
        self, submitted: Submitted, reason: RejectReason, findings: tuple[Finding, ...], truncated: bool
    ) -> RegistrationResult:
        self._enter("rejecting", submitted)
        await workflow.execute_activity_method(
            RegistrationActivities.announce_rejected,
            RejectInput(submitted, reason, findings, truncated, workflow.info().start_time),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=_PERSISTENT,
        )
        self._enter("rejected", submitted)
        return RegistrationResult(
            "rejected", submitted.api_id, submitted.version, reason=reason, finding_count=len(findings)
        )


def _findings(comparison: Comparison, decision: Decision, *, expired: bool) -> tuple[Finding, ...]:
    """The breaking changes a rejection names, each with what was decided about it."""
    why = decision.reason if expired else f"rejected by {decision.by}: {decision.reason}"
    return tuple(
        Finding(change.new_pointer or change.old_pointer or "", f"{change.message} ({why})", change.id)
        for change in comparison.breaking
    )
