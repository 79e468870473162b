"""Events of the contract-testing domain (source `devportal.testing`).

No event carries a credential: a run names the environment whose credential the worker reads from
Secrets Manager when it sends requests."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from events.envelope import DomainEvent, WireModel

_API_ID = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
_VERSION = r"^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$"
RUN_ID = r"^tr-[0-9a-f]{24}$"
ENVIRONMENT = r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$"

Trigger = Literal["manual", "registration", "schedule"]
Outcome = Literal["passed", "failed", "cancelled", "error"]


class TestTargetRef(WireModel):
    """Where a run sends its requests: a base URL, and the team's environment it belongs to (whose
    settings say whether unsafe methods are sent and which credential is used), if any."""

    __test__ = False  # not a pytest class

    base_url: str = Field(min_length=8, max_length=2048, pattern=r"^https?://")
    environment: str | None = Field(default=None, pattern=ENVIRONMENT)
    unsafe_methods: bool = False


class TestRunRequested(DomainEvent):
    """A contract test of one registered version against a live base URL was asked for (by its
    team, after a registration the API opted in for, or by its schedule). The run record exists
    (status `queued`); the bridge starts its TestOrchestrationWorkflow, once per run id."""

    __test__ = False

    DETAIL_TYPE: ClassVar[str] = "TestRunRequested"
    SOURCE: ClassVar[str] = "devportal.testing"

    run_id: str = Field(pattern=RUN_ID)
    api_id: str = Field(pattern=_API_ID)
    version: str = Field(pattern=_VERSION)
    owner: str = Field(pattern=_API_ID, description="the team that owns the API")
    trigger: Trigger
    requested_by: str = Field(
        min_length=1,
        max_length=128,
        description="the e-mail of who asked; registration:<submissionId> or schedule:<apiId> for the others",
    )
    requested_at: AwareDatetime
    target: TestTargetRef


class TestRunCompleted(DomainEvent):
    """A contract test run ended: passed (every check held), failed (some did not), cancelled, or
    error (it could not run: the spec or the target could not be used). The whole result is at
    GET /test-runs/{runId}."""

    __test__ = False

    DETAIL_TYPE: ClassVar[str] = "TestRunCompleted"
    SOURCE: ClassVar[str] = "devportal.testing"

    run_id: str = Field(pattern=RUN_ID)
    api_id: str = Field(pattern=_API_ID)
    version: str = Field(pattern=_VERSION)
    owner: str = Field(pattern=_API_ID)
    outcome: Outcome
    score: float | None = Field(ge=0, le=1, description="the share of checks that passed; null if none ran")
    operation_coverage: float | None = Field(ge=0, le=1, description="the share of operations exercised")
    cases: int = Field(ge=0)
    failed_checks: int = Field(ge=0)
    finished_at: AwareDatetime
    summary: str = Field(max_length=500, description="the run in a sentence an owner reads")
