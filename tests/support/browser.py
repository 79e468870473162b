"""A real browser for the UI journeys: Debian's chromium driven by Playwright for Python through
`executable_path` (Playwright never downloads a browser here), launched with the flags that keep it
off the closed network. Each test gets a fresh context (its own cookies, no shared session);
`Shots.take` keeps a screenshot of each page under test-results/screenshots/ as an artifact, and
`assert_accessible` runs axe-core (ui/node_modules) in the page."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("DEVPORTAL_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "ui" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-results" / "screenshots"
# Without these Chromium reaches for Google's services at start and floods a closed network.
QUIET_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--metrics-recording-only",
)


def launch_browser() -> Iterator[Browser]:
    """One headless chromium; Playwright gives each launch a fresh profile of its own and removes it."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium (apt-get install chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=list(QUIET_FLAGS))
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Shots:
    """Screenshots of one test, named after it: test-results/screenshots/<test>-<n>-<what>.png."""

    test: str
    taken: list[Path] = field(default_factory=list)

    def take(self, page: Page, what: str, *, full_page: bool = False) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.test}-{len(self.taken) + 1:02d}-{re.sub(r'[^a-z0-9]+', '-', what.lower())}.png"
        page.screenshot(path=str(path), full_page=full_page)
        self.taken.append(path)
        return path


@dataclass
class PageWatch:
    """What went wrong in a page that a person would not see at once: script errors, CSP refusals,
    requests that got no answer. (Answers with an error status are the API's business, not this.)"""

    errors: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("console", self._console)
        page.on("requestfailed", self._request_failed)

    def _request_failed(self, request: Request) -> None:
        if request.failure != "net::ERR_ABORTED":  # a prefetch or load the page itself cancelled
            self.errors.append(f"no answer: {request.method} {request.url} {request.failure}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"console: {message.text}")


def new_context(browser: Browser, *, width: int = 1280, height: int = 900) -> BrowserContext:
    return browser.new_context(viewport={"width": width, "height": height}, locale="en-GB", timezone_id="UTC")


SERIOUS = ("serious", "critical")


def assert_accessible(page: Page, where: str) -> None:
    """axe-core's WCAG 2 A/AA rules on the page as it is: no serious or critical violation.

    axe is evaluated as a function body, not added as a script element, so the page's own CSP
    (no inline script but its hashed bootstrap) stays in force while it runs."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;window.__axe = axe;")
    result: dict[str, Any] = page.evaluate(
        "async () => await window.__axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    bad = [v for v in result["violations"] if v["impact"] in SERIOUS]
    summary = [
        {"rule": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in bad
    ]
    assert not bad, f"{where}: accessibility violations\n{json.dumps(summary, indent=1)}"
