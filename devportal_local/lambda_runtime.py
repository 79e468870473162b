"""What the local runtime needs of AWS Lambda: load a handler by name, give it a context."""

from __future__ import annotations

import importlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from devportal_local.config import REGION

Handler = Callable[[dict[str, Any], Any], Any]


def load_handler(reference: str) -> Handler:
    """ "package.module:function" -> the function."""
    module_name, _, attribute = reference.partition(":")
    handler: Handler = getattr(importlib.import_module(module_name), attribute or "handler")
    return handler


@dataclass
class LambdaContext:
    function_name: str
    timeout_seconds: int = 30
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:000000000000:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))
