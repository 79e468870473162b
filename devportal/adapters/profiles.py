"""User profile records in the single table: `USER#<sub>` / `PROFILE`, listed by address through
GSI1 (`USERS` / email) and per team through GSI2 (`TEAM#<team>` / email)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from devportal.adapters.table import DynamoTable, conditional_failure, item, moment, plain, timestamp
from devportal.identity.users import ProfilePage, UserProfile, permissions_of
from devportal.tables import GSI_CATALOG, GSI_OWNER, INDEXES, TTL_ATTRIBUTE


def _key(user_id: str) -> dict[str, Any]:
    return item({"PK": f"USER#{user_id}", "SK": "PROFILE"})


class DynamoProfiles(DynamoTable):
    def put_profile(self, profile: UserProfile) -> bool:
        """Write once: False when the user already has a profile (a repeated invite)."""
        try:
            self._client().put_item(
                TableName=self._table,
                Item=item(
                    {
                        "PK": f"USER#{profile.user_id}",
                        "SK": "PROFILE",
                        "GSI1PK": "USERS",
                        "GSI1SK": profile.email,
                        "GSI2PK": f"TEAM#{profile.team}",
                        "GSI2SK": profile.email,
                        "userId": profile.user_id,
                        "email": profile.email,
                        "name": profile.name,
                        "role": profile.role,
                        "team": profile.team,
                        "permissions": list(profile.permissions or permissions_of(profile.role)),
                        "createdAt": timestamp(profile.created_at),
                    }
                ),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if conditional_failure(error):
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
                ExpressionAttributeValues=item({":at": timestamp(at)}),
            )
        except ClientError as error:
            if conditional_failure(error):
                return False
            raise
        return True

    def get_profile(self, user_id: str) -> UserProfile | None:
        found = self._client().get_item(TableName=self._table, Key=_key(user_id)).get("Item")
        return _profile(found) if found else None

    def list_profiles(self, *, team: str | None, limit: int, after: str | None) -> ProfilePage:
        index, partition = (GSI_CATALOG, "USERS") if team is None else (GSI_OWNER, f"TEAM#{team}")
        index_pk, index_sk = INDEXES[index]
        condition, values = f"{index_pk} = :p", {":p": partition}
        if after is not None:  # "after this address" is a key condition: any address is a position
            condition, values = condition + f" AND {index_sk} > :after", {**values, ":after": after}
        response = self._client().query(
            TableName=self._table,
            IndexName=index,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=item(values),
            Limit=limit,
        )
        profiles = [_profile(found) for found in response.get("Items", [])]
        more = "LastEvaluatedKey" in response and profiles
        return ProfilePage(profiles, profiles[-1].email if more else None)


def _profile(found: dict[str, Any]) -> UserProfile:
    values = plain(found)
    return UserProfile(
        user_id=values["userId"],
        email=values["email"],
        name=values["name"],
        role=values["role"],
        team=values["team"],
        created_at=moment(values["createdAt"]),
        last_login=moment(values["lastLogin"]) if values.get("lastLogin") else None,
        permissions=tuple(values.get("permissions", ())),
    )


class DynamoAttemptLog(DynamoTable):
    """Failed sign-ins: `LOGINFAIL#<sha256 of the address>` / `W#<window>#<scope>`, an atomic
    counter that expires with its window (DynamoDB TTL on `expiresAt`)."""

    @staticmethod
    def _key(account: str, window: int, scope: str) -> dict[str, Any]:
        return item({"PK": f"LOGINFAIL#{account}", "SK": f"W#{window}#{scope}"})

    def failures(self, account: str, window: int, scope: str) -> int:
        found = self._client().get_item(TableName=self._table, Key=self._key(account, window, scope)).get("Item")
        return int(plain(found)["failures"]) if found else 0

    def add_failure(self, account: str, window: int, scope: str, expires_at: float) -> int:
        response = self._client().update_item(
            TableName=self._table,
            Key=self._key(account, window, scope),
            UpdateExpression=f"ADD failures :one SET {TTL_ATTRIBUTE} = :expires",
            ExpressionAttributeValues=item({":one": 1, ":expires": int(expires_at)}),
            ReturnValues="UPDATED_NEW",
        )
        return int(plain(response["Attributes"])["failures"])

    def clear(self, account: str, window: int, scope: str) -> None:
        self._client().delete_item(TableName=self._table, Key=self._key(account, window, scope))


class DynamoKnownDevices(DynamoTable):
    """Device tokens by hash: `DEVICE#<sha256 of the token>` / `DEVICE`, naming the account's hash;
    they expire (TTL on `expiresAt`), and an expired one reads as unknown before DynamoDB removes it."""

    @staticmethod
    def _key(token_hash: str) -> dict[str, Any]:
        return item({"PK": f"DEVICE#{token_hash}", "SK": "DEVICE"})

    def remember(self, token_hash: str, account: str, expires_at: datetime) -> None:
        self._client().put_item(
            TableName=self._table,
            Item=item(
                {
                    "PK": f"DEVICE#{token_hash}",
                    "SK": "DEVICE",
                    "account": account,
                    TTL_ATTRIBUTE: int(expires_at.timestamp()),
                }
            ),
        )

    def account_of(self, token_hash: str, now: datetime) -> str | None:
        found = self._client().get_item(TableName=self._table, Key=self._key(token_hash)).get("Item")
        if not found:
            return None
        values = plain(found)
        return str(values["account"]) if int(values[TTL_ATTRIBUTE]) > now.timestamp() else None
