"""Events of the notification domain (source `devportal.notify`).

No event carries a webhook URL's secret or an e-mail's text: a failure names the delivery, whose
attempts the portal keeps."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from events.envelope import DomainEvent

_API_ID = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
_TEAM = _API_ID
DELIVERY_ID = r"^msg_[0-9a-f]{26}$"
SUBSCRIPTION_ID = r"^sub-[0-9a-f]{24}$"


class NotificationFailed(DomainEvent):
    """A delivery to a team's subscription failed for good: every retry was used, or the receiver
    refused it (a 4xx other than 429). Its event waits in the failed-deliveries queue for a
    redrive, and can be delivered again through the gateway."""

    DETAIL_TYPE: ClassVar[str] = "NotificationFailed"
    SOURCE: ClassVar[str] = "devportal.notify"

    delivery_id: str = Field(pattern=DELIVERY_ID)
    subscription_id: str = Field(pattern=SUBSCRIPTION_ID)
    owner: str = Field(pattern=_TEAM, description="the team whose subscription it is")
    api_id: str | None = Field(
        default=None, pattern=_API_ID, description="the API the event was about; none for a daily digest"
    )
    channel: Literal["webhook", "email"]
    kind: str = Field(min_length=1, max_length=64, description="the kind of event that was not delivered, or digest")
    event_id: str = Field(min_length=1, max_length=64)
    attempts: int = Field(ge=0)
    error: str = Field(max_length=500, description="the last attempt's outcome, in words")
    failed_at: AwareDatetime
