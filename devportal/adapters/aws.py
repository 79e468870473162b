"""Shared botocore configuration for every adapter's client.

Endpoints come from the environment (AWS_ENDPOINT_URL points every client at moto locally), so
adapters never special-case the local runtime."""

from __future__ import annotations

from botocore.config import Config


def client_config() -> Config:
    return Config(
        retries={"mode": "standard", "max_attempts": 4},
        connect_timeout=3,
        read_timeout=30,
        tcp_keepalive=True,
    )
