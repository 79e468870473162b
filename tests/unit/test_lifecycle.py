"""A version's lifecycle: the moves each status allows, a sunset to deprecate, the event each move
emits, a repeated request changing nothing, a race refused; and the docs page's mark."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from devportal.docs.render import with_lifecycle
from devportal.errors import ConstraintViolated, InvalidParameter, StateConflict
from devportal.registry.lifecycle import ChangeLifecycle, read_change
from devportal.registry.models import ApiVersionRecord
from events.registry import ApiVersionLifecycleChanged
from tests.support.fakes import InMemoryRegistry, RecordingPublisher

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


def stored(registry: InMemoryRegistry, status: str = "active") -> ApiVersionRecord:
    record = ApiVersionRecord(
        api_id="pets", version="1.0.0", title="Pets", owner="pets", sha256="a" * 64, spec_key="s", normalized_key="n",
        docs_key="d", openapi_version="3.0.3", operation_count=1, submission_id="sub-" + "0" * 24,
        registered_at=NOW, status=status,
    )  # fmt: skip
    registry.store_version(record)
    return record


@pytest.fixture
def world() -> tuple[InMemoryRegistry, RecordingPublisher, ChangeLifecycle]:
    registry, publisher = InMemoryRegistry(), RecordingPublisher()
    return registry, publisher, ChangeLifecycle(registry, publisher, lambda: NOW)


def test_draft_active_deprecated_retired_each_an_event(
    world: tuple[InMemoryRegistry, RecordingPublisher, ChangeLifecycle],
) -> None:
    registry, publisher, change = world
    record = stored(registry, "draft")
    record = change(record, read_change({"status": "active"}), "dev@example.com", "corr")
    record = change(
        record, read_change({"status": "deprecated", "sunset": "2027-06-30", "reason": "v2"}), "dev@example.com", "corr"
    )
    assert (record.status, record.sunset) == ("deprecated", date(2027, 6, 30))
    record = change(record, read_change({"status": "retired"}), "admin@example.com", "corr")
    assert registry.get_version("pets", "1.0.0") == record
    assert record.sunset is None  # retired: gone, no date to wait for
    moves = [(e.data.from_status, e.data.to_status) for e in publisher.published]
    assert moves == [("draft", "active"), ("active", "deprecated"), ("deprecated", "retired")]
    deprecated = publisher.published[1].data
    assert isinstance(deprecated, ApiVersionLifecycleChanged)
    assert (deprecated.sunset, deprecated.reason, deprecated.changed_by) == (date(2027, 6, 30), "v2", "dev@example.com")


def test_asking_again_changes_nothing_and_announces_nothing(
    world: tuple[InMemoryRegistry, RecordingPublisher, ChangeLifecycle],
) -> None:
    registry, publisher, change = world
    record = change(stored(registry), read_change({"status": "deprecated", "sunset": "2027-01-01"}), "d", "c")
    again = change(record, read_change({"status": "deprecated", "sunset": "2027-01-01"}), "d", "c")
    assert again == record
    assert len(publisher.published) == 1


@pytest.mark.parametrize(
    ("status", "asked", "said"),
    [
        ("active", "retired", "active; it can become deprecated, not retired"),
        ("draft", "deprecated", "draft; it can become active or retired, not deprecated"),
        ("retired", "active", "a retired version stays retired"),
    ],
)
def test_a_move_its_status_does_not_allow_is_a_409_saying_where_it_can_go(
    world: tuple[InMemoryRegistry, RecordingPublisher, ChangeLifecycle], status: str, asked: str, said: str
) -> None:
    registry, publisher, change = world
    body = {"status": asked, **({"sunset": "2027-01-01"} if asked == "deprecated" else {})}
    with pytest.raises(StateConflict, match=said):
        change(stored(registry, status), read_change(body), "d", "c")
    assert publisher.published == []


def test_deprecating_needs_a_sunset_not_in_the_past(
    world: tuple[InMemoryRegistry, RecordingPublisher, ChangeLifecycle],
) -> None:
    registry, _, change = world
    record = stored(registry)
    with pytest.raises(InvalidParameter, match="needs a `sunset`") as missing:
        change(record, read_change({"status": "deprecated"}), "d", "c")
    assert missing.value.errors[0].pointer == "/sunset"
    with pytest.raises(ConstraintViolated, match="2026-12-05 is in the past"):
        change(record, read_change({"status": "deprecated", "sunset": "2026-12-05"}), "d", "c")
    with pytest.raises(InvalidParameter) as bad:
        read_change({"status": "deprecated", "sunset": "next summer"})
    assert bad.value.errors[0].pointer == "/sunset"


def test_a_change_raced_by_another_is_refused(
    world: tuple[InMemoryRegistry, RecordingPublisher, ChangeLifecycle],
) -> None:
    registry, publisher, change = world
    record = stored(registry)
    change(record, read_change({"status": "deprecated", "sunset": "2027-01-01"}), "d", "c")
    with pytest.raises(StateConflict, match="changed while this request was made"):
        change(record, read_change({"status": "deprecated", "sunset": "2027-02-01"}), "d", "c")  # from a stale read
    assert len(publisher.published) == 1


def test_the_docs_page_is_marked_with_the_status_and_the_mark_replaced() -> None:
    page = "<html><body><nav></nav><main><h1>Pets</h1></main></body></html>"
    deprecated = with_lifecycle(page, "deprecated", date(2027, 6, 30))
    assert "Deprecated: this version goes away on 2027-06-30." in deprecated
    retired = with_lifecycle(deprecated, "retired", None)
    assert "Retired:" in retired
    assert "Deprecated" not in retired
    assert with_lifecycle(retired, "active", None) == page
    assert with_lifecycle(page, "active", None) == page
