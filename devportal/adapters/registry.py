"""The registry's records in the single table: submissions, versions, their docs records and the
catalog entries (key layout in devportal.tables)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson
from botocore.exceptions import ClientError

from devportal.adapters.table import DynamoTable, conditional_failure, item, moment, plain, timestamp
from devportal.registry.models import (
    ApiVersionRecord,
    CatalogEntry,
    RegistrationStep,
    Submission,
    SubmissionStatus,
    is_newer,
)
from devportal.registry.ports import Page, StoreResult
from devportal.specs.validation import Finding
from devportal.tables import GSI_CATALOG, GSI_OWNER, INDEXES, PARTITION_KEY, SORT_KEY

CATALOG_PARTITION = "CATALOG"
_CATALOG_RETRIES = 8
_HEALTH_PREFIX = "health:"  # one attribute per health rule: {status, hour}


class DynamoRegistry(DynamoTable):
    # -- submissions -----------------------------------------------------------------------

    def create_submission(self, submission: Submission) -> Submission:
        try:
            self._client().put_item(
                TableName=self._table,
                Item=item(_submission_values(submission)),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if not conditional_failure(error):
                raise
            existing = self.get_submission(submission.submission_id)
            if existing is None:  # pragma: no cover - deleted between the two calls
                raise
            return existing
        return submission

    def get_submission(self, submission_id: str) -> Submission | None:
        response = self._client().get_item(
            TableName=self._table,
            Key=item({"PK": f"SUBMISSION#{submission_id}", "SK": "SUBMISSION"}),
            ConsistentRead=True,
        )
        found = response.get("Item")
        return _submission_from(plain(found)) if found else None

    def record_step(self, submission_id: str, step: RegistrationStep) -> None:
        try:
            self._client().update_item(
                TableName=self._table,
                Key=item({"PK": f"SUBMISSION#{submission_id}", "SK": "SUBMISSION"}),
                UpdateExpression="SET #s = :registering, step = :step, updatedAt = :now",
                ConditionExpression="#s IN (:submitted, :registering)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=item(
                    {
                        ":registering": SubmissionStatus.REGISTERING.value,
                        ":submitted": SubmissionStatus.SUBMITTED.value,
                        ":step": step.value,
                        ":now": timestamp(datetime.now(UTC)),
                    }
                ),
            )
        except ClientError as error:
            if not conditional_failure(error):
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
            ":now": timestamp(datetime.now(UTC)),
            ":findings": [_finding_values(f) for f in findings],
            ":truncated": findings_truncated,
            ":registered": SubmissionStatus.REGISTERED.value,
            ":rejected": SubmissionStatus.REJECTED.value,
        }
        update = "SET #s = :status, updatedAt = :now, findings = :findings, findingsTruncated = :truncated"
        if reason is not None:
            values[":reason"] = reason
            update += ", reason = :reason"
        update += " REMOVE step"  # a finished registration is at no step
        return self._update_status_if(
            {"PK": f"SUBMISSION#{submission_id}", "SK": "SUBMISSION"},
            update,
            "attribute_exists(PK) AND NOT #s IN (:registered, :rejected)",
            values,
        )

    # -- versions --------------------------------------------------------------------------

    def get_version(self, api_id: str, version: str) -> ApiVersionRecord | None:
        response = self._client().get_item(
            TableName=self._table,
            Key=item({"PK": f"API#{api_id}", "SK": f"VERSION#{version}"}),
            ConsistentRead=True,
        )
        found = response.get("Item")
        return _version_from(plain(found)) if found else None

    def list_versions(self, api_id: str) -> list[ApiVersionRecord]:
        records: list[ApiVersionRecord] = []
        paginator = self._client().get_paginator("query")
        for page in paginator.paginate(
            TableName=self._table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues=item({":pk": f"API#{api_id}", ":prefix": "VERSION#"}),
        ):
            records.extend(_version_from(plain(found)) for found in page.get("Items", []))
        return records

    def store_version(self, record: ApiVersionRecord) -> StoreResult:
        version_item = item(_version_values(record))
        doc_item = item(
            {
                "PK": f"DOC#{record.api_id}",
                "SK": f"VERSION#{record.version}",
                "apiId": record.api_id,
                "version": record.version,
                "docsKey": record.docs_key,
                "sha256": record.sha256,
                "renderedAt": timestamp(record.registered_at),
            }
        )
        try:
            self._client().transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": version_item,
                            # new, or one whose registration failed after storing it (compensated)
                            "ConditionExpression": "attribute_not_exists(PK) OR #s = :failed",
                            "ExpressionAttributeNames": {"#s": "status"},
                            "ExpressionAttributeValues": item({":failed": "failed"}),
                        }
                    },
                    {"Put": {"TableName": self._table, "Item": doc_item}},
                ]
            )
        except ClientError as error:
            if not conditional_failure(error):
                raise
            existing = self.get_version(record.api_id, record.version)
            if existing is not None and existing.sha256 == record.sha256:
                return StoreResult.ALREADY_STORED
            return StoreResult.CONFLICT
        return StoreResult.CREATED

    def change_status(
        self, api_id: str, version: str, *, expected: str, status: str, sunset: date | None, by: str, at: datetime
    ) -> bool:
        values: dict[str, Any] = {":expected": expected, ":status": status, ":by": by, ":at": timestamp(at)}
        update = "SET #s = :status, statusChangedBy = :by, statusChangedAt = :at"
        if sunset is not None:
            update += ", sunset = :sunset"
            values[":sunset"] = sunset.isoformat()
        else:
            update += " REMOVE sunset"
        return self._update_status_if(
            {"PK": f"API#{api_id}", "SK": f"VERSION#{version}"},
            update,
            "attribute_exists(PK) AND #s = :expected",
            values,
        )

    def _update_status_if(self, key: dict[str, str], update: str, condition: str, values: dict[str, Any]) -> bool:
        """An update of an item's `status` (`#s`) and more, only if `condition` holds; False when not."""
        try:
            self._client().update_item(
                TableName=self._table,
                Key=item(key),
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=item(values),
            )
        except ClientError as error:
            if conditional_failure(error):
                return False
            raise
        return True

    # -- catalog ---------------------------------------------------------------------------

    def get_catalog_entry(self, api_id: str) -> CatalogEntry | None:
        response = self._client().get_item(
            TableName=self._table, Key=item({"PK": f"API#{api_id}", "SK": "META"}), ConsistentRead=True
        )
        found = response.get("Item")
        return _catalog_from(plain(found)) if found else None

    def add_to_catalog(self, record: ApiVersionRecord) -> CatalogEntry:
        """Optimistic concurrency on `latestVersion`: read, decide with the domain's ordering,
        write on the condition that nobody moved it meanwhile. Adding to a set is idempotent, so
        a redelivered event changes nothing."""
        for _ in range(_CATALOG_RETRIES):
            current = self.get_catalog_entry(record.api_id)
            now = timestamp(datetime.now(UTC))
            try:
                if current is None:
                    self._client().put_item(
                        TableName=self._table,
                        Item=item(
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
                        Key=item({"PK": f"API#{record.api_id}", "SK": "META"}),
                        UpdateExpression=update,
                        ConditionExpression="latestVersion = :old",
                        ExpressionAttributeValues=item(values),
                    )
            except ClientError as error:
                if conditional_failure(error):
                    continue
                raise
            entry = self.get_catalog_entry(record.api_id)
            assert entry is not None
            return entry
        raise RuntimeError(f"catalog entry of {record.api_id} kept changing; giving up for a retry")

    def note_health(self, api_id: str, rule: str, status: str, hour: datetime) -> bool:
        try:
            self._client().update_item(
                TableName=self._table,
                Key=item({"PK": f"API#{api_id}", "SK": "META"}),
                UpdateExpression="SET #rule = :decided",
                ConditionExpression="attribute_exists(PK) AND (attribute_not_exists(#rule) OR #rule.#hour <= :hour)",
                ExpressionAttributeNames={"#rule": f"{_HEALTH_PREFIX}{rule}", "#hour": "hour"},
                ExpressionAttributeValues=item(
                    {":decided": {"status": status, "hour": timestamp(hour)}, ":hour": timestamp(hour)}
                ),
            )
            return True
        except ClientError as error:
            if conditional_failure(error):
                return False
            raise

    def note_report(self, api_id: str, day: date, headline: str) -> bool:
        try:
            self._client().update_item(
                TableName=self._table,
                Key=item({"PK": f"API#{api_id}", "SK": "META"}),
                UpdateExpression="SET lastReport = :report",
                ConditionExpression=(
                    "attribute_exists(PK) AND (attribute_not_exists(lastReport) OR lastReport.#day <= :day)"
                ),
                ExpressionAttributeNames={"#day": "day"},
                ExpressionAttributeValues=item(
                    {":report": {"day": day.isoformat(), "headline": headline}, ":day": day.isoformat()}
                ),
            )
            return True
        except ClientError as error:
            if conditional_failure(error):
                return False
            raise

    def note_test_run(self, api_id: str, run: Mapping[str, Any]) -> bool:
        try:
            self._client().update_item(
                TableName=self._table,
                Key=item({"PK": f"API#{api_id}", "SK": "META"}),
                UpdateExpression="SET lastTestRun = :run",
                ConditionExpression=(
                    "attribute_exists(PK) AND (attribute_not_exists(lastTestRun) OR lastTestRun.finishedAt <= :at)"
                ),
                ExpressionAttributeValues=item(
                    {":run": {k: _decimal(v) for k, v in run.items()}, ":at": run["finishedAt"]}
                ),
            )
            return True
        except ClientError as error:
            if conditional_failure(error):
                return False
            raise

    def list_catalog(self, *, limit: int, cursor: str | None, owner: str | None) -> Page:
        """A page of catalog entries in apiId order. The cursor is the apiId the previous page ended
        with: a position in the index (any apiId is one), so every cursor is a valid request."""
        if owner is None:
            index, partition = GSI_CATALOG, CATALOG_PARTITION
        else:
            index, partition = GSI_OWNER, f"OWNER#{owner}"
        index_pk, index_sk = INDEXES[index]
        arguments: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": f"{index_pk} = :p",
            "ExpressionAttributeValues": item({":p": partition}),
            "Limit": limit,
        }
        if cursor:
            arguments["ExclusiveStartKey"] = item(
                {PARTITION_KEY: f"API#{cursor}", SORT_KEY: "META", index_pk: partition, index_sk: cursor}
            )
        response = self._client().query(**arguments)
        entries = [_catalog_from(plain(found)) for found in response.get("Items", [])]
        more = "LastEvaluatedKey" in response and entries
        return Page(entries, entries[-1].api_id if more else None)


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
        "submittedAt": timestamp(s.submitted_at),
        "updatedAt": timestamp(s.updated_at),
        "correlationId": s.correlation_id,
        "workflowId": s.workflow_id,
        **({"draft": True} if s.draft else {}),
        "reason": s.reason,
        "findings": [_finding_values(f) for f in s.findings],
        "findingsTruncated": s.findings_truncated,
    }


def _submission_from(values: dict[str, Any]) -> Submission:
    return Submission(
        submission_id=values["submissionId"],
        api_id=values["apiId"],
        version=values["version"],
        owner=values["owner"],
        sha256=values["sha256"],
        spec_key=values["specKey"],
        format=values["format"],
        size_bytes=int(values["sizeBytes"]),
        status=SubmissionStatus(values["status"]),
        submitted_at=moment(values["submittedAt"]),
        updated_at=moment(values["updatedAt"]),
        correlation_id=values["correlationId"],
        workflow_id=values["workflowId"],
        reason=values.get("reason"),
        findings=tuple(
            Finding(f["pointer"], f["message"], f["rule"], f["severity"]) for f in values.get("findings", [])
        ),
        findings_truncated=bool(values.get("findingsTruncated", False)),
        step=RegistrationStep(values["step"]) if "step" in values else None,
        draft=bool(values.get("draft", False)),
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
        "registeredAt": timestamp(r.registered_at),
        "status": r.status,
        **({"sunset": r.sunset.isoformat()} if r.sunset is not None else {}),
        **({"lint": orjson.dumps(dict(r.lint)).decode(), "lintKey": r.lint_key} if r.lint is not None else {}),
    }


def _version_from(values: dict[str, Any]) -> ApiVersionRecord:
    return ApiVersionRecord(
        api_id=values["apiId"],
        version=values["version"],
        title=values["title"],
        owner=values["owner"],
        sha256=values["sha256"],
        spec_key=values["specKey"],
        normalized_key=values["normalizedKey"],
        docs_key=values["docsKey"],
        openapi_version=values["openapiVersion"],
        operation_count=int(values["operationCount"]),
        submission_id=values["submissionId"],
        registered_at=moment(values["registeredAt"]),
        status=values["status"],
        sunset=date.fromisoformat(values["sunset"]) if "sunset" in values else None,
        status_changed_at=moment(values["statusChangedAt"]) if "statusChangedAt" in values else None,
        status_changed_by=values.get("statusChangedBy"),
        lint=orjson.loads(values["lint"]) if "lint" in values else None,
        lint_key=values.get("lintKey", ""),
    )


def _catalog_from(values: dict[str, Any]) -> CatalogEntry:
    return CatalogEntry(
        api_id=values["apiId"],
        title=values["title"],
        owner=values["owner"],
        latest_version=values["latestVersion"],
        versions=frozenset(values.get("versions", set())),
        updated_at=moment(values["updatedAt"]) if "updatedAt" in values else None,
        health={
            name.removeprefix(_HEALTH_PREFIX): (decided["status"], moment(decided["hour"]))
            for name, decided in values.items()
            if name.startswith(_HEALTH_PREFIX)
        },
        last_report=(date.fromisoformat(report["day"]), report["headline"])
        if (report := values.get("lastReport")) is not None
        else None,
        last_test_run={k: float(v) if isinstance(v, Decimal) else v for k, v in run.items()}
        if (run := values.get("lastTestRun")) is not None
        else None,
    )


def _decimal(value: Any) -> Any:
    return Decimal(repr(value)) if isinstance(value, float) else value
