"""PUT /teams/{team}/lint-ruleset - the team's lint ruleset, whole, for the versions it registers
from then on; a developer of the team or an admin."""

from __future__ import annotations

from datetime import UTC, datetime

from aws_lambda_powertools import Logger

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require_team_member
from devportal.registry.models import StoredRuleset
from devportal.specs.lint import read_ruleset
from devportal.specs.openapi import check_team
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.identity_views import profile_of
from functions.views import ruleset_view

logger = Logger()


def set_lint_ruleset(request: ApiRequest, portal: Portal) -> ApiResponse:
    team = check_team(request.path_parameters.get("team", ""), parameter="team")
    profile = profile_of(portal, request.caller)
    require_team_member(request.caller, profile, team)
    stored = StoredRuleset(team, read_ruleset(request.json_object()), profile.email, datetime.now(UTC))
    portal.rulesets.put(stored)
    logger.info("lint ruleset set", team=team, blocking=stored.ruleset.blocking, rules=len(stored.ruleset.rules))
    return json_response(200, ruleset_view(stored), {"Cache-Control": "no-store"})


handler = api_function(set_lint_ruleset)
