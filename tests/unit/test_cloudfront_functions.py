"""The portal's CloudFront Functions (stacks/cloudfront/*.js), run in Node on the events CloudFront
hands them, and held to the local gateway's rules (devportal_local/web.py) for the same build."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from devportal_local.web import PortalFiles
from stacks.web_stack import (
    CSP_LIMIT,
    FUNCTION_CODE_LIMIT,
    api_function_code,
    page_routes,
    pages_function_code,
    response_headers,
)

NODE = shutil.which("node") or "node"  # the UI's toolchain; `make install` checks it is there

# Node runs the function's code as CloudFront does: a file defining `handler`, called per event.
HARNESS = """
const fs = require("fs");
const handler = new Function(fs.readFileSync(process.argv[2], "utf8") + "\\nreturn handler;")();
const events = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(events.map((event) => handler(event))));
"""


@pytest.fixture
def build(tmp_path: Path) -> Path:
    root = tmp_path / "out"
    for page in ("", "catalog/api/", "catalog/api/changes/", "sign-in/", "404/"):
        (root / page).mkdir(parents=True, exist_ok=True)
        (root / page / "index.html").write_text(f"<html><script>page('{page}')</script></html>")
        (root / page / "index.txt").write_text("rsc")
    (root / "404.html").write_text("<html>not here</html>")
    (root / "_next" / "static" / "chunks").mkdir(parents=True)
    (root / "_next" / "static" / "chunks" / "app-4f2a.js").write_text("console.log('portal')")
    (root / "icon.svg").write_text("<svg/>")
    return root


def run(code: str, events: list[dict[str, Any]], tmp_path: Path) -> list[dict[str, Any]]:
    script, harness = tmp_path / "function.js", tmp_path / "harness.js"
    script.write_text(code)
    harness.write_text(HARNESS)
    done = subprocess.run(
        [NODE, str(harness), str(script)], input=json.dumps(events), capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout))


def request_event(uri: str, querystring: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "version": "1.0",
        "context": {"eventType": "viewer-request"},
        "viewer": {"ip": "198.51.100.7"},
        "request": {"method": "GET", "uri": uri, "querystring": querystring or {}, "headers": {}, "cookies": {}},
    }


def response_event(uri: str, status: int = 200) -> dict[str, Any]:
    event = request_event(uri)
    event["context"]["eventType"] = "viewer-response"
    event["response"] = {"statusCode": status, "statusDescription": "OK", "headers": {}, "cookies": {}}
    return event


PATHS = [
    "/",
    "/catalog/api/",
    "/catalog/api/changes/",
    "/catalog/api",  # a page without its slash
    "/sign-in",
    "/catalog/api/index.txt",  # a page's data file
    "/_next/static/chunks/app-4f2a.js",
    "/icon.svg",
    "/404.html",
    "/nowhere",  # neither pages nor files
    "/nowhere/",
    "/catalog/nowhere/",
    "/catalog/",  # a directory of the build that is no page
]


@pytest.mark.parametrize("path", PATHS)
def test_a_path_gets_at_the_edge_what_the_local_gateway_answers(path: str, build: Path, tmp_path: Path) -> None:
    local = PortalFiles(build).answer(path)
    code = pages_function_code(build)
    (request,) = run(code, [request_event(path)], tmp_path)
    if local.status == 308:
        assert request["statusCode"] == 308
        assert request["headers"]["location"]["value"] == local.headers["Location"]
        return
    # what S3 is asked for, and what the viewer response then says of it
    served = build / request["uri"].lstrip("/")
    (response,) = run(code, [response_event(path)], tmp_path)
    status = response["statusCode"]
    assert (status, served.read_bytes()) == (local.status, local.body)


def test_a_file_the_build_lacks_is_asked_of_the_bucket_which_answers_404(build: Path, tmp_path: Path) -> None:
    # The one difference from the local gateway: at the edge, a missing *file* is S3's 404 (the
    # distribution may list the bucket), not the 404 page; nobody navigates to a chunk's address.
    code = pages_function_code(build)
    request, response = run(code, [request_event("/_next/static/gone.js"), response_event("/gone.js", 404)], tmp_path)
    assert request["uri"] == "/_next/static/gone.js"
    assert response["statusCode"] == 404
    assert PortalFiles(build).answer("/_next/static/gone.js").status == 404


def test_a_redirect_keeps_the_query(build: Path, tmp_path: Path) -> None:
    query = {"next": {"value": "%2Fsubmit%2F"}, "tag": {"value": "a", "multiValue": [{"value": "a"}, {"value": "b"}]}}
    (answer,) = run(pages_function_code(build), [request_event("/sign-in", query)], tmp_path)
    assert answer["headers"]["location"]["value"] == "/sign-in/?next=%2Fsubmit%2F&tag=a&tag=b"


def test_only_a_rewritten_miss_turns_into_a_404(build: Path, tmp_path: Path) -> None:
    code = pages_function_code(build)
    kept, failed = run(code, [response_event("/catalog/api/"), response_event("/nowhere", 403)], tmp_path)
    assert kept["statusCode"] == 200
    assert failed["statusCode"] == 403  # an origin's own error passes as it is


def test_the_pages_function_knows_the_builds_pages_and_fits_cloudfront(build: Path) -> None:
    assert set(page_routes(build)) == {"/404/", "/", "/catalog/api/changes/", "/catalog/api/", "/sign-in/"}
    code = pages_function_code(build)
    assert len(code.encode()) <= FUNCTION_CODE_LIMIT
    assert "__PAGES__" not in code
    assert '"/catalog/api/":1' in code


@pytest.mark.parametrize(
    ("uri", "expected"),
    [("/api/apis/pets/versions", "/apis/pets/versions"), ("/api/auth/refresh", "/auth/refresh"), ("/api/", "/")],
)
def test_the_api_function_takes_the_prefix_off(uri: str, expected: str, tmp_path: Path) -> None:
    query = {"limit": {"value": "10"}}
    (request,) = run(api_function_code(), [request_event(uri, query)], tmp_path)
    assert request["uri"] == expected
    assert request["querystring"] == query  # the rest of the request as it came


def test_a_build_whose_pages_overflow_the_function_stops_the_synth(tmp_path: Path) -> None:
    root = tmp_path / "big"
    (root / "index.html").parent.mkdir(parents=True)
    (root / "index.html").write_text("<html></html>")
    for n in range(400):
        (root / f"section-{n:03d}" / "page").mkdir(parents=True)
        (root / f"section-{n:03d}" / "page" / "index.html").write_text("<html></html>")
    with pytest.raises(ValueError, match="CloudFront takes 10 KB"):
        pages_function_code(root)


def test_a_content_security_policy_cloudfront_cannot_take_stops_the_synth() -> None:
    hashes = " ".join(f"'sha256-{n:044d}'" for n in range(40))
    with pytest.raises(ValueError, match=r"characters \(CloudFront takes 1783\)"):
        response_headers({"Content-Security-Policy": f"script-src 'self' {hashes}"}, cache=None)
    assert response_headers({"Content-Security-Policy": "x" * CSP_LIMIT}, cache="no-cache")
