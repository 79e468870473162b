"""Lambda code, packaged without Docker.

Two asset folders under build/lambda/, both plain directories CDK zips as it synthesizes:
- `code/`: our packages (the domain core, events, contracts, functions, the Temporal bridge) - what
  every function runs, a few hundred KB; its content hash is the worker's Temporal build id.
- `layer/python/`: the runtime dependencies from pyproject.toml, pinned by constraints.txt, as
  manylinux x86_64 wheels for CPython 3.11 (the Lambda runtime), whatever the build machine is.

The wheels come from a wheelhouse, `.cache/lambda-wheels`, that `make install` fills from PyPI
(`python -m stacks.packaging --download`): building the layer, and so synthesizing, never touches
the network. `python -m stacks.packaging` (or `make package`) builds both folders; the layer is
rebuilt only when pyproject.toml or constraints.txt change. The CDK app refuses to synthesize
without them."""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "lambda"
WHEELHOUSE = ROOT / ".cache" / "lambda-wheels"
CODE_PACKAGES = ("devportal", "events", "contracts", "functions", "temporal_bridge")
PYTHON_VERSION = "3.11"
PLATFORM = "manylinux2014_x86_64"
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyi", "py.typed")
_LAYER_STAMP = ".inputs.sha256"


class NotPackaged(RuntimeError):
    """The asset folders are missing: run `make package` first."""


@dataclass(frozen=True)
class LambdaAssets:
    code: Path
    layer: Path
    build_id: str


def runtime_requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return list(project["dependencies"])


def _digest(paths: list[Path]) -> str:
    sha = hashlib.sha256()
    for path in sorted(paths):
        sha.update(str(path.relative_to(ROOT)).encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()


def build_code(target: Path = BUILD / "code") -> str:
    """Copy our packages into `target` and return their content hash."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for package in CODE_PACKAGES:
        shutil.copytree(ROOT / package, target / package, ignore=_IGNORED)
    build_id = _digest([p for p in target.rglob("*") if p.is_file()])[:16]
    (target / "BUILD_ID").write_text(build_id + "\n", encoding="utf-8")
    return build_id


def _pins_digest() -> str:
    return _digest([ROOT / "pyproject.toml", ROOT / "constraints.txt"])


def _pip(*arguments: str) -> None:
    command = [
        sys.executable, "-m", "pip", *arguments, "--quiet", "--disable-pip-version-check",
        "--platform", PLATFORM, "--implementation", "cp", "--python-version", PYTHON_VERSION,
        "--only-binary=:all:", "-c", str(ROOT / "constraints.txt"), *runtime_requirements(),
    ]  # fmt: skip
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def download_wheels(wheelhouse: Path = WHEELHOUSE) -> bool:
    """Fetch the Lambda platform's wheels of every pinned runtime dependency (set-up time, the only
    step that needs PyPI); False when the wheelhouse already matches the pins."""
    stamp = wheelhouse / _LAYER_STAMP
    if stamp.exists() and stamp.read_text(encoding="utf-8") == _pins_digest():
        return False
    wheelhouse.mkdir(parents=True, exist_ok=True)
    _pip("download", "--dest", str(wheelhouse))
    stamp.write_text(_pins_digest(), encoding="utf-8")
    return True


def build_layer(target: Path = BUILD / "layer", *, force: bool = False, wheelhouse: Path = WHEELHOUSE) -> bool:
    """Install the runtime dependencies for the Lambda platform from the wheelhouse, offline;
    False when the layer is already current."""
    inputs = _pins_digest()
    stamp = target / _LAYER_STAMP
    if not force and stamp.exists() and stamp.read_text(encoding="utf-8") == inputs:
        return False
    wheels_stamp = wheelhouse / _LAYER_STAMP
    if not wheels_stamp.exists() or wheels_stamp.read_text(encoding="utf-8") != inputs:
        raise NotPackaged(f"{wheelhouse} does not hold the pinned wheels: run `make install`.")
    if target.exists():
        shutil.rmtree(target)
    site = target / "python"
    _pip("install", "--no-index", "--find-links", str(wheelhouse), "--no-compile", "--target", str(site))
    for junk in ("bin", "__pycache__"):
        shutil.rmtree(site / junk, ignore_errors=True)
    stamp.write_text(inputs, encoding="utf-8")
    return True


def lambda_assets(root: Path = BUILD) -> LambdaAssets:
    code, layer = root / "code", root / "layer"
    if not (code / "BUILD_ID").is_file() or not (layer / _LAYER_STAMP).is_file():
        raise NotPackaged(f"Lambda assets are missing under {root}: run `make package` first.")
    return LambdaAssets(code=code, layer=layer, build_id=(code / "BUILD_ID").read_text(encoding="utf-8").strip())


def _size(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1024 / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m stacks.packaging",
        description="Build the Lambda asset folders (code and dependency layer) under build/lambda/, no Docker, "
        "no network (the layer installs from the wheelhouse `make install` filled).",
    )
    parser.add_argument("--force", action="store_true", help="rebuild the dependency layer even if it is current")
    parser.add_argument(
        "--download",
        action="store_true",
        help=f"only fill the wheelhouse ({WHEELHOUSE.relative_to(ROOT)}) from PyPI; run by `make install`",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.download:
        fetched = download_wheels()
        state = "downloaded" if fetched else "up to date"
        print(f"wheelhouse: {WHEELHOUSE} ({_size(WHEELHOUSE):.0f} MB, {state}: {PLATFORM}, CPython {PYTHON_VERSION})")
        return 0
    build_id = build_code()
    print(f"code:  {BUILD / 'code'} ({_size(BUILD / 'code'):.1f} MB, build id {build_id})")
    rebuilt = build_layer(force=args.force)
    state = "built" if rebuilt else "up to date"
    print(f"layer: {BUILD / 'layer'} ({_size(BUILD / 'layer'):.0f} MB, {state}: {PLATFORM}, CPython {PYTHON_VERSION})")
    print(f"done in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
