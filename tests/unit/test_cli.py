"""The command line's own decisions, without starting anything: ports and what `up` prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from devportal_cli.commands.up import print_ready
from devportal_cli.main import build_parser
from devportal_cli.options import stack_config
from devportal_local.config import LocalConfig
from devportal_local.users import Credentials


def config_of(*argv: str) -> LocalConfig:
    return stack_config(build_parser().parse_args(["up", *argv]))


def test_temporal_side_ports_follow_its_grpc_port() -> None:
    defaults = config_of().ports
    assert (defaults.temporal, defaults.temporal_http, defaults.temporal_metrics) == (7233, 7243, 7253)
    moved = config_of("--temporal-port", "9000").ports
    assert (moved.temporal_http, moved.temporal_metrics) == (9010, 9020)
    free = config_of("--gateway-port", "0", "--moto-port", "0", "--temporal-port", "0", "--ui-port", "0").ports
    assert (free.temporal_http, free.temporal_metrics) == (0, 0)  # picked free like the rest
    assert config_of("--temporal-port", "0", "--temporal-http-port", "7777").ports.temporal_http == 7777


USERS = [Credentials("admin", "admin@devportal.local", "S3cret-Demo-pw!", "platform")]


def test_passwords_go_to_a_terminal(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    print_ready(LocalConfig(state_dir=tmp_path), USERS, terminal=True)
    assert "S3cret-Demo-pw!" in capsys.readouterr().out


def test_captured_output_names_the_file_instead(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    print_ready(LocalConfig(state_dir=tmp_path), USERS, terminal=False)
    printed = capsys.readouterr().out
    assert "S3cret-Demo-pw!" not in printed
    assert f"passwords: {tmp_path / 'demo-users.json'}" in printed


def test_the_live_petstore_is_listed_when_it_runs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    print_ready(LocalConfig(state_dir=tmp_path), USERS, terminal=False, petstore_url="http://127.0.0.1:4242")
    assert "Demo target       http://127.0.0.1:4242  (a live petstore to contract-test)" in capsys.readouterr().out
    print_ready(LocalConfig(state_dir=tmp_path), USERS, terminal=False)
    assert "Demo target" not in capsys.readouterr().out
