"""Hooks for the schemathesis CLI run by tests/e2e/test_fuzz.py (SCHEMATHESIS_HOOKS names this
module): how a generated document is written as YAML for the media types the contract lists.
Plain YAML only - aliases would be refused as unsafe input, rightly, and say nothing about the
contract."""

from __future__ import annotations

from typing import Any

import schemathesis
import yaml
from schemathesis.transport import SerializationContext


class _PlainDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


@schemathesis.serializer("application/yaml", "application/vnd.oai.openapi")
def _plain_yaml(context: SerializationContext, value: Any) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value
    return yaml.dump(value, Dumper=_PlainDumper, allow_unicode=True).encode()
