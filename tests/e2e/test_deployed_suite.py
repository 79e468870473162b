"""The pipeline's staging check (tests/deployed) run against the local stack: the local gateway
stands in for a deployed API Gateway, so the suite the pipeline runs in AWS is itself tested here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from devportal_local.users import demo_users
from tests.support.stack import RunningStack

ROOT = Path(__file__).resolve().parents[2]


def test_the_staging_check_passes_against_the_local_stack(stack: RunningStack) -> None:
    developer = demo_users(stack.state_dir)["developer"]
    environment = {
        **os.environ,
        "DEVPORTAL_API_URL": stack.gateway + "/",
        "DEVPORTAL_TEST_USERNAME": developer.email,
        "DEVPORTAL_TEST_PASSWORD": developer.password,
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "deployed", "tests/deployed"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "3 passed" in result.stdout
