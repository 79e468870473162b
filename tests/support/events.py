"""Events as consumers receive them, for tests."""

from __future__ import annotations

import json
import uuid
from typing import Any

from events.envelope import Envelope


def eventbridge_body(event: Envelope[Any]) -> str:
    """The EventBridge event JSON an SQS queue (or SNS with raw delivery) hands a consumer."""
    return json.dumps(
        {
            "id": str(uuid.uuid4()),
            "source": event.source,
            "detail-type": event.detail_type,
            "time": event.metadata.occurred_at.isoformat(),
            "detail": event.to_wire(),
        }
    )
