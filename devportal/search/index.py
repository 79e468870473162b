"""The catalog's search index, in memory: every API's search document, its words, and its
operations' words, so that a few words typed into the portal find the APIs - and the operations
across all APIs - they name, fast enough for every keystroke.

Matching: the query's words are lower-cased and split like the documents' (camelCase and
snake_case break into words, `createInvoice` is `create` + `invoice` and also `createinvoice`);
every word must match the API somewhere (its names, title, tags, owner, description or one of its
operations), the last word as a prefix (the user is still typing it). Ranking: matches in names and
title weigh most, then tags and operations, then the description; an exact word beats a prefix.
Each hit lists the operations that match best, so "create invoice" leads to the endpoint itself."""

from __future__ import annotations

import bisect
import heapq
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from devportal.search.documents import OperationDoc, SearchDocument

Sort = Literal["relevance", "title", "updated"]
MAX_QUERY_WORDS = 8
MIN_PREFIX = 2  # a one-letter prefix matches half the vocabulary: it is matched as a whole word only
OPERATIONS_PER_HIT = 5
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_RUNS = re.compile(r"[A-Za-z0-9]+")
_PREFIX_DISCOUNT = 0.75

WEIGHTS = {"api_id": 8.0, "title": 10.0, "tags": 5.0, "owner": 2.0, "description": 2.0}
OPERATION_WEIGHTS = {"operation_id": 4.0, "summary": 4.0, "path": 3.0}


def words(text: str) -> set[str]:
    """The index words of a text: each alphanumeric run, and each run's camelCase parts."""
    found: set[str] = set()
    for run in _RUNS.findall(text):
        found.add(run.lower())
        found.update(part.lower() for part in _WORDS.findall(run))
    return found


def query_words(query: str) -> list[str]:
    """The query's words in order, as typed (lower-cased), each also split like document words."""
    return [run.lower() for run in _RUNS.findall(query)][:MAX_QUERY_WORDS]


@dataclass(frozen=True)
class Hit:
    document: SearchDocument
    score: float
    operations: tuple[OperationDoc, ...] = ()


@dataclass(frozen=True)
class Facet:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: tuple[Hit, ...]
    owners: tuple[Facet, ...]
    statuses: tuple[Facet, ...]


@dataclass
class _Entry:
    document: SearchDocument
    title_key: str = ""  # the title as it sorts
    api_words: dict[str, float] = field(default_factory=dict)
    # word -> (index of an operation using it, its weight there): an API with thousands of
    # operations finds the few a query names without looking at the rest
    operation_postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)


class CatalogIndex:
    def __init__(self, documents: Iterable[SearchDocument] = ()) -> None:
        self._entries: dict[str, _Entry] = {}
        self._api_postings: dict[str, dict[str, float]] = defaultdict(dict)  # word -> api -> weight
        self._operation_postings: dict[str, set[str]] = defaultdict(set)  # word -> apis with an operation using it
        self._vocabulary: list[str] | None = None
        for document in documents:
            self.upsert(document)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, api_id: str) -> SearchDocument | None:
        entry = self._entries.get(api_id)
        return entry.document if entry else None

    def upsert(self, document: SearchDocument) -> None:
        self.remove(document.api_id)
        entry = _Entry(document, document.title.lower())
        fields = {
            "api_id": document.api_id,
            "title": document.title,
            "tags": " ".join(document.tags),
            "owner": document.owner,
            "description": document.description,
        }
        for name, text in fields.items():
            for word in words(text):
                entry.api_words[word] = max(entry.api_words.get(word, 0.0), WEIGHTS[name])
        for index, operation in enumerate(document.operations):
            weights: dict[str, float] = {}
            for name, text in (
                ("operation_id", operation.operation_id),
                ("summary", operation.summary),
                ("path", operation.path),
            ):
                for word in words(text):
                    weights[word] = max(weights.get(word, 0.0), OPERATION_WEIGHTS[name])
            for word, weight in weights.items():
                entry.operation_postings.setdefault(word, []).append((index, weight))
        self._entries[document.api_id] = entry
        for word, weight in entry.api_words.items():
            self._api_postings[word][document.api_id] = weight
        for word in entry.operation_postings:
            self._operation_postings[word].add(document.api_id)
        self._vocabulary = None

    def remove(self, api_id: str) -> None:
        entry = self._entries.pop(api_id, None)
        if entry is None:
            return
        for word in entry.api_words:
            self._api_postings[word].pop(api_id, None)
            if not self._api_postings[word]:
                del self._api_postings[word]
        for word in entry.operation_postings:
            holders = self._operation_postings.get(word)
            if holders is not None:
                holders.discard(api_id)
                if not holders:
                    del self._operation_postings[word]
        self._vocabulary = None

    def _matching_words(self, word: str, *, prefix: bool) -> dict[str, float]:
        """Index words that `word` matches -> how well (1 exact, less for a longer word it begins)."""
        matched = {word: 1.0} if word in self._api_postings or word in self._operation_postings else {}
        if prefix and len(word) >= MIN_PREFIX:
            if self._vocabulary is None:
                self._vocabulary = sorted(self._api_postings.keys() | self._operation_postings.keys())
            start = bisect.bisect_left(self._vocabulary, word)
            for candidate in self._vocabulary[start:]:
                if not candidate.startswith(word):
                    break
                matched.setdefault(candidate, _PREFIX_DISCOUNT)
        return matched

    def search(
        self,
        query: str = "",
        *,
        owner: str | None = None,
        status: str | None = None,
        sort: Sort | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> SearchResult:
        typed = query_words(query)
        scores: dict[str, float] | None = None
        per_word: list[dict[str, float]] = []
        for position, word in enumerate(typed):
            matched = self._matching_words(word, prefix=position == len(typed) - 1)
            per_word.append(matched)
            word_scores: dict[str, float] = {}
            for candidate, closeness in matched.items():
                for api_id, weight in self._api_postings.get(candidate, {}).items():
                    word_scores[api_id] = max(word_scores.get(api_id, 0.0), weight * closeness)
                for api_id in self._operation_postings.get(candidate, ()):
                    word_scores[api_id] = max(word_scores.get(api_id, 0.0), 3.0 * closeness)
            scores = (
                word_scores
                if scores is None
                else {api_id: s + word_scores[api_id] for api_id, s in scores.items() if api_id in word_scores}
            )
            if not scores:
                break
        entries = self._entries
        matches = list(entries) if scores is None else list(scores)
        owners = _facet(
            entries[a].document.owner for a in matches if status is None or entries[a].document.status == status
        )
        statuses = _facet(
            entries[a].document.status for a in matches if owner is None or entries[a].document.owner == owner
        )
        selected = [
            a
            for a in matches
            if (owner is None or entries[a].document.owner == owner)
            and (status is None or entries[a].document.status == status)
        ]
        # only the page is put in order: the k first of n, not all n
        wanted = offset + limit
        order = sort or ("relevance" if typed else "title")
        if order == "relevance" and scores is not None:
            page = heapq.nsmallest(wanted, selected, key=lambda a: (-scores[a], entries[a].title_key, a))
        elif order == "updated":
            page = heapq.nlargest(wanted, selected, key=lambda a: (entries[a].document.updated_at, a))
        else:
            page = heapq.nsmallest(wanted, selected, key=lambda a: (entries[a].title_key, a))
        page = page[offset:]
        hits = tuple(
            Hit(
                entries[a].document,
                round(scores[a], 3) if scores is not None else 0.0,
                self._best_operations(entries[a], per_word),
            )
            for a in page
        )
        return SearchResult(total=len(selected), hits=hits, owners=owners, statuses=statuses)

    @staticmethod
    def _best_operations(entry: _Entry, per_word: list[dict[str, float]]) -> tuple[OperationDoc, ...]:
        """The operations that match best: per query word the best of an operation's words that
        match it (weight x closeness), summed over the query's words."""
        if not per_word:
            return ()
        postings = entry.operation_postings
        best: dict[int, list[float]] = {}
        for position, matched in enumerate(per_word):
            # a prefix may match thousands of words, an API have thousands: walk the smaller
            shared = (
                (w for w in matched if w in postings)
                if len(matched) < len(postings)
                else (w for w in postings if w in matched)
            )
            for word in shared:
                closeness = matched[word]
                for index, weight in postings[word]:
                    scores = best.get(index)
                    if scores is None:
                        scores = best[index] = [0.0] * len(per_word)
                    scores[position] = max(scores[position], weight * closeness)
        ranked = sorted(((sum(scores), index) for index, scores in best.items()), key=lambda p: (-p[0], p[1]))
        return tuple(entry.document.operations[index] for _, index in ranked[:OPERATIONS_PER_HIT])


def _facet(values: Iterable[str]) -> tuple[Facet, ...]:
    counts: dict[str, int] = defaultdict(int)
    for value in values:
        counts[value] += 1
    return tuple(Facet(value, count) for value, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
