"""The index a search route holds between requests, kept current from the stored documents.

A search costs one read of the revision; only when writes happened since does the index load what
changed (the documents written after the revision it holds), never the whole catalog again. So a
warm function answers from memory, a cold one loads the catalog once."""

from __future__ import annotations

import random
import threading
import time

from devportal.registry.models import is_newer
from devportal.search.documents import SearchDocument
from devportal.search.index import CatalogIndex
from devportal.search.ports import SearchDocuments

# Every write takes the one revision counter, so writers that race retry, backing off with full
# jitter (a bulk load runs many consumers at once).
_WRITE_ATTEMPTS = 40
_BACKOFF_CAP_SECONDS = 0.25


class LiveIndex:
    def __init__(self, store: SearchDocuments) -> None:
        self._store = store
        self._index = CatalogIndex()
        self._revision = 0
        self._lock = threading.Lock()

    @property
    def revision(self) -> int:
        return self._revision

    def current(self) -> CatalogIndex:
        latest = self._store.revision()
        if latest > self._revision:
            with self._lock:
                if latest > self._revision:
                    changes = self._store.changed_since(self._revision)
                    for document in changes.documents:
                        self._index.upsert(document)
                    self._revision = max(self._revision, changes.up_to)
        return self._index


def index_latest(store: SearchDocuments, document: SearchDocument) -> bool:
    """Make `document` its API's search document if it is of a newer version than the stored one,
    or of the same version in another lifecycle status. Idempotent: the same version and status
    again (a redelivered event) or an older version changes nothing. Returns whether it was written."""
    for attempt in range(_WRITE_ATTEMPTS):
        stored = store.get(document.api_id)
        if stored is not None:
            same = stored.version == document.version
            if (same and stored.status == document.status) or (
                not same and not is_newer(document.version, stored.version)
            ):
                return False
        if store.put(document, replacing=stored):
            return True
        time.sleep(random.uniform(0, min(_BACKOFF_CAP_SECONDS, 0.005 * 2**attempt)))  # noqa: S311 - jitter
    raise RuntimeError(f"the search document of {document.api_id} kept changing under the writer")
