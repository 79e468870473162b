"""Registration activities: thin async wrappers over `Registrar`, which holds the rules.

Blocking work (S3, DynamoDB, validation, rendering) runs in a thread while the activity heartbeats,
so a worker killed mid-validation is noticed within the heartbeat timeout and the activity moves
to another worker.

Each activity logs with the submission's correlation id (kept per task, so concurrent activities
never mix them), is traced as an X-Ray subsegment with its boto3 calls (in the Lambda worker), and
the announcing ones emit the domain metrics: Registrations, Rejections by reason, and
RegistrationDuration from the workflow's start to its outcome."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from temporalio import activity

from devportal.adapters.metrics import emit
from devportal.registry.approval import Comparison, Decision
from devportal.registry.ports import StoreResult
from devportal.registry.register import Registrar, Submitted, Validated
from devportal.specs.sandbox import CheckCancelled
from devportal.specs.validation import Finding
from events.registry import RejectReason

T = TypeVar("T")
HEARTBEAT_EVERY_SECONDS = 2.0
logger = Logger(service="registration-worker")
tracer = Tracer(service="registration-worker")


async def _step(name: str, submitted: Submitted, work: Callable[[], Awaitable[T]]) -> T:
    """One activity: logged with the submission's correlation id, traced, timed."""
    logger.thread_safe_append_keys(correlation_id=submitted.correlation_id, workflow_id=submitted.workflow_id)
    started = asyncio.get_running_loop().time()
    async with tracer.provider.in_subsegment_async(f"## {name}") as subsegment:
        subsegment.put_annotation(key="correlation_id", value=submitted.correlation_id)
        subsegment.put_annotation(key="api_id", value=submitted.api_id)
        result = await work()
    logger.info(
        f"{name} done",
        extra={"api_id": submitted.api_id, "version": submitted.version, "attempt": activity.info().attempt,
               "ms": round((asyncio.get_running_loop().time() - started) * 1000)},
    )  # fmt: skip
    return result


def _since(started_at: datetime | None) -> float | None:
    return None if started_at is None else (datetime.now(UTC) - started_at).total_seconds() * 1000


async def blocking(fn: Callable[[], T], cancelled: threading.Event | None = None) -> T:
    """`fn` in a thread, heartbeating meanwhile. When the activity is cancelled (or times out),
    `cancelled` is set for `fn` to stop on; the thread is never left running unknowingly."""
    task = asyncio.ensure_future(asyncio.to_thread(fn))
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=HEARTBEAT_EVERY_SECONDS)
            if done:
                return task.result()
            activity.heartbeat()
    except asyncio.CancelledError:
        if cancelled is not None:
            cancelled.set()
            with contextlib.suppress(CheckCancelled):
                await asyncio.shield(task)  # returns as soon as fn notices
        raise


@dataclass(frozen=True)
class RenderInput:
    submitted: Submitted
    normalized_key: str
    lint_key: str = ""


@dataclass(frozen=True)
class StoreInput:
    submitted: Submitted
    validated: Validated
    docs_key: str
    started_at: datetime | None = None  # the workflow's start, for RegistrationDuration


@dataclass(frozen=True)
class CompareInput:
    submitted: Submitted
    normalized_key: str


@dataclass(frozen=True)
class ApprovalInput:
    submitted: Submitted
    comparison: Comparison
    requested_at: datetime


@dataclass(frozen=True)
class CloseApprovalInput:
    submitted: Submitted
    comparison: Comparison
    decision: Decision
    expired: bool


@dataclass(frozen=True)
class RejectInput:
    submitted: Submitted
    reason: RejectReason
    findings: tuple[Finding, ...]
    truncated: bool
    started_at: datetime | None = None


class RegistrationActivities:
    def __init__(self, registrar: Registrar) -> None:
        self._registrar = registrar

    @activity.defn
    async def mark_registering(self, submitted: Submitted) -> None:
        await _step(
            "mark_registering", submitted, lambda: blocking(lambda: self._registrar.mark_registering(submitted))
        )

    @activity.defn
    async def validate(self, submitted: Submitted) -> Validated:
        """Cancellable: the sandboxed check is killed when the activity is cancelled or times out."""
        cancelled = threading.Event()
        return await _step(
            "validate",
            submitted,
            lambda: blocking(lambda: self._registrar.validate(submitted, cancelled), cancelled),
        )

    @activity.defn
    async def render_docs(self, request: RenderInput) -> str:
        return await _step(
            "render_docs",
            request.submitted,
            lambda: blocking(
                lambda: self._registrar.render_docs(request.submitted, request.normalized_key, request.lint_key)
            ),
        )

    @activity.defn
    async def store_version(self, request: StoreInput) -> StoreResult:
        return await _step(
            "store_version",
            request.submitted,
            lambda: blocking(lambda: self._registrar.store(request.submitted, request.validated, request.docs_key)),
        )

    @activity.defn
    async def discard_docs(self, docs_key: str) -> None:
        await blocking(lambda: self._registrar.discard_docs(docs_key))

    @activity.defn
    async def compare(self, request: CompareInput) -> Comparison:
        return await _step(
            "compare",
            request.submitted,
            lambda: blocking(lambda: self._registrar.compare(request.submitted, request.normalized_key)),
        )

    @activity.defn
    async def request_approval(self, request: ApprovalInput) -> None:
        await _step(
            "request_approval",
            request.submitted,
            lambda: blocking(
                lambda: self._registrar.request_approval(request.submitted, request.comparison, request.requested_at)
            ),
        )

    @activity.defn
    async def close_approval(self, request: CloseApprovalInput) -> None:
        await _step(
            "close_approval",
            request.submitted,
            lambda: blocking(
                lambda: self._registrar.close_approval(
                    request.submitted, request.comparison, request.decision, request.expired
                )
            ),
        )

    @activity.defn
    async def compensate_stored(self, request: StoreInput) -> None:
        await _step(
            "compensate_stored",
            request.submitted,
            lambda: blocking(lambda: self._registrar.compensate(request.submitted, request.docs_key)),
        )

    @activity.defn
    async def announce_registered(self, request: StoreInput) -> None:
        submitted = request.submitted
        await _step(
            "announce_registered",
            submitted,
            lambda: blocking(
                lambda: self._registrar.announce_registered(submitted, request.validated, request.docs_key)
            ),
        )
        emit("Registrations", 1, MetricUnit.Count, service="registration")
        duration = _since(request.started_at)
        if duration is not None:
            emit("RegistrationDuration", duration, MetricUnit.Milliseconds, service="registration")

    @activity.defn
    async def announce_rejected(self, request: RejectInput) -> None:
        submitted = request.submitted
        await _step(
            "announce_rejected",
            submitted,
            lambda: blocking(
                lambda: self._registrar.announce_rejected(
                    submitted, request.reason, request.findings, request.truncated
                )
            ),
        )
        emit("Rejections", 1, MetricUnit.Count, service="registration", reason=request.reason)
        duration = _since(request.started_at)
        if duration is not None:
            emit("RegistrationDuration", duration, MetricUnit.Milliseconds, service="registration")
