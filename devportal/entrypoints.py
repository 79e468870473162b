"""Lambda entry points, the same for every function of a kind.

`api_function(route)`: an API Gateway proxy handler with Powertools logging (request id as the
correlation id) around `devportal.http.http_handler`.
`sqs_consumer(record_handler)`: an SQS handler that reports partial batch failures, as every
consumer must (SQS redelivers only the failed messages; the rest are deleted)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from devportal.http import Route, http_handler

logger = Logger()

ApiHandler = Callable[[Mapping[str, Any], Any], dict[str, Any]]
SqsHandler = Callable[[dict[str, Any], Any], PartialItemFailureResponse]


def api_function(route: Route) -> ApiHandler:
    handler: ApiHandler = logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)(
        http_handler(route)
    )
    return handler


def sqs_consumer(record_handler: Callable[[SQSRecord], None]) -> SqsHandler:
    processor = BatchProcessor(event_type=EventType.SQS)

    @logger.inject_lambda_context
    def handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return handler
