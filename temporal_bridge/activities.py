"""Registration activities: thin async wrappers over `Registrar`, which holds the rules.

Blocking work (S3, DynamoDB, validation, rendering) runs in a thread while the activity heartbeats,
so a worker killed mid-validation is noticed within the heartbeat timeout and the activity moves
to another worker."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from temporalio import activity

from devportal.registry.ports import StoreResult
from devportal.registry.register import Registrar, Submitted, Validated
from devportal.specs.validation import Finding
from events.registry import RejectReason

T = TypeVar("T")
HEARTBEAT_EVERY_SECONDS = 2.0


async def _blocking(fn: Callable[[], T]) -> T:
    task = asyncio.ensure_future(asyncio.to_thread(fn))
    while True:
        done, _ = await asyncio.wait({task}, timeout=HEARTBEAT_EVERY_SECONDS)
        if done:
            return task.result()
        activity.heartbeat()


@dataclass(frozen=True)
class RenderInput:
    submitted: Submitted
    normalized_key: str


@dataclass(frozen=True)
class StoreInput:
    submitted: Submitted
    validated: Validated
    docs_key: str


@dataclass(frozen=True)
class RejectInput:
    submitted: Submitted
    reason: RejectReason
    findings: tuple[Finding, ...]
    truncated: bool


class RegistrationActivities:
    def __init__(self, registrar: Registrar) -> None:
        self._registrar = registrar

    @activity.defn
    async def mark_registering(self, submitted: Submitted) -> None:
        await _blocking(lambda: self._registrar.mark_registering(submitted))

    @activity.defn
    async def validate(self, submitted: Submitted) -> Validated:
        return await _blocking(lambda: self._registrar.validate(submitted))

    @activity.defn
    async def render_docs(self, request: RenderInput) -> str:
        return await _blocking(lambda: self._registrar.render_docs(request.submitted, request.normalized_key))

    @activity.defn
    async def store_version(self, request: StoreInput) -> StoreResult:
        return await _blocking(lambda: self._registrar.store(request.submitted, request.validated, request.docs_key))

    @activity.defn
    async def discard_docs(self, docs_key: str) -> None:
        await _blocking(lambda: self._registrar.discard_docs(docs_key))

    @activity.defn
    async def announce_registered(self, request: StoreInput) -> None:
        await _blocking(
            lambda: self._registrar.announce_registered(request.submitted, request.validated, request.docs_key)
        )

    @activity.defn
    async def announce_rejected(self, request: RejectInput) -> None:
        await _blocking(
            lambda: self._registrar.announce_rejected(
                request.submitted, request.reason, request.findings, request.truncated
            )
        )
