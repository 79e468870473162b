"""The e2e tier drives one real local stack for the session, through HTTP; tests use their own
API ids so they never depend on each other. Tests that need a stack of their own start one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.stack import RunningStack, running


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    yield from running(tmp_path_factory.mktemp("stack"))
