"""Spec documents for tests: the demo specs, variations of them, and generated large ones."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import orjson
import yaml


def demo_spec_bytes(name: str) -> bytes:
    return resources.files("devportal_local").joinpath("demo_specs", name).read_bytes()


def petstore() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(demo_spec_bytes("petstore.yaml"))
    return loaded


def petstore_json(**info: Any) -> bytes:
    """The petstore as JSON, with `info` fields overridden (a new version, a new title...)."""
    document = petstore()
    document["info"].update(info)
    return json.dumps(document).encode()


def minimal(title: str = "Minimal", version: str = "1.0.0", **extra: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": title, "version": version},
        "paths": {
            "/ping": {"get": {"operationId": "ping", "responses": {"200": {"description": "pong"}}}},
        },
    }
    document.update(copy.deepcopy(extra))
    return document


def large(operations: int, title: str = "Large", version: str = "1.0.0") -> dict[str, Any]:
    """A valid spec with many operations and schemas: seconds of validation, like real big specs."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for index in range(operations):
        name = f"Thing{index}"
        schemas[name] = {
            "type": "object",
            "required": ["id", "name"],
            "properties": {
                "id": {"type": "integer", "format": "int64"},
                "name": {"type": "string", "maxLength": 200},
                "tags": {"type": "array", "items": {"type": "string"}},
                "owner": {"$ref": f"#/components/schemas/Thing{index - index % 10 + (index + 1) % 10}"},
                "status": {"type": "string", "enum": ["new", "used"], "default": "new"},
            },
        }
        paths[f"/things{index}/{{thingId}}"] = {
            "parameters": [{"name": "thingId", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": {
                "operationId": f"getThing{index}",
                "summary": f"Read thing {index}",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                    },
                    "404": {"description": "missing"},
                },
            },
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def many_paths(count: int) -> bytes:
    """A valid document of `count` paths, each with a path parameter: slow to check (60,000: ~2.5 s)."""
    parameter = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    item = {"get": {"parameters": [parameter], "responses": {"200": {"description": "ok"}}}}
    return orjson.dumps(minimal(paths={f"/p{i}/{{id}}": item for i in range(count)}))
