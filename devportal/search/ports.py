"""Where search documents are kept between the consumer that writes them and the route that
searches them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from devportal.search.documents import SearchDocument


@dataclass(frozen=True)
class Changes:
    documents: Sequence[SearchDocument]
    up_to: int  # the revision these changes bring a reader to


class SearchDocuments(Protocol):
    def get(self, api_id: str) -> SearchDocument | None: ...

    def put(self, document: SearchDocument, *, replacing: SearchDocument | None) -> bool:
        """Store `document` as its API's, if the stored one is still `replacing` (None: none yet);
        False when someone else wrote in between. Every write moves the revision on."""
        ...

    def revision(self) -> int:
        """How many writes the documents have seen; cheap, read on every search."""
        ...

    def changed_since(self, revision: int) -> Changes:
        """Every document written after `revision` (all of them for 0)."""
        ...
