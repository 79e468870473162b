"""Connecting to Temporal the same way everywhere.

`temporalio.envconfig` reads TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and TEMPORAL_API_KEY (TLS on with
an API key) or TEMPORAL_TLS_CLIENT_CERT_DATA / _KEY_DATA. In AWS those values come from the Secrets
Manager secret named by DEVPORTAL_TEMPORAL_SECRET_ARN and are passed as `overrides`, never
written to the process environment."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

import boto3
from temporalio.client import Client, ClientConnectConfig
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.envconfig import ClientConfig

from devportal import settings
from devportal.adapters.aws import client_config

REQUIRED_CLOUD_KEYS = ("TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE")


class TemporalSecretInvalid(RuntimeError):
    """The Temporal Cloud secret is unreadable or still holds the placeholders it was created with."""


def parse_cloud_secret(secret_string: str, secret_id: str) -> dict[str, str]:
    try:
        value: Any = json.loads(secret_string)
    except ValueError:
        raise TemporalSecretInvalid(f"{secret_id} is not a JSON object of TEMPORAL_* values") from None
    if not isinstance(value, dict):
        raise TemporalSecretInvalid(f"{secret_id} is not a JSON object of TEMPORAL_* values")
    unknown = sorted(key for key in value if not str(key).startswith("TEMPORAL_"))
    if unknown:
        raise TemporalSecretInvalid(f"{secret_id} holds keys that are not TEMPORAL_* variables: {', '.join(unknown)}")
    missing = [key for key in REQUIRED_CLOUD_KEYS if not value.get(key)]
    if missing:
        raise TemporalSecretInvalid(f"{secret_id} has no value for {', '.join(missing)}: put the connection first")
    return {str(key): str(item) for key, item in value.items()}


@cache
def cloud_overrides() -> dict[str, str] | None:
    """The Temporal Cloud connection from Secrets Manager, read once per process; None locally."""
    secret_id = settings.temporal_cloud_settings().temporal_secret_arn
    if secret_id is None:
        return None
    client = boto3.client("secretsmanager", config=client_config())
    return parse_cloud_secret(client.get_secret_value(SecretId=secret_id)["SecretString"], secret_id)


def connect_config(overrides: Mapping[str, str] | None = None) -> ClientConnectConfig:
    """Keyword arguments for `Client.connect`: the environment (or `overrides`, or the Temporal
    Cloud secret) plus the pydantic data converter every devportal client and worker uses."""
    loaded = ClientConfig.load_client_connect_config(
        override_env_vars=overrides if overrides is not None else cloud_overrides(), disable_file=True
    )
    config = ClientConnectConfig(**loaded)  # type: ignore[typeddict-item]
    config.setdefault("target_host", "localhost:7233")
    config["data_converter"] = pydantic_data_converter
    return config


async def connect(overrides: Mapping[str, str] | None = None) -> Client:
    return await Client.connect(**connect_config(overrides))
