"""The registration steps, as plain methods over ports. The Temporal activities are thin wrappers
around these; keeping them here keeps the rules testable without a Temporal server.

Step order is validate -> render -> store -> announce. Rendering before storing means a version
never becomes active without its documentation; if the store then loses a race to different
content for the same version, the rendered page is deleted again (compensation) and the
submission is rejected.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson

from devportal.docs.render import render_document, with_lifecycle
from devportal.registry.approval import (
    APPROVAL_WAIT,
    CONSUMER_WINDOW,
    ApprovalRequest,
    Approvals,
    Comparison,
    Decision,
    base_of,
    judge,
    major_bump,
)
from devportal.registry.models import (
    ApiVersionRecord,
    RegistrationStep,
    StoredRuleset,
    Submission,
    docs_key_for,
    lint_key_for,
    normalized_key_for,
)
from devportal.registry.ports import BlobStore, EventPublisher, RegistryRepository, Rulesets, StoreResult
from devportal.settings import SpecLimits
from devportal.specs.check import Checked, check_spec
from devportal.specs.diff import diff
from devportal.specs.lint import RECOMMENDED, LintReport, Ruleset
from devportal.specs.openapi import identify
from devportal.specs.parsing import SpecFormat
from devportal.specs.pointers import to_pointer
from devportal.specs.validation import Finding
from events.envelope import DomainEvent, new_event
from events.registry import (
    MAX_EVENT_FINDINGS,
    ApiApprovalRequested,
    ApiRegistrationRejected,
    ApiVersionRegistered,
    RejectReason,
)
from events.registry import Finding as FindingEvent

PRODUCER = "temporal_bridge/ApiRegistrationWorkflow"


@dataclass(frozen=True)
class Submitted:
    """What the workflow knows about the submission it registers."""

    submission_id: str
    api_id: str
    version: str
    owner: str
    spec_key: str
    sha256: str
    format: SpecFormat
    correlation_id: str
    workflow_id: str
    draft: bool = False  # stored as a draft (absent from histories before drafts: active)

    @classmethod
    def of(cls, s: Submission) -> Submitted:
        """What the workflow needs of a stored submission."""
        return cls(
            s.submission_id,
            s.api_id,
            s.version,
            s.owner,
            s.spec_key,
            s.sha256,
            s.format,
            s.correlation_id,
            s.workflow_id,
            s.draft,
        )


@dataclass(frozen=True)
class Validated:
    valid: bool
    findings: tuple[Finding, ...]
    findings_truncated: bool
    title: str = ""
    openapi_version: str = ""
    operation_count: int = 0
    normalized_key: str = ""
    # lint, for a valid document: its counts (errors, warnings, infos, hints, blocking), where the
    # whole report is stored, and - when the owning team's ruleset blocks it - the findings to reject with
    lint: dict[str, Any] | None = None
    lint_key: str = ""
    lint_blocking: tuple[Finding, ...] = ()


class SpecCheck(Protocol):
    """Checks a document from its bytes: `SpecSandbox.check` in a worker, `check_spec` in-process."""

    def __call__(
        self,
        raw: bytes,
        fmt: SpecFormat,
        limits: SpecLimits,
        max_findings: int,
        *,
        cancelled: threading.Event | None = None,
        ruleset: Ruleset | None = None,
    ) -> Checked: ...


def _in_process(
    raw: bytes,
    fmt: SpecFormat,
    limits: SpecLimits,
    max_findings: int,
    *,
    cancelled: threading.Event | None = None,
    ruleset: Ruleset | None = None,
) -> Checked:
    return check_spec(raw, fmt, limits, max_findings, ruleset)


class Registrar:
    def __init__(
        self,
        repository: RegistryRepository,
        specs: BlobStore,
        docs: BlobStore,
        publisher: EventPublisher,
        limits: SpecLimits | Callable[[], SpecLimits],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        check: SpecCheck | None = None,
        rulesets: Rulesets | None = None,
        approvals: Approvals | None = None,
        consumers: Callable[[str, str, list[str], datetime], dict[str, tuple[str, ...]]] | None = None,
    ) -> None:
        self._repository = repository
        self._specs = specs
        self._docs = docs
        self._publisher = publisher
        # A fixed value, or a source asked each time (runtime-tunable limits)
        self._limits = limits if callable(limits) else (lambda: limits)
        self._clock = clock
        self._check: SpecCheck = check or _in_process
        self._rulesets = rulesets
        self._approvals = approvals
        # who called some operations of a version lately: (api, version, operations, since) -> operation -> consumers
        self._consumers = consumers

    def _announce(self, data: DomainEvent, submission: Submitted) -> None:
        """One of the workflow's events, with the submission's correlation id."""
        self._publisher.publish([new_event(data, correlation_id=submission.correlation_id, producer=PRODUCER)])

    def mark_registering(self, submission: Submitted) -> None:
        self._repository.record_step(submission.submission_id, RegistrationStep.VALIDATING)

    def validate(self, submission: Submitted, cancelled: threading.Event | None = None) -> Validated:
        """The stored bytes checked (parsed, validated, normalized) by `check`: in the worker a
        sandboxed process with memory and time limits; `cancelled` stops it."""
        raw = self._specs.get(submission.spec_key)
        limits = self._limits()
        # The door (a request body or an upload) has checked the size: what was accepted is checked whole.
        limits = limits.model_copy(update={"max_spec_bytes": max(limits.max_spec_bytes, limits.max_upload_bytes)})
        ruleset = self.ruleset_of(submission.owner)
        checked = self._check(
            raw,
            submission.format,
            limits,
            min(limits.max_findings, MAX_EVENT_FINDINGS),
            cancelled=cancelled,
            ruleset=ruleset.ruleset,
        )
        if checked.normalized is None:
            return Validated(valid=False, findings=checked.findings, findings_truncated=checked.truncated)
        normalized_key = normalized_key_for(submission.api_id, submission.version, submission.sha256)
        self._specs.put(normalized_key, checked.normalized, "application/json")
        report = checked.lint or LintReport((), {}, None)
        lint_key = lint_key_for(submission.api_id, submission.version, submission.sha256)
        self._specs.put(lint_key, lint_document(report, ruleset), "application/json")
        return Validated(
            valid=True,
            findings=checked.findings,
            findings_truncated=checked.truncated,
            title=checked.title or submission.api_id,
            openapi_version=checked.openapi_version,
            operation_count=checked.operation_count,
            normalized_key=normalized_key,
            lint=report.summary(),
            lint_key=lint_key,
            lint_blocking=report.blocking_findings(MAX_EVENT_FINDINGS) if report.blocking else (),
        )

    def compare(self, submission: Submitted, normalized_key: str) -> Comparison:
        """The breaking changes from the API's latest active version, judged against the decisions
        made on them before; none to judge when there is no such version or the major version rises."""
        base = base_of(self._repository.list_versions(submission.api_id), submission.version)
        if base is None or self._approvals is None or major_bump(submission.version, base.version):
            return Comparison("none", base.version if base else None)
        if base.sha256 == submission.sha256:  # the same document under another version: nothing changed
            return Comparison("none", base.version)
        old = orjson.loads(self._specs.get(base.normalized_key))
        changes = diff(old, orjson.loads(self._specs.get(normalized_key)))
        breaking = [change.fingerprint for change in changes if change.level == "ERR"]
        decided = self._approvals.decisions(submission.api_id, breaking) if breaking else {}
        return judge(base.version, changes, decided)

    def request_approval(self, submission: Submitted, comparison: Comparison, requested_at: datetime) -> None:
        """The request an admin decides on, with the consumers of each affected operation."""
        assert self._approvals is not None
        assert comparison.base_version is not None
        operations = sorted({change.operation for change in comparison.breaking if change.operation})
        since = requested_at - CONSUMER_WINDOW
        consumers = (
            self._consumers(submission.api_id, comparison.base_version, operations, since) if self._consumers else {}
        )
        self._approvals.put(
            ApprovalRequest(
                api_id=submission.api_id,
                version=submission.version,
                owner=submission.owner,
                submission_id=submission.submission_id,
                workflow_id=submission.workflow_id,
                base_version=comparison.base_version,
                breaking=comparison.breaking,
                breaking_count=comparison.breaking_count,
                consumers=consumers,
                requested_at=requested_at,
                deadline=requested_at + APPROVAL_WAIT,
            )
        )
        self._announce(
            ApiApprovalRequested(
                api_id=submission.api_id,
                version=submission.version,
                owner=submission.owner,
                submission_id=submission.submission_id,
                base_version=comparison.base_version,
                breaking_count=comparison.breaking_count,
                consumers_affected=len({name for names in consumers.values() for name in names}),
                deadline=requested_at + APPROVAL_WAIT,
            ),
            submission,
        )

    def close_approval(self, submission: Submitted, comparison: Comparison, decision: Decision, expired: bool) -> None:
        """The request's outcome, and - for an admin's decision - the decision kept per change."""
        assert self._approvals is not None
        if not expired:
            fingerprints = [change.fingerprint for change in comparison.breaking]
            self._approvals.record(submission.api_id, submission.version, fingerprints, decision)
        status = "expired" if expired else "approved" if decision.approved else "rejected"
        self._approvals.close(submission.api_id, submission.version, status, decision)

    def ruleset_of(self, team: str) -> StoredRuleset:
        """The team's lint ruleset, or the recommended one when it has set none."""
        stored = self._rulesets.get(team) if self._rulesets is not None else None
        return stored or StoredRuleset(team, RECOMMENDED)

    def render_docs(self, submission: Submitted, normalized_key: str, lint_key: str = "") -> str:
        self._repository.record_step(submission.submission_id, RegistrationStep.RENDERING)
        document = orjson.loads(self._specs.get(normalized_key))
        lint = orjson.loads(self._specs.get(lint_key)) if lint_key else None
        page = render_document(document, identify(document), lint)
        if submission.draft:
            page = with_lifecycle(page, "draft", None)
        key = docs_key_for(submission.api_id, submission.version, submission.sha256)
        self._docs.put(key, page.encode("utf-8"), "text/html; charset=utf-8")
        return key

    def store(self, submission: Submitted, validated: Validated, docs_key: str) -> StoreResult:
        self._repository.record_step(submission.submission_id, RegistrationStep.STORING)
        record = ApiVersionRecord(
            api_id=submission.api_id,
            version=submission.version,
            title=validated.title,
            owner=submission.owner,
            sha256=submission.sha256,
            spec_key=submission.spec_key,
            normalized_key=validated.normalized_key,
            docs_key=docs_key,
            openapi_version=validated.openapi_version,
            operation_count=validated.operation_count,
            submission_id=submission.submission_id,
            registered_at=self._clock(),
            lint=validated.lint,
            lint_key=validated.lint_key,
            status="draft" if submission.draft else "active",
        )
        return self._repository.store_version(record)

    def discard_docs(self, docs_key: str) -> None:
        self._docs.delete(docs_key)

    def compensate(self, submission: Submitted, docs_key: str) -> None:
        """A version stored but never announced: marked failed (a resubmission may store it again)
        and its page removed. Idempotent: a failed version stays failed, a removed page removed."""
        stored = self._repository.get_version(submission.api_id, submission.version)
        if stored is not None and stored.submission_id == submission.submission_id and stored.status != "failed":
            self._repository.change_status(
                submission.api_id,
                submission.version,
                expected=stored.status,
                status="failed",
                sunset=None,
                by="registration",
                at=self._clock(),
            )
        self._docs.delete(docs_key)

    def announce_registered(self, submission: Submitted, validated: Validated, docs_key: str) -> None:
        self._repository.record_step(submission.submission_id, RegistrationStep.ANNOUNCING)
        self._announce(
            ApiVersionRegistered(
                submission_id=submission.submission_id,
                api_id=submission.api_id,
                version=submission.version,
                title=validated.title,
                owner=submission.owner,
                sha256=submission.sha256,
                spec_key=submission.spec_key,
                docs_key=docs_key,
                openapi_version=validated.openapi_version,
                operation_count=validated.operation_count,
                workflow_id=submission.workflow_id,
                status="draft" if submission.draft else "active",
            ),
            submission,
        )

    def announce_rejected(
        self,
        submission: Submitted,
        reason: RejectReason,
        findings: Sequence[Finding],
        truncated: bool,
    ) -> None:
        self._repository.record_step(submission.submission_id, RegistrationStep.REJECTING)
        bounded = list(findings)[:MAX_EVENT_FINDINGS]
        self._announce(
            ApiRegistrationRejected(
                submission_id=submission.submission_id,
                api_id=submission.api_id,
                version=submission.version,
                owner=submission.owner,
                workflow_id=submission.workflow_id,
                reason=reason,
                findings=[
                    FindingEvent(pointer=f.pointer, message=f.message, rule=f.rule, severity=f.severity)
                    for f in bounded
                ],
                findings_truncated=truncated or len(findings) > len(bounded),
            ),
            submission,
        )


def lint_document(report: LintReport, ruleset: StoredRuleset) -> bytes:
    """What is stored beside a version: its lint report and the ruleset it was linted with."""
    return orjson.dumps(
        {
            **report.to_wire(),
            "team": ruleset.team,
            "ruleset": ruleset.ruleset.to_wire(),
            "rulesetUpdatedAt": ruleset.updated_at.isoformat() if ruleset.updated_at else None,
        }
    )


def conflict_finding(submission: Submitted) -> Finding:
    return Finding(
        to_pointer(["info", "version"]),
        f"{submission.api_id} {submission.version} was registered with different content while this "
        "submission was being processed; registered versions are immutable.",
        "version-conflict",
    )
