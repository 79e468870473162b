"""Catalog search: a few words find the API, and the operation inside it, that they name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from devportal.search.documents import MAX_OPERATIONS, OperationDoc, SearchDocument, document_for, plain_text
from devportal.search.index import CatalogIndex, words

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def doc(
    api_id: str, title: str, *, owner: str = "pets", ops: tuple[OperationDoc, ...] = (), **extra: object
) -> SearchDocument:
    values: dict[str, object] = {
        "version": "1.0.0",
        "status": "active",
        "description": "",
        "tags": (),
        "operation_count": len(ops),
        "updated_at": T0,
    }
    values.update(extra)
    return SearchDocument(api_id=api_id, title=title, owner=owner, operations=ops, **values)  # type: ignore[arg-type]


BILLING = doc(
    "billing",
    "Billing",
    owner="payments",
    tags=("invoices",),
    ops=(
        OperationDoc("POST", "/invoices", "Create an invoice", "createInvoice"),
        OperationDoc("GET", "/invoices/{invoiceId}", "Read one invoice", "getInvoice"),
        OperationDoc("GET", "/customers", "List customers", "listCustomers"),
    ),
)
PETS = doc("petstore", "Petstore", ops=(OperationDoc("POST", "/pets", "Create a pet", "createPet"),))
ORDERS = doc(
    "orders", "Orders", owner="sales", description="Orders placed by customers, with their invoice references."
)


def test_words_split_camel_case_and_paths_and_keep_the_whole_run() -> None:
    assert words("createInvoice") == {"createinvoice", "create", "invoice"}
    assert {"invoices", "invoiceid", "invoice", "id"} <= words("/invoices/{invoiceId}")
    assert words("HTTPServer v2") == {"httpserver", "http", "server", "v2", "v", "2"}


def test_the_endpoint_that_creates_invoices_is_found_by_its_words() -> None:
    index = CatalogIndex([BILLING, PETS, ORDERS])
    result = index.search("create invoice")
    assert [hit.document.api_id for hit in result.hits] == ["billing"]
    assert result.hits[0].operations[0] == OperationDoc("POST", "/invoices", "Create an invoice", "createInvoice")
    # by operationId as typed, and by path
    assert index.search("createInvoice").hits[0].operations[0].operation_id == "createInvoice"
    assert [o.path for o in index.search("customers").hits[0].operations] == ["/customers"]


def test_the_last_word_is_a_prefix_while_the_user_types() -> None:
    index = CatalogIndex([BILLING, PETS, ORDERS])
    assert [h.document.api_id for h in index.search("pet").hits] == ["petstore"]
    assert [h.document.api_id for h in index.search("petst").hits] == ["petstore"]
    assert index.search("create inv").hits[0].document.api_id == "billing"
    # earlier words are whole words
    assert index.search("inv create").total == 0


def test_names_and_titles_rank_above_a_mention_in_a_description() -> None:
    index = CatalogIndex([BILLING, ORDERS])
    ranked = [h.document.api_id for h in index.search("invoice").hits]
    assert ranked == ["billing", "orders"]


def test_filters_sorts_and_facets() -> None:
    later = doc("zebra", "Zebra", owner="payments", updated_at=T0 + timedelta(days=1))
    index = CatalogIndex([BILLING, PETS, ORDERS, later])
    everything = index.search()
    assert [h.document.api_id for h in everything.hits] == ["billing", "orders", "petstore", "zebra"]  # by title
    assert [(f.value, f.count) for f in everything.owners] == [("payments", 2), ("pets", 1), ("sales", 1)]
    assert [h.document.api_id for h in index.search(owner="payments").hits] == ["billing", "zebra"]
    assert index.search(sort="updated").hits[0].document.api_id == "zebra"
    assert index.search(status="retired").total == 0
    page = index.search(limit=2, offset=2)
    assert (page.total, [h.document.api_id for h in page.hits]) == (4, ["petstore", "zebra"])


def test_a_new_version_replaces_the_old_words() -> None:
    index = CatalogIndex([PETS])
    renamed = doc("petstore", "Animal shelter", version="2.0.0")
    index.upsert(renamed)
    assert index.search("petstore").total == 1  # still its id
    assert index.search("shelter").hits[0].document.version == "2.0.0"
    assert index.search("pet").total == 1  # `petstore` (the id) still starts with "pet"
    assert index.search("createPet").total == 0
    index.remove("petstore")
    assert len(index) == 0
    assert index.search("shelter").total == 0


def test_a_document_is_built_from_the_spec_bounded_and_saying_so() -> None:
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "Big", "version": "1", "description": "# Big API\n\nSee **the** [docs](https://x.example)."},
        "tags": [{"name": "things"}],
        "paths": {
            f"/things/{i}": {"get": {"operationId": f"get{i}", "tags": ["more"]}} for i in range(MAX_OPERATIONS + 5)
        },
    }
    built = document_for(
        api_id="big", version="1", title="Big", owner="t", status="active", sha256="0" * 64, updated_at=T0, spec=spec
    )
    assert built.description == "Big API See the docs ."
    assert built.tags == ("things", "more")
    assert built.operation_count == MAX_OPERATIONS + 5
    assert len(built.operations) == MAX_OPERATIONS
    assert built.operations_truncated
    assert plain_text("x" * 50, 10) == "xxxxxxxxx…"
    assert plain_text("Lists:\n\n- one\n* two\n1. three", 100) == "Lists: one two three"


def test_a_large_api_lists_the_operations_that_match_best_in_order() -> None:
    # many operations that share a word, a few that name both words, one that names them exactly
    filler = tuple(OperationDoc("GET", f"/things/{n}", f"Create thing {n}", f"makeThing{n}") for n in range(3000))
    named = (
        OperationDoc("GET", "/invoice-drafts", "Draft invoices", "listDrafts"),  # 'invoice' only
        OperationDoc("POST", "/invoices", "Create an invoice", "createInvoice"),  # both, best fields
        OperationDoc("PUT", "/invoices/{id}", "Replace an invoice", "createOrReplace"),  # both, 'create' in the id
    )
    big = doc("ledger", "Ledger", ops=filler[:1500] + named + filler[1500:])
    index = CatalogIndex([big, BILLING])
    hit = next(h for h in index.search("create invoice").hits if h.document.api_id == "ledger")
    assert [o.operation_id for o in hit.operations[:2]] == ["createInvoice", "createOrReplace"]
    assert len(hit.operations) == 5
    # the last word as a prefix ranks an exact word above a longer one it begins
    assert index.search("create invoi").hits[0].operations[0].operation_id == "createInvoice"
    # later pages continue the same order
    ranked = [h.document.api_id for h in index.search("invoice").hits]
    assert [h.document.api_id for h in index.search("invoice", limit=1, offset=1).hits] == ranked[1:2]
