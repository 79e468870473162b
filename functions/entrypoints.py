"""Lambda entry points, the same for every function of a kind.

`api_function(route)`: an API Gateway proxy handler around `devportal.http.http_handler`; the route
gets the request and the process's composition root.
`sqs_consumer(record_handler)`: an SQS handler that reports partial batch failures, as every
consumer must (SQS redelivers only the failed messages; the rest are deleted); each record goes to
`record_handler` with the composition root.

Both trace (Powertools Tracer: the invocation, each record, and every boto3 call as X-Ray
subsegments; switched off outside Lambda) and log with the correlation id of what they handle -
the caller's X-Correlation-Id or the request id for a route, the event envelope's for a record - so
one submission can be followed through every function, workflow and activity it reaches. The
correlation id is kept per thread and task (the local gateway serves requests concurrently in one
process), never in the logger's shared keys.

The route and record functions take the root as an argument, so a test calls them with a
`Portal(...)` of fakes and no Lambda event at all."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from devportal import wiring
from devportal.http import CORRELATION_ID, ApiRequest, ApiResponse, http_handler
from devportal.wiring import Portal

logger = Logger()
tracer = Tracer()

ApiHandler = Callable[[Mapping[str, Any], Any], dict[str, Any]]
SqsHandler = Callable[[dict[str, Any], Any], PartialItemFailureResponse]
Route = Callable[[ApiRequest, Portal], ApiResponse]
RecordHandler = Callable[[SQSRecord, Portal], None]


@contextlib.contextmanager
def correlated(correlation_id: str) -> Iterator[None]:
    """Every log line and the trace segment inside carry `correlation_id`."""
    logger.thread_safe_append_keys(correlation_id=correlation_id)
    tracer.put_annotation(key="correlation_id", value=correlation_id)
    try:
        yield
    finally:
        logger.thread_safe_remove_keys(["correlation_id"])


def api_function(route: Route) -> ApiHandler:
    def bound(request: ApiRequest) -> ApiResponse:
        tracer.put_annotation(key="operation", value=route.__name__)
        return route(request, wiring.portal())

    bound.__name__ = route.__name__
    inner = http_handler(bound)

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler(capture_response=False)
    def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        with correlated(request_correlation(event)):
            return inner(event, context)

    handler.__name__ = route.__name__
    decorated: ApiHandler = handler
    return decorated


def request_correlation(event: Mapping[str, Any]) -> str:
    """The caller's X-Correlation-Id when it is a valid one, else API Gateway's request id."""
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    supplied = headers.get("x-correlation-id", "")
    if CORRELATION_ID.fullmatch(supplied):
        return supplied
    return str((event.get("requestContext") or {}).get("requestId") or "unknown")


def envelope_correlation(record: SQSRecord) -> str:
    """The correlation id an event carries (its envelope's metadata), or the message's id."""
    try:
        correlation = json.loads(record.body)["detail"]["metadata"]["correlationId"]
    except (ValueError, KeyError, TypeError):
        return record.message_id
    return str(correlation)


def sqs_consumer(record_handler: RecordHandler) -> SqsHandler:
    processor = BatchProcessor(event_type=EventType.SQS)

    def each(record: SQSRecord, root: Portal) -> None:
        with tracer.provider.in_subsegment("## record") as subsegment, correlated(envelope_correlation(record)):
            subsegment.put_annotation(key="message_id", value=record.message_id)
            record_handler(record, root)

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler(capture_response=False)
    def handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
        root = wiring.portal()
        return process_partial_response(
            event=event,
            record_handler=lambda record: each(record, root),
            processor=processor,
            context=context,
        )

    decorated: SqsHandler = handler
    return decorated


TaskStep = Callable[[dict[str, Any], Portal], dict[str, Any]]


def task_function(step: TaskStep) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """A Step Functions Task state's Lambda: the state's input in, the step's result out. An
    exception becomes the task's error, named by its class (`RetryableDelivery`), which the state
    machine's Retry and Catch match."""

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler(capture_response=False)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        with correlated(str(event.get("deliveryId") or getattr(context, "aws_request_id", "unknown"))):
            return step(event, wiring.portal())

    handler.__name__ = step.__name__
    decorated: Callable[[dict[str, Any], Any], dict[str, Any]] = handler
    return decorated
