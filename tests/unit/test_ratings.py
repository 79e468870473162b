"""Readers rate a version's docs: one vote each, changed by voting again, refused in plain words when
it is not a vote; the tally feeds the API's report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from devportal.analytics.ratings import Ratings, check_vote
from devportal.errors import InvalidParameter
from tests.support.fakes import InMemoryRatings

AT = datetime(2026, 12, 4, 10, tzinfo=UTC)


def test_one_vote_per_reader_and_version_changed_by_voting_again() -> None:
    ratings = Ratings(InMemoryRatings())
    ratings.vote("shop", "1.0.0", "alice", {"helpful": False, "comment": "  no auth example  "}, AT)
    ratings.vote("shop", "1.0.0", "bob", {"helpful": True}, AT + timedelta(minutes=1))
    view = ratings.vote("shop", "1.0.0", "alice", {"helpful": True, "comment": "found it"}, AT + timedelta(minutes=2))
    assert (view["votes"], view["helpful"], view["notHelpful"], view["helpfulShare"]) == (2, 2, 0, 1.0)
    assert view["mine"] == {"helpful": True, "comment": "found it", "at": "2026-12-04T10:02:00Z"}
    assert view["recentComments"] == [{"helpful": True, "comment": "found it", "at": "2026-12-04T10:02:00Z"}]
    assert ratings.view("shop", "1.0.0", "carol")["mine"] is None
    assert ratings.view("shop", "2.0.0", "alice")["helpfulShare"] is None


def test_the_report_tallies_every_version_and_each_one() -> None:
    ratings = Ratings(InMemoryRatings())
    ratings.vote("shop", "1.0.0", "alice", {"helpful": True}, AT)
    ratings.vote("shop", "2.0.0", "alice", {"helpful": False}, AT)
    ratings.vote("shop", "2.0.0", "bob", {"helpful": False}, AT)
    assert ratings.satisfaction("shop", ["1.0.0", "2.0.0", "3.0.0"]) == {
        "votes": 3,
        "helpful": 1,
        "notHelpful": 2,
        "helpfulShare": 0.3333,
        "versions": [
            {"version": "1.0.0", "votes": 1, "helpful": 1, "notHelpful": 0, "helpfulShare": 1.0},
            {"version": "2.0.0", "votes": 2, "helpful": 0, "notHelpful": 2, "helpfulShare": 0.0},
        ],
    }


def test_what_is_not_a_vote_is_refused_member_by_member() -> None:
    assert check_vote({"helpful": False, "comment": "   "}) == (False, None)
    with pytest.raises(InvalidParameter) as refused:
        check_vote({"helpful": "yes", "comment": "x" * 1001, "stars": 5})
    assert {e.pointer: e.detail for e in refused.value.errors} == {
        "/stars": "unknown member `stars`; a vote has `helpful` and `comment`",
        "/helpful": "`helpful` must be true or false",
        "/comment": "`comment` must be text of at most 1000 characters",
    }
