"""Events of the identity domain (source `devportal.identity`)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from events.envelope import DomainEvent


class UserSignedIn(DomainEvent):
    """A user signed in through POST /auth/login; their profile's lastLogin follows."""

    DETAIL_TYPE: ClassVar[str] = "UserSignedIn"
    SOURCE: ClassVar[str] = "devportal.identity"

    user_id: str = Field(min_length=1, max_length=128, description="the Cognito `sub`")
    signed_in_at: datetime
