"""Runtime-tunable settings from SSM Parameter Store (moto's, locally): every parameter under one
path, read at most once per `max_age_seconds` (Powertools Parameters caches them), so an operator's
change takes effect within that time and without a deploy."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parameters import SSMProvider

from devportal.adapters.aws import LazyClient


class ParameterStoreTunables:
    def __init__(self, path: str, max_age_seconds: int, client: Any = None) -> None:
        self.path = path.rstrip("/")
        self._max_age = max_age_seconds
        self._client: LazyClient[Any] = LazyClient("ssm", client)
        self._provider: SSMProvider | None = None

    def values(self) -> dict[str, str]:
        if self._provider is None:
            self._provider = SSMProvider(boto3_client=self._client())
        found = self._provider.get_multiple(self.path, max_age=self._max_age)
        return {str(name): str(value) for name, value in found.items()}
