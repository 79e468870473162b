"""Connecting to Temporal the same way everywhere.

`temporalio.envconfig` reads TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and TEMPORAL_API_KEY (TLS on with
an API key) or TEMPORAL_TLS_CLIENT_CERT_DATA / _KEY_DATA. In AWS those secrets come from Secrets
Manager and are passed as `overrides`, never written to the process environment."""

from __future__ import annotations

from collections.abc import Mapping

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.envconfig import ClientConfig


async def connect(overrides: Mapping[str, str] | None = None) -> Client:
    config = ClientConfig.load_client_connect_config(override_env_vars=overrides, disable_file=True)
    config.setdefault("target_host", "localhost:7233")
    return await Client.connect(**config, data_converter=pydantic_data_converter)
