"""Connecting to Temporal the same way everywhere.

`temporalio.envconfig` reads TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and TEMPORAL_API_KEY (TLS on with
an API key) or TEMPORAL_TLS_CLIENT_CERT_DATA / _KEY_DATA. In AWS those values come from the Secrets
Manager secret named by DEVPORTAL_TEMPORAL_SECRET_ARN and are passed as overrides, never
written to the process environment.

`TemporalConnection` is the client for code that is not async itself (a Lambda handler, a local
poller thread): one event loop and one client per connection, reused across invocations."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from temporalio.client import Client, ClientConnectConfig
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.envconfig import ClientConfig

REQUIRED_CLOUD_KEYS = ("TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE")
T = TypeVar("T")


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


def read_cloud_secret(secrets_manager: Any, secret_id: str) -> dict[str, str]:
    """The Temporal Cloud connection from Secrets Manager (`secrets_manager` is a boto3 client)."""
    return parse_cloud_secret(secrets_manager.get_secret_value(SecretId=secret_id)["SecretString"], secret_id)


def connect_config(overrides: Mapping[str, str] | None = None) -> ClientConnectConfig:
    """Keyword arguments for `Client.connect`: the environment (or `overrides`, the Temporal Cloud
    secret's values) plus the pydantic data converter every devportal client and worker uses."""
    loaded = ClientConfig.load_client_connect_config(override_env_vars=overrides, disable_file=True)
    config = ClientConnectConfig(**loaded)  # type: ignore[typeddict-item]
    config.setdefault("target_host", "localhost:7233")
    config["data_converter"] = pydantic_data_converter
    return config


class TemporalConnection:
    """A Temporal client for synchronous callers, connected on first use with `config()`."""

    def __init__(self, config: Callable[[], ClientConnectConfig]) -> None:
        self._config = config
        self._lock = threading.Lock()  # one loop, run by one thread at a time
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: Client | None = None

    def run(self, work: Callable[[Client], Awaitable[T]]) -> T:
        """Run `work(client)` to completion on this connection's loop."""
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
            return self._loop.run_until_complete(self._with_client(work))

    async def _with_client(self, work: Callable[[Client], Awaitable[T]]) -> T:
        if self._client is None:
            self._client = await Client.connect(**self._config())
        return await work(self._client)
