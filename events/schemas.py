"""JSON Schemas of the events, generated from the models and committed under contracts/events/.

`python -m events.schemas --write` regenerates them; a test fails when a committed schema and its
model disagree. The publisher checks every outgoing event against the committed schema.
"""

from __future__ import annotations

import argparse
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

from events.catalog import EVENTS, EventDefinition
from events.envelope import Envelope

CONTRACTS_DIR = Path(__file__).resolve().parent.parent / "contracts" / "events"


def schema_path(detail_type: str, version: int) -> Path:
    return CONTRACTS_DIR / f"{detail_type}.v{version}.schema.json"


def generate(definition: EventDefinition) -> dict[str, Any]:
    envelope = Envelope[definition.model]  # type: ignore[name-defined]
    schema = envelope.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:devportal:events:{definition.detail_type}:v{definition.version}",
        "title": definition.detail_type,
        "description": definition.description,
        "x-source": definition.source,
        "x-detail-type": definition.detail_type,
        "x-producer": definition.producer,
        **{k: v for k, v in schema.items() if k not in {"title", "description"}},
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def load_committed(detail_type: str, version: int) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_path(detail_type, version).read_text(encoding="utf-8"))
    return loaded


@cache
def validator(detail_type: str, version: int) -> Any:
    return jsonschema_rs.validator_for(load_committed(detail_type, version), validate_formats=True)


DRAFT4 = "http://json-schema.org/draft-04/schema#"


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (value.replace("#/$defs/", "#/definitions/") if key == "$ref" else _rewrite_refs(value))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def registry_schema(definition: EventDefinition) -> dict[str, Any]:
    """The committed schema as EventBridge's schema registry stores it: a JSON Schema draft 4
    document of the whole EventBridge event, whose `detail` is our envelope."""
    committed = load_committed(definition.detail_type, definition.version)
    detail = {k: v for k, v in committed.items() if not k.startswith("$") and not k.startswith("x-")}
    wrapped: dict[str, Any] = _rewrite_refs(
        {
            "$schema": DRAFT4,
            "title": f"{definition.detail_type}.v{definition.version}",
            "description": definition.description,
            "type": "object",
            "required": ["source", "detail-type", "detail"],
            "properties": {
                "source": {"type": "string", "enum": [definition.source]},
                "detail-type": {"type": "string", "enum": [definition.detail_type]},
                "detail": {k: v for k, v in detail.items() if k not in {"title", "description"}},
            },
            "definitions": committed.get("$defs", {}),
        }
    )
    return wrapped


def main() -> None:
    parser = argparse.ArgumentParser(description="Write or check the event JSON Schemas in contracts/events/.")
    parser.add_argument("--write", action="store_true", help="rewrite the committed schemas from the models")
    args = parser.parse_args()
    stale = []
    for definition in EVENTS:
        path = schema_path(definition.detail_type, definition.version)
        text = render(generate(definition))
        if args.write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")  # noqa: T201
        elif not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(path.name)
    if stale:
        raise SystemExit(f"out of date: {', '.join(stale)} (run python -m events.schemas --write)")


if __name__ == "__main__":
    main()
