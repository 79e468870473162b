"""Configuration models, validated at cold start.

Each function reads the settings it needs, through the composition root (devportal.wiring), when
it first needs them. Resource names have no defaults: a missing variable fails loudly at start-up
rather than pointing a function at a resource that does not exist. Limits are tuning knobs with
production defaults.
"""

from __future__ import annotations

import os

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MEBIBYTE = 1024 * 1024


class _Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DEVPORTAL_", frozen=True, extra="ignore")


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


class SpecLimits(_Settings):
    max_spec_bytes: int = Field(default=10 * MEBIBYTE, gt=0)
    max_spec_depth: int = Field(default=64, ge=8, le=512)
    max_findings: int = Field(default=100, gt=0, le=1000)
    max_finding_chars: int = Field(default=500, ge=80, le=10_000)
