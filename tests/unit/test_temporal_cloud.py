"""The Temporal Cloud connection read from Secrets Manager: what is accepted, what is refused."""

from __future__ import annotations

import pytest

from devportal.adapters.temporal import TemporalSecretInvalid, connect_config, parse_cloud_secret
from devportal.wiring import Portal

SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:devportal-prod/temporal-cloud-AbCdEf"


def test_a_complete_secret_becomes_connection_overrides() -> None:
    overrides = parse_cloud_secret(
        '{"TEMPORAL_ADDRESS": "ns.acct.tmprl.cloud:7233", "TEMPORAL_NAMESPACE": "ns.acct", '
        '"TEMPORAL_API_KEY": "key", "TEMPORAL_TLS": "true"}',
        SECRET,
    )
    config = connect_config(overrides)
    assert config["target_host"] == "ns.acct.tmprl.cloud:7233"
    assert config["namespace"] == "ns.acct"
    assert config["api_key"] == "key"
    assert config["tls"]
    assert config["data_converter"] is not None


@pytest.mark.parametrize(
    ("secret_string", "complaint"),
    [
        ("not json", "not a JSON object"),
        ('["TEMPORAL_ADDRESS"]', "not a JSON object"),
        ('{"TEMPORAL_ADDRESS": "a:7233", "TEMPORAL_NAMESPACE": "n", "password": "x"}', "password"),
        # what the stack creates before anyone puts the real connection
        ('{"TEMPORAL_ADDRESS": "", "TEMPORAL_NAMESPACE": "", "TEMPORAL_API_KEY": "x"}', "TEMPORAL_ADDRESS"),
        ('{"TEMPORAL_ADDRESS": "a:7233"}', "TEMPORAL_NAMESPACE"),
    ],
)
def test_unusable_secrets_are_refused_by_name(secret_string: str, complaint: str) -> None:
    with pytest.raises(TemporalSecretInvalid, match=complaint) as raised:
        parse_cloud_secret(secret_string, SECRET)
    assert SECRET in str(raised.value)
    assert "key" not in str(raised.value).replace("keys", "")  # never echoes secret values


def test_without_a_secret_the_environment_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPORAL_ADDRESS", "127.0.0.1:7999")
    monkeypatch.delenv("DEVPORTAL_TEMPORAL_SECRET_ARN", raising=False)
    overrides = Portal().temporal_overrides
    assert overrides is None
    assert connect_config(overrides)["target_host"] == "127.0.0.1:7999"
