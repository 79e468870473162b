"""Composition root for functions and activities: adapters built from settings, once per process.

Nothing here runs at import time; the first call builds and caches, so tests can set the
environment (or point AWS_ENDPOINT_URL at moto) before anything is created."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import cache

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from devportal import settings
from devportal.adapters.cognito import CognitoDirectory
from devportal.adapters.eventbridge import EventBridgePublisher
from devportal.adapters.keys import DynamoKeyStore
from devportal.adapters.profiles import DynamoAttemptLog, DynamoProfiles
from devportal.adapters.registry import DynamoRegistry
from devportal.adapters.s3 import S3BlobStore
from devportal.identity.attempts import MAX_FAILURES, SignIn
from devportal.identity.invite import InviteUser
from devportal.identity.keys import ApiKeys
from devportal.identity.tokens import JwksCache, TokenVerifier, issuer_for
from devportal.registry.register import Registrar
from devportal.registry.submit import SubmitSpec

_identity_log = logging.getLogger("devportal.identity")


@cache
def registry() -> DynamoRegistry:
    return DynamoRegistry(settings.table_settings().table_name)


@cache
def specs() -> S3BlobStore:
    return S3BlobStore(settings.spec_bucket_settings().specs_bucket)


@cache
def docs() -> S3BlobStore:
    return S3BlobStore(settings.docs_bucket_settings().docs_bucket)


@cache
def publisher() -> EventBridgePublisher:
    return EventBridgePublisher(settings.event_bus_settings().event_bus_name)


@cache
def token_verifier() -> TokenVerifier:
    identity = settings.identity_settings()
    issuer = issuer_for(identity.region, identity.user_pool_id)
    return TokenVerifier(
        issuer=issuer,
        client_id=identity.user_pool_client_id,
        jwks=JwksCache(identity.jwks_url or f"{issuer}/.well-known/jwks.json"),
    )


@cache
def directory() -> CognitoDirectory:
    identity = settings.identity_settings()
    return CognitoDirectory(identity.user_pool_id, identity.user_pool_client_id)


@cache
def profiles() -> DynamoProfiles:
    return DynamoProfiles(settings.table_settings().table_name)


@cache
def attempt_log() -> DynamoAttemptLog:
    return DynamoAttemptLog(settings.table_settings().table_name)


def _report_throttled_sign_ins(account: str) -> None:
    _identity_log.warning(
        "repeated failed sign-ins: account refused until its window ends",
        extra={"account_sha256": account, "max_failures": MAX_FAILURES},
    )
    with single_metric(name="SignInsThrottled", unit=MetricUnit.Count, value=1, namespace="DevPortal") as metric:
        metric.add_dimension(name="service", value="login")


@cache
def sign_in() -> SignIn:
    return SignIn(directory(), attempt_log(), _report_throttled_sign_ins)


@cache
def api_keys() -> ApiKeys:
    return ApiKeys(
        DynamoKeyStore(settings.table_settings().table_name),
        timedelta(seconds=settings.key_settings().key_rotation_grace_seconds),
    )


@cache
def invite_user() -> InviteUser:
    return InviteUser(directory(), profiles())


@cache
def submit_spec() -> SubmitSpec:
    return SubmitSpec(registry(), specs(), publisher(), settings.spec_limits())


@cache
def registrar() -> Registrar:
    return Registrar(registry(), specs(), docs(), publisher(), settings.spec_limits())
