"""Search documents in the single table (key layout in devportal.tables).

One item per API (`SEARCH#<apiId>` / `DOC`), its operations zlib-compressed so that even large APIs
fit an item; a counter item (`SEARCH#REVISION` / `COUNTER`) that every write moves on, and each
document carries the revision it was written at as its GSI1 sort key, so a reader asks for what
changed since the revision it holds."""

from __future__ import annotations

import json
import zlib
from typing import Any

from botocore.exceptions import ClientError

from devportal.adapters.table import DynamoTable, conditional_failure, item, moment, plain, timestamp
from devportal.search.documents import OperationDoc, SearchDocument
from devportal.search.ports import Changes
from devportal.tables import GSI_CATALOG, INDEXES

SEARCH_PARTITION = "SEARCHDOCS"
_REVISION_KEY = {"PK": "SEARCH#REVISION", "SK": "COUNTER"}
_REVISION_DIGITS = 15


class DynamoSearchDocuments(DynamoTable):
    def get(self, api_id: str) -> SearchDocument | None:
        found = (
            self._client()
            .get_item(TableName=self._table, Key=item({"PK": f"SEARCH#{api_id}", "SK": "DOC"}), ConsistentRead=True)
            .get("Item")
        )
        return _document_from(plain(found)) if found else None

    def revision(self) -> int:
        found = self._client().get_item(TableName=self._table, Key=item(_REVISION_KEY), ConsistentRead=True).get("Item")
        return int(plain(found)["revision"]) if found else 0

    def put(self, document: SearchDocument, *, replacing: SearchDocument | None) -> bool:
        """The document and the revision it is written at commit together (one transaction that
        holds only if the counter is still where it was read): a reader that has read revision N
        never misses a document written at N or before."""
        revision = self.revision() + 1
        put_document: dict[str, Any] = {"TableName": self._table, "Item": item(_document_values(document, revision))}
        if replacing is None:
            put_document["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put_document["ConditionExpression"] = "version = :v"
            put_document["ExpressionAttributeValues"] = item({":v": replacing.version})
        try:
            self._client().transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": item({**_REVISION_KEY, "revision": revision}),
                            "ConditionExpression": "attribute_not_exists(PK) OR revision = :r",
                            "ExpressionAttributeValues": item({":r": revision - 1}),
                        }
                    },
                    {"Put": put_document},  # type: ignore[typeddict-item]
                ]
            )
        except ClientError as error:
            if not conditional_failure(error):
                raise
            return False
        return True

    def changed_since(self, revision: int) -> Changes:
        index_pk, index_sk = INDEXES[GSI_CATALOG]
        arguments: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": GSI_CATALOG,
            "KeyConditionExpression": f"{index_pk} = :p AND {index_sk} > :r",
            "ExpressionAttributeValues": item({":p": SEARCH_PARTITION, ":r": _sort_key(revision)}),
        }
        documents: list[SearchDocument] = []
        up_to = revision
        while True:
            response = self._client().query(**arguments)
            for found in response.get("Items", []):
                values = plain(found)
                documents.append(_document_from(values))
                up_to = max(up_to, int(values["revision"]))
            if "LastEvaluatedKey" not in response:
                return Changes(documents, up_to)
            arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _sort_key(revision: int) -> str:
    return str(revision).zfill(_REVISION_DIGITS)


def _document_values(document: SearchDocument, revision: int) -> dict[str, Any]:
    operations = [[o.method, o.path, o.summary, o.operation_id] for o in document.operations]
    return {
        "PK": f"SEARCH#{document.api_id}",
        "SK": "DOC",
        "GSI1PK": SEARCH_PARTITION,
        "GSI1SK": _sort_key(revision),
        "revision": revision,
        "apiId": document.api_id,
        "version": document.version,
        "title": document.title,
        "owner": document.owner,
        "status": document.status,
        "description": document.description,
        "tags": list(document.tags),
        "operationCount": document.operation_count,
        "operationsTruncated": document.operations_truncated,
        "operations": zlib.compress(json.dumps(operations, separators=(",", ":")).encode(), 6),
        "updatedAt": timestamp(document.updated_at),
        "sha256": document.sha256,
    }


def _document_from(values: dict[str, Any]) -> SearchDocument:
    raw = values["operations"]
    operations = json.loads(zlib.decompress(bytes(raw.value if hasattr(raw, "value") else raw)))
    return SearchDocument(
        api_id=values["apiId"],
        version=values["version"],
        title=values["title"],
        owner=values["owner"],
        status=values["status"],
        description=values.get("description", ""),
        tags=tuple(values.get("tags", ())),
        operations=tuple(OperationDoc(*entry) for entry in operations),
        operation_count=int(values["operationCount"]),
        updated_at=moment(values["updatedAt"]),
        sha256=values.get("sha256", ""),
        operations_truncated=bool(values.get("operationsTruncated", False)),
    )
