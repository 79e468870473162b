"""Each team's lint ruleset, one item per team in the portal's table."""

from __future__ import annotations

import orjson

from devportal.adapters.table import DynamoTable, item, moment, timestamp
from devportal.registry.models import StoredRuleset
from devportal.specs.lint import Ruleset


class DynamoRulesets(DynamoTable):
    def get(self, team: str) -> StoredRuleset | None:
        found = self._client().get_item(
            TableName=self._table, Key=item({"PK": f"TEAM#{team}", "SK": "LINT#RULESET"}), ConsistentRead=True
        )
        if "Item" not in found:
            return None
        values = found["Item"]
        return StoredRuleset(
            team,
            Ruleset.model_validate(orjson.loads(values["ruleset"]["S"])),
            values["updatedBy"]["S"],
            moment(values["updatedAt"]["S"]),
        )

    def put(self, stored: StoredRuleset) -> None:
        self._client().put_item(
            TableName=self._table,
            Item=item(
                {
                    "PK": f"TEAM#{stored.team}",
                    "SK": "LINT#RULESET",
                    "ruleset": orjson.dumps(stored.ruleset.to_wire()).decode(),
                    "updatedBy": stored.updated_by or "",
                    **({"updatedAt": timestamp(stored.updated_at)} if stored.updated_at else {}),
                }
            ),
        )
