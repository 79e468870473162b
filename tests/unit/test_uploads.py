"""Uploads: a URL for exactly the announced size and type, the bytes bound to whoever opened it, and
the upload cap (not the request-body cap) on what is submitted from it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from devportal.errors import InvalidParameter, NotFound, SpecTooLarge
from devportal.registry.submit import SubmitRequest, SubmitSpec
from devportal.registry.uploads import Uploads, check_upload_request, upload_key
from devportal.settings import MEBIBYTE, SpecLimits
from tests.support.fakes import InMemoryBlobStore, InMemoryRegistry, RecordingPublisher
from tests.support.specs import petstore_json

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
LIMITS = SpecLimits(max_spec_bytes=1024, max_upload_bytes=MEBIBYTE)


@pytest.fixture
def specs() -> InMemoryBlobStore:
    return InMemoryBlobStore()


@pytest.fixture
def uploads(specs: InMemoryBlobStore) -> Uploads:
    return Uploads(specs, lambda: LIMITS, lambda: NOW)


def test_an_upload_is_a_url_for_that_size_and_type_for_fifteen_minutes(uploads: Uploads) -> None:
    ticket = uploads.open("user-1", "application/json", 5000)
    assert ticket.upload_id.startswith("up-")
    assert len(ticket.upload_id) == 35
    assert ticket.headers == {"Content-Type": "application/json", "Content-Length": "5000"}
    assert ticket.url.startswith(f"memory://{upload_key('user-1', ticket.upload_id)}?put=5000&type=application/json")
    assert (ticket.expires_at - NOW).total_seconds() == 900
    assert ticket.max_bytes == MEBIBYTE


def test_what_cannot_be_uploaded(uploads: Uploads) -> None:
    with pytest.raises(SpecTooLarge) as too_big:
        uploads.open("user-1", "application/json", MEBIBYTE + 1)
    assert too_big.value.errors[0].pointer == "/size"
    with pytest.raises(InvalidParameter) as wrong_type:
        uploads.open("user-1", "text/html", 10)
    assert wrong_type.value.errors[0].pointer == "/contentType"


def test_the_request_body_is_read_strictly() -> None:
    assert check_upload_request({"size": 16.0, "contentType": "application/yaml"}).size == 16
    with pytest.raises(InvalidParameter) as refused:
        check_upload_request({"size": "16", "contentType": "text/html", "name": "x"})
    assert {e.pointer for e in refused.value.errors} == {"/size", "/contentType", "/name"}
    with pytest.raises(InvalidParameter):
        check_upload_request({"size": 64 * MEBIBYTE + 1, "contentType": "application/yaml"})  # the contract's maximum


def test_an_upload_is_read_back_by_its_opener_only(uploads: Uploads, specs: InMemoryBlobStore) -> None:
    ticket = uploads.open("user-1", "application/yaml", 12)
    with pytest.raises(NotFound, match="has not happened"):
        uploads.read("user-1", ticket.upload_id)  # nothing PUT yet
    specs.put(upload_key("user-1", ticket.upload_id), b"openapi: 3.1", "application/yaml")
    uploaded = uploads.read("user-1", ticket.upload_id)
    assert (uploaded.body, uploaded.media_type) == (b"openapi: 3.1", "application/yaml")
    with pytest.raises(NotFound):
        uploads.read("user-2", ticket.upload_id)
    with pytest.raises(InvalidParameter):
        uploads.read("user-1", "../../specs/other")


def test_more_bytes_than_the_cap_are_refused_when_submitted(uploads: Uploads, specs: InMemoryBlobStore) -> None:
    ticket = uploads.open("user-1", "application/json", 10)
    specs.put(upload_key("user-1", ticket.upload_id), b"x" * (MEBIBYTE + 1), "application/json")  # PUT ignored the size
    with pytest.raises(SpecTooLarge):
        uploads.read("user-1", ticket.upload_id)


def test_an_uploaded_document_is_held_to_the_upload_cap_not_the_body_cap(specs: InMemoryBlobStore) -> None:
    submit = SubmitSpec(InMemoryRegistry(), specs, RecordingPublisher(), LIMITS)
    body = petstore_json()
    assert len(body) > LIMITS.max_spec_bytes
    with pytest.raises(SpecTooLarge):
        submit(SubmitRequest(body=body, media_type="application/json", team="pets", correlation_id="c"))
    accepted = submit(
        SubmitRequest(body=body, media_type="application/json", team="pets", correlation_id="c", uploaded=True)
    )
    assert accepted.submission.api_id == "petstore"
