"""Real-world specs from npm, fetched at bench time into .cache/ (never committed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

CACHE = Path(__file__).resolve().parent.parent / ".cache" / "npm"
OCTOKIT = "@octokit/openapi@23.0.2"


def github_spec() -> Path:
    """GitHub's REST API description (13 MB of JSON), from npm's @octokit/openapi."""
    path = CACHE / "node_modules" / "@octokit" / "openapi" / "generated" / "api.github.com.json"
    if not path.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed to fetch GitHub's spec (@octokit/openapi)")
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"fetching {OCTOKIT} with npm into {CACHE} ...", flush=True)
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(CACHE), OCTOKIT],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return path
