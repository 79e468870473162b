"""Domain metrics as CloudWatch Embedded Metric Format log lines (Powertools Metrics), written the
moment they happen: a Lambda's log becomes the metric in AWS, a local process's log shows it."""

from __future__ import annotations

import json
import sys

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.base import SingleMetric

NAMESPACE = "DevPortal"


def emit(name: str, value: float, unit: MetricUnit, *, service: str, **dimensions: str) -> None:
    metric = SingleMetric(namespace=NAMESPACE)
    metric.add_metric(name=name, unit=unit, value=value)
    for key, dimension in {"service": service, **dimensions}.items():
        metric.add_dimension(name=key, value=dimension)
    # One write of the line and its newline: Powertools' single_metric prints them apart, and a log
    # line from another thread (activities run in threads) could land between the two.
    sys.stdout.write(json.dumps(metric.serialize_metric_set(), separators=(",", ":")) + "\n")
