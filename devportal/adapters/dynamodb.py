"""The registry in one DynamoDB table.

Keys:
  SUBMISSION#<id>   / SUBMISSION      a submission and its outcome
  API#<apiId>       / VERSION#<v>     an immutable, active version
  DOC#<apiId>       / VERSION#<v>     where its documentation page lives
  API#<apiId>       / META            the catalog entry (GSI1: CATALOG, GSI2: OWNER#<team>)
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from devportal.adapters.aws import LazyClient
from devportal.errors import FieldError, InvalidParameter
from devportal.registry.models import (
    ApiVersionRecord,
    CatalogEntry,
    Submission,
    SubmissionStatus,
    is_newer,
)
from devportal.registry.ports import Page, StoreResult
from devportal.specs.validation import Finding

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

GSI_CATALOG = "GSI1"
GSI_OWNER = "GSI2"
# The table's shape, read by the local provisioning and the CDK data stack alike.
PARTITION_KEY, SORT_KEY = "PK", "SK"
INDEXES: dict[str, tuple[str, str]] = {GSI_CATALOG: ("GSI1PK", "GSI1SK"), GSI_OWNER: ("GSI2PK", "GSI2SK")}
CATALOG_PARTITION = "CATALOG"
_CATALOG_RETRIES = 8

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


# Items that matter for a while only (failed sign-in windows) carry their expiry here, in epoch seconds.
TTL_ATTRIBUTE = "expiresAt"


def _item(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in values.items() if v is not None}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _conditional_failure(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code")
    return code in {"ConditionalCheckFailedException", "TransactionCanceledException"}


class DynamoTable:
    """An adapter over the portal's single table (each keeps to its own key prefixes)."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self._table = table_name
        self._client: LazyClient[DynamoDBClient] = LazyClient("dynamodb", client)


class DynamoRegistry(DynamoTable):
    # -- submissions -----------------------------------------------------------------------

    def create_submission(self, submission: Submission) -> Submission:
        try:
            self._client().put_item(
                TableName=self._table,
                Item=_item(_submission_values(submission)),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if not _conditional_failure(error):
                raise
            existing = self.get_submission(submission.submission_id)
            if existing is None:  # pragma: no cover - deleted between the two calls
                raise
            return existing
        return submission

    def get_submission(self, submission_id: str) -> Submission | None:
        response = self._client().get_item(
            TableName=self._table,
            Key=_item({"PK": f"SUBMISSION#{submission_id}", "SK": "SUBMISSION"}),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return _submission_from(_plain(item)) if item else None

    def mark_registering(self, submission_id: str) -> None:
        try:
            self._client().update_item(
                TableName=self._table,
                Key=_item({"PK": f"SUBMISSION#{submission_id}", "SK": "SUBMISSION"}),
                UpdateExpression="SET #s = :registering, updatedAt = :now",
                ConditionExpression="#s = :submitted",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=_item(
                    {
                        ":registering": SubmissionStatus.REGISTERING.value,
                        ":submitted": SubmissionStatus.SUBMITTED.value,
                        ":now": _ts(datetime.now(UTC)),
                    }
                ),
            )
        except ClientError as error:
            if not _conditional_failure(error):
                raise

    def record_outcome(
        self,
        submission_id: str,
        status: SubmissionStatus,
        *,
        reason: str | None,
        findings: Sequence[Finding],
        findings_truncated: bool,
    ) -> bool:
        values: dict[str, Any] = {
            ":status": status.value,
            ":now": _ts(datetime.now(UTC)),
            ":findings": [_finding_values(f) for f in findings],
            ":truncated": findings_truncated,
            ":registered": SubmissionStatus.REGISTERED.value,
            ":rejected": SubmissionStatus.REJECTED.value,
        }
        update = "SET #s = :status, updatedAt = :now, findings = :findings, findingsTruncated = :truncated"
        if reason is not None:
            values[":reason"] = reason
            update += ", reason = :reason"
        try:
            self._client().update_item(
                TableName=self._table,
                Key=_item({"PK": f"SUBMISSION#{submission_id}", "SK": "SUBMISSION"}),
                UpdateExpression=update,
                ConditionExpression="attribute_exists(PK) AND NOT #s IN (:registered, :rejected)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=_item(values),
            )
        except ClientError as error:
            if _conditional_failure(error):
                return False
            raise
        return True

    # -- versions --------------------------------------------------------------------------

    def get_version(self, api_id: str, version: str) -> ApiVersionRecord | None:
        response = self._client().get_item(
            TableName=self._table,
            Key=_item({"PK": f"API#{api_id}", "SK": f"VERSION#{version}"}),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return _version_from(_plain(item)) if item else None

    def list_versions(self, api_id: str) -> list[ApiVersionRecord]:
        records: list[ApiVersionRecord] = []
        paginator = self._client().get_paginator("query")
        for page in paginator.paginate(
            TableName=self._table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues=_item({":pk": f"API#{api_id}", ":prefix": "VERSION#"}),
        ):
            records.extend(_version_from(_plain(item)) for item in page.get("Items", []))
        return records

    def store_version(self, record: ApiVersionRecord) -> StoreResult:
        version_item = _item(_version_values(record))
        doc_item = _item(
            {
                "PK": f"DOC#{record.api_id}",
                "SK": f"VERSION#{record.version}",
                "apiId": record.api_id,
                "version": record.version,
                "docsKey": record.docs_key,
                "sha256": record.sha256,
                "renderedAt": _ts(record.registered_at),
            }
        )
        try:
            self._client().transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": version_item,
                            "ConditionExpression": "attribute_not_exists(PK)",
                        }
                    },
                    {"Put": {"TableName": self._table, "Item": doc_item}},
                ]
            )
        except ClientError as error:
            if not _conditional_failure(error):
                raise
            existing = self.get_version(record.api_id, record.version)
            if existing is not None and existing.sha256 == record.sha256:
                return StoreResult.ALREADY_STORED
            return StoreResult.CONFLICT
        return StoreResult.CREATED

    # -- catalog ---------------------------------------------------------------------------

    def get_catalog_entry(self, api_id: str) -> CatalogEntry | None:
        response = self._client().get_item(
            TableName=self._table, Key=_item({"PK": f"API#{api_id}", "SK": "META"}), ConsistentRead=True
        )
        item = response.get("Item")
        return _catalog_from(_plain(item)) if item else None

    def add_to_catalog(self, record: ApiVersionRecord) -> CatalogEntry:
        """Optimistic concurrency on `latestVersion`: read, decide with the domain's ordering,
        write on the condition that nobody moved it meanwhile. Adding to a set is idempotent, so
        a redelivered event changes nothing."""
        for _ in range(_CATALOG_RETRIES):
            current = self.get_catalog_entry(record.api_id)
            now = _ts(datetime.now(UTC))
            try:
                if current is None:
                    self._client().put_item(
                        TableName=self._table,
                        Item=_item(
                            {
                                "PK": f"API#{record.api_id}",
                                "SK": "META",
                                "GSI1PK": CATALOG_PARTITION,
                                "GSI1SK": record.api_id,
                                "GSI2PK": f"OWNER#{record.owner}",
                                "GSI2SK": record.api_id,
                                "apiId": record.api_id,
                                "title": record.title,
                                "owner": record.owner,
                                "latestVersion": record.version,
                                "versions": {record.version},
                                "updatedAt": now,
                            }
                        ),
                        ConditionExpression="attribute_not_exists(PK)",
                    )
                else:
                    latest = record.version if is_newer(record.version, current.latest_version) else None
                    update = "ADD versions :v SET updatedAt = :now"
                    values: dict[str, Any] = {
                        ":v": {record.version},
                        ":now": now,
                        ":old": current.latest_version,
                    }
                    if latest is not None and record.version not in current.versions:
                        update += ", latestVersion = :latest, title = :title"
                        values |= {":latest": latest, ":title": record.title}
                    self._client().update_item(
                        TableName=self._table,
                        Key=_item({"PK": f"API#{record.api_id}", "SK": "META"}),
                        UpdateExpression=update,
                        ConditionExpression="latestVersion = :old",
                        ExpressionAttributeValues=_item(values),
                    )
            except ClientError as error:
                if _conditional_failure(error):
                    continue
                raise
            entry = self.get_catalog_entry(record.api_id)
            assert entry is not None
            return entry
        raise RuntimeError(f"catalog entry of {record.api_id} kept changing; giving up for a retry")

    def list_catalog(self, *, limit: int, cursor: str | None, owner: str | None) -> Page:
        if owner is None:
            index, condition, values = GSI_CATALOG, "GSI1PK = :p", {":p": CATALOG_PARTITION}
        else:
            index, condition, values = GSI_OWNER, "GSI2PK = :p", {":p": f"OWNER#{owner}"}
        arguments: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": _item(values),
            "Limit": limit,
        }
        if cursor:
            index_pk, index_sk = INDEXES[index]
            arguments["ExclusiveStartKey"] = _decode_cursor(
                cursor, keys={PARTITION_KEY, SORT_KEY, index_pk, index_sk}, partition=(index_pk, values[":p"])
            )
        response = self._client().query(**arguments)
        entries = [_catalog_from(_plain(item)) for item in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return Page(entries, _encode_cursor(last) if last else None)


def _encode_cursor(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(_plain(key), sort_keys=True).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, *, keys: set[str], partition: tuple[str, str]) -> dict[str, Any]:
    """A cursor is the last key of the previous page; it must be one for this very query."""
    invalid = InvalidParameter(
        "`cursor` is not a cursor this query returned.", [FieldError(detail="invalid", parameter="cursor")]
    )
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        raise invalid from None
    if not isinstance(decoded, dict) or set(decoded) != keys:
        raise invalid
    if not all(isinstance(v, str) and 0 < len(v) <= 1024 for v in decoded.values()):
        raise invalid
    name, value = partition
    if decoded[name] != value:
        raise invalid
    return _item(decoded)


def _finding_values(finding: Finding) -> dict[str, Any]:
    return {
        "pointer": finding.pointer,
        "message": finding.message,
        "rule": finding.rule,
        "severity": finding.severity,
    }


def _submission_values(s: Submission) -> dict[str, Any]:
    return {
        "PK": f"SUBMISSION#{s.submission_id}",
        "SK": "SUBMISSION",
        "submissionId": s.submission_id,
        "apiId": s.api_id,
        "version": s.version,
        "owner": s.owner,
        "sha256": s.sha256,
        "specKey": s.spec_key,
        "format": s.format,
        "sizeBytes": s.size_bytes,
        "status": s.status.value,
        "submittedAt": _ts(s.submitted_at),
        "updatedAt": _ts(s.updated_at),
        "correlationId": s.correlation_id,
        "workflowId": s.workflow_id,
        "reason": s.reason,
        "findings": [_finding_values(f) for f in s.findings],
        "findingsTruncated": s.findings_truncated,
    }


def _submission_from(item: dict[str, Any]) -> Submission:
    return Submission(
        submission_id=item["submissionId"],
        api_id=item["apiId"],
        version=item["version"],
        owner=item["owner"],
        sha256=item["sha256"],
        spec_key=item["specKey"],
        format=item["format"],
        size_bytes=int(item["sizeBytes"]),
        status=SubmissionStatus(item["status"]),
        submitted_at=_dt(item["submittedAt"]),
        updated_at=_dt(item["updatedAt"]),
        correlation_id=item["correlationId"],
        workflow_id=item["workflowId"],
        reason=item.get("reason"),
        findings=tuple(Finding(f["pointer"], f["message"], f["rule"], f["severity"]) for f in item.get("findings", [])),
        findings_truncated=bool(item.get("findingsTruncated", False)),
    )


def _version_values(r: ApiVersionRecord) -> dict[str, Any]:
    return {
        "PK": f"API#{r.api_id}",
        "SK": f"VERSION#{r.version}",
        "apiId": r.api_id,
        "version": r.version,
        "title": r.title,
        "owner": r.owner,
        "sha256": r.sha256,
        "specKey": r.spec_key,
        "normalizedKey": r.normalized_key,
        "docsKey": r.docs_key,
        "openapiVersion": r.openapi_version,
        "operationCount": r.operation_count,
        "submissionId": r.submission_id,
        "registeredAt": _ts(r.registered_at),
        "status": r.status,
    }


def _version_from(item: dict[str, Any]) -> ApiVersionRecord:
    return ApiVersionRecord(
        api_id=item["apiId"],
        version=item["version"],
        title=item["title"],
        owner=item["owner"],
        sha256=item["sha256"],
        spec_key=item["specKey"],
        normalized_key=item["normalizedKey"],
        docs_key=item["docsKey"],
        openapi_version=item["openapiVersion"],
        operation_count=int(item["operationCount"]),
        submission_id=item["submissionId"],
        registered_at=_dt(item["registeredAt"]),
        status=item["status"],
    )


def _catalog_from(item: dict[str, Any]) -> CatalogEntry:
    return CatalogEntry(
        api_id=item["apiId"],
        title=item["title"],
        owner=item["owner"],
        latest_version=item["latestVersion"],
        versions=frozenset(item.get("versions", set())),
        updated_at=_dt(item["updatedAt"]) if "updatedAt" in item else None,
    )
