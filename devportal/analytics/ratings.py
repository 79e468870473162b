"""Readers rate a version's documentation: helpful or not, with an optional comment - one vote per
reader and version, changed by voting again. The seed's "user satisfaction": the tally feeds the
API's usage report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from devportal.analytics.usage import stamp
from devportal.errors import FieldError, InvalidParameter

MAX_COMMENT_CHARS = 1000
RECENT_COMMENTS = 10


@dataclass(frozen=True)
class Rating:
    api_id: str
    version: str
    reader: str  # the reader's user id (Cognito `sub`): one vote each
    helpful: bool
    comment: str | None
    at: datetime


class RatingStore(Protocol):
    def put(self, rating: Rating) -> None:
        """The reader's vote on the version, replacing any earlier one."""
        ...

    def of_version(self, api_id: str, version: str) -> list[Rating]: ...


def check_vote(body: Mapping[str, Any]) -> tuple[bool, str | None]:
    """`{"helpful": true|false, "comment"?: "..."}`, or a 400 naming the member."""
    problems = []
    unknown = sorted(set(body) - {"helpful", "comment"})
    problems += [
        FieldError(detail=f"unknown member `{name[:40]}`; a vote has `helpful` and `comment`", pointer=f"/{name}")
        for name in unknown
    ]
    helpful = body.get("helpful")
    if not isinstance(helpful, bool):
        problems.append(FieldError(detail="`helpful` must be true or false", pointer="/helpful"))
    comment = body.get("comment")
    if comment is not None and not (isinstance(comment, str) and len(comment) <= MAX_COMMENT_CHARS):
        problems.append(
            FieldError(detail=f"`comment` must be text of at most {MAX_COMMENT_CHARS} characters", pointer="/comment")
        )
    if problems:
        raise InvalidParameter("The vote is not usable: " + "; ".join(p.detail for p in problems), problems)
    text = comment.strip() if isinstance(comment, str) else None
    return bool(helpful), text or None


def tally(ratings: Sequence[Rating]) -> dict[str, Any]:
    helpful = sum(1 for r in ratings if r.helpful)
    votes = len(ratings)
    return {
        "votes": votes,
        "helpful": helpful,
        "notHelpful": votes - helpful,
        "helpfulShare": round(helpful / votes, 4) if votes else None,
    }


class Ratings:
    def __init__(self, store: RatingStore) -> None:
        self._store = store

    def vote(self, api_id: str, version: str, reader: str, body: Mapping[str, Any], at: datetime) -> dict[str, Any]:
        helpful, comment = check_vote(body)
        self._store.put(Rating(api_id, version, reader, helpful, comment, at))
        return self.view(api_id, version, reader)

    def view(self, api_id: str, version: str, reader: str) -> dict[str, Any]:
        ratings = self._store.of_version(api_id, version)
        mine = next((r for r in ratings if r.reader == reader), None)
        comments = sorted((r for r in ratings if r.comment), key=lambda r: r.at, reverse=True)[:RECENT_COMMENTS]
        return {
            "apiId": api_id,
            "version": version,
            **tally(ratings),
            "mine": None if mine is None else {"helpful": mine.helpful, "comment": mine.comment, "at": stamp(mine.at)},
            "recentComments": [{"helpful": r.helpful, "comment": r.comment, "at": stamp(r.at)} for r in comments],
        }

    def satisfaction(self, api_id: str, versions: Sequence[str]) -> dict[str, Any]:
        """The API's tally over its versions, and each version's, for its report."""
        per_version = {version: self._store.of_version(api_id, version) for version in versions}
        every = [r for ratings in per_version.values() for r in ratings]
        return {
            **tally(every),
            "versions": [{"version": v, **tally(r)} for v, r in per_version.items() if r],
        }
