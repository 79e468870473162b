"""APIs with traffic and their health, in the single table (key layout in devportal.tables).

  USAGE#<apiId>  / TRAFFIC                     the API has traffic since `since` (GSI1: TRAFFIC / <apiId>);
                                               `reportsScheduled` once its daily report schedule is known
  HEALTH#<apiId> / STATE                       the last hour evaluated and the open alerts, `rev`
  HEALTH#<apiId> / THRESHOLDS                  the owning team's thresholds over the defaults
  HEALTH#<apiId> / ALERT#<yyyy-mm-ddThh>#<rule> one alert: the reading that opened it, and closed it

The state and the alerts an evaluation opened or closed are written in one transaction, on the
condition that the state's `rev` is still the one read.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
from botocore.exceptions import ClientError

from devportal.adapters.table import DynamoTable, conditional_failure, item, moment, timestamp
from devportal.analytics.health import RULES, HealthState, Open, Rule
from devportal.analytics.ports import Alert, HealthRecord
from devportal.tables import GSI_CATALOG, TTL_ATTRIBUTE

TRAFFIC_INDEX_KEY = "TRAFFIC"
_ALERT_DAYS = 400


class DynamoHealthStore(DynamoTable):
    def note_traffic(self, api_id: str, since: datetime) -> bool:
        try:
            self._client().put_item(
                TableName=self._table,
                Item=item(
                    {
                        "PK": f"USAGE#{api_id}",
                        "SK": "TRAFFIC",
                        "since": timestamp(since),
                        "GSI1PK": TRAFFIC_INDEX_KEY,
                        "GSI1SK": api_id,
                    }
                ),
                ConditionExpression="attribute_not_exists(PK)",
            )
            return True
        except ClientError as error:
            if conditional_failure(error):
                return False
            raise

    def has_traffic(self, api_id: str) -> bool:
        found = self._client().get_item(
            TableName=self._table, Key=item({"PK": f"USAGE#{api_id}", "SK": "TRAFFIC"}), ProjectionExpression="PK"
        )
        return "Item" in found

    def traffic(self) -> Iterator[tuple[str, datetime]]:
        arguments: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": GSI_CATALOG,
            "KeyConditionExpression": "GSI1PK = :t",
            "ExpressionAttributeValues": item({":t": TRAFFIC_INDEX_KEY}),
        }
        while True:
            response = self._client().query(**arguments)
            for raw in response.get("Items", []):
                yield raw["GSI1SK"]["S"], moment(raw["since"]["S"])
            if "LastEvaluatedKey" not in response:
                return
            arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def reports_unscheduled(self, limit: int) -> list[str]:
        arguments: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": GSI_CATALOG,
            "KeyConditionExpression": "GSI1PK = :t",
            "FilterExpression": "attribute_not_exists(reportsScheduled)",
            "ProjectionExpression": "GSI1SK",
            "ExpressionAttributeValues": item({":t": TRAFFIC_INDEX_KEY}),
        }
        found: list[str] = []
        while len(found) < limit:
            response = self._client().query(**arguments)
            found += [raw["GSI1SK"]["S"] for raw in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                break
            arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return found[:limit]

    def note_reports_scheduled(self, api_id: str) -> None:
        self._client().update_item(
            TableName=self._table,
            Key=item({"PK": f"USAGE#{api_id}", "SK": "TRAFFIC"}),
            UpdateExpression="SET reportsScheduled = :yes",
            ExpressionAttributeValues=item({":yes": True}),
        )

    def record(self, api_id: str) -> HealthRecord:
        keys = [item({"PK": f"HEALTH#{api_id}", "SK": sk}) for sk in ("STATE", "THRESHOLDS")]
        response = self._client().batch_get_item(RequestItems={self._table: {"Keys": keys, "ConsistentRead": True}})
        found = {raw["SK"]["S"]: raw for raw in response.get("Responses", {}).get(self._table, [])}
        state = HealthState()
        if "STATE" in found:
            raw = found["STATE"]
            through = raw.get("evaluatedThrough", {}).get("S")
            state = HealthState(
                evaluated_through=moment(through) if through else None,
                open={
                    rule: Open(opened["alertId"], moment(opened["since"]))
                    for rule, opened in orjson.loads(raw["open"]["S"]).items()
                    if rule in RULES
                },
                rev=int(raw["rev"]["N"]),
            )
        if "THRESHOLDS" not in found:
            return HealthRecord(state, {})
        raw = found["THRESHOLDS"]
        return HealthRecord(state, orjson.loads(raw["overrides"]["S"]), raw["by"]["S"], moment(raw["at"]["S"]))

    def save(self, api_id: str, state: HealthState, alerts: Sequence[Alert]) -> bool:
        opened: dict[Rule, dict[str, str]] = {
            rule: {"alertId": o.alert_id, "since": timestamp(o.since)} for rule, o in state.open.items()
        }
        put: dict[str, Any] = {
            "TableName": self._table,
            "Item": item(
                {
                    "PK": f"HEALTH#{api_id}",
                    "SK": "STATE",
                    "evaluatedThrough": timestamp(state.evaluated_through) if state.evaluated_through else None,
                    "open": orjson.dumps(opened).decode(),
                    "rev": state.rev + 1,
                }
            ),
        }
        if state.rev:
            put["ConditionExpression"] = "rev = :rev"
            put["ExpressionAttributeValues"] = item({":rev": state.rev})
        else:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        try:
            if not alerts:
                self._client().put_item(**put)
            else:
                writes = [{"Put": put}, *(self._alert_write(api_id, alert) for alert in alerts)]
                self._client().transact_write_items(TransactItems=writes)  # type: ignore[arg-type]
            return True
        except ClientError as error:
            if conditional_failure(error):
                return False
            raise

    def _alert_write(self, api_id: str, alert: Alert) -> dict[str, Any]:
        key = {"PK": f"HEALTH#{api_id}", "SK": f"ALERT#{alert.since:%Y-%m-%dT%H}#{alert.rule}"}
        if alert.degraded:
            return {
                "Put": {
                    "TableName": self._table,
                    "Item": item(
                        {
                            **key,
                            "alertId": alert.alert_id,
                            "rule": alert.rule,
                            "since": timestamp(alert.since),
                            "degraded": _json(alert.degraded),
                            "recoveredAt": timestamp(alert.recovered_at) if alert.recovered_at else None,
                            "recovered": _json(alert.recovered) if alert.recovered else None,
                            TTL_ATTRIBUTE: int(time.time()) + _ALERT_DAYS * 86400,
                        }
                    ),
                }
            }
        if alert.recovered_at is None or alert.recovered is None:
            raise ValueError(f"alert {alert.alert_id} neither opens nor closes")
        return {
            "Update": {
                "TableName": self._table,
                "Key": item(key),
                "UpdateExpression": "SET recoveredAt = :at, recovered = :r",
                "ConditionExpression": "attribute_exists(PK)",
                "ExpressionAttributeValues": item({":at": timestamp(alert.recovered_at), ":r": _json(alert.recovered)}),
            }
        }

    def alerts(self, api_id: str, limit: int = 50) -> list[Alert]:
        response = self._client().query(
            TableName=self._table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :a)",
            ExpressionAttributeValues=item({":pk": f"HEALTH#{api_id}", ":a": "ALERT#"}),
            ScanIndexForward=False,
            Limit=limit,
        )
        found: list[Alert] = []
        for raw in response.get("Items", []):
            recovered_at = raw.get("recoveredAt", {}).get("S")
            found.append(
                Alert(
                    alert_id=raw["alertId"]["S"],
                    rule=raw["rule"]["S"],
                    since=moment(raw["since"]["S"]),
                    degraded=orjson.loads(raw["degraded"]["S"]),
                    recovered_at=moment(recovered_at) if recovered_at else None,
                    recovered=orjson.loads(raw["recovered"]["S"]) if "recovered" in raw else None,
                )
            )
        return found

    def set_thresholds(self, api_id: str, overrides: Mapping[str, Any], by: str, at: datetime) -> None:
        self._client().put_item(
            TableName=self._table,
            Item=item(
                {
                    "PK": f"HEALTH#{api_id}",
                    "SK": "THRESHOLDS",
                    "overrides": _json(overrides),
                    "by": by,
                    "at": timestamp(at),
                }
            ),
        )


def _json(value: Mapping[str, Any]) -> str:
    return orjson.dumps(value).decode()
