"""The ports the registry talks through. Adapters in `devportal.adapters` implement them against
AWS (or moto); tests may implement them in memory."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from devportal.registry.models import (
    ApiVersionRecord,
    CatalogEntry,
    RegistrationStep,
    StoredRuleset,
    Submission,
    SubmissionStatus,
)
from devportal.specs.validation import Finding
from events.envelope import Envelope


class PublishFailed(Exception):
    """Events could not be handed to the bus after retries. Nothing was silently dropped: the
    caller decides (an HTTP handler answers 503, a workflow activity retries)."""

    def __init__(self, message: str, failed: Sequence[dict[str, Any]] = ()) -> None:
        super().__init__(message)
        self.failed = list(failed)


class StoreResult(StrEnum):
    CREATED = "created"
    ALREADY_STORED = "already-stored"  # same content: a retry, nothing to do
    CONFLICT = "conflict"  # the version exists with different content


@dataclass(frozen=True)
class Page:
    entries: list[CatalogEntry]
    next_cursor: str | None


class BlobStore(Protocol):
    def put(self, key: str, body: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def size(self, key: str) -> int | None:
        """Bytes stored under `key`, None when absent."""
        ...

    def download_url(self, key: str, expires_seconds: int) -> str: ...

    def upload_url(self, key: str, content_type: str, size: int, expires_seconds: int) -> str:
        """A URL that takes one PUT of `size` bytes of `content_type` to `key` until it expires."""
        ...

    def describe(self, key: str) -> tuple[int, str] | None:
        """Size and content type of what is stored under `key`, None when absent."""
        ...


class RegistryRepository(Protocol):
    def create_submission(self, submission: Submission) -> Submission:
        """Store a new submission; when one with the same id exists, return it unchanged."""
        ...

    def get_submission(self, submission_id: str) -> Submission | None: ...

    def record_step(self, submission_id: str, step: RegistrationStep) -> None:
        """The registration has reached `step`: submitted or registering -> registering at that
        step; does nothing once the submission is registered or rejected."""
        ...

    def record_outcome(
        self,
        submission_id: str,
        status: SubmissionStatus,
        *,
        reason: str | None,
        findings: Sequence[Finding],
        findings_truncated: bool,
    ) -> bool:
        """Move a submission to a terminal state; False when it already was in one."""
        ...

    def get_version(self, api_id: str, version: str) -> ApiVersionRecord | None: ...

    def list_versions(self, api_id: str) -> list[ApiVersionRecord]: ...

    def store_version(self, record: ApiVersionRecord) -> StoreResult:
        """Write the version and its documentation record at once, only if the version is new (or
        failed: stored once, then compensated)."""
        ...

    def change_status(
        self, api_id: str, version: str, *, expected: str, status: str, sunset: date | None, by: str, at: datetime
    ) -> bool:
        """Move a version from `expected` to `status`; False when it is not (any more) `expected`."""
        ...

    def get_catalog_entry(self, api_id: str) -> CatalogEntry | None: ...

    def add_to_catalog(self, record: ApiVersionRecord) -> CatalogEntry:
        """Idempotently add a registered version to its API's catalog entry."""
        ...

    def note_health(self, api_id: str, rule: str, status: str, hour: datetime) -> bool:
        """The entry's status for one health rule, unless it holds a decision about a later hour
        (events may arrive out of order); False when the entry does not exist or is newer."""
        ...

    def note_report(self, api_id: str, day: date, headline: str) -> bool:
        """The entry's newest daily report, unless it holds one of a later day; False when the
        entry does not exist or is newer."""
        ...

    def note_test_run(self, api_id: str, run: Mapping[str, Any]) -> bool:
        """The entry's newest finished test run (by `finishedAt`), unless it holds a later one;
        False when the entry does not exist or is newer."""
        ...

    def list_catalog(self, *, limit: int, cursor: str | None, owner: str | None) -> Page: ...


class Rulesets(Protocol):
    """Each team's lint ruleset."""

    def get(self, team: str) -> StoredRuleset | None:
        """The team's ruleset, None when it has set none."""
        ...

    def put(self, stored: StoredRuleset) -> None: ...


class EventPublisher(Protocol):
    def publish(self, events: Sequence[Envelope[Any]]) -> None:
        """Hand events to the bus; raises PublishFailed when some could not be delivered."""
        ...
