"""Documents are checked in worker processes: a document that exhausts memory or time costs its own
check and nothing else; a cancelled check stops at once; nothing outlives the sandbox."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from devportal.settings import MEBIBYTE, SpecLimits
from devportal.specs.check import check_spec
from devportal.specs.sandbox import RULE, CheckCancelled, SpecSandbox
from tests.support.processes import children
from tests.support.specs import many_paths, minimal, petstore

pytestmark = pytest.mark.unit

LIMITS = SpecLimits(max_spec_bytes=64 * MEBIBYTE)


@pytest.fixture
def sandbox() -> Iterator[SpecSandbox]:
    opened = SpecSandbox(2)
    yield opened
    opened.close()


def test_a_check_in_the_sandbox_is_the_check_in_process(sandbox: SpecSandbox) -> None:
    broken = minimal(paths={"/a/{id}": {"get": {"responses": {"200": {"descrption": "typo"}}}}})
    for document in (petstore(), broken):
        raw = orjson.dumps(document)
        assert sandbox.check(raw, "json", LIMITS, 100) == check_spec(raw, "json", LIMITS, 100)


def test_parse_errors_come_back_as_findings(sandbox: SpecSandbox) -> None:
    checked = sandbox.check(b"openapi: [unclosed", "yaml", LIMITS, 100)
    assert not checked.valid
    assert checked.findings[0].rule == "unparseable-spec"


def test_a_document_that_needs_too_much_memory_is_stopped_and_the_next_one_is_checked(sandbox: SpecSandbox) -> None:
    filler: list[dict[str, Any]] = [{} for _ in range(3_000_000)]
    hungry = orjson.dumps({**minimal(), "x-filler": filler})  # 9 MB, ~250 MB parsed
    tight = SpecLimits(max_spec_bytes=64 * MEBIBYTE, check_memory_mb=256)
    checked = sandbox.check(hungry, "json", tight, 100)
    assert not checked.valid
    (finding,) = checked.findings
    assert finding.rule == RULE
    assert "needed more than 256 MiB of memory" in finding.message
    assert sandbox.check(orjson.dumps(petstore()), "json", tight, 100).valid


def test_a_document_that_takes_too_long_is_stopped_while_another_check_carries_on(sandbox: SpecSandbox) -> None:
    slow = many_paths(60_000)  # about 2.5 s to check here
    impatient = SpecLimits(max_spec_bytes=64 * MEBIBYTE, check_seconds=1)
    meanwhile: list[Any] = []
    other = threading.Thread(
        target=lambda: meanwhile.append(sandbox.check(orjson.dumps(petstore()), "json", LIMITS, 9))
    )
    started = time.monotonic()
    other.start()
    checked = sandbox.check(slow, "json", impatient, 100)
    elapsed = time.monotonic() - started
    other.join()
    assert [f.rule for f in checked.findings] == [RULE]
    assert "took longer than 1 s" in checked.findings[0].message
    assert elapsed < 2.0  # stopped at its limit, not when it would have finished
    assert meanwhile[0].valid


def test_a_cancelled_check_stops_at_once_and_leaves_no_process(sandbox: SpecSandbox) -> None:
    before = children()
    cancelled = threading.Event()
    threading.Timer(0.5, cancelled.set).start()
    started = time.monotonic()
    with pytest.raises(CheckCancelled):
        sandbox.check(many_paths(60_000), "json", LIMITS, 100, cancelled=cancelled)
    assert time.monotonic() - started < 1.5
    assert children() <= before  # the worker doing it was killed, not left running


def test_a_worker_killed_mid_check_is_reported_and_replaced(sandbox: SpecSandbox) -> None:
    before = children()

    def kill_the_worker() -> None:
        for pid in children() - before:
            os.kill(pid, signal.SIGKILL)

    killer = threading.Timer(0.5, kill_the_worker)
    killer.start()
    checked = sandbox.check(many_paths(60_000), "json", LIMITS, 100)
    killer.join()
    assert [f.rule for f in checked.findings] == [RULE]
    assert sandbox.check(orjson.dumps(petstore()), "json", LIMITS, 100).valid


def test_workers_are_reused_and_closing_the_sandbox_ends_them() -> None:
    sandbox = SpecSandbox(1)
    before = children()
    for _ in range(3):
        assert sandbox.check(orjson.dumps(petstore()), "json", LIMITS, 100).valid
    assert len(children() - before) == 1  # one warm worker, not one per document
    sandbox.close()
    assert children() <= before
    with pytest.raises(RuntimeError, match="closed"):
        sandbox.check(b"{}", "json", LIMITS, 100)


def test_a_warmed_sandbox_has_a_worker_waiting() -> None:
    sandbox = SpecSandbox(1)
    before = children()
    sandbox.warm()
    sandbox.warm()  # one is enough
    assert len(children() - before) == 1
    assert sandbox.check(orjson.dumps(petstore()), "json", LIMITS, 100).valid
    assert len(children() - before) == 1  # the warm one did it
    sandbox.close()
