"""Tiers by directory: tests/unit (no network), tests/integration (moto, Temporal), tests/e2e
(the local stack through HTTP), tests/infra (CDK templates). `pytest -m unit` and friends select one tier.

tests/deployed checks a stage deployed to AWS (`make test-deployed`, the pipeline's EndToEnd step);
it is collected only when DEVPORTAL_API_URL names one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_TIERS = ("unit", "integration", "infra", "e2e", "deployed")
collect_ignore = [] if os.environ.get("DEVPORTAL_API_URL") else ["deployed"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).parts
        for tier in _TIERS:
            if tier in parts:
                item.add_marker(getattr(pytest.mark, tier))
