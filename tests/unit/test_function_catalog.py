"""Functions declare themselves beside their handlers; the catalog finds them and refuses a folder
that is half a function, an operation nobody serves, or a trigger naming nothing."""

from __future__ import annotations

import importlib
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from contracts import GatewayRoute, gateway_routes
from devportal.names import ResourceNames
from events.catalog import EVENTS
from events.registry import ApiVersionRegistered
from functions.catalog import CatalogError, check, consumers, discover, functions, route_function, workers
from functions.declaration import Function, Queue, Route
from functions.topology import routing

DECLARATION = """from functions.declaration import Function, Route

FUNCTION = Function(description="trial", trigger=Route("{operation}"))
"""


@pytest.fixture
def package(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """An empty functions package of its own, importable for the test's duration."""
    name = f"trial_functions_{uuid.uuid4().hex[:8]}"
    root = tmp_path / name
    root.mkdir()
    (root / "__init__.py").write_text("")
    sys.path.insert(0, str(tmp_path))
    yield root, name
    sys.path.remove(str(tmp_path))
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


def add_folder(root: Path, folder: str, *, handler: bool, declaration: str | None) -> None:
    (root / folder).mkdir()
    (root / folder / "__init__.py").write_text("")
    if handler:
        (root / folder / "handler.py").write_text("def handler(event, context):\n    return None\n")
    if declaration is not None:
        (root / folder / "function.py").write_text(declaration)
    importlib.invalidate_caches()


def test_a_complete_folder_is_a_function_named_after_it(package: tuple[Path, str]) -> None:
    root, name = package
    add_folder(root, "list_things", handler=True, declaration=DECLARATION.format(operation="listThings"))
    (found,) = discover(root, name)
    assert (found.name, found.folder, found.kind) == ("list-things", "list_things", "route")
    assert found.handler == "functions.list_things.handler:handler"


def test_a_handler_without_a_declaration_is_refused(package: tuple[Path, str]) -> None:
    root, name = package
    add_folder(root, "orphan", handler=True, declaration=None)
    with pytest.raises(CatalogError, match=r"orphan/handler.py has no function.py"):
        discover(root, name)


def test_a_declaration_without_a_handler_is_refused(package: tuple[Path, str]) -> None:
    root, name = package
    add_folder(root, "ghost", handler=False, declaration=DECLARATION.format(operation="ghost"))
    with pytest.raises(CatalogError, match=r"ghost/function.py declares a function, but there is no handler.py"):
        discover(root, name)


def test_a_declaration_must_be_a_function(package: tuple[Path, str]) -> None:
    root, name = package
    add_folder(root, "odd", handler=True, declaration="FUNCTION = {'trigger': 'listThings'}\n")
    with pytest.raises(CatalogError, match=r"must define FUNCTION = Function"):
        discover(root, name)


def test_every_operation_is_served_by_exactly_one_function() -> None:
    check()  # the real tree and the real contract
    assert {route_function(r).folder for r in gateway_routes()} == {f.folder for f in functions() if f.kind == "route"}


def test_an_operation_nobody_serves_or_two_serve_is_refused() -> None:
    contract = (GatewayRoute("GET", "/things", "listThings"), GatewayRoute("GET", "/others", "listOthers"))
    twice = (
        Function("a", Route("listThings"), folder="a"),
        Function("b", Route("listThings"), folder="b"),
    )
    with pytest.raises(CatalogError) as refused:
        check(twice, contract)
    assert "listThings) is served by functions/a, functions/b" in str(refused.value)
    assert "listOthers) is served by no function" in str(refused.value)


def test_a_trigger_naming_nothing_is_refused() -> None:
    strays = (Function("a", Route("nowhere"), folder="a"),)
    with pytest.raises(CatalogError, match="serves 'nowhere', which the contract lacks"):
        check(strays, ())


def test_a_consumer_needs_an_event() -> None:
    with pytest.raises(ValueError, match="at least one event"):
        Queue(events=())


def test_routing_fans_out_through_topics_only_where_needed() -> None:
    plan = routing(ResourceNames("t"))
    by_event = {rule.event.detail_type: rule for rule in plan.rules}
    assert by_event["ApiSpecSubmitted"].target_kind == "queue"
    assert by_event["ApiVersionRegistered"].target_kind == "topic"
    assert by_event["NotificationFailed"].target_kind == "queue"  # the notifier alone
    topics = {topic.name: set(topic.subscriber_queues) for topic in plan.topics}
    # a topic exactly where an event has several consumers: the notifier and the catalog's
    assert set(topics) == {
        f"t-{event}"
        for event in (
            "ApiVersionRegistered",
            "ApiRegistrationRejected",
            "ApiApprovalRequested",
            "ApiVersionLifecycleChanged",
            "ApiHealthDegraded",
            "ApiHealthRecovered",
            "TestRunCompleted",
            "ApiApprovalDecided",
        )
    }
    assert topics["t-ApiVersionRegistered"] == {
        "t-track-submission",
        "t-update-catalog",
        "t-index-catalog",
        "t-test-after-registration",
        "t-notify",
    }
    assert topics["t-ApiVersionLifecycleChanged"] == {"t-update-catalog", "t-index-catalog", "t-mark-docs", "t-notify"}
    assert topics["t-ApiApprovalDecided"] == {"t-signal-approval", "t-notify"}
    assert all(q.dead_letter_name == q.name + "-dlq" for q in plan.queues)
    assert plan.sources_of_queue["t-track-submission"] == (
        "ApiVersionRegistered",
        "ApiRegistrationRejected",
        "ApiApprovalRequested",
    )


def test_every_event_is_consumed_and_every_consumer_and_worker_imports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVPORTAL_BUILD_ID", "test")  # the worker's version, set by the stack
    consumed = {t for c in consumers() if isinstance(c.trigger, Queue) for t in c.trigger.detail_types}
    assert consumed == {e.detail_type for e in EVENTS}
    assert ApiVersionRegistered.DETAIL_TYPE in consumed
    for declared in (*consumers(), *workers()):
        module, _, attribute = declared.handler.partition(":")
        assert callable(getattr(importlib.import_module(module), attribute))
