"""Accepting a spec: the checks that can answer synchronously, then storage and the event.

Order matters for "nothing accepted is lost, nothing is half-written":
1. every check that can refuse the request runs before anything is written;
2. raw bytes go to S3 under a content-addressed key (a retry rewrites the same object);
3. the submission record is created conditionally (a retry finds it);
4. `ApiSpecSubmitted` is published unless the submission already finished. If publishing fails
   the client gets a 503 and retries the same POST: steps 2-3 are no-ops the second time and the
   event goes out then; downstream is idempotent, so a duplicate event starts nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from devportal.errors import (
    DependencyUnavailable,
    FieldError,
    Forbidden,
    InvalidSpecField,
    UnsupportedMediaType,
    VersionConflict,
)
from devportal.registry.models import (
    RETRYABLE_REJECTIONS,
    Submission,
    SubmissionStatus,
    resubmission_id_for,
    spec_key_for,
    submission_id_for,
    workflow_id_for,
)
from devportal.registry.ports import BlobStore, EventPublisher, PublishFailed, RegistryRepository
from devportal.settings import SpecLimits
from devportal.specs.openapi import (
    VERSION_PATTERN,
    check_api_id,
    check_team,
    check_version,
    derive_api_id,
    identify,
)
from devportal.specs.parsing import SUPPORTED_MEDIA_TYPES, media_type_format, parse_spec
from events.envelope import new_event
from events.registry import ApiSpecSubmitted

PRODUCER = "functions/submit_spec"


@dataclass(frozen=True)
class SubmitRequest:
    body: bytes
    media_type: str | None
    team: str
    correlation_id: str
    api_id: str | None = None
    version: str | None = None
    any_team: bool = False  # an admin may submit versions of an API another team owns
    uploaded: bool = False  # the body came through POST /apis/uploads: the upload cap applies
    draft: bool = False  # register it as a draft (devportal.registry.lifecycle)


@dataclass(frozen=True)
class SubmitOutcome:
    submission: Submission
    title: str
    finished: bool  # the same submission was seen before and has its outcome: nothing new started


class SubmitSpec:
    def __init__(
        self,
        repository: RegistryRepository,
        specs: BlobStore,
        publisher: EventPublisher,
        limits: SpecLimits | Callable[[], SpecLimits],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._repository = repository
        self._specs = specs
        self._publisher = publisher
        # A fixed value, or a source asked each time (runtime-tunable limits)
        self._limits = limits if callable(limits) else (lambda: limits)
        self._clock = clock

    def __call__(self, request: SubmitRequest) -> SubmitOutcome:
        team = check_team(request.team)
        try:
            declared = media_type_format(request.media_type)
        except ValueError as error:
            said = f"Content-Type {str(error)!r} cannot carry an OpenAPI document" if str(error) else "No Content-Type"
            raise UnsupportedMediaType(
                f"{said}; send the document as one of: {', '.join(SUPPORTED_MEDIA_TYPES)}.",
                [FieldError(detail="unsupported" if str(error) else "required", parameter="Content-Type")],
            ) from None
        if request.api_id is not None:
            check_api_id(request.api_id)
        if request.version is not None:
            check_version(request.version)

        limits = self._limits()
        if request.uploaded:
            limits = limits.model_copy(update={"max_spec_bytes": limits.max_upload_bytes})
        parsed = parse_spec(request.body, limits, declared)
        identity = identify(parsed.document)
        api_id = request.api_id or derive_api_id(identity.title)
        if not api_id:
            raise InvalidSpecField(
                "No API id can be derived from `info.title` (it has no letters or digits); pass one as the "
                "`apiId` query parameter.",
                [FieldError(detail="nothing to derive an apiId from", pointer="/info/title")],
            )
        version = request.version or identity.version
        if request.version is None and not VERSION_PATTERN.fullmatch(version):
            raise InvalidSpecField(
                f"`info.version` {version[:40]!r} cannot name a registry version (1-64 letters, digits or "
                ". _ + -). Pass the version to register it under as the `version` query parameter.",
                [FieldError(detail="not usable as a version", pointer="/info/version")],
            )

        owner = self._repository.get_catalog_entry(api_id)
        if owner is not None and owner.owner != team:
            if not request.any_team:
                raise Forbidden(
                    f"{api_id} belongs to team {owner.owner}: only its developers (or an admin) may submit "
                    "versions of it.",
                    [FieldError(detail="owned by another team", parameter="apiId")],
                )
            team = owner.owner  # an admin submitting for the owning team
        existing = self._repository.get_version(api_id, version)
        if existing is not None and existing.status == "failed":
            existing = None  # stored once, then its registration failed: not registered
        if existing is not None and existing.sha256 != parsed.sha256:
            raise VersionConflict(
                f"{api_id} {version} is already registered with different content, and registered "
                "versions are immutable. Submit the change under a new version.",
                [FieldError(detail="already registered", pointer="/info/version")],
            )
        submission_id = self._current_submission(submission_id_for(api_id, version, parsed.sha256))
        if existing is not None:
            registered = self._repository.get_submission(existing.submission_id)
            if registered is not None:
                return SubmitOutcome(registered, identity.title, finished=True)

        # The bytes are stored under their own hash, so two submissions of one document (as JSON and
        # as YAML) never overwrite each other's bytes; the record that wins points at its own.
        spec_key = spec_key_for(api_id, version, parsed.bytes_sha256)
        content_type = "application/json" if parsed.format == "json" else "application/yaml"
        self._specs.put(spec_key, request.body, content_type)
        now = self._clock()
        submission = self._repository.create_submission(
            Submission(
                submission_id=submission_id,
                api_id=api_id,
                version=version,
                owner=team,
                sha256=parsed.sha256,
                spec_key=spec_key,
                format=parsed.format,
                size_bytes=parsed.size_bytes,
                status=SubmissionStatus.SUBMITTED,
                submitted_at=now,
                updated_at=now,
                correlation_id=request.correlation_id,
                workflow_id=workflow_id_for(api_id, version, submission_id),
                draft=request.draft,
            )
        )
        if not submission.status.terminal:
            event = new_event(
                ApiSpecSubmitted(
                    submission_id=submission.submission_id,
                    api_id=submission.api_id,
                    version=submission.version,
                    owner=submission.owner,
                    spec_key=submission.spec_key,
                    sha256=submission.sha256,
                    size_bytes=submission.size_bytes,
                    format=submission.format,
                    draft=submission.draft,
                ),
                correlation_id=submission.correlation_id,
                producer=PRODUCER,
            )
            try:
                self._publisher.publish([event])
            except PublishFailed as error:
                raise DependencyUnavailable(
                    "The submission is stored but could not be announced yet; retry the same request "
                    "(it will not be registered twice)."
                ) from error
        return SubmitOutcome(submission, identity.title, finished=submission.status.terminal)

    def _current_submission(self, submission_id: str) -> str:
        """The content's submission, or - when it was rejected for a reason that may not hold any
        more (the team's lint ruleset, a failure of the portal) - the one that follows it."""
        previous = self._repository.get_submission(submission_id)
        while (
            previous is not None
            and previous.status is SubmissionStatus.REJECTED
            and previous.reason in RETRYABLE_REJECTIONS
        ):
            submission_id = resubmission_id_for(submission_id)
            previous = self._repository.get_submission(submission_id)
        return submission_id
