"""Tiers by directory: tests/unit (no network), tests/integration (moto, Temporal), tests/e2e
(the local stack through HTTP), tests/infra (CDK templates). `pytest -m unit` and friends select one tier."""

from __future__ import annotations

from pathlib import Path

import pytest

_TIERS = ("unit", "integration", "infra", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).parts
        for tier in _TIERS:
            if tier in parts:
                item.add_marker(getattr(pytest.mark, tier))
