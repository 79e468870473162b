"""GET /teams/{team}/lint-ruleset - the ruleset the team's versions are linted with."""

from __future__ import annotations

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.registry.models import StoredRuleset
from devportal.specs.lint import RECOMMENDED
from devportal.specs.openapi import check_team
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.views import ruleset_view


def get_lint_ruleset(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "catalog:read")
    team = check_team(request.path_parameters.get("team", ""), parameter="team")
    stored = portal.rulesets.get(team) or StoredRuleset(team, RECOMMENDED)
    return json_response(200, ruleset_view(stored), {"Cache-Control": "no-store"})


handler = api_function(get_lint_ruleset)
