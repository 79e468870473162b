"""Shared botocore configuration for every adapter's client.

Endpoints come from the environment (AWS_ENDPOINT_URL points every client at moto locally), so
adapters never special-case the local runtime."""

from __future__ import annotations

from typing import Generic, TypeVar, cast

import boto3
from botocore.config import Config

T = TypeVar("T")


def client_config(*, validated: bool = True) -> Config:
    return Config(
        retries={"mode": "standard", "max_attempts": 4},
        connect_timeout=3,
        read_timeout=30,
        tcp_keepalive=True,
        parameter_validation=validated,
    )


class LazyClient(Generic[T]):
    """A boto3 client made on first use, so that tests can point AWS_ENDPOINT_URL at moto before any
    exists (or the client an adapter was given). `client()` returns it."""

    def __init__(self, service: str, client: T | None = None, *, validated: bool = True) -> None:
        self._service = service
        self._client = client
        self._validated = validated

    def __call__(self) -> T:
        if self._client is None:
            config = client_config(validated=self._validated)
            if self._service == "s3":  # presigned URLs signed with SigV4, as every region takes them
                config = config.merge(Config(signature_version="s3v4"))
            self._client = cast(T, boto3.client(self._service, config=config))  # type: ignore[call-overload]
        return self._client
