"""Settings operators change without a deploy: a value put into Parameter Store (moto's, at the
same names as in AWS) reaches the running functions within the refresh time, and the default
comes back when it is put back."""

from __future__ import annotations

import time
import uuid

from tests.support.specs import petstore_json
from tests.support.stack import RunningStack


def test_tightening_the_size_cap_takes_effect_without_a_restart(stack: RunningStack) -> None:
    ssm = stack.aws("ssm")
    name = f"{stack.cfg.names.parameters_path}/max-spec-bytes"
    original = ssm.get_parameter(Name=name)["Parameter"]["Value"]
    body = petstore_json()
    try:
        ssm.put_parameter(Name=name, Value=str(len(body) - 1), Type="String", Overwrite=True)
        deadline = time.monotonic() + 15
        while True:
            refused = stack.post(f"/apis?team=pets&apiId=tuned-{uuid.uuid4().hex[:6]}", body, "application/json")
            if refused.status_code == 413 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert refused.status_code == 413, refused.text
        assert refused.json()["type"] == "urn:devportal:problem:spec-too-large"
    finally:
        ssm.put_parameter(Name=name, Value=original, Type="String", Overwrite=True)
    time.sleep(1.5)  # the refresh time of the test stack
    accepted = stack.post(f"/apis?team=pets&apiId=tuned-{uuid.uuid4().hex[:6]}", body, "application/json")
    assert accepted.status_code == 202, accepted.text
