"""Integration fixtures: a moto server and a Temporal dev server for the session; per test, fresh
resources under a unique prefix and a fresh task queue, so tests never see each other's data."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from devportal_local.aws_server import serving_in_memory
from devportal_local.config import LOOPBACK, free_port
from devportal_local.temporal_server import temporal_binary
from temporal_bridge.search import API_ID, API_VERSION, OWNER, STEP
from tests.support.aws import AwsWorld, aws_world


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    port = free_port()
    with serving_in_memory(LOOPBACK, port):  # the local runtime's stand-in, one writer per service
        yield f"http://{LOOPBACK}:{port}"


@pytest.fixture
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsWorld]:
    yield from aws_world(moto_endpoint, monkeypatch)


@pytest_asyncio.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_binary()),
        search_attributes=[API_ID, API_VERSION, OWNER, STEP],
        data_converter=pydantic_data_converter,
        dev_server_log_level="error",
    )
    yield env
    await env.shutdown()


@pytest.fixture
def temporal_client(temporal_env: WorkflowEnvironment) -> Client:
    return temporal_env.client


@pytest.fixture
def task_queue() -> str:
    return f"registration-{uuid.uuid4().hex[:8]}"
