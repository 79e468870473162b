"""Composition root for functions and activities: adapters built from settings, once per process.

Nothing here runs at import time; the first call builds and caches, so tests can set the
environment (or point AWS_ENDPOINT_URL at moto) before anything is created."""

from __future__ import annotations

from functools import cache

from devportal import settings
from devportal.adapters.cognito import CognitoDirectory
from devportal.adapters.dynamodb import DynamoRegistry
from devportal.adapters.eventbridge import EventBridgePublisher
from devportal.adapters.profiles import DynamoProfiles
from devportal.adapters.s3 import S3BlobStore
from devportal.identity.invite import InviteUser
from devportal.identity.tokens import JwksCache, TokenVerifier, issuer_for
from devportal.registry.register import Registrar
from devportal.registry.submit import SubmitSpec


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
def invite_user() -> InviteUser:
    return InviteUser(directory(), profiles())


@cache
def submit_spec() -> SubmitSpec:
    return SubmitSpec(registry(), specs(), publisher(), settings.spec_limits())


@cache
def registrar() -> Registrar:
    return Registrar(registry(), specs(), docs(), publisher(), settings.spec_limits())
