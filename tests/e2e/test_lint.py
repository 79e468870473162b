"""Lint through the gateway: every registered version is linted with its team's ruleset, the counts
are on the version and the report beside it (and on its docs page); a team sets its ruleset, and
one that makes lint block gets its registration rejected with the findings; bad rulesets are 400s
naming the member at fault."""

from __future__ import annotations

import json
import uuid

from tests.support.contract import assert_matches_contract
from tests.support.specs import petstore
from tests.support.stack import RunningStack


def test_a_version_is_linted_with_its_teams_ruleset_and_a_blocking_one_rejects(stack: RunningStack) -> None:
    team = f"lint-{uuid.uuid4().hex[:6]}"
    api_id = f"linted-{uuid.uuid4().hex[:8]}"
    document = json.dumps(petstore()).encode()  # no contact, no description: warnings by default

    # Given a team without a ruleset of its own: the recommended one, nothing blocks
    recommended = stack.get(f"/teams/{team}/lint-ruleset", role="viewer")
    assert recommended.status_code == 200, recommended.text
    assert_matches_contract("/teams/{team}/lint-ruleset", "GET", 200, "application/json", recommended.json())
    assert recommended.json()["updatedAt"] is None
    assert recommended.json()["effective"]["info-contact"] == "warn"

    # When the team makes a missing contact an error and lint errors blocking
    ruleset = {"rules": {"info-contact": "error", "operation-description": "off"}, "blocking": True}
    set_ = stack.put(f"/teams/{team}/lint-ruleset", json.dumps(ruleset).encode(), "application/json")
    assert set_.status_code == 200, set_.text
    assert_matches_contract("/teams/{team}/lint-ruleset", "PUT", 200, "application/json", set_.json())
    assert set_.json()["effective"]["info-contact"] == "error"

    # Then its submission is rejected for lint, with the finding where it is
    submitted = stack.post(f"/apis?team={team}&apiId={api_id}", document, "application/json")
    assert submitted.status_code == 202, submitted.text
    rejected = stack.wait_for_submission(submitted.json()["submissionId"])
    assert (rejected["status"], rejected["reason"]) == ("rejected", "lint-failed")
    assert [(f["rule"], f["pointer"]) for f in rejected["findings"]] == [("info-contact", "/info")]
    assert stack.get(f"/apis/{api_id}/versions/1.0.0").status_code == 404

    # When the team no longer blocks, the same document registers, linted with its ruleset
    ruleset["blocking"] = False
    assert stack.put(f"/teams/{team}/lint-ruleset", json.dumps(ruleset).encode(), "application/json").ok
    stack.register(api_id, document, team=team)
    version = stack.get(f"/apis/{api_id}/versions/1.0.0", role="viewer").json()
    assert version["lint"]["errors"] == 1
    assert version["lint"]["blocking"] is None
    report = stack.get(f"/apis/{api_id}/versions/1.0.0/lint", role="viewer")
    assert report.status_code == 200, report.text
    assert_matches_contract("/apis/{apiId}/versions/{version}/lint", "GET", 200, "application/json", report.json())
    body = report.json()
    assert (body["team"], body["ruleset"]["rules"]["info-contact"]) == (team, "error")
    assert body["errors"] == version["lint"]["errors"]
    assert "operation-description" not in {f["rule"] for f in body["findings"]}
    page = stack.get(f"/apis/{api_id}/versions/1.0.0/docs", role="viewer")
    assert f"Linted with the ruleset of team {team}" in page.text


def test_the_rules_are_listed_and_a_bad_ruleset_is_a_400_naming_it(stack: RunningStack) -> None:
    rules = stack.get("/lint/rules", role="viewer")
    assert rules.status_code == 200
    assert_matches_contract("/lint/rules", "GET", 200, "application/json", rules.json())
    by_id = {rule["id"]: rule for rule in rules.json()["rules"]}
    assert "operation-2xx-response" in by_id["operation-success-response"]["aliases"]

    team = f"lint-{uuid.uuid4().hex[:6]}"
    for body, pointer, said in (
        ({"rules": {"operation-sumary": "warn"}}, "/rules", "did you mean `operation-summary`"),
        ({"rules": {"info-contact": "loud"}}, "/rules/info-contact", "'error', 'warn', 'info', 'hint' or 'off'"),
        ({"maxWarnings": "ten"}, "/maxWarnings", "valid integer"),
    ):
        refused = stack.put(f"/teams/{team}/lint-ruleset", json.dumps(body).encode(), "application/json")
        assert refused.status_code == 400, refused.text
        assert refused.headers["Content-Type"].startswith("application/problem+json")
        assert refused.json()["errors"][0]["pointer"] == pointer
        assert said in refused.json()["detail"]
    # another team's developer may not set it
    assert stack.put(f"/teams/{team}/lint-ruleset", b"{}", "application/json", role="developer").status_code == 403
