"""Approval requests and the decisions kept per breaking change, in the portal's table.

APPROVAL#<apiId> / VERSION#<v>   a request (GSI1: APPROVALS#pending / requested-at, while pending)
DECISION#<apiId> / FP#<fp>       the decision on one breaking change, for later versions
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from botocore.exceptions import ClientError

from devportal.adapters.table import DynamoTable, conditional_failure, item, moment, plain, timestamp
from devportal.registry.approval import ApprovalRequest, BreakingChange, Decision
from devportal.tables import GSI_CATALOG

_PENDING = "APPROVALS#pending"


class DynamoApprovals(DynamoTable):
    # -- requests ------------------------------------------------------------------------------

    def put(self, request: ApprovalRequest) -> None:
        try:
            self._client().put_item(
                TableName=self._table,
                Item=item(
                    {
                        "PK": f"APPROVAL#{request.api_id}",
                        "SK": f"VERSION#{request.version}",
                        "GSI1PK": _PENDING,
                        "GSI1SK": f"{timestamp(request.requested_at)}#{request.api_id}#{request.version}",
                        "status": "pending",
                        "request": orjson.dumps(_request_values(request)).decode(),
                    }
                ),
                # a retried activity finds its request; a new submission of the version asks anew
                ConditionExpression="attribute_not_exists(PK) OR #s <> :pending",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=item({":pending": "pending"}),
            )
        except ClientError as error:
            if not conditional_failure(error):
                raise

    def get(self, api_id: str, version: str) -> ApprovalRequest | None:
        found = self._client().get_item(
            TableName=self._table,
            Key=item({"PK": f"APPROVAL#{api_id}", "SK": f"VERSION#{version}"}),
            ConsistentRead=True,
        )
        return _request_from(plain(found["Item"])) if "Item" in found else None

    def close(self, api_id: str, version: str, status: str, decision: Decision) -> bool:
        try:
            self._client().update_item(
                TableName=self._table,
                Key=item({"PK": f"APPROVAL#{api_id}", "SK": f"VERSION#{version}"}),
                UpdateExpression="SET #s = :status, decision = :decision REMOVE GSI1PK, GSI1SK",
                ConditionExpression="#s = :pending",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=item(
                    {
                        ":status": status,
                        ":pending": "pending",
                        ":decision": orjson.dumps(_decision_values(decision)).decode(),
                    }
                ),
            )
        except ClientError as error:
            if conditional_failure(error):
                return False
            raise
        return True

    def pending(self, limit: int) -> list[ApprovalRequest]:
        response = self._client().query(
            TableName=self._table,
            IndexName=GSI_CATALOG,
            KeyConditionExpression="GSI1PK = :pending",
            ExpressionAttributeValues=item({":pending": _PENDING}),
            Limit=limit,
        )
        return [_request_from(plain(raw)) for raw in response.get("Items", [])]

    # -- decisions per breaking change -----------------------------------------------------------

    def decisions(self, api_id: str, fingerprints: Iterable[str]) -> dict[str, Decision]:
        wanted = sorted(set(fingerprints))
        found: dict[str, Decision] = {}
        for start in range(0, len(wanted), 100):
            keys = [item({"PK": f"DECISION#{api_id}", "SK": f"FP#{fp}"}) for fp in wanted[start : start + 100]]
            request: dict[str, Any] = {self._table: {"Keys": keys, "ConsistentRead": True}}
            while request:
                response = self._client().batch_get_item(RequestItems=request)
                for raw in response.get("Responses", {}).get(self._table, []):
                    values = plain(raw)
                    found[values["SK"].removeprefix("FP#")] = _decision_from(orjson.loads(values["decision"]))
                request = response.get("UnprocessedKeys") or {}
        return found

    def record(self, api_id: str, version: str, fingerprints: Iterable[str], decision: Decision) -> None:
        puts = [
            {
                "PutRequest": {
                    "Item": item(
                        {
                            "PK": f"DECISION#{api_id}",
                            "SK": f"FP#{fp}",
                            "version": version,
                            "decision": orjson.dumps(_decision_values(decision)).decode(),
                        }
                    )
                }
            }
            for fp in sorted(set(fingerprints))
        ]
        for start in range(0, len(puts), 25):
            batch: dict[str, Any] = {self._table: puts[start : start + 25]}
            while batch:
                batch = self._client().batch_write_item(RequestItems=batch).get("UnprocessedItems") or {}


def _decision_values(decision: Decision) -> dict[str, Any]:
    return {"approved": decision.approved, "by": decision.by, "reason": decision.reason, "at": timestamp(decision.at)}


def _decision_from(values: dict[str, Any]) -> Decision:
    return Decision(bool(values["approved"]), values["by"], values["reason"], moment(values["at"]))


def _change_from(c: dict[str, Any]) -> BreakingChange:
    return BreakingChange(
        c["id"], c["message"], c["operation"], c["location"], c["fingerprint"], c["oldPointer"], c["newPointer"]
    )


def _request_values(request: ApprovalRequest) -> dict[str, Any]:
    return {
        "apiId": request.api_id,
        "version": request.version,
        "owner": request.owner,
        "submissionId": request.submission_id,
        "workflowId": request.workflow_id,
        "baseVersion": request.base_version,
        "breaking": [change.to_wire() for change in request.breaking],
        "breakingCount": request.breaking_count,
        "consumers": {operation: list(names) for operation, names in request.consumers.items()},
        "requestedAt": timestamp(request.requested_at),
        "deadline": timestamp(request.deadline),
    }


def _request_from(values: dict[str, Any]) -> ApprovalRequest:
    stored = orjson.loads(values["request"])
    decision = _decision_from(orjson.loads(values["decision"])) if "decision" in values else None
    return ApprovalRequest(
        api_id=stored["apiId"],
        version=stored["version"],
        owner=stored["owner"],
        submission_id=stored["submissionId"],
        workflow_id=stored["workflowId"],
        base_version=stored["baseVersion"],
        breaking=tuple(_change_from(change) for change in stored["breaking"]),
        breaking_count=int(stored["breakingCount"]),
        consumers={operation: tuple(names) for operation, names in stored["consumers"].items()},
        requested_at=moment(stored["requestedAt"]),
        deadline=moment(stored["deadline"]),
        status=values["status"],
        decision=decision,
    )
