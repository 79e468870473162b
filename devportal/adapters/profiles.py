"""User profile records in the single table: `USER#<sub>` / `PROFILE`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from devportal.adapters.dynamodb import TTL_ATTRIBUTE, DynamoTable, _conditional_failure, _dt, _item, _plain, _ts
from devportal.identity.users import UserProfile, permissions_of


def _key(user_id: str) -> dict[str, Any]:
    return _item({"PK": f"USER#{user_id}", "SK": "PROFILE"})


class DynamoProfiles(DynamoTable):
    def put_profile(self, profile: UserProfile) -> bool:
        """Write once: False when the user already has a profile (a repeated invite)."""
        try:
            self._client().put_item(
                TableName=self._table,
                Item=_item(
                    {
                        "PK": f"USER#{profile.user_id}",
                        "SK": "PROFILE",
                        "userId": profile.user_id,
                        "email": profile.email,
                        "name": profile.name,
                        "role": profile.role,
                        "team": profile.team,
                        "permissions": list(profile.permissions or permissions_of(profile.role)),
                        "createdAt": _ts(profile.created_at),
                    }
                ),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if _conditional_failure(error):
                return False
            raise
        return True

    def record_sign_in(self, user_id: str, at: datetime) -> bool:
        """lastLogin moves forward only: a redelivered or late event changes nothing (False)."""
        try:
            self._client().update_item(
                TableName=self._table,
                Key=_key(user_id),
                UpdateExpression="SET lastLogin = :at",
                ConditionExpression="attribute_exists(PK) AND (attribute_not_exists(lastLogin) OR lastLogin < :at)",
                ExpressionAttributeValues=_item({":at": _ts(at)}),
            )
        except ClientError as error:
            if _conditional_failure(error):
                return False
            raise
        return True

    def get_profile(self, user_id: str) -> UserProfile | None:
        item = self._client().get_item(TableName=self._table, Key=_key(user_id)).get("Item")
        if not item:
            return None
        plain = _plain(item)
        return UserProfile(
            user_id=plain["userId"],
            email=plain["email"],
            name=plain["name"],
            role=plain["role"],
            team=plain["team"],
            created_at=_dt(plain["createdAt"]),
            last_login=_dt(plain["lastLogin"]) if plain.get("lastLogin") else None,
            permissions=tuple(plain.get("permissions", ())),
        )


class DynamoAttemptLog(DynamoTable):
    """Failed sign-ins per account and window: `LOGINFAIL#<sha256 of the address>` / `W#<window>`,
    an atomic counter that expires with its window (DynamoDB TTL on `expiresAt`)."""

    @staticmethod
    def _key(account: str, window: int) -> dict[str, Any]:
        return _item({"PK": f"LOGINFAIL#{account}", "SK": f"W#{window}"})

    def failures(self, account: str, window: int) -> int:
        item = self._client().get_item(TableName=self._table, Key=self._key(account, window)).get("Item")
        return int(_plain(item)["failures"]) if item else 0

    def add_failure(self, account: str, window: int, expires_at: float) -> int:
        response = self._client().update_item(
            TableName=self._table,
            Key=self._key(account, window),
            UpdateExpression=f"ADD failures :one SET {TTL_ATTRIBUTE} = :expires",
            ExpressionAttributeValues=_item({":one": 1, ":expires": int(expires_at)}),
            ReturnValues="UPDATED_NEW",
        )
        return int(_plain(response["Attributes"])["failures"])

    def clear(self, account: str, window: int) -> None:
        self._client().delete_item(TableName=self._table, Key=self._key(account, window))
