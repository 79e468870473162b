"""`devportal up` and `devportal demo` as a user runs them."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import requests

from devportal_local.config import port_is_free
from devportal_local.harness import up_argv
from devportal_local.users import demo_users
from tests.support.stack import start_stack, stop_stack


def test_up_seeds_prints_what_runs_where_refuses_a_second_and_stops_cleanly(tmp_path: Path) -> None:
    stack = start_stack(tmp_path / "up", seed=True)
    try:
        config = stack.cfg
        output = stack.text()
        # It says where everything runs, and the demo credentials
        for expected in (
            f"Portal            {config.gateway_url}/",
            f"API               {config.gateway_url}/apis",
            f"Temporal Web UI   {config.temporal_ui_url}/namespaces/default/workflows",
            "Demo credentials  AWS (moto) at",
            "access key id 'testing'",
        ):
            assert expected in output, output
        assert output.split("devportal is up.", 1)[1].splitlines()[1].split() == ["Portal", f"{config.gateway_url}/"]
        # ... and one demo user per role; the output is captured (not a terminal), so it names the
        # 0600 file with their passwords instead of printing them, and those passwords sign in
        users = demo_users(stack.state_dir)
        assert set(users) == {"viewer", "developer", "admin"}
        for role, user in users.items():
            line = next(line for line in output.splitlines() if user.email in line and "(team" in line)
            assert role in line
            assert user.password not in output
        secrets_file = stack.state_dir / "demo-users.json"
        assert f"passwords: {secrets_file.resolve()}" in output
        assert secrets_file.stat().st_mode & 0o777 == 0o600
        assert stack.sign_in("viewer")["user"]["role"] == "viewer"
        # Temporal's HTTP and metrics ports followed the free gRPC port instead of fixed numbers
        ports = config.ports
        assert {ports.temporal_http, ports.temporal_metrics}.isdisjoint({7243, 7253})
        assert not port_is_free(ports.temporal_http)
        assert not port_is_free(ports.temporal_metrics)
        # The demo APIs are registered
        listed = {item["apiId"] for item in stack.get("/apis", role="viewer").json()["items"]}
        assert listed == {"authentication-api", "petstore"}
        # The Web UI lists their workflows, searchable by ApiId (through the UI's own HTTP API)
        assert requests.get(f"{config.temporal_ui_url}/namespaces/default/workflows", timeout=10).status_code == 200
        for api_id in listed:
            query = quote(f'ApiId="{api_id}"')
            found = requests.get(
                f"{config.temporal_ui_url}/api/v1/namespaces/default/workflows?query={query}", timeout=10
            ).json()
            (execution,) = found["executions"]
            assert execution["execution"]["workflowId"].startswith(f"registration-{api_id}-1.0.0-")
            assert execution["status"] == "WORKFLOW_EXECUTION_STATUS_COMPLETED"
        # A live petstore runs to contract-test, and the petstore's `demo` environment points at it
        target = re.search(r"Demo target +(http://127\.0\.0\.1:\d+)", output)
        assert target, output
        assert requests.get(target.group(1) + "/pets?limit=2", timeout=10).json()[0]["name"] == "Rex"
        settings = stack.get("/apis/petstore/test-settings", role="viewer").json()
        assert [(e["name"], e["baseUrl"].rstrip("/")) for e in settings["environments"]] == [("demo", target.group(1))]

        # A second `up` in the same place is refused, and says what is running
        second = subprocess.run(
            [
                sys.executable,
                "-m",
                "devportal_cli",
                "up",
                "--state-dir",
                str(tmp_path / "up"),
                "--gateway-port",
                "0",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert second.returncode != 0
        assert f"already running in {tmp_path / 'up'}" in second.stderr
        assert config.gateway_url in second.stderr
        children = stack.children()
        assert set(children) == {"moto", "temporal", "worker", "pollers", "gateway", "petstore"}
    finally:
        leftovers = stop_stack(stack)
    # Ctrl-C stopped every process and freed every port
    assert leftovers == []
    assert stack.process.returncode == 0
    assert "devportal: stopped; no process left running." in stack.text()
    assert all(
        not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
        for pid in children.values()
    )
    assert port_is_free(config.ports.gateway)
    assert port_is_free(config.ports.temporal)


def test_ctrl_c_while_starting_still_cleans_up(tmp_path: Path) -> None:
    process = subprocess.Popen(
        up_argv(tmp_path / "early", seed=True),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    children_file = tmp_path / "early" / "logs" / "temporal.log"
    deadline = time.monotonic() + 60
    while not children_file.exists():  # Temporal is being started: stop in the middle of it
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert "interrupted" in output
    assert "no process left running" in output
    leftovers = subprocess.run(["pgrep", "-f", str(tmp_path / "early")], capture_output=True, text=True, check=False)
    assert leftovers.stdout.strip() == ""


def test_demo_runs_to_the_end(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "devportal_cli", "demo", "--state-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "submission registered" in out
    assert "submission rejected" in out
    assert "timeline (from the workflow history): mark_registering" in out
    assert "finding at /components/schemas/Order/properties/total" in out
    assert "A document over the 10 MB a request body may carry goes through an upload:" in out
    assert re.search(r"POST /apis/uploads \([\d,]+ bytes\) -> HTTP 201, upload up-[0-9a-f]{32}", out)
    assert re.search(r"Registered 4 versions \(submit to registered\): .*petstore-archive \d", out)
    assert "it waits at step awaiting-approval: 1 breaking change(s) from 1.0.0" in out
    assert re.search(r"ERR api-removed-without-deprecation: POST /pets was removed\..* Called by: \S", out), out
    assert "an admin approves it: POST /apis/petstore/versions/1.1.0/approve -> HTTP 202" in out
    # the team is told of each step: a signed webhook to its receiver, and mail to its confirmed mailbox
    assert "confirmed with the link it was sent" in out
    assert "the webhook received 3 POST(s), 3 with a valid signature:" in out
    for kind in ("api.approval-requested", "api.approval-decided", "api.registered"):
        assert re.search(rf"    {re.escape(kind)} +petstore 1\.1\.0 +webhook-id msg_[0-9a-f]{{26}}", out), out
    assert "[devportal] petstore 1.1.0 is registered and active" in out
    assert "/apis/petstore/versions/1.0.0/docs" in out
    assert re.search(r"petstore 1.0.0 was linted at registration with the recommended ruleset: \d+ warnings", out), out
    assert re.search(r"warning +info-contact +at /info: `info.contact` is missing", out), out
    assert re.search(r"authentication-api 1.0.0 is deprecated, goes away on \d{4}-\d{2}-\d{2}", out), out
    assert "POST /usage with x-api-key: HTTP 202, 500 records accepted" in out
    assert "500 calls," in out
    assert "latency p50 " in out
    assert "undocumented: createPet 429" in out
    assert "schedule devportal-analytics-health triggered" in out
    assert "alert petstore:error-rate:" in out
    assert "25.0 % of calls answered 5xx" in out
    assert "recovered at " in out
    # the contract test of the live petstore it started finds the drift, and only that
    assert "Contract test of petstore 1.0.0 (GET /test-runs/tr-" in out
    assert re.search(r"GET /pets +\d+ cases  failed \(response_schema_conformance\)", out), out
    assert re.search(r"GET /pets/\{petId\} +\d+ cases  passed", out), out
    assert '"adopted" is not one of "available", "pending" or "sold"' in out
    # the mailbox hears of that run once a day: the digest's schedule, triggered, mails it
    assert "the run's notice waits for the daily digest" in out
    assert re.search(r"sent digest msg_[0-9a-f]{26}", out), out
    assert "got: [devportal] Daily digest for team pets: 1 notice" in out
    assert re.search(r"    - Contract test of petstore 1\.0\.0: failed", out), out
    assert "done; no process left running." in out
    leftovers = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True, check=False)
    assert leftovers.stdout.strip() == ""
