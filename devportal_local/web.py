"""The built portal UI (ui/out), served by the local gateway beside the API on one origin.

What the portal's CloudFront distribution does in AWS (stacks/cloudfront/pages.js), done here from
the same rules (contracts/web.py): a URL maps to a file of the export (`/catalog/api/` ->
catalog/api/index.html, `/sign-in` -> a redirect to `/sign-in/`), anything else is the export's 404
page, and every answer carries the security headers, each page's CSP naming the hashes of its own
inline scripts. Text files go gzip-compressed to
clients that accept it, as CloudFront compresses them in AWS (compressed once per file, kept)."""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass
from pathlib import Path

from contracts.web import (
    CONTENT_TYPES,
    NOT_FOUND_PAGE,
    UI_BUILD,
    cache_control,
    inline_script_hashes,
    security_headers,
)
from devportal.http import MIN_COMPRESSED_BYTES

COMPRESSIBLE = frozenset({".html", ".js", ".css", ".txt", ".json", ".svg", ".map"})


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header takes gzip (`gzip`, `gzip;q=0.8`, `*`; not `gzip;q=0`)."""
    offered: dict[str, float] = {}
    for part in accept_encoding.split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if name.strip():
            offered[name.strip().lower()] = quality
    return offered.get("gzip", offered.get("*", 0.0)) > 0


def ui_built(root: Path = UI_BUILD) -> bool:
    return (root / "index.html").is_file()


@dataclass(frozen=True)
class WebAnswer:
    status: int
    headers: dict[str, str]
    body: bytes


class PortalFiles:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._hashes: dict[tuple[Path, float], tuple[str, ...]] = {}
        self._compressed: dict[tuple[Path, float], bytes] = {}
        self._lock = threading.Lock()

    @property
    def built(self) -> bool:
        return ui_built(self.root)

    def has(self, path: str) -> bool:
        """A file or page of the build answers `path` (with or without its trailing slash)."""
        return self._file_for(path) is not None or (not path.endswith("/") and self._file_for(path + "/") is not None)

    def answer(self, path: str, *, gzip_ok: bool = False) -> WebAnswer:
        if not self.built:
            return self._text(
                503,
                "The portal UI is not built. Run `make ui` (or `make up`, which builds it), then reload.",
            )
        file = self._file_for(path)
        if file is None and not path.endswith("/") and self._file_for(path + "/") is not None:
            return WebAnswer(308, {"Location": path + "/", **security_headers(local=True)}, b"")
        if file is None:
            return self._serve(self.root / NOT_FOUND_PAGE, 404, gzip_ok)
        return self._serve(file, 200, gzip_ok)

    def _file_for(self, path: str) -> Path | None:
        relative = path.lstrip("/")
        if relative == "" or relative.endswith("/"):
            relative += "index.html"
        candidate = (self.root / relative).resolve()
        if not candidate.is_relative_to(self.root) or not candidate.is_file():
            return None  # outside the build (../ and friends) or absent
        return candidate

    def _serve(self, file: Path, status: int, gzip_ok: bool) -> WebAnswer:
        body = file.read_bytes()
        relative = file.relative_to(self.root).as_posix()
        hashes = self._script_hashes(file, body) if file.suffix == ".html" else ()
        headers = {
            "Content-Type": CONTENT_TYPES.get(file.suffix, "application/octet-stream"),
            "Cache-Control": cache_control(relative),
            **security_headers(hashes, local=True),
        }
        if file.suffix in COMPRESSIBLE and len(body) >= MIN_COMPRESSED_BYTES:
            headers["Vary"] = "Accept-Encoding"
            if gzip_ok:
                headers["Content-Encoding"] = "gzip"
                body = self._gzipped(file, body)
        return WebAnswer(status, headers, body)

    def _gzipped(self, file: Path, body: bytes) -> bytes:
        key = (file, file.stat().st_mtime)
        with self._lock:
            if key not in self._compressed:
                self._compressed[key] = gzip.compress(body, 9, mtime=0)
            return self._compressed[key]

    def _script_hashes(self, file: Path, body: bytes) -> tuple[str, ...]:
        key = (file, file.stat().st_mtime)
        with self._lock:
            if key not in self._hashes:
                self._hashes[key] = inline_script_hashes(body.decode("utf-8"))
            return self._hashes[key]

    @staticmethod
    def _text(status: int, message: str) -> WebAnswer:
        headers = {
            "Content-Type": "text/plain; charset=utf-8",
            "Cache-Control": "no-store",
            **security_headers(local=True),
        }
        return WebAnswer(status, headers, message.encode())
