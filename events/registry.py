"""Events of the registry domain (source `devportal.registry`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import Field

from events.envelope import DomainEvent, WireModel

_API_ID = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
_VERSION = r"^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$"
_SHA256 = r"^[0-9a-f]{64}$"
_SUBMISSION_ID = r"^sub-[0-9a-f]{24}$"

MAX_EVENT_FINDINGS = 100
RejectReason = Literal[
    "invalid-spec", "lint-failed", "breaking-change-rejected", "approval-expired", "version-conflict", "internal-error"
]


class ApiSpecSubmitted(DomainEvent):
    """A developer submitted a spec; the raw bytes are stored and await registration."""

    DETAIL_TYPE: ClassVar[str] = "ApiSpecSubmitted"
    SOURCE: ClassVar[str] = "devportal.registry"

    submission_id: str = Field(pattern=_SUBMISSION_ID)
    api_id: str = Field(pattern=_API_ID)
    version: str = Field(pattern=_VERSION)
    owner: str = Field(pattern=_API_ID)
    spec_key: str = Field(min_length=1, max_length=1024, description="S3 key of the raw spec in the specs bucket")
    sha256: str = Field(pattern=_SHA256)
    size_bytes: int = Field(ge=1)
    format: Literal["json", "yaml"]
    draft: bool = Field(default=False, description="register it as a draft, offered once its team makes it active")


class ApiVersionRegistered(DomainEvent):
    """A version passed validation, is stored (immutable, active) and has its documentation."""

    DETAIL_TYPE: ClassVar[str] = "ApiVersionRegistered"
    SOURCE: ClassVar[str] = "devportal.registry"

    submission_id: str = Field(pattern=_SUBMISSION_ID)
    api_id: str = Field(pattern=_API_ID)
    version: str = Field(pattern=_VERSION)
    title: str = Field(max_length=200)
    owner: str = Field(pattern=_API_ID)
    sha256: str = Field(pattern=_SHA256)
    spec_key: str = Field(min_length=1, max_length=1024)
    docs_key: str = Field(min_length=1, max_length=1024, description="S3 key of the HTML page in the docs bucket")
    openapi_version: str = Field(min_length=1, max_length=32)
    operation_count: int = Field(ge=0)
    workflow_id: str = Field(min_length=1, max_length=255)
    status: Literal["draft", "active"] = "active"


class Finding(WireModel):
    pointer: str = Field(max_length=1024, description="JSON pointer into the submitted document")
    message: str = Field(max_length=10_000)
    rule: str = Field(min_length=1, max_length=64)
    severity: Literal["error", "warning"]


class ApiRegistrationRejected(DomainEvent):
    """A submission was refused; `findings` say why, each with a JSON pointer."""

    DETAIL_TYPE: ClassVar[str] = "ApiRegistrationRejected"
    SOURCE: ClassVar[str] = "devportal.registry"

    submission_id: str = Field(pattern=_SUBMISSION_ID)
    api_id: str = Field(pattern=_API_ID)
    version: str = Field(pattern=_VERSION)
    owner: str = Field(pattern=_API_ID)
    workflow_id: str = Field(min_length=1, max_length=255)
    reason: RejectReason
    findings: list[Finding] = Field(max_length=MAX_EVENT_FINDINGS)
    findings_truncated: bool


class ApiVersionLifecycleChanged(DomainEvent):
    """A version moved on in its lifecycle (draft -> active -> deprecated -> retired), by its
    owning team or an admin."""

    DETAIL_TYPE: ClassVar[str] = "ApiVersionLifecycleChanged"
    SOURCE: ClassVar[str] = "devportal.registry"

    api_id: str = Field(pattern=_API_ID)
    version: str = Field(pattern=_VERSION)
    owner: str = Field(pattern=_API_ID)
    from_status: Literal["draft", "active", "deprecated", "retired"]
    to_status: Literal["draft", "active", "deprecated", "retired"]
    sunset: date | None = Field(default=None, description="when a deprecated version goes away")
    reason: str | None = Field(default=None, max_length=500)
    changed_by: str = Field(min_length=1, max_length=320)
    changed_at: datetime


class ApiApprovalRequested(DomainEvent):
    """A version breaks consumers of the API's latest active version and waits for an admin's
    decision until `deadline` (its registration workflow is at step awaiting-approval)."""

    DETAIL_TYPE: ClassVar[str] = "ApiApprovalRequested"
    SOURCE: ClassVar[str] = "devportal.registry"

    api_id: str = Field(pattern=_API_ID)
    version: str = Field(pattern=_VERSION)
    owner: str = Field(pattern=_API_ID)
    submission_id: str = Field(pattern=_SUBMISSION_ID)
    base_version: str = Field(pattern=_VERSION)
    breaking_count: int = Field(ge=1)
    consumers_affected: int = Field(ge=0, description="distinct consumers that called an affected operation lately")
    deadline: datetime


class ApiApprovalDecided(DomainEvent):
    """An admin approved or rejected a version's breaking changes through the gateway; the bridge
    hands the decision to the version's registration workflow."""

    DETAIL_TYPE: ClassVar[str] = "ApiApprovalDecided"
    SOURCE: ClassVar[str] = "devportal.registry"

    api_id: str = Field(pattern=_API_ID)
    version: str = Field(pattern=_VERSION)
    workflow_id: str = Field(min_length=1, max_length=255)
    approved: bool
    reason: str = Field(min_length=1, max_length=500)
    decided_by: str = Field(min_length=1, max_length=320)
    decided_at: datetime
