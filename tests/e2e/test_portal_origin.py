"""The portal UI and the API on one origin, as `devportal up` serves them: pages from the static
export with their security headers (a CSP that allows each page's own inline scripts by hash and no
other), client routes, the API under /api beside its root paths."""

from __future__ import annotations

import http.client
import re
import uuid

import pytest
import requests

from contracts.web import inline_script_hashes
from tests.support.stack import RunningStack

PAGES = ("/", "/sign-in/", "/account/", "/catalog/api/")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_served_with_its_security_headers(stack: RunningStack, path: str) -> None:
    page = requests.get(stack.gateway + path, timeout=30)
    assert page.status_code == 200, page.text
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    policy = page.headers["Content-Security-Policy"]
    script_src = next(d for d in policy.split("; ") if d.startswith("script-src "))
    # exactly this page's inline scripts are allowed, by hash; nothing inline beyond them
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    hashes = inline_script_hashes(page.text)
    assert hashes, "a Next.js page always inlines its bootstrap"
    assert set(re.findall(r"'sha256-[^']+'", script_src)) == set(hashes)
    assert "frame-ancestors 'none'" in policy
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert page.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_client_routes_files_and_the_api_share_the_origin(stack: RunningStack) -> None:
    # a page without its trailing slash is redirected to it
    bare = requests.get(stack.gateway + "/sign-in", allow_redirects=False, timeout=30)
    assert (bare.status_code, bare.headers["Location"]) == (308, "/sign-in/")
    # a browser going where no page is gets the export's 404 page, never a file outside the build;
    # an API client's wrong path is still a problem+json 404
    for missing in ("/no-such-page/", "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd"):
        answer = requests.get(stack.gateway + missing, headers={"Accept": "text/html"}, timeout=30)
        assert answer.status_code == 404, missing
        assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "root:" not in answer.text
        assert requests.get(stack.gateway + missing, timeout=30).headers["Content-Type"] == "application/problem+json"
    # hashed assets are cached for good, pages revalidated
    home = requests.get(stack.gateway + "/", timeout=30)
    asset = re.search(r'src="(/_next/static/[^"]+\.js)"', home.text)
    assert asset is not None
    script = requests.get(stack.gateway + asset.group(1), timeout=30)
    assert script.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert script.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert home.headers["Cache-Control"] == "no-cache"
    # the API answers under /api as at its root, problem+json included
    for path in ("/apis", "/api/apis"):
        refused = requests.get(stack.gateway + path, timeout=30)
        assert refused.status_code == 401
        assert refused.headers["Content-Type"] == "application/problem+json"
    assert requests.get(stack.gateway + "/api/no-such-route", timeout=30).headers["Content-Type"] == (
        "application/problem+json"
    )
    assert requests.get(stack.gateway + "/api/apis", headers=stack.auth("viewer"), timeout=30).status_code == 200
    # a page is read-only
    assert requests.post(stack.gateway + "/", timeout=30).status_code == 405


def test_a_head_answer_has_no_body_so_the_connection_serves_the_next_request(stack: RunningStack) -> None:
    # Browsers prefetch pages with HEAD on kept-alive connections: a refusal's body written after a
    # HEAD answer would be read as the start of the next answer.
    host, port = stack.gateway.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        for path in ("/no-such-page/", "/apis", "/sign-in/"):
            connection.request("HEAD", path)
            head = connection.getresponse()
            assert head.read() == b""
            connection.request("GET", "/sign-in/")
            page = connection.getresponse()
            assert page.status == 200, path
            assert b"</html>" in page.read()
    finally:
        connection.close()


def test_api_answers_of_a_kibibyte_and_more_go_gzip_compressed_to_who_accepts_it(stack: RunningStack) -> None:
    """As API Gateway's minimumCompressionSize does: a spec, a page of search hits."""
    api_id = f"gzip-{uuid.uuid4().hex[:8]}"
    spec = (
        "openapi: 3.0.3\ninfo:\n  title: Compressed\n  version: 1.0.0\n"
        f"  description: {'A long description of what it does. ' * 60}\n"
        "paths:\n  /things:\n    get:\n      responses:\n        '200': {description: Things}\n"
    )
    submitted = stack.post(f"/apis?team=pets&apiId={api_id}", spec.encode())
    assert submitted.status_code == 202, submitted.text
    assert stack.wait_for_submission(submitted.json()["submissionId"])["status"] == "registered"
    path = f"/apis/{api_id}/versions/1.0.0/spec"
    packed = stack.get(path, headers={"Accept-Encoding": "gzip"})
    plain = stack.get(path, headers={"Accept-Encoding": "identity"})
    assert packed.status_code == plain.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Vary"] == "Accept-Encoding"
    assert int(packed.headers["Content-Length"]) < len(plain.content) // 4
    assert "Content-Encoding" not in plain.headers
    assert packed.content == plain.content  # requests undoes the gzip
    small = stack.get("/me", headers={"Accept-Encoding": "gzip"})
    assert small.status_code == 200
    assert "Content-Encoding" not in small.headers  # under 1 KiB: as it is
