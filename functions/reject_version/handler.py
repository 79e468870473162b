"""POST /apis/{apiId}/versions/{version}/reject - an admin rejects the breaking changes a version
waits with; 202: the decision is on its way to the registration workflow, which rejects it."""

from __future__ import annotations

from functions.approvals import decide
from functions.entrypoints import api_function

handler = api_function(lambda request, portal: decide(request, portal, approved=False))
