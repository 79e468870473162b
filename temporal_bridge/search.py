"""Search attributes of registration workflows (all Keyword), as typed keys."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

API_ID = SearchAttributeKey.for_keyword("ApiId")
API_VERSION = SearchAttributeKey.for_keyword("ApiVersion")
OWNER = SearchAttributeKey.for_keyword("Owner")
STEP = SearchAttributeKey.for_keyword("Step")
