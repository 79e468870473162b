"""Plumbing every adapter over the portal's single table shares: attribute-value conversion,
timestamps as stored, the conditional-failure test, and the lazily built client.

Adapters keep to their own key prefixes (devportal.tables lists them) and use only what is public
here, never each other's helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from devportal.adapters.aws import LazyClient
from devportal.tables import GSI_OWNER

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def item(values: dict[str, Any]) -> dict[str, Any]:
    """Plain values -> DynamoDB attribute values; None-valued attributes are left out."""
    return {k: _serializer.serialize(v) for k, v in values.items() if v is not None}


def plain(attributes: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB attribute values -> plain values."""
    return {k: _deserializer.deserialize(v) for k, v in attributes.items()}


def timestamp(value: datetime) -> str:
    """How the table stores a moment: ISO 8601 in UTC with milliseconds, so strings sort as times."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def conditional_failure(error: ClientError) -> bool:
    """A conditional write (or a transaction holding one) that did not hold."""
    code = error.response.get("Error", {}).get("Code")
    return code in {"ConditionalCheckFailedException", "TransactionCanceledException"}


class DynamoTable:
    """An adapter over the portal's single table."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None, *, validated: bool = True) -> None:
        self._table = table_name
        self._client: LazyClient[DynamoDBClient] = LazyClient("dynamodb", client, validated=validated)

    def _newest_first(
        self, partition: str, *, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A page of one GSI2 partition, newest first. The cursor is a position in the index (the
        sort key of the last item shown): the page after it holds the items before it. Any string
        is a position (an unknown one gives the items before it in that order, maybe none)."""
        condition, values = "GSI2PK = :pk", {":pk": partition}
        if cursor is not None:
            condition, values = condition + " AND GSI2SK < :before", {**values, ":before": cursor}
        response = self._client().query(
            TableName=self._table,
            IndexName=GSI_OWNER,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=item(values),
            ScanIndexForward=False,
            Limit=limit,
        )
        found = response.get("Items", [])
        last = response.get("LastEvaluatedKey")
        return found, (str(last["GSI2SK"]["S"]) if last and found else None)
