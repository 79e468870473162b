"""The portal's contracts: the gateway's OpenAPI document and the events' JSON Schemas.

`gateway_routes()` is the one route table: the local gateway dispatches from it, the CDK API stack
builds its resources and methods from it. Which function serves an operation is the function's own
declaration (functions/<folder>/function.py names the operationId)."""

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
# Browsers call the gateway from the portal's web front end: what a CORS preflight allows, in both
# worlds (API Gateway's preflight in AWS, the local gateway's own).
CORS_ALLOW_HEADERS = ("Authorization", "Content-Type", "X-Correlation-Id", "X-Requested-With")
CORS_EXPOSE_HEADERS = ("Location", "X-Correlation-Id", "X-Request-Id")


@dataclass(frozen=True)
class RouteParameter:
    location: str  # path, query, header
    name: str
    required: bool


@dataclass(frozen=True)
class GatewayRoute:
    method: str  # upper case
    path: str  # template, e.g. /apis/{apiId}
    operation_id: str
    parameters: tuple[RouteParameter, ...] = ()
    security_schemes: tuple[str, ...] = ()  # empty: anonymous access
    object_bodies: tuple[str, ...] = ()  # JSON media types whose body must be an object (API Gateway checks)

    def matcher(self) -> re.Pattern[str]:
        pattern = re.sub(r"\\\{([A-Za-z0-9_]+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        return re.compile(f"^{pattern}$")


@cache
def gateway_contract() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(GATEWAY_CONTRACT.read_text(encoding="utf-8"))
    return loaded


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    reference = node.get("$ref")
    if reference is None:
        return node
    target: Any = gateway_contract()
    for token in reference.removeprefix("#/").split("/"):
        target = target[token]
    return _resolve(target)


def _parameters(*levels: list[dict[str, Any]]) -> tuple[RouteParameter, ...]:
    merged: dict[tuple[str, str], RouteParameter] = {}
    for level in levels:  # operation-level parameters override path-level ones
        for raw in level:
            parameter = _resolve(raw)
            merged[parameter["in"], parameter["name"]] = RouteParameter(
                parameter["in"], parameter["name"], bool(parameter.get("required", False))
            )
    return tuple(merged.values())


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def gateway_routes() -> tuple[GatewayRoute, ...]:
    contract = gateway_contract()
    default_security = contract.get("security", [])
    routes = []
    for path, item in contract["paths"].items():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            security = operation.get("security", default_security)
            routes.append(
                GatewayRoute(
                    method.upper(),
                    path,
                    operation["operationId"],
                    parameters=_parameters(item.get("parameters", []), operation.get("parameters", [])),
                    security_schemes=tuple(sorted({name for requirement in security for name in requirement})),
                    object_bodies=tuple(
                        media_type
                        for media_type, content in _resolve(operation.get("requestBody", {})).get("content", {}).items()
                        if _is_json(media_type) and _resolve(content.get("schema", {})).get("type") == "object"
                    ),
                )
            )
    return tuple(routes)
