"""The portal's web front end as whoever serves it must serve it: the local gateway at home,
the stage's CloudFront distribution in AWS. Both read this module, so their headers and routes
cannot drift apart.

The app is a Next.js static export (ui/out, built by `make`). Next inlines small bootstrap scripts
into every page; the Content-Security-Policy allows exactly those, by their SHA-256 hashes, and no
other inline script ('unsafe-inline' is never granted to scripts). Styles may be inline: the API
reference renderer sets them at run time."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

UI_DIR = Path(__file__).resolve().parent.parent / "ui"
UI_BUILD = UI_DIR / "out"
# Where the browser reaches the API on the portal's origin (the distribution's /api/* behavior in AWS).
API_PREFIX = "/api"
NOT_FOUND_PAGE = "404.html"

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".map": "application/json",
}


def inline_script_hashes(html: str) -> tuple[str, ...]:
    """CSP source expressions ('sha256-...') for every inline script of a page."""
    return tuple(
        f"'sha256-{base64.b64encode(hashlib.sha256(body.encode('utf-8')).digest()).decode()}'"
        for body in _INLINE_SCRIPT.findall(html)
        if body.strip()
    )


def content_security_policy(script_hashes: tuple[str, ...], *, local: bool) -> str:
    """The page's policy. `connect-src` lets the reference's try-it console reach the API's declared
    servers: any https origin, and plain http as well on a local portal (local APIs speak http)."""
    connect = "'self' https:" + (" http:" if local else "")
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {' '.join(script_hashes)}".rstrip(),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: https:",
            "font-src 'self' data:",
            f"connect-src {connect}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(script_hashes: tuple[str, ...] = (), *, local: bool) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(script_hashes, local=local),
        "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


def cache_control(relative: str) -> str:
    """Hashed build assets forever; pages and their data revalidated on every load."""
    return "public, max-age=31536000, immutable" if relative.startswith("_next/static/") else "no-cache"


def pages(build: Path = UI_BUILD) -> Iterator[tuple[str, Path]]:
    """Every page of the build as (URL path, file): `/`, `/catalog/api/`, ... and `/404.html`."""
    for file in sorted(build.rglob("*.html")):
        relative = file.relative_to(build).as_posix()
        if relative.endswith("index.html"):
            yield "/" + relative.removesuffix("index.html"), file
        else:
            yield "/" + relative, file
