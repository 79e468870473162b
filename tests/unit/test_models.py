"""Registry rules that are pure functions: ids and version ordering."""

from __future__ import annotations

import pytest

from devportal.registry.models import is_newer, submission_id_for, workflow_id_for


def test_submission_ids_are_deterministic_per_content() -> None:
    first = submission_id_for("petstore", "1.0.0", "a" * 64)
    assert first == submission_id_for("petstore", "1.0.0", "a" * 64)
    assert first != submission_id_for("petstore", "1.0.0", "b" * 64)
    assert first != submission_id_for("petstore", "1.0.1", "a" * 64)
    assert first.startswith("sub-")
    assert len(first) == 28


def test_workflow_ids_are_readable_and_per_submission() -> None:
    submission = submission_id_for("petstore", "1.0.0", "a" * 64)
    workflow_id = workflow_id_for("petstore", "1.0.0", submission)
    assert workflow_id.startswith("registration-petstore-1.0.0-")
    assert workflow_id != workflow_id_for("petstore", "1.0.0", submission_id_for("petstore", "1.0.0", "b" * 64))


@pytest.mark.parametrize(
    ("candidate", "current", "newer"),
    [
        ("1.10.0", "1.9.0", True),
        ("1.9.0", "1.10.0", False),
        ("2.0", "1.9.9", True),
        ("1.0.0", "1.0.0-rc.1", True),
        ("1.0.0-rc.2", "1.0.0-rc.1", True),
        ("1.0.0-rc.1", "1.0.0", False),
        ("v2", "1.5", True),
        ("1.0.0", "1.0", False),
        ("2024-02-01", "2024-01-31", True),
        ("beta", "alpha", True),  # no order: the newcomer wins
    ],
)
def test_version_ordering(candidate: str, current: str, newer: bool) -> None:
    assert is_newer(candidate, current) is newer
