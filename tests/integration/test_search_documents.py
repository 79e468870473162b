"""Search documents in the table (moto's DynamoDB) and the index a search route keeps from them:
only a newer version replaces an API's document, a redelivered one changes nothing, and a reader
holding a revision never misses a document written at or before it."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from datetime import UTC, datetime

from devportal import wiring
from devportal.search.documents import OperationDoc, SearchDocument
from devportal.search.live import LiveIndex, index_latest
from tests.support.aws import AwsWorld

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def document(api_id: str, version: str = "1.0.0", **changes: object) -> SearchDocument:
    base = SearchDocument(
        api_id=api_id,
        version=version,
        title=f"Billing {api_id}",
        owner="payments",
        status="active",
        description="Invoices and the customers who pay them.",
        tags=("invoices",),
        operations=(OperationDoc("POST", "/invoices", "Create an invoice", "createInvoice"),),
        operation_count=1,
        updated_at=T0,
        sha256="a" * 64,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_newest_version_wins_and_a_redelivery_changes_nothing(aws: AwsWorld) -> None:
    store = wiring.portal().search_documents
    api_id = f"bill-{uuid.uuid4().hex[:8]}"
    assert index_latest(store, document(api_id, "1.0.0"))
    revision = store.revision()
    assert not index_latest(store, document(api_id, "1.0.0"))  # the same event again
    assert store.revision() == revision
    assert index_latest(store, document(api_id, "2.0.0", title="Billing two"))
    assert not index_latest(store, document(api_id, "1.5.0"))  # registered late, older
    stored = store.get(api_id)
    assert stored is not None
    assert (stored.version, stored.title) == ("2.0.0", "Billing two")
    assert stored.operations == document(api_id).operations  # compressed and back


def test_a_live_index_loads_what_changed_since_the_revision_it_holds(aws: AwsWorld) -> None:
    store = wiring.portal().search_documents
    live = LiveIndex(store)
    first, second = (f"bill-{uuid.uuid4().hex[:8]}" for _ in range(2))
    index_latest(store, document(first))
    assert live.current().search("createInvoice").total == 1
    held = live.revision
    index_latest(store, document(second))
    index_latest(store, document(first, "1.1.0", title="Renamed ledger"))
    index = live.current()
    assert live.revision == held + 2
    assert index.search("create invoice").total == 2
    assert index.search("ledger").hits[0].document.version == "1.1.0"
    assert index.search("billing").total == 1  # the old title's words went with the old version


def test_concurrent_writers_never_hide_a_document_from_a_reader(aws: AwsWorld) -> None:
    store = wiring.portal().search_documents
    live = LiveIndex(store)
    ids = [f"race-{uuid.uuid4().hex[:8]}" for _ in range(12)]
    seen_while_writing: list[int] = []
    written: list[str] = []

    def write(api_id: str) -> None:
        if index_latest(store, document(api_id)):
            written.append(api_id)

    def read() -> None:
        for _ in range(20):
            seen_while_writing.append(live.current().search("race").total)

    threads = [threading.Thread(target=write, args=(api_id,)) for api_id in ids] + [threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(written) == sorted(ids)  # each writer's first version went in
    assert live.current().search("race").total == len(ids)
    assert seen_while_writing == sorted(seen_while_writing)  # never goes back
