"""Domain metrics as CloudWatch Embedded Metric Format log lines (Powertools Metrics), written the
moment they happen: a Lambda's log becomes the metric in AWS, a local process's log shows it."""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit, single_metric

NAMESPACE = "DevPortal"


def emit(name: str, value: float, unit: MetricUnit, *, service: str, **dimensions: str) -> None:
    with single_metric(name=name, unit=unit, value=value, namespace=NAMESPACE) as metric:
        for key, dimension in {"service": service, **dimensions}.items():
            metric.add_dimension(name=key, value=dimension)
