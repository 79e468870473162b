"""Where contract tests may send requests: the address policy (tests/integration/test_pinned_session.py
sends real requests through it)."""

from __future__ import annotations

import ipaddress

import pytest

from devportal.testing.targets import RefusedTarget, TargetPolicy, refusal


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("169.254.169.254", "a cloud metadata address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("::ffff:169.254.169.254", "a cloud metadata address"),
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("192.168.0.10", "a private address"),
        ("172.16.5.4", "a private address"),
        ("169.254.1.1", "a link-local address"),
        ("100.64.0.1", "a reserved address"),
        ("0.0.0.0", "the unspecified address"),  # noqa: S104 - an address to refuse, not one to bind
        ("224.0.0.1", "a multicast address"),
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
    ],
)
def test_addresses_contract_tests_may_not_reach_in_aws(address: str, why: str | None) -> None:
    assert refusal(ipaddress.ip_address(address), allow_loopback=False) == why


def test_loopback_is_allowed_locally_and_nothing_else_private() -> None:
    assert refusal(ipaddress.ip_address("127.0.0.1"), allow_loopback=True) is None
    assert refusal(ipaddress.ip_address("10.0.0.1"), allow_loopback=True) == "a private address"
    assert refusal(ipaddress.ip_address("169.254.169.254"), allow_loopback=True) == "a cloud metadata address"


def test_a_name_is_refused_when_any_of_its_addresses_is() -> None:
    policy = TargetPolicy(resolver=lambda host, port: ["93.184.216.34", "10.0.0.7"])
    with pytest.raises(RefusedTarget, match=r"api\.example\.com \(10\.0\.0\.7\) is a private address"):
        policy.address_for("api.example.com", 443)
