"""Registry records: submissions, API versions, catalog entries."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from devportal.specs.lint import Ruleset
from devportal.specs.parsing import SpecFormat
from devportal.specs.validation import Finding


class SubmissionStatus(StrEnum):
    SUBMITTED = "submitted"
    REGISTERING = "registering"
    REGISTERED = "registered"
    REJECTED = "rejected"

    @property
    def terminal(self) -> bool:
        return self in {SubmissionStatus.REGISTERED, SubmissionStatus.REJECTED}


class RegistrationStep(StrEnum):
    """Where a registering submission is, as each step's own work records it."""

    VALIDATING = "validating"
    RENDERING = "rendering"
    STORING = "storing"
    ANNOUNCING = "announcing"
    AWAITING_APPROVAL = "awaiting-approval"
    REJECTING = "rejecting"


@dataclass(frozen=True)
class Submission:
    submission_id: str
    api_id: str
    version: str
    owner: str
    sha256: str
    spec_key: str
    format: SpecFormat
    size_bytes: int
    status: SubmissionStatus
    submitted_at: datetime
    updated_at: datetime
    correlation_id: str
    workflow_id: str
    reason: str | None = None
    findings: tuple[Finding, ...] = ()
    findings_truncated: bool = False
    step: RegistrationStep | None = None  # while registering
    draft: bool = False  # registered as a draft: offered once its team makes it active


@dataclass(frozen=True)
class ApiVersionRecord:
    api_id: str
    version: str
    title: str
    owner: str
    sha256: str
    spec_key: str
    normalized_key: str
    docs_key: str
    openapi_version: str
    operation_count: int
    submission_id: str
    registered_at: datetime
    status: str = "active"  # draft | active | deprecated | retired (devportal.registry.lifecycle) | failed
    sunset: date | None = None  # when a deprecated version goes away
    status_changed_at: datetime | None = None
    status_changed_by: str | None = None
    lint: Mapping[str, Any] | None = None  # counts: errors, warnings, infos, hints; blocking (None when it passed)
    lint_key: str = ""  # the whole lint report, in the specs bucket


@dataclass(frozen=True)
class StoredRuleset:
    """A team's lint ruleset as set through the gateway (the recommended one when it set none)."""

    team: str
    ruleset: Ruleset
    updated_by: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class CatalogEntry:
    api_id: str
    title: str
    owner: str
    latest_version: str
    versions: frozenset[str] = field(default_factory=frozenset)
    updated_at: datetime | None = None
    # health rule -> (status, the hour it was decided), from ApiHealthDegraded / ApiHealthRecovered
    health: Mapping[str, tuple[str, datetime]] = field(default_factory=dict)
    # the newest daily analytics report: (its day, its headline), from ApiDailyReportPublished
    last_report: tuple[date, str] | None = None
    # the newest finished contract test run: runId, version, outcome, score, finishedAt (TestRunCompleted)
    last_test_run: Mapping[str, Any] | None = None

    @property
    def degraded(self) -> tuple[str, ...]:
        """The health rules with an open alert."""
        return tuple(sorted(rule for rule, (status, _) in self.health.items() if status == "degraded"))


def submission_id_for(api_id: str, version: str, sha256: str) -> str:
    """Deterministic: the same content for the same version is the same submission, so a client
    retrying a POST never creates a second registration."""
    digest = hashlib.sha256(f"{api_id}\n{version}\n{sha256}".encode()).hexdigest()
    return f"sub-{digest[:24]}"


# Rejections that the same document may not get again: the team's ruleset may have changed since
# (lint-failed), no admin decided in time (approval-expired: sent again, it asks again), or the
# portal failed (internal-error). Any other verdict is the document's own.
RETRYABLE_REJECTIONS = frozenset({"lint-failed", "approval-expired", "internal-error"})


def resubmission_id_for(previous_id: str) -> str:
    """The submission that follows one rejected for a reason that may not hold any more: derived
    from it, so a client repeating the same request still finds one submission, not two."""
    return f"sub-{hashlib.sha256(previous_id.encode()).hexdigest()[:24]}"


def workflow_id_for(api_id: str, version: str, submission_id: str) -> str:
    """One workflow per submission, not per version: a rejected 1.0.0 can be fixed and resubmitted
    as 1.0.0, while a redelivered ApiSpecSubmitted still finds its workflow and starts nothing."""
    return f"registration-{api_id}-{version}-{submission_id.removeprefix('sub-')[:12]}"


def spec_key_for(api_id: str, version: str, sha256: str) -> str:
    return f"specs/{api_id}/{version}/{sha256}"


def normalized_key_for(api_id: str, version: str, sha256: str) -> str:
    return f"normalized/{api_id}/{version}/{sha256}.json"


def lint_key_for(api_id: str, version: str, sha256: str) -> str:
    return f"lint/{api_id}/{version}/{sha256}.json"


def docs_key_for(api_id: str, version: str, sha256: str) -> str:
    return f"docs/{api_id}/{version}/{sha256}.html"


_NUMERIC_VERSION = re.compile(r"^[vV]?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def latest_of(versions: Sequence[ApiVersionRecord]) -> ApiVersionRecord:
    """The latest of some registered versions (at least one), by `is_newer` in the order given."""
    latest = versions[0]
    for record in versions[1:]:
        if is_newer(record.version, latest.version):
            latest = record
    return latest


def is_newer(candidate: str, current: str) -> bool:
    """Whether `candidate` should become the latest version over `current`.

    Dotted numeric versions (semver and friends) compare numerically, a pre-release below its
    release. When either is not numeric there is no meaningful order and the newcomer wins."""
    a, b = _NUMERIC_VERSION.fullmatch(candidate), _NUMERIC_VERSION.fullmatch(current)
    if a is None or b is None:
        return candidate != current
    a_nums = tuple(int(x) for x in a.group(1).split("."))
    b_nums = tuple(int(x) for x in b.group(1).split("."))
    width = max(len(a_nums), len(b_nums))
    a_nums += (0,) * (width - len(a_nums))
    b_nums += (0,) * (width - len(b_nums))
    if a_nums != b_nums:
        return a_nums > b_nums
    a_pre, b_pre = a.group(2), b.group(2)
    if a_pre is None or b_pre is None:
        return a_pre is None and b_pre is not None
    return a_pre > b_pre
