"""Configuration models, validated at cold start.

Each function reads the settings it needs, through the composition root (devportal.wiring), when
it first needs them. Resource names have no defaults: a missing variable fails loudly at start-up
rather than pointing a function at a resource that does not exist. Limits are tuning knobs with
production defaults.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TypeVar

from pydantic import AnyHttpUrl, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MEBIBYTE = 1024 * 1024


class _Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DEVPORTAL_", frozen=True, extra="ignore")


_SettingsT = TypeVar("_SettingsT", bound=_Settings)


class TableSettings(_Settings):
    table_name: str = Field(min_length=3)


class SpecBucketSettings(_Settings):
    specs_bucket: str = Field(min_length=3)


class DocsBucketSettings(_Settings):
    docs_bucket: str = Field(min_length=3)


class EventBusSettings(_Settings):
    event_bus_name: str = Field(min_length=1)


class TemporalSettings(_Settings):
    """Where registrations run. The connection itself (address, namespace, API key or mTLS) is read
    by `temporalio.envconfig` from the standard TEMPORAL_* variables."""

    registration_task_queue: str = Field(min_length=1)


class AnalyticsQueueSettings(_Settings):
    """Where the analytics workflows (the hourly health sweep) run."""

    analytics_task_queue: str = Field(min_length=1)


class TestingQueueSettings(_Settings):
    """Where contract test runs (TestOrchestrationWorkflow) run."""

    testing_task_queue: str = Field(min_length=1)


class TestTargetSettings(_Settings):
    """What contract tests may reach. Loopback is allowed only where the services under test run on
    the same machine (`devportal up`); in AWS it stays refused, with private and metadata addresses.
    Response bodies past the cap are refused, not read."""

    __test__ = False

    test_targets_allow_loopback: bool = False
    test_max_body_bytes: int = Field(default=MEBIBYTE, ge=1024, le=64 * MEBIBYTE)


class TestCredentialSettings(_Settings):
    """The Secrets Manager name prefix of test targets' credentials (devportal.names)."""

    __test__ = False

    test_credentials_prefix: str = Field(min_length=1, pattern=r"^[A-Za-z0-9/_+=.@-]+/$")


class NotifySettings(_Settings):
    """The notification state machine that delivers, and where its links point."""

    notify_state_machine_arn: str = Field(min_length=20)


class WebhookSecretSettings(_Settings):
    """The Secrets Manager name prefix of webhook signing secrets (devportal.names)."""

    webhook_secrets_prefix: str = Field(min_length=1, pattern=r"^[A-Za-z0-9/_+=.@-]+/$")


class MailSettings(_Settings):
    """Who the portal's e-mail comes from (an SES identity) and the configuration set it goes through."""

    mail_from: str = Field(min_length=3, max_length=254)
    mail_configuration_set: str | None = None


class OutboxSettings(_Settings):
    """Locally, the AWS stand-in whose SES keeps the mail sent (the outbox page); unset in AWS."""

    mail_outbox_url: AnyHttpUrl | None = None


class PortalUrlSettings(_Settings):
    """The SSM parameter that says where people open the portal, for the links mail carries."""

    portal_url_parameter: str = Field(min_length=2, pattern=r"^/[A-Za-z0-9/_.-]+$")


class TemporalUiSettings(_Settings):
    """Where ops open a workflow: the Temporal Web UI's URL for the portal's namespace (locally the
    dev server's, `http://127.0.0.1:8233/namespaces/default`; with Temporal Cloud,
    `https://cloud.temporal.io/namespaces/<namespace>`). Unset, submissions carry no workflow link."""

    temporal_ui_url: AnyHttpUrl | None = None


class TemporalCloudSettings(_Settings):
    """In AWS, the Temporal Cloud connection (TEMPORAL_* variables as a JSON object) lives in a
    Secrets Manager secret; locally there is none and the dev server needs no credentials."""

    temporal_secret_arn: str | None = Field(default=None, min_length=20)


class IdentitySettings(_Settings):
    """The user pool whose access tokens the portal accepts. `jwks_url` is set only where the keys
    are not at the pool's issuer URL (locally: moto serves them)."""

    user_pool_id: str = Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$")
    user_pool_client_id: str = Field(min_length=1)
    region: str = Field(
        default_factory=lambda: os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "",
        min_length=1,
    )
    jwks_url: str | None = None


class KeySettings(_Settings):
    """How long a rotated API key keeps working, so services can switch to the new one."""

    key_rotation_grace_seconds: int = Field(default=24 * 3600, ge=0, le=30 * 24 * 3600)


class UsageSettings(_Settings):
    """How long hourly usage is kept, and so how late a record may arrive to be counted; how far
    in the future a record's timestamp may lie before it is a clock error rather than skew."""

    usage_retention_days: int = Field(default=90, ge=1, le=3660)
    usage_clock_skew_seconds: int = Field(default=300, ge=0, le=3600)


class HealthSettings(_Settings):
    """The default health lines of every cataloged API (an owning team may set its own): the
    share of 5xx calls, the p99 latency, how many standard deviations from the same hour of the
    trailing weeks traffic may stray, and how many calls an hour needs to be judged."""

    health_error_rate: float = Field(default=0.05, gt=0, lt=1)
    health_p99_ms: float = Field(default=2000.0, gt=0, le=3_600_000)
    health_traffic_sigma: float = Field(default=3.0, gt=0, le=100)
    health_min_calls: int = Field(default=20, ge=1, le=1_000_000)


class SpecLimits(_Settings):
    max_spec_bytes: int = Field(default=10 * MEBIBYTE, gt=0)
    # Through POST /apis/uploads (a presigned S3 PUT) instead of the request body.
    max_upload_bytes: int = Field(default=64 * MEBIBYTE, gt=0, le=64 * MEBIBYTE)
    max_spec_depth: int = Field(default=64, ge=8, le=512)
    max_findings: int = Field(default=100, gt=0, le=1000)
    max_finding_chars: int = Field(default=500, ge=80, le=10_000)
    # What checking one document may take, in its own worker process (specs/sandbox.py): a document
    # that needs more is rejected with a finding, and nothing else waits for it.
    check_memory_mb: int = Field(default=1536, ge=256, le=16_384)
    check_seconds: int = Field(default=60, ge=1, le=600)


class SpecSandboxSettings(_Settings):
    """How many documents a registration worker checks at once, each in its own process."""

    spec_check_workers: int = Field(default=2, ge=1, le=32)


class ParametersSettings(_Settings):
    """Where the runtime-tunable settings live in SSM Parameter Store (`<path>/<name>`), and how
    long a value read from there is trusted before it is read again. Unset: the defaults above."""

    parameters_path: str | None = Field(default=None, pattern=r"^/[A-Za-z0-9_.\-/]{1,900}$")
    parameters_max_age_seconds: int = Field(default=60, ge=1, le=3600)


# Settings operators change without a deploy: parameter name -> (model, field). In AWS they are
# SSM parameters the database stack creates with these defaults; locally `devportal up` creates the
# same names in moto. A function reads those it declares (resource "parameters"), at most once per
# `parameters_max_age_seconds`.
TUNABLE: dict[str, tuple[type[_Settings], str]] = {
    "max-spec-bytes": (SpecLimits, "max_spec_bytes"),
    "max-upload-bytes": (SpecLimits, "max_upload_bytes"),
    "max-spec-depth": (SpecLimits, "max_spec_depth"),
    "max-findings": (SpecLimits, "max_findings"),
    "max-finding-chars": (SpecLimits, "max_finding_chars"),
    "spec-check-memory-mb": (SpecLimits, "check_memory_mb"),
    "spec-check-seconds": (SpecLimits, "check_seconds"),
    "key-rotation-grace-seconds": (KeySettings, "key_rotation_grace_seconds"),
    "usage-retention-days": (UsageSettings, "usage_retention_days"),
    "usage-clock-skew-seconds": (UsageSettings, "usage_clock_skew_seconds"),
    "health-error-rate": (HealthSettings, "health_error_rate"),
    "health-p99-ms": (HealthSettings, "health_p99_ms"),
    "health-traffic-sigma": (HealthSettings, "health_traffic_sigma"),
    "health-min-calls": (HealthSettings, "health_min_calls"),
}


def tunable_defaults() -> dict[str, str]:
    """Each tunable's default, as its parameter holds it."""
    return {name: str(model.model_fields[field].default) for name, (model, field) in TUNABLE.items()}


def tuned(base: _SettingsT, values: Mapping[str, str], on_invalid: Callable[[str], None]) -> _SettingsT:
    """`base` with the tunables of its model replaced by `values`; a value that does not validate is
    reported and left at `base`'s, never let through and never fatal."""
    updates = {}
    for name, (model, field) in TUNABLE.items():
        if model is type(base) and name in values:
            try:
                updates[field] = (
                    type(base).model_validate({**base.model_dump(), field: values[name]}).model_dump()[field]
                )
            except ValueError as error:
                kept = getattr(base, field)
                on_invalid(f"{name}={values[name][:40]!r} is not usable ({type(error).__name__}); kept {kept}")
    return base.model_copy(update=updates) if updates else base
