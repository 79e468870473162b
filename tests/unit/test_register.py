"""The registration steps over in-memory ports."""

from __future__ import annotations

import asyncio
import json
import os
import time

import pytest
from temporalio.testing import ActivityEnvironment

from devportal.registry.models import RegistrationStep
from devportal.registry.ports import StoreResult
from devportal.registry.register import Registrar, Submitted
from devportal.registry.submit import SubmitRequest, SubmitSpec
from devportal.settings import SpecLimits
from devportal.specs.sandbox import SpecSandbox
from events.registry import ApiRegistrationRejected, ApiVersionRegistered
from temporal_bridge.activities import RegistrationActivities
from tests.support.fakes import InMemoryBlobStore, InMemoryRegistry, RecordingPublisher
from tests.support.processes import children
from tests.support.specs import demo_spec_bytes, many_paths, minimal


class World:
    def __init__(self) -> None:
        self.registry = InMemoryRegistry()
        self.specs = InMemoryBlobStore()
        self.docs = InMemoryBlobStore()
        self.publisher = RecordingPublisher()
        self.registrar = Registrar(self.registry, self.specs, self.docs, self.publisher, SpecLimits())

    def submit(self, body: bytes, media_type: str = "application/yaml") -> Submitted:
        outcome = SubmitSpec(self.registry, self.specs, self.publisher, SpecLimits())(
            SubmitRequest(body=body, media_type=media_type, team="pets", correlation_id="c")
        )
        return Submitted.of(outcome.submission)


@pytest.fixture
def world() -> World:
    return World()


def test_a_valid_spec_goes_through_every_step(world: World) -> None:
    submitted = world.submit(demo_spec_bytes("petstore.yaml"))

    def step() -> RegistrationStep | None:
        current = world.registry.get_submission(submitted.submission_id)
        assert current is not None
        return current.step

    world.registrar.mark_registering(submitted)
    assert step() is RegistrationStep.VALIDATING
    validated = world.registrar.validate(submitted)
    assert validated.valid
    assert validated.operation_count == 4
    assert validated.title == "Petstore"
    assert json.loads(world.specs.get(validated.normalized_key))["info"]["title"] == "Petstore"
    docs_key = world.registrar.render_docs(submitted, validated.normalized_key)
    assert step() is RegistrationStep.RENDERING
    assert b"operationId: showPetById" in world.docs.get(docs_key)
    assert world.registrar.store(submitted, validated, docs_key) is StoreResult.CREATED
    assert step() is RegistrationStep.STORING
    assert world.registrar.store(submitted, validated, docs_key) is StoreResult.ALREADY_STORED  # a retried activity
    world.registrar.announce_registered(submitted, validated, docs_key)
    assert step() is RegistrationStep.ANNOUNCING
    registered = world.publisher.published[-1].data
    assert isinstance(registered, ApiVersionRegistered)
    assert registered.docs_key == docs_key


def test_an_invalid_spec_yields_findings(world: World) -> None:
    body = json.dumps(minimal(paths={"/a/{id}": {"get": {"responses": {"200": {"description": "x"}}}}})).encode()
    submitted = world.submit(body, "application/json")
    validated = world.registrar.validate(submitted)
    assert not validated.valid
    assert [(f.pointer, f.rule) for f in validated.findings] == [("/paths/~1a~1{id}/get", "path-params")]
    world.registrar.announce_rejected(submitted, "invalid-spec", validated.findings, validated.findings_truncated)
    rejected = world.publisher.published[-1].data
    assert isinstance(rejected, ApiRegistrationRejected)
    assert rejected.findings[0].pointer == "/paths/~1a~1{id}/get"


def test_the_door_decides_the_size_and_the_worker_checks_what_it_accepted(world: World) -> None:
    # a document accepted through an upload is larger than a request body may be: checked whole
    submitted = world.submit(demo_spec_bytes("petstore.yaml"))
    body_cap_only = SpecLimits(max_spec_bytes=100)
    assert Registrar(world.registry, world.specs, world.docs, world.publisher, body_cap_only).validate(submitted).valid


def test_limits_tightened_after_submission_reject_rather_than_crash(world: World) -> None:
    submitted = world.submit(demo_spec_bytes("petstore.yaml"))
    strict = SpecLimits(max_spec_bytes=100, max_upload_bytes=100)
    validated = Registrar(world.registry, world.specs, world.docs, world.publisher, strict).validate(submitted)
    assert not validated.valid
    assert validated.findings[0].rule == "spec-too-large"


def test_rejection_findings_are_capped_for_the_event(world: World) -> None:
    submitted = world.submit(demo_spec_bytes("petstore.yaml"))
    from devportal.specs.validation import Finding

    many = [Finding(f"/p{i}", "bad", "schema") for i in range(150)]
    world.registrar.announce_rejected(submitted, "invalid-spec", many, False)
    rejected = world.publisher.published[-1].data
    assert isinstance(rejected, ApiRegistrationRejected)
    assert len(rejected.findings) == 100
    assert rejected.findings_truncated


async def test_cancelling_the_validate_activity_kills_its_check(world: World) -> None:
    """A validation that overruns its activity (cancelled on timeout, or with the workflow) must
    not keep a thread and a process busy: the check's worker is killed and the activity ends."""
    sandbox = SpecSandbox(1)
    registrar = Registrar(world.registry, world.specs, world.docs, world.publisher, SpecLimits(), check=sandbox.check)
    submitted = world.submit(many_paths(60_000), "application/json")
    environment = ActivityEnvironment()
    before = children()
    started = time.monotonic()
    running = asyncio.ensure_future(environment.run(RegistrationActivities(registrar).validate, submitted))
    await asyncio.sleep(0.5)
    assert len(children() - before) == 1  # checking, in its own process
    environment.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert time.monotonic() - started < 2.0  # the check alone takes ~2.5 s
    assert children() <= before, f"left running: {children() - before} (this is {os.getpid()})"
    sandbox.close()
