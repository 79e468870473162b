"""Lambda entry points, the same for every function of a kind.

`api_function(route)`: an API Gateway proxy handler with Powertools logging (request id as the
correlation id) around `devportal.http.http_handler`; the route gets the request and the process's
composition root.
`sqs_consumer(record_handler)`: an SQS handler that reports partial batch failures, as every
consumer must (SQS redelivers only the failed messages; the rest are deleted); each record goes to
`record_handler` with the composition root.

The route and record functions take the root as an argument, so a test calls them with a
`Portal(...)` of fakes and no Lambda event at all."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from devportal import wiring
from devportal.http import ApiRequest, ApiResponse, http_handler
from devportal.wiring import Portal

logger = Logger()

ApiHandler = Callable[[Mapping[str, Any], Any], dict[str, Any]]
SqsHandler = Callable[[dict[str, Any], Any], PartialItemFailureResponse]
Route = Callable[[ApiRequest, Portal], ApiResponse]
RecordHandler = Callable[[SQSRecord, Portal], None]


def api_function(route: Route) -> ApiHandler:
    def bound(request: ApiRequest) -> ApiResponse:
        return route(request, wiring.portal())

    bound.__name__ = route.__name__
    handler: ApiHandler = logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)(
        http_handler(bound)
    )
    return handler


def sqs_consumer(record_handler: RecordHandler) -> SqsHandler:
    processor = BatchProcessor(event_type=EventType.SQS)

    @logger.inject_lambda_context
    def handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
        root = wiring.portal()
        return process_partial_response(
            event=event,
            record_handler=lambda record: record_handler(record, root),
            processor=processor,
            context=context,
        )

    return handler
