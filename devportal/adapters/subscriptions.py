"""Teams' subscriptions and their deliveries in the portal's table.

TEAM#<team>          / SUB#<subscriptionId>   a subscription
CONFIRM#<sha256>     / CONFIRM               an e-mail confirmation waiting (expires by TTL)
SUB#<subscriptionId> / DELIVERY#<deliveryId> one delivery and its attempts (expires by TTL;
                                              GSI2: DELIVERIES#<subscriptionId> / <createdAt>#<id>;
                                              while it waits for a daily digest, GSI1:
                                              DIGEST#WAITING / <subscriptionId>#<createdAt>#<id>)

The digest's index is sparse: a delivery leaves it when the digest that tells it is kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from devportal.adapters.table import DynamoTable, conditional_failure, item, moment, plain, timestamp
from devportal.notify.subscriptions import Attempt, Delivery, Subscription
from devportal.tables import GSI_CATALOG, TTL_ATTRIBUTE

CONFIRMATION_DAYS = 7
DELIVERY_DAYS = 30
DIGEST_WAITING = "DIGEST#WAITING"
_BATCH_GET = 100  # DynamoDB's BatchGetItem limit
_TRANSACTION = 100  # DynamoDB's TransactWriteItems limit


def _subscription_item(subscription: Subscription) -> dict[str, Any]:
    return {
        "PK": f"TEAM#{subscription.team}",
        "SK": f"SUB#{subscription.subscription_id}",
        "subscriptionId": subscription.subscription_id,
        "team": subscription.team,
        "channel": subscription.channel,
        "target": subscription.target,
        "events": list(subscription.events),
        "apis": list(subscription.apis),
        "digest": list(subscription.digest),
        "status": subscription.status,
        "createdBy": subscription.created_by,
        "createdAt": timestamp(subscription.created_at),
        "updatedAt": timestamp(subscription.updated_at),
        "description": subscription.description,
        "confirmation": subscription.confirmation,
        "secretVersion": subscription.secret_version,
    }


def _subscription(raw: dict[str, Any]) -> Subscription:
    values = plain(raw)
    return Subscription(
        subscription_id=values["subscriptionId"],
        team=values["team"],
        channel=values["channel"],
        target=values["target"],
        events=tuple(values.get("events", ())),
        apis=tuple(values.get("apis", ())),
        digest=tuple(values.get("digest", ())),
        status=values["status"],
        created_by=values["createdBy"],
        created_at=moment(values["createdAt"]),
        updated_at=moment(values["updatedAt"]),
        description=values.get("description", ""),
        confirmation=values.get("confirmation", ""),
        secret_version=int(values.get("secretVersion", 0)),
    )


class DynamoSubscriptionStore(DynamoTable):
    def of_team(self, team: str) -> list[Subscription]:
        found: list[Subscription] = []
        start: dict[str, Any] | None = None
        while True:
            response = self._client().query(
                TableName=self._table,
                KeyConditionExpression="PK = :pk AND begins_with(SK, :sub)",
                ExpressionAttributeValues=item({":pk": f"TEAM#{team}", ":sub": "SUB#"}),
                ConsistentRead=True,
                **({"ExclusiveStartKey": start} if start else {}),  # type: ignore[arg-type]
            )
            found.extend(_subscription(raw) for raw in response.get("Items", []))
            start = response.get("LastEvaluatedKey")
            if not start:
                return found

    def get(self, team: str, subscription_id: str) -> Subscription | None:
        response = self._client().get_item(
            TableName=self._table,
            Key=item({"PK": f"TEAM#{team}", "SK": f"SUB#{subscription_id}"}),
            ConsistentRead=True,
        )
        return _subscription(response["Item"]) if "Item" in response else None

    def create(self, subscription: Subscription, limit: int) -> bool:
        if len(self.of_team(subscription.team)) >= limit:
            return False
        writes: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": item(_subscription_item(subscription)),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
        ]
        if subscription.confirmation:
            expires = subscription.created_at + timedelta(days=CONFIRMATION_DAYS)
            writes.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": item(
                            {
                                "PK": f"CONFIRM#{subscription.confirmation}",
                                "SK": "CONFIRM",
                                "team": subscription.team,
                                "subscriptionId": subscription.subscription_id,
                                "until": timestamp(expires),
                                TTL_ATTRIBUTE: int(expires.timestamp()),
                            }
                        ),
                    }
                }
            )
        self._client().transact_write_items(TransactItems=writes)  # type: ignore[arg-type]
        return True

    def replace(self, subscription: Subscription) -> bool:
        try:
            self._client().put_item(
                TableName=self._table,
                Item=item(_subscription_item(subscription)),
                ConditionExpression="attribute_exists(PK)",
            )
        except ClientError as error:
            if conditional_failure(error):
                return False
            raise
        return True

    def delete(self, team: str, subscription_id: str) -> bool:
        response = self._client().delete_item(
            TableName=self._table,
            Key=item({"PK": f"TEAM#{team}", "SK": f"SUB#{subscription_id}"}),
            ReturnValues="ALL_OLD",
        )
        return "Attributes" in response

    def confirm(self, token_hash: str, now: datetime) -> Subscription | None:
        key = item({"PK": f"CONFIRM#{token_hash}", "SK": "CONFIRM"})
        found = self._client().get_item(TableName=self._table, Key=key, ConsistentRead=True).get("Item")
        if found is None:
            return None
        waiting = plain(found)
        if moment(waiting["until"]) < now:
            self._client().delete_item(TableName=self._table, Key=key)
            return None
        try:
            self._client().transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": item({"PK": f"TEAM#{waiting['team']}", "SK": f"SUB#{waiting['subscriptionId']}"}),
                            "UpdateExpression": "SET #status = :active, confirmation = :none, updatedAt = :now",
                            "ConditionExpression": "attribute_exists(PK) AND #status = :pending",
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": item(
                                {
                                    ":active": "active",
                                    ":pending": "pending-confirmation",
                                    ":none": "",
                                    ":now": timestamp(now),
                                }
                            ),
                        }
                    },
                    {"Delete": {"TableName": self._table, "Key": key}},
                ]
            )
        except ClientError as error:
            if conditional_failure(error):
                return None
            raise
        return self.get(waiting["team"], waiting["subscriptionId"])


def _attempt_item(attempt: Attempt) -> dict[str, Any]:
    return {
        "at": timestamp(attempt.at),
        "outcome": attempt.outcome,
        "status": attempt.status,
        "latencyMs": str(attempt.latency_ms),
        "detail": attempt.detail,
    }


def _delivery(raw: dict[str, Any]) -> Delivery:
    values = plain(raw)
    return Delivery(
        delivery_id=values["deliveryId"],
        subscription_id=values["subscriptionId"],
        team=values["team"],
        kind=values["kind"],
        api_id=values["apiId"],
        event_id=values["eventId"],
        created_at=moment(values["createdAt"]),
        status=values["status"],
        attempts=tuple(
            Attempt(
                at=moment(a["at"]),
                outcome=a["outcome"],
                status=None if a.get("status") is None else int(a["status"]),
                latency_ms=float(a.get("latencyMs", 0)),
                detail=a.get("detail", ""),
            )
            for a in values.get("attempts", ())
        ),
        rounds=int(values.get("rounds", 1)),
        event=values.get("event", ""),
        items=tuple(values.get("items", ())),
        digest_id=values.get("digestId", ""),
    )


class DynamoDeliveryStore(DynamoTable):
    def _key(self, subscription_id: str, delivery_id: str) -> dict[str, Any]:
        return item({"PK": f"SUB#{subscription_id}", "SK": f"DELIVERY#{delivery_id}"})

    def create(self, delivery: Delivery) -> bool:
        expires = delivery.created_at + timedelta(days=DELIVERY_DAYS)
        extra: dict[str, Any] = {}
        if delivery.status == "digested":
            extra["GSI1PK"] = DIGEST_WAITING
            extra["GSI1SK"] = f"{delivery.subscription_id}#{timestamp(delivery.created_at)}#{delivery.delivery_id}"
        if delivery.items:
            extra["items"] = list(delivery.items)
        try:
            self._client().put_item(
                TableName=self._table,
                Item=item(
                    {
                        **extra,
                        "PK": f"SUB#{delivery.subscription_id}",
                        "SK": f"DELIVERY#{delivery.delivery_id}",
                        "GSI2PK": f"DELIVERIES#{delivery.subscription_id}",
                        "GSI2SK": f"{timestamp(delivery.created_at)}#{delivery.delivery_id}",
                        "deliveryId": delivery.delivery_id,
                        "subscriptionId": delivery.subscription_id,
                        "team": delivery.team,
                        "kind": delivery.kind,
                        "apiId": delivery.api_id,
                        "eventId": delivery.event_id,
                        "createdAt": timestamp(delivery.created_at),
                        "status": delivery.status,
                        "attempts": [],
                        "rounds": delivery.rounds,
                        "event": delivery.event,
                        TTL_ATTRIBUTE: int(expires.timestamp()),
                    }
                ),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if conditional_failure(error):
                return False
            raise
        return True

    def get(self, subscription_id: str, delivery_id: str) -> Delivery | None:
        response = self._client().get_item(
            TableName=self._table, Key=self._key(subscription_id, delivery_id), ConsistentRead=True
        )
        return _delivery(response["Item"]) if "Item" in response else None

    def add_attempt(self, subscription_id: str, delivery_id: str, attempt: Attempt) -> None:
        self._client().update_item(
            TableName=self._table,
            Key=self._key(subscription_id, delivery_id),
            UpdateExpression="SET attempts = list_append(if_not_exists(attempts, :none), :attempt)",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues=item({":none": [], ":attempt": [_attempt_item(attempt)]}),
        )

    def finish(self, subscription_id: str, delivery_id: str, status: str, round_number: int) -> bool:
        try:
            self._client().update_item(
                TableName=self._table,
                Key=self._key(subscription_id, delivery_id),
                UpdateExpression="SET #status = :status",
                ConditionExpression="attribute_exists(PK) AND rounds = :round",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=item({":status": status, ":round": round_number}),
            )
        except ClientError as error:
            if conditional_failure(error):
                return False
            raise
        return True

    def next_round(self, subscription_id: str, delivery_id: str, expected_round: int) -> bool:
        try:
            self._client().update_item(
                TableName=self._table,
                Key=self._key(subscription_id, delivery_id),
                UpdateExpression="SET #status = :pending, rounds = :next",
                ConditionExpression="attribute_exists(PK) AND rounds = :round AND #status <> :pending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=item(
                    {":pending": "pending", ":next": expected_round + 1, ":round": expected_round}
                ),
            )
        except ClientError as error:
            if conditional_failure(error):
                return False
            raise
        return True

    def page(self, subscription_id: str, limit: int, cursor: str | None) -> tuple[list[Delivery], str | None]:
        found, next_cursor = self._newest_first(f"DELIVERIES#{subscription_id}", limit=limit, cursor=cursor)
        return [_delivery(raw) for raw in found], next_cursor

    def waiting_subscriptions(self, limit: int) -> list[tuple[str, str]]:
        """(team, subscription) of up to `limit` subscriptions with deliveries waiting for a digest:
        one query per subscription, each starting past the one before (a subscription with many
        waiting is not read through)."""
        found: list[tuple[str, str]] = []
        after = ""
        while len(found) < limit:
            condition, values = "GSI1PK = :pk", {":pk": DIGEST_WAITING}
            if after:
                condition, values = condition + " AND GSI1SK > :after", {**values, ":after": after}
            response = self._client().query(
                TableName=self._table,
                IndexName=GSI_CATALOG,
                KeyConditionExpression=condition,
                ExpressionAttributeValues=item(values),
                Limit=1,
            )
            items = response.get("Items", [])
            if not items:
                return found
            waiting = plain(items[0])
            found.append((waiting["team"], waiting["subscriptionId"]))
            after = f"{waiting['subscriptionId']}#\uffff"
        return found

    def waiting(self, subscription_id: str, until: datetime, limit: int) -> list[Delivery]:
        """The subscription's deliveries kept for a digest before `until`, oldest first."""
        found: list[Delivery] = []
        start: dict[str, Any] | None = None
        while len(found) < limit:
            response = self._client().query(
                TableName=self._table,
                IndexName=GSI_CATALOG,
                KeyConditionExpression="GSI1PK = :pk AND GSI1SK BETWEEN :from AND :until",
                ExpressionAttributeValues=item(
                    {
                        ":pk": DIGEST_WAITING,
                        ":from": f"{subscription_id}#",
                        ":until": f"{subscription_id}#{timestamp(until)}",
                    }
                ),
                Limit=limit - len(found),
                **({"ExclusiveStartKey": start} if start else {}),  # type: ignore[arg-type]
            )
            found.extend(_delivery(raw) for raw in response.get("Items", []))
            start = response.get("LastEvaluatedKey")
            if not start:
                break
        return found

    def include(self, subscription_id: str, delivery_ids: list[str], digest_id: str) -> None:
        """Mark deliveries as told by the digest `digest_id`: they leave the digest's index. A
        hundred per transaction; one by one when a transaction finds one gone (expired or deleted
        meanwhile: nothing to mark)."""
        marking: dict[str, Any] = {
            "UpdateExpression": "SET digestId = :digest REMOVE GSI1PK, GSI1SK",
            "ConditionExpression": "attribute_exists(PK)",
            "ExpressionAttributeValues": item({":digest": digest_id}),
        }
        for start in range(0, len(delivery_ids), _TRANSACTION):
            chunk = delivery_ids[start : start + _TRANSACTION]
            updates = [
                {"Update": {"TableName": self._table, "Key": self._key(subscription_id, d), **marking}} for d in chunk
            ]
            try:
                self._client().transact_write_items(TransactItems=updates)  # type: ignore[arg-type]
                continue
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    raise
            for delivery_id in chunk:
                try:
                    self._client().update_item(
                        TableName=self._table, Key=self._key(subscription_id, delivery_id), **marking
                    )
                except ClientError as error:
                    if not conditional_failure(error):
                        raise

    def many(self, subscription_id: str, delivery_ids: list[str]) -> list[Delivery]:
        """The deliveries named that still exist, in the order named."""
        by_id: dict[str, Delivery] = {}
        for start in range(0, len(delivery_ids), _BATCH_GET):
            keys = [self._key(subscription_id, d) for d in dict.fromkeys(delivery_ids[start : start + _BATCH_GET])]
            request: dict[str, Any] = {self._table: {"Keys": keys, "ConsistentRead": True}}
            while request:
                response = self._client().batch_get_item(RequestItems=request)
                for raw in response.get("Responses", {}).get(self._table, []):
                    delivery = _delivery(raw)
                    by_id[delivery.delivery_id] = delivery
                request = response.get("UnprocessedKeys") or {}
        return [by_id[d] for d in delivery_ids if d in by_id]
