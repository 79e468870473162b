"""The local gateway's side of serving the built UI: files, pages, the 404 page, compression."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from devportal_local.web import PortalFiles, accepts_gzip


@pytest.fixture
def build(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text("<html><script>boot()</script>" + "catalog " * 300 + "</html>")
    (tmp_path / "404.html").write_text("<html>not here</html>")
    (tmp_path / "_next" / "static").mkdir(parents=True)
    (tmp_path / "_next" / "static" / "app.js").write_text("console.log('portal');" * 200)
    (tmp_path / "icon.svg").write_text("<svg/>")
    return tmp_path


@pytest.mark.parametrize(
    ("header", "takes"),
    [
        ("gzip, deflate, br, zstd", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding_is_read_with_its_qualities(header: str, takes: bool) -> None:
    assert accepts_gzip(header) is takes


def test_text_files_go_gzipped_to_clients_that_take_it_and_plain_to_others(build: Path) -> None:
    files = PortalFiles(build)
    plain = files.answer("/_next/static/app.js")
    packed = files.answer("/_next/static/app.js", gzip_ok=True)
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert plain.headers["Vary"] == packed.headers["Vary"] == "Accept-Encoding"  # caches keep both apart
    assert gzip.decompress(packed.body) == plain.body
    assert len(packed.body) < len(plain.body) / 10
    assert packed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # a page keeps its CSP (hashes of its own inline scripts) compressed or not
    page = files.answer("/", gzip_ok=True)
    assert page.headers["Content-Encoding"] == "gzip"
    assert "'sha256-" in page.headers["Content-Security-Policy"]


def test_small_files_and_the_404_page_are_answered_as_they_are(build: Path) -> None:
    files = PortalFiles(build)
    icon = files.answer("/icon.svg", gzip_ok=True)
    assert "Content-Encoding" not in icon.headers
    assert icon.body == b"<svg/>"
    missing = files.answer("/nowhere/", gzip_ok=True)
    assert missing.status == 404
    assert missing.body == b"<html>not here</html>"
