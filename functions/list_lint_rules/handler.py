"""GET /lint/rules - every lint rule with its default level, its other names and the OpenAPI
versions it applies to."""

from __future__ import annotations

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.specs.lint import RULES
from devportal.wiring import Portal
from functions.entrypoints import api_function


def list_lint_rules(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "catalog:read")
    rules = [
        {
            "id": rule.id,
            "level": rule.level,
            "description": rule.description,
            "aliases": [alias for alias in rule.aliases if alias != rule.id],
            "dialects": list(rule.dialects),
        }
        for rule in RULES
    ]
    return json_response(200, {"rules": rules}, {"Cache-Control": "public, max-age=300"})


handler = api_function(list_lint_rules)
