"""Docs ratings in the single table: `RATING#<apiId>#<version>` / `READER#<sub>`, one item per
reader and version, rewritten when the reader votes again."""

from __future__ import annotations

from typing import Any

from devportal.adapters.table import DynamoTable, item, moment, timestamp
from devportal.analytics.ratings import Rating


class DynamoRatingStore(DynamoTable):
    def put(self, rating: Rating) -> None:
        self._client().put_item(
            TableName=self._table,
            Item=item(
                {
                    "PK": f"RATING#{rating.api_id}#{rating.version}",
                    "SK": f"READER#{rating.reader}",
                    "helpful": rating.helpful,
                    "comment": rating.comment,
                    "at": timestamp(rating.at),
                }
            ),
        )

    def of_version(self, api_id: str, version: str) -> list[Rating]:
        arguments: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": item({":pk": f"RATING#{api_id}#{version}"}),
        }
        found: list[Rating] = []
        while True:
            response = self._client().query(**arguments)
            for raw in response.get("Items", []):
                found.append(
                    Rating(
                        api_id,
                        version,
                        raw["SK"]["S"].removeprefix("READER#"),
                        raw["helpful"]["BOOL"],
                        raw.get("comment", {}).get("S"),
                        moment(raw["at"]["S"]),
                    )
                )
            if "LastEvaluatedKey" not in response:
                return found
            arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]
