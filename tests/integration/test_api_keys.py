"""API keys against moto: created once, verified by hash, rotated with a grace period, revoked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from devportal import wiring
from devportal.adapters.keys import DynamoKeyStore
from devportal.errors import InvalidParameter, NotFound, StateConflict, Unauthenticated
from devportal.identity.keys import USAGE_PUBLISH, ApiKeys, hash_secret
from tests.support.aws import AwsWorld


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def test_a_key_is_stored_as_a_hash_and_verified_by_it(aws: AwsWorld) -> None:
    keys = wiring.portal().api_keys
    issued = keys.create(team="payments", name="billing-service")
    assert issued.secret.startswith(f"dpk_{issued.key.key_id}_")
    item = aws.client("dynamodb").get_item(
        TableName=aws.names.table, Key={"PK": {"S": f"KEY#{hash_secret(issued.secret)}"}, "SK": {"S": "KEY"}}
    )["Item"]
    assert issued.secret not in str(item)
    assert keys.verify(issued.secret, USAGE_PUBLISH).team == "payments"
    assert [k.key_id for k in keys.list("payments")] == [issued.key.key_id]
    assert keys.list("other-team") == []


@pytest.mark.parametrize(
    "presented",
    [None, "", "dpk_key-0000000000000000_" + "A" * 43, "not-a-key", "dpk_key-zz_x"],
)
def test_unknown_or_malformed_keys_are_refused(aws: AwsWorld, presented: str | None) -> None:
    with pytest.raises(Unauthenticated):
        wiring.portal().api_keys.verify(presented, USAGE_PUBLISH)


def test_a_tampered_secret_is_refused(aws: AwsWorld) -> None:
    issued = wiring.portal().api_keys.create(team="payments", name="svc")
    last = issued.secret[-1]
    tampered = issued.secret[:-1] + ("B" if last != "B" else "C")
    with pytest.raises(Unauthenticated):
        wiring.portal().api_keys.verify(tampered, USAGE_PUBLISH)


def test_rotation_keeps_the_old_key_for_the_grace_period_then_ends_it(aws: AwsWorld) -> None:
    clock = Clock()
    keys = ApiKeys(DynamoKeyStore(aws.names.table), timedelta(hours=1), clock)
    old = keys.create(team="payments", name="svc")
    new = keys.rotate(old.key.key_id)
    assert keys.verify(old.secret, USAGE_PUBLISH).state == "rotated"  # still works
    assert keys.verify(new.secret, USAGE_PUBLISH).state == "active"
    with pytest.raises(StateConflict):
        keys.rotate(old.key.key_id)  # only active keys rotate: the key's state conflicts (409)
    clock.now += timedelta(hours=1, seconds=1)
    with pytest.raises(Unauthenticated):
        keys.verify(old.secret, USAGE_PUBLISH)
    assert keys.verify(new.secret, USAGE_PUBLISH).key_id == new.key.key_id
    states = {k.key_id: k.state for k in keys.list("payments")}
    assert states == {old.key.key_id: "rotated", new.key.key_id: "active"}


def test_revocation_is_immediate_and_idempotent(aws: AwsWorld) -> None:
    keys = wiring.portal().api_keys
    issued = keys.create(team="payments", name="svc")
    keys.revoke(issued.key.key_id)
    keys.revoke(issued.key.key_id)
    with pytest.raises(Unauthenticated):
        keys.verify(issued.secret, USAGE_PUBLISH)
    with pytest.raises(NotFound):
        keys.revoke("key-" + "0" * 16)
    with pytest.raises(InvalidParameter):
        keys.revoke("nonsense")
