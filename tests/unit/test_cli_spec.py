"""`devportal spec validate`: the engine on a file, offline, in the forms CI reads, with exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support.specs import minimal

pytestmark = pytest.mark.unit

DEMO_SPECS = Path(__file__).resolve().parents[2] / "devportal_local" / "demo_specs"
BROKEN = DEMO_SPECS / "broken-orders.yaml"
PETSTORE = DEMO_SPECS / "petstore.yaml"


def spec(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devportal_cli", "spec", *argv], capture_output=True, text=True, timeout=60, check=False
    )


def test_a_valid_file_exits_0() -> None:
    done = spec("validate", str(PETSTORE))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{PETSTORE}: no problems found\n"


def test_findings_come_with_file_line_and_column_in_line_order_and_exit_1() -> None:
    done = spec("validate", str(BROKEN))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"{BROKEN}:9:7: error path-params: `{{orderId}}` is in the path /orders/{{orderId}}")
    assert lines[1].startswith(f"{BROKEN}:19:20: error operation-operationId-unique:")
    assert lines[2].startswith(f"{BROKEN}:28:25: error no-external-refs:")
    assert lines[3].startswith(f"{BROKEN}:36:20: error oas3-valid-schema-example:")
    assert lines[4] == f"{BROKEN}: 4 error(s), 0 warning(s)"


def test_json_output(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = spec("validate", str(BROKEN), "--format", "json", "--output", str(out))
    assert (done.returncode, done.stdout) == (1, "")
    report = json.loads(out.read_text())
    assert report["valid"] is False
    assert report["findings"][0] == {
        "pointer": "/paths/~1orders~1{orderId}/get",
        "rule": "path-params",
        "severity": "error",
        "message": "`{orderId}` is in the path /orders/{orderId} but GET declares no path parameter `orderId` "
        "(in the operation or its path item).",
        "line": 9,
        "column": 7,
    }


def test_junit_has_a_failing_case_per_rule_and_markdown_a_table() -> None:
    junit = ET.fromstring(spec("validate", str(BROKEN), "--format", "junit").stdout)  # noqa: S314 - our own output
    cases = {case.get("name"): case for case in junit.iter("testcase")}
    assert set(cases) == {
        "path-params",
        "operation-operationId-unique",
        "no-external-refs",
        "oas3-valid-schema-example",
    }
    assert all(case.find("failure") is not None for case in cases.values())
    assert junit.get("failures") == "4"
    markdown = spec("validate", str(BROKEN), "--format", "markdown").stdout
    assert "| error | `path-params` | line 9 `/paths/~1orders~1{orderId}/get` |" in markdown


def test_warnings_fail_only_when_asked(tmp_path: Path) -> None:
    document = {**minimal(openapi="3.1.0"), "components": {"schemas": {"A": {"$id": "https://x.test/a"}}}}
    path = tmp_path / "flagged.json"
    path.write_text(json.dumps(document))
    assert spec("validate", str(path)).returncode == 0
    failing = spec("validate", str(path), "--fail-on", "warning")
    assert failing.returncode == 1
    assert "warning no-schema-id" in failing.stdout


def test_an_unreadable_or_unparseable_file() -> None:
    missing = spec("validate", "/nonexistent/openapi.yaml")
    assert missing.returncode == 2
    assert "cannot read /nonexistent/openapi.yaml" in missing.stderr


def test_a_syntax_error_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("openapi: 3.0.3\ninfo:\n  title: Pets: the API\n")
    done = spec("validate", str(path))
    assert done.returncode == 1
    assert done.stdout.startswith(f"{path}:3:14: error unparseable-spec: Invalid YAML at line 3, column 14")


def test_a_file_that_is_not_openapi_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "notes.yaml"
    path.write_text("- just\n- a list\n")
    done = spec("validate", str(path))
    assert done.returncode == 1
    assert "error unparseable-spec: The document must be a JSON object or YAML mapping" in done.stdout


def test_diff_reports_breaking_changes_and_exits_by_level(tmp_path: Path) -> None:
    old = minimal(paths={
        "/a": {"get": {"parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                       "responses": {"200": {"description": "ok"}, "404": {"description": "none"}}}},
        "/b": {"get": {"responses": {"200": {"description": "ok"}}}},
    })  # fmt: skip
    new = json.loads(json.dumps(old))
    del new["paths"]["/b"]
    del new["paths"]["/a"]["get"]["responses"]["404"]
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    done = spec("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == (
        "ERR api-path-removed-without-deprecation: The path /b was removed: every client calling it breaks.  "
        "[old /paths/~1b]"
    )
    assert lines[1].startswith("WARN response-non-success-status-removed: GET /a no longer answers 404")
    assert lines[-1].endswith("1 ERR, 1 WARN, 0 INFO")
    report = json.loads(spec("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--format", "json").stdout)
    assert report["counts"] == {"ERR": 1, "WARN": 1, "INFO": 0}
    assert len(report["changes"][0]["fingerprint"]) == 16
    junit = ET.fromstring(  # noqa: S314 - our own output
        spec("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--format", "junit").stdout
    )
    cases = {case.get("name"): case.find("failure") is not None for case in junit.iter("testcase")}
    assert cases == {"api-path-removed-without-deprecation": True, "response-non-success-status-removed": False}
    # only the warning left: passes on ERR, fails on WARN
    new["paths"]["/b"] = old["paths"]["/b"]
    (tmp_path / "new.json").write_text(json.dumps(new))
    assert spec("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")).returncode == 0
    assert spec("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--fail-on", "WARN").returncode == 1
    assert spec("diff", str(tmp_path / "old.json"), str(tmp_path / "nope.json")).returncode == 2


def test_lint_reports_the_recommended_rules_with_their_lines_and_fails_on_request(tmp_path: Path) -> None:
    # Given the demo petstore (no contact, no 4xx on some operations, a deprecated one without a sunset)
    done = spec("lint", str(PETSTORE))
    # Then lint says so with lines, and only errors fail by default
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"{PETSTORE}:3:3: warning info-contact: `info.contact` is missing")
    assert any("deprecated-operation-sunset" in line and ":110:" in line for line in lines)
    assert lines[-1] == f"{PETSTORE}: 0 error(s), 8 warning(s), 4 info"
    assert spec("lint", str(PETSTORE), "--fail-on", "warning").returncode == 1
    # When a ruleset file (YAML, `off` unquoted as Spectral files have it) turns rules off and up
    ruleset = tmp_path / "ruleset.yaml"
    ruleset.write_text("rules:\n  info-contact: off\n  security-defined: off\n  operation-4xx-response: error\n")
    strict = spec("lint", str(PETSTORE), "--ruleset", str(ruleset), "--format", "json")
    report = json.loads(strict.stdout)
    assert strict.returncode == 1
    assert report["lint"]["errors"] == 2
    assert {f["rule"] for f in report["findings"]} == {
        "operation-4xx-response", "operation-description", "deprecated-operation-sunset"
    }  # fmt: skip


def test_lint_of_an_invalid_document_reports_validation_and_fails() -> None:
    done = spec("lint", str(BROKEN))
    assert done.returncode == 1
    assert "error path-params" in done.stdout
    assert "info-contact" not in done.stdout  # lint runs on valid documents only


def test_a_ruleset_that_is_not_one_exits_2(tmp_path: Path) -> None:
    ruleset = tmp_path / "ruleset.json"
    ruleset.write_text('{"rules": {"operation-sumary": "warn"}}')
    done = spec("lint", str(PETSTORE), "--ruleset", str(ruleset))
    assert done.returncode == 2
    assert f"The ruleset in {ruleset} are not valid" in done.stderr
    assert "did you mean `operation-summary`" in done.stderr
