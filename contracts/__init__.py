"""The portal's contracts: the gateway's OpenAPI document and the events' JSON Schemas.

`gateway_routes()` is the one route table: the local gateway dispatches from it, the CDK API stack
builds its resources and integrations from it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CONTRACTS_DIR = Path(__file__).resolve().parent
GATEWAY_CONTRACT = CONTRACTS_DIR / "gateway.openapi.yaml"
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@dataclass(frozen=True)
class GatewayRoute:
    method: str  # upper case
    path: str  # template, e.g. /apis/{apiId}
    operation_id: str
    function: str  # folder under functions/

    @property
    def handler(self) -> str:
        return f"functions.{self.function}.handler:handler"

    def matcher(self) -> re.Pattern[str]:
        pattern = re.sub(r"\\\{([A-Za-z0-9_]+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        return re.compile(f"^{pattern}$")


@cache
def gateway_contract() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(GATEWAY_CONTRACT.read_text(encoding="utf-8"))
    return loaded


def gateway_routes() -> tuple[GatewayRoute, ...]:
    routes = []
    for path, item in gateway_contract()["paths"].items():
        for method in _METHODS:
            operation = item.get(method)
            if operation is not None:
                routes.append(
                    GatewayRoute(method.upper(), path, operation["operationId"], operation["x-devportal-function"])
                )
    return tuple(routes)
