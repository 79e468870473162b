"""Contract test runs and test settings in the single table (key layout in devportal.tables):

  TESTRUN#<runId> / RUN          the run: who asked, the target, status and progress as attributes;
                                 its results compressed once it ended (GSI2: TESTRUNS#<apiId> /
                                 <requestedAt>#<runId>, the API's runs newest first)
  TESTRUN#<runId> / BATCH#<n>    one batch's outcome, written once (a retried batch finds it there)
  TESTS#<apiId>   / SETTINGS     the owning team's test settings

Runs are kept RUN_DAYS, then expire by TTL.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson
from botocore.exceptions import ClientError

from devportal.adapters.table import DynamoTable, conditional_failure, item, plain, timestamp
from devportal.tables import TTL_ATTRIBUTE
from devportal.testing.runs import TestSettings

RUN_DAYS = 400
_RESULT = "result"
_LIST_FIELDS = (
    "runId",
    "apiId",
    "version",
    "status",
    "trigger",
    "requestedBy",
    "requestedAt",
    "startedAt",
    "finishedAt",
    "target",
    "casesTotal",
    "casesDone",
    "operationsTotal",
    "score",
    "operationCoverage",
    "statusCoverage",
    "failedChecks",
    "summary",
)


class DynamoTestRunStore(DynamoTable):
    def create(self, run: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
        requested = timestamp(run["requestedAt"])
        values = {
            **run,
            "requestedAt": requested,
            "casesDone": 0,
            "PK": f"TESTRUN#{run['runId']}",
            "SK": "RUN",
            "GSI2PK": f"TESTRUNS#{run['apiId']}",
            "GSI2SK": f"{requested}#{run['runId']}",
            TTL_ATTRIBUTE: int(time.time()) + RUN_DAYS * 86400,
        }
        try:
            self._client().put_item(
                TableName=self._table, Item=item(_numbers(values)), ConditionExpression="attribute_not_exists(PK)"
            )
        except ClientError as error:
            if not conditional_failure(error):
                raise
            existing = self.get(str(run["runId"]))
            assert existing is not None
            return existing, False
        found = self.get(str(run["runId"]))
        assert found is not None
        return found, True

    def get(self, run_id: str) -> dict[str, Any] | None:
        found = self._client().get_item(
            TableName=self._table, Key=item({"PK": f"TESTRUN#{run_id}", "SK": "RUN"}), ConsistentRead=True
        )
        return _run(found["Item"]) if "Item" in found else None

    def start(self, run_id: str, *, cases_total: int, operations: int, started_at: datetime) -> None:
        try:
            self._client().update_item(
                TableName=self._table,
                Key=item({"PK": f"TESTRUN#{run_id}", "SK": "RUN"}),
                UpdateExpression="SET #s = :running, startedAt = :at, casesTotal = :total, operationsTotal = :ops",
                ConditionExpression="#s = :queued",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=item(
                    {
                        ":running": "running",
                        ":queued": "queued",
                        ":at": timestamp(started_at),
                        ":total": cases_total,
                        ":ops": operations,
                    }
                ),
            )
        except ClientError as error:
            if not conditional_failure(error):
                raise  # already running (a retried step) or ended: nothing to change

    def put_batch(self, run_id: str, batch: int, outcome: Mapping[str, Any]) -> bool:
        key = {"PK": f"TESTRUN#{run_id}"}
        try:
            self._client().transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": item(
                                {
                                    **key,
                                    "SK": f"BATCH#{batch:05d}",
                                    "outcome": zlib.compress(orjson.dumps(outcome)),
                                    TTL_ATTRIBUTE: int(time.time()) + RUN_DAYS * 86400,
                                }
                            ),
                            "ConditionExpression": "attribute_not_exists(PK)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": item({**key, "SK": "RUN"}),
                            "UpdateExpression": "ADD casesDone :n",
                            "ExpressionAttributeValues": item({":n": int(outcome["cases"])}),
                        }
                    },
                ]
            )
        except ClientError as error:
            if conditional_failure(error):
                return False
            raise
        return True

    def batch(self, run_id: str, batch: int) -> dict[str, Any] | None:
        found = self._client().get_item(
            TableName=self._table,
            Key=item({"PK": f"TESTRUN#{run_id}", "SK": f"BATCH#{batch:05d}"}),
            ConsistentRead=True,
        )
        if "Item" not in found:
            return None
        outcome: dict[str, Any] = orjson.loads(zlib.decompress(found["Item"]["outcome"]["B"]))
        return outcome

    def batches(self, run_id: str) -> dict[int, dict[str, Any]]:
        found: dict[int, dict[str, Any]] = {}
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :batch)",
            "ExpressionAttributeValues": item({":pk": f"TESTRUN#{run_id}", ":batch": "BATCH#"}),
            "ConsistentRead": True,
        }
        while True:
            response = self._client().query(**request)
            for raw in response.get("Items", []):
                found[int(raw["SK"]["S"].removeprefix("BATCH#"))] = orjson.loads(zlib.decompress(raw["outcome"]["B"]))
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def finish(self, run_id: str, result: Mapping[str, Any]) -> bool:
        coverage = result["coverage"]
        values = {
            ":status": result["outcome"],
            ":at": timestamp(result["finishedAt"]),
            ":summary": result["summary"],
            ":failed": result["checks"]["failed"],
            ":done": result["cases"],
            ":result": zlib.compress(orjson.dumps(result, default=_json_default)),
            ":queued": "queued",
            ":running": "running",
        }
        sets = "#s = :status, finishedAt = :at, summary = :summary, failedChecks = :failed, casesDone = :done"
        if result["outcome"] != "cancelled":
            # what ran: sequences count as many as the state machine made, which the plan estimated
            sets += ", casesTotal = :done"
        sets += ", #r = :result"
        optional = {
            "score": result["score"],
            "operationCoverage": coverage["operations"]["ratio"],
            "statusCoverage": coverage["statuses"]["ratio"],
            "error": result.get("error"),
        }
        for name, value in optional.items():
            if value is not None:
                values[f":{name}"] = value
                sets += f", {name} = :{name}"
        try:
            self._client().update_item(
                TableName=self._table,
                Key=item({"PK": f"TESTRUN#{run_id}", "SK": "RUN"}),
                UpdateExpression=f"SET {sets}",
                ConditionExpression="#s IN (:queued, :running)",
                ExpressionAttributeNames={"#s": "status", "#r": _RESULT},
                ExpressionAttributeValues=item(_numbers(values)),
            )
        except ClientError as error:
            if conditional_failure(error):
                return False
            raise
        return True

    def page(self, api_id: str, *, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
        found, next_cursor = self._newest_first(
            f"TESTRUNS#{api_id}", limit=limit, cursor=cursor
        )  # <requestedAt>#<runId>
        return [_summary(_run(raw)) for raw in found], next_cursor

    def settings(self, api_id: str) -> TestSettings:
        found = self._client().get_item(
            TableName=self._table, Key=item({"PK": f"TESTS#{api_id}", "SK": "SETTINGS"}), ConsistentRead=True
        )
        if "Item" not in found:
            return TestSettings()
        return TestSettings.model_validate(orjson.loads(found["Item"]["settings"]["S"]))

    def put_settings(self, api_id: str, settings: TestSettings, by: str, at: datetime) -> None:
        self._client().put_item(
            TableName=self._table,
            Item=item(
                {
                    "PK": f"TESTS#{api_id}",
                    "SK": "SETTINGS",
                    "settings": orjson.dumps(settings.to_wire()).decode(),
                    "updatedBy": by,
                    "updatedAt": timestamp(at),
                }
            ),
        )


def _run(raw: Mapping[str, Any]) -> dict[str, Any]:
    values = plain(dict(raw))
    result = values.pop(_RESULT, None)
    for key in ("PK", "SK", "GSI2PK", "GSI2SK", TTL_ATTRIBUTE):
        values.pop(key, None)
    run = {key: _plain_number(value) for key, value in values.items()}
    if result is not None:
        run["result"] = orjson.loads(zlib.decompress(bytes(result)))
    return run


def _summary(run: Mapping[str, Any]) -> dict[str, Any]:
    return {key: run[key] for key in _LIST_FIELDS if key in run}


def _plain_number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain_number(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_plain_number(inner) for inner in value]
    return value


def _numbers(values: Mapping[str, Any]) -> dict[str, Any]:
    """Floats to Decimal (boto3 refuses float), datetimes to the table's timestamps, deeply."""

    def convert(value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, float):
            return Decimal(repr(value))
        if isinstance(value, datetime):
            return timestamp(value)
        if isinstance(value, dict):
            return {key: convert(inner) for key, inner in value.items()}
        if isinstance(value, list):
            return [convert(inner) for inner in value]
        return value

    return {key: convert(value) for key, value in values.items()}


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return timestamp(value)
    raise TypeError(f"{type(value).__name__} is not JSON")
