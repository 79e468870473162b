"""The built portal UI (ui/out), served by the local gateway beside the API on one origin.

What Amplify Hosting does in AWS, done here from the same rules (contracts/web.py): a URL maps to a
file of the export (`/catalog/api/` -> catalog/api/index.html, `/sign-in` -> a redirect to
`/sign-in/`), anything else is the export's 404 page, and every answer carries the security headers,
each page's CSP naming the hashes of its own inline scripts."""

from __future__ import annotations

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
        self._lock = threading.Lock()

    @property
    def built(self) -> bool:
        return ui_built(self.root)

    def has(self, path: str) -> bool:
        """A file or page of the build answers `path` (with or without its trailing slash)."""
        return self._file_for(path) is not None or (not path.endswith("/") and self._file_for(path + "/") is not None)

    def answer(self, path: str) -> WebAnswer:
        if not self.built:
            return self._text(
                503,
                "The portal UI is not built. Run `make ui` (or `make up`, which builds it), then reload.",
            )
        file = self._file_for(path)
        if file is None and not path.endswith("/") and self._file_for(path + "/") is not None:
            return WebAnswer(308, {"Location": path + "/", **security_headers(local=True)}, b"")
        if file is None:
            return self._serve(self.root / NOT_FOUND_PAGE, 404)
        return self._serve(file, 200)

    def _file_for(self, path: str) -> Path | None:
        relative = path.lstrip("/")
        if relative == "" or relative.endswith("/"):
            relative += "index.html"
        candidate = (self.root / relative).resolve()
        if not candidate.is_relative_to(self.root) or not candidate.is_file():
            return None  # outside the build (../ and friends) or absent
        return candidate

    def _serve(self, file: Path, status: int) -> WebAnswer:
        body = file.read_bytes()
        relative = file.relative_to(self.root).as_posix()
        hashes = self._script_hashes(file, body) if file.suffix == ".html" else ()
        headers = {
            "Content-Type": CONTENT_TYPES.get(file.suffix, "application/octet-stream"),
            "Cache-Control": cache_control(relative),
            **security_headers(hashes, local=True),
        }
        return WebAnswer(status, headers, body)

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
