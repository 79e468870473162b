"""Runtime-tunable settings: what Parameter Store says replaces the defaults, a value that does not
validate is reported and ignored, and the use cases ask for the limits each time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import pytest

from devportal.errors import SpecTooLarge
from devportal.registry.submit import SubmitRequest
from devportal.settings import TUNABLE, KeySettings, SpecLimits, tunable_defaults, tuned
from devportal.wiring import Portal
from tests.support.fakes import InMemoryBlobStore, InMemoryRegistry, RecordingPublisher
from tests.support.specs import petstore_json


class Tunables:
    def __init__(self, **values: str) -> None:
        self.current = dict(values)

    def values(self) -> Mapping[str, str]:
        return self.current


def test_every_tunable_names_a_field_with_a_default() -> None:
    for name, (model, field) in TUNABLE.items():
        assert field in model.model_fields, name
    assert tunable_defaults()["max-spec-bytes"] == str(SpecLimits().max_spec_bytes)


def test_values_replace_defaults_and_bad_ones_are_reported_not_used() -> None:
    complaints: list[str] = []
    limits = tuned(
        SpecLimits(), {"max-spec-bytes": "2048", "max-findings": "lots", "unrelated": "x"}, complaints.append
    )
    assert (limits.max_spec_bytes, limits.max_findings) == (2048, 100)
    assert complaints == ["max-findings='lots' is not usable (ValidationError); kept 100"]
    assert (
        tuned(KeySettings(), {"key-rotation-grace-seconds": "60"}, complaints.append).key_rotation_grace_seconds == 60
    )
    out_of_range = tuned(KeySettings(), {"key-rotation-grace-seconds": "-5"}, complaints.append)
    assert out_of_range.key_rotation_grace_seconds == 24 * 3600


def test_a_change_takes_effect_without_a_new_root() -> None:
    tunables = Tunables()
    portal = Portal(
        registry=InMemoryRegistry(), specs=InMemoryBlobStore(), publisher=RecordingPublisher(), tunables=tunables
    )
    request = SubmitRequest(body=petstore_json(), media_type="application/json", team="pets", correlation_id="c")
    assert portal.submit_spec(request).submission.status.value == "submitted"
    tunables.current["max-spec-bytes"] = "100"  # an operator tightens the cap
    with pytest.raises(SpecTooLarge):
        portal.submit_spec(request)
    tunables.current["key-rotation-grace-seconds"] = "30"
    assert portal.key_rotation_grace() == timedelta(seconds=30)
