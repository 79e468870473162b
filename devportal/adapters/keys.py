"""API keys in the single table: `KEY#<sha256 of the secret>` / `KEY`; found by id through GSI1
(`APIKEY#<keyId>`) and listed per team through GSI2 (`KEYS#<team>`)."""

from __future__ import annotations

from typing import Any

from devportal.adapters.table import DynamoTable, item, moment, plain, timestamp
from devportal.identity.keys import ApiKey
from devportal.tables import GSI_CATALOG, GSI_OWNER


def _record(key: ApiKey) -> dict[str, Any]:
    return item(
        {
            "PK": f"KEY#{key.secret_hash}",
            "SK": "KEY",
            "GSI1PK": f"APIKEY#{key.key_id}",
            "GSI1SK": "KEY",
            "GSI2PK": f"KEYS#{key.team}",
            "GSI2SK": f"{timestamp(key.created_at)}#{key.key_id}",
            "keyId": key.key_id,
            "secretHash": key.secret_hash,
            "team": key.team,
            "name": key.name,
            "scopes": list(key.scopes),
            "createdAt": timestamp(key.created_at),
            "state": key.state,
            "graceUntil": timestamp(key.grace_until) if key.grace_until else None,
            "replacedBy": key.replaced_by,
        }
    )


def _key(found: dict[str, Any]) -> ApiKey:
    values = plain(found)
    return ApiKey(
        key_id=values["keyId"],
        secret_hash=values["secretHash"],
        team=values["team"],
        name=values["name"],
        scopes=tuple(values["scopes"]),
        created_at=moment(values["createdAt"]),
        state=values["state"],
        grace_until=moment(values["graceUntil"]) if values.get("graceUntil") else None,
        replaced_by=values.get("replacedBy"),
    )


class DynamoKeyStore(DynamoTable):
    def put_key(self, key: ApiKey) -> None:
        self._client().put_item(
            TableName=self._table, Item=_record(key), ConditionExpression="attribute_not_exists(PK)"
        )

    def update_key(self, key: ApiKey) -> None:
        self._client().put_item(TableName=self._table, Item=_record(key), ConditionExpression="attribute_exists(PK)")

    def get_by_hash(self, secret_hash: str) -> ApiKey | None:
        found = (
            self._client()
            .get_item(TableName=self._table, Key=item({"PK": f"KEY#{secret_hash}", "SK": "KEY"}), ConsistentRead=True)
            .get("Item")
        )
        return _key(found) if found else None

    def get_by_id(self, key_id: str) -> ApiKey | None:
        items = self._client().query(
            TableName=self._table,
            IndexName=GSI_CATALOG,
            KeyConditionExpression="GSI1PK = :p",
            ExpressionAttributeValues=item({":p": f"APIKEY#{key_id}"}),
        )["Items"]
        return _key(items[0]) if items else None

    def list_keys(self, team: str) -> list[ApiKey]:
        paginator = self._client().get_paginator("query")
        keys: list[ApiKey] = []
        for page in paginator.paginate(
            TableName=self._table,
            IndexName=GSI_OWNER,
            KeyConditionExpression="GSI2PK = :p",
            ExpressionAttributeValues=item({":p": f"KEYS#{team}"}),
        ):
            keys.extend(_key(found) for found in page["Items"])
        return keys
