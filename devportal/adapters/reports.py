"""Daily analytics reports in the single table (key layout in devportal.tables):

  REPORT#<apiId> / DAY#<yyyy-mm-dd>   the API's report of that day: its summary as attributes (what
                                      a list of reports reads), the whole report compressed

Reports outlive the hourly usage they were made from (90 days by default): they are kept
REPORT_DAYS, then expire by TTL.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import orjson

from devportal.adapters.table import DynamoTable, item
from devportal.analytics.daily import summary_of
from devportal.analytics.ports import ReportPage
from devportal.tables import TTL_ATTRIBUTE

REPORT_DAYS = 400
_SUMMARY = ("day", "generatedAt", "headline", "calls", "errorRate", "p99Ms", "alerts")


class DynamoReportStore(DynamoTable):
    def put(self, report: Mapping[str, Any]) -> None:
        summary = summary_of(report)
        self._client().put_item(
            TableName=self._table,
            Item=item(
                {
                    "PK": f"REPORT#{report['apiId']}",
                    "SK": f"DAY#{report['day']}",
                    **{name: _number(value) for name, value in summary.items()},
                    "report": zlib.compress(orjson.dumps(report)),
                    TTL_ATTRIBUTE: int(time.time()) + REPORT_DAYS * 86400,
                }
            ),
        )

    def get(self, api_id: str, day: date) -> dict[str, Any] | None:
        found = self._client().get_item(
            TableName=self._table,
            Key=item({"PK": f"REPORT#{api_id}", "SK": f"DAY#{day.isoformat()}"}),
            ProjectionExpression="report",
        )
        if "Item" not in found:
            return None
        report: dict[str, Any] = orjson.loads(zlib.decompress(found["Item"]["report"]["B"]))
        return report

    def page(self, api_id: str, *, limit: int, before: date | None = None) -> ReportPage:
        values = {":pk": f"REPORT#{api_id}"}
        condition = "PK = :pk"
        if before is not None:  # the partition holds nothing but days
            values[":before"] = f"DAY#{before.isoformat()}"
            condition += " AND SK < :before"
        response = self._client().query(
            TableName=self._table,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=item(values),
            ExpressionAttributeNames={f"#{name}": name for name in _SUMMARY},
            ProjectionExpression=", ".join(f"#{name}" for name in _SUMMARY),
            ScanIndexForward=False,
            Limit=limit,
        )
        reports = [_summary(raw) for raw in response.get("Items", [])]
        more = "LastEvaluatedKey" in response and reports
        return ReportPage(reports, date.fromisoformat(reports[-1]["day"]) if more else None)


def _number(value: Any) -> Any:
    """Floats go to DynamoDB as their decimal text (boto3 refuses float)."""
    return Decimal(repr(value)) if isinstance(value, float) else value


def _summary(raw: dict[str, Any]) -> dict[str, Any]:
    def number(name: str) -> float | None:
        value = raw.get(name, {}).get("N")
        return None if value is None else float(value)

    return {
        "day": raw["day"]["S"],
        "generatedAt": raw["generatedAt"]["S"],
        "headline": raw["headline"]["S"],
        "calls": int(raw["calls"]["N"]),
        "errorRate": number("errorRate"),
        "p99Ms": number("p99Ms"),
        "alerts": int(raw["alerts"]["N"]),
    }
