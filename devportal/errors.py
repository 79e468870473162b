"""Typed domain errors.

Each error names what is at fault: a JSON pointer into the submitted document, a request
parameter, or nothing when the whole input is at fault. The mapping to HTTP statuses lives in
`devportal.http`, in one table.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """One thing wrong with the input. `pointer` is an RFC 6901 JSON pointer into the document,
    `parameter` names a query or path parameter; at most one of them is set."""

    detail: str
    pointer: str | None = None
    parameter: str | None = None
    line: int | None = None
    column: int | None = None


@dataclass
class DomainError(Exception):
    detail: str
    errors: list[FieldError] = field(default_factory=list)

    title = "Request failed"
    slug = "error"

    def __post_init__(self) -> None:
        super().__init__(self.detail)


class SpecTooLarge(DomainError):
    title = "Specification too large"
    slug = "spec-too-large"


class EmptySpec(DomainError):
    title = "Empty specification"
    slug = "empty-spec"


class UnparseableSpec(DomainError):
    title = "Specification is not valid JSON or YAML"
    slug = "unparseable-spec"


class UnsafeSpec(DomainError):
    """Input that could make later processing explode: YAML anchors and aliases, extreme nesting."""

    title = "Specification uses a construct that is not accepted"
    slug = "unsafe-spec"


class NotOpenApi(DomainError):
    title = "Not an OpenAPI document"
    slug = "not-openapi"


class InvalidSpecField(DomainError):
    title = "Specification field is invalid"
    slug = "invalid-spec-field"


class InvalidUsageBatch(DomainError):
    title = "Usage batch is invalid"
    slug = "invalid-usage-batch"


class UsageBatchTooLarge(DomainError):
    title = "Usage batch too large"
    slug = "usage-batch-too-large"


class InvalidParameter(DomainError):
    title = "Request parameter is invalid"
    slug = "invalid-parameter"


class ConstraintViolated(DomainError):
    """A body its schema allows that breaks a rule no schema can say: names that must be unique
    across items, a time zone that must exist."""

    title = "Request breaks a rule"
    slug = "constraint-violated"


class TargetRefused(DomainError):
    """A well-formed contract-test request whose target cannot be used: an address tests may not
    reach, a name that does not resolve, an environment the API does not have, no base URL."""

    title = "Test target cannot be used"
    slug = "test-target-refused"


class UnsupportedMediaType(DomainError):
    title = "Unsupported media type"
    slug = "unsupported-media-type"


class Unauthenticated(DomainError):
    """No credentials, or credentials that do not check out. The detail never says which check
    failed beyond what the caller can fix (sign in again)."""

    title = "Unauthorized"
    slug = "unauthenticated"


class ServiceKeyRefused(Unauthenticated):
    """A service's API key (x-api-key) is missing or does not check out."""


class Forbidden(DomainError):
    title = "Forbidden"
    slug = "forbidden"


@dataclass
class TooManyAttempts(DomainError):
    retry_after_seconds: int = 60

    title = "Too Many Requests"
    slug = "too-many-attempts"


class AlreadyExists(DomainError):
    title = "Already exists"
    slug = "already-exists"


class StateConflict(DomainError):
    """The resource exists but is not in a state that allows this (rotating a rotated key)."""

    title = "Conflict with the resource's state"
    slug = "state-conflict"


class VersionConflict(DomainError):
    title = "Version already registered with different content"
    slug = "version-conflict"


class NotFound(DomainError):
    title = "Not found"
    slug = "not-found"


class DependencyUnavailable(DomainError):
    """A backing service failed; the request may be retried unchanged."""

    title = "Temporarily unavailable"
    slug = "unavailable"
