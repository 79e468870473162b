"""The contract-test worker as an AWS Lambda function (a Temporal serverless worker); the worker
itself, the same one `devportal worker` runs locally, is temporal_bridge.lambda_worker."""

from temporal_bridge.lambda_worker import testing_handler as handler

__all__ = ["handler"]
