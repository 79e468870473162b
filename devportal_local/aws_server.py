"""moto that keeps its state: the local stand-in for AWS, durable across restarts and crashes.

moto holds everything in memory. This runs moto's own server with every mutating request made
durable before it is answered, in `<state dir>/aws/`, loaded again at start. Each group of services
that change together has a snapshot (its backends, pickled) and a journal: a request that writes
items (DynamoDB's PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems; an S3
PutObject, CopyObject or DeleteObject) appends what each item it touched now is, numbered; any
other change writes the group's snapshot whole. The journal is folded into a new snapshot once it
grows past 16 MB or 4,000 entries, and on a clean stop; at start, the entries numbered after the
snapshot are applied to it. A write to a catalog of thousands of APIs then costs its items, not
the table. What an answered request wrote survives a Ctrl-C, and a SIGKILL of the whole stack: a
registration the gateway answered 202 is in the table, its spec in the bucket, its event in its
queue. Files are replaced atomically (write, then rename); they are not fsynced, so they survive a
crashed process, not a crashed machine - the same promise the Temporal dev server's SQLite
(`synchronous=1`) makes.

- Groups: DynamoDB; S3 (object bytes stored once each under `aws/s3-objects/`, the snapshot holds
  only their metadata); Cognito; SSM and Secrets Manager; and SQS, SNS and EventBridge together,
  because publishing to a topic or putting an event writes into queues. Requests to one group are
  serialized while it changes; reads never wait.
- SQS long polls: a ReceiveMessage that waits would hold its group for seconds, so waiting
  happens outside it - each attempt to take messages is short, under the group's lock.
- What only moves a message along its queue (a receive, a delete, a visibility change) is
  persisted within a quarter second rather than before it is answered: SQS delivers at least
  once and every consumer is idempotent, so a crash that loses one only hands a message out
  again. It halves the snapshots a registration writes.
- A snapshot written by another moto version is refused at start with what to do, rather than
  read into objects it no longer describes.

    python -m devportal_local.aws_server --port 5050 --state-dir .devportal
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import functools
import http
import io
import json
import logging
import os
import pickle
import re
import signal
import struct
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import moto
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from moto import backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

log = logging.getLogger("devportal.aws")

FORMAT = 2  # 1: snapshots only, still read (and rewritten as 2 at start)
# SQS actions that only move a message along its queue: redone by at-least-once delivery if lost.
# (ReceiveMessage is one too; `_durable_receives` marks it, since it bypasses DurableApp's lock.)
LAZY_ACTIONS = frozenset(
    {"DeleteMessage", "DeleteMessageBatch", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch"}
)
FLUSH_SECONDS = 0.25
# Requests whose every change is to the items recorded by `_recording_item_writes`: journaled.
JOURNALED: dict[str, frozenset[str]] = {
    "dynamodb": frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}),
    "s3": frozenset({"PUT", "DELETE"}),  # on an object, with no subresource (?tagging, ?uploads...)
}
JOURNAL_MAX_BYTES = 16 * 1024 * 1024
JOURNAL_MAX_ENTRIES = 4000

GROUPS: dict[str, tuple[str, ...]] = {
    "dynamodb": ("dynamodb",),
    "s3": ("s3",),
    "cognito": ("cognito-idp",),
    "config": ("ssm", "secretsmanager"),
    "messaging": ("sqs", "sns", "events"),
    "mail": ("ses",),  # SES v1 and v2 sign as `ses` and share one backend
}
GROUP_OF = {service: group for group, services in GROUPS.items() for service in services}
# JSON-protocol targets whose prefix names the service, for requests that carry no signature.
_TARGET_SERVICES = {"AWSCognitoIdentityProviderService": "cognito-idp"}
_READ_PREFIXES = ("Get", "List", "Describe", "Query", "Scan", "BatchGet", "Head")
_LOCKS = (type(threading.Lock()), type(threading.RLock()))


def group_locks() -> dict[str, threading.RLock]:
    return {g: threading.RLock() for g in GROUPS}


class StateUnreadable(RuntimeError):
    """The state directory holds a snapshot this moto cannot read."""


# -- pickling --------------------------------------------------------------------------------


def _lock() -> Any:
    return threading.Lock()


def _rlock() -> Any:
    return threading.RLock()


def _load_rsa(pem: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem, None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def _restore_s3_key(state: dict[str, Any], blob: str) -> Any:
    from moto.s3.models import FakeKey

    key: Any = FakeKey.__new__(FakeKey)
    key.__setstate__({**state, "value": _BLOBS.read(blob)})
    return key


@dataclass
class _BlobStore:
    """S3 object bytes, one file per content, named by the object's ETag and size."""

    root: Path | None = None
    # Names known to be on disk: a snapshot of S3 then costs no stat per object it refers to.
    written: set[str] = field(default_factory=set)

    def name(self, key: Any) -> str:
        return f"{str(key.etag).strip(chr(34))}-{key.contentsize}"

    def keep(self, key: Any) -> str:
        assert self.root is not None
        name = self.name(key)
        if name in self.written:
            return name
        path = self.root / name
        if not path.exists():
            _atomic_write(path, key.value)
        self.written.add(name)
        return name

    def read(self, name: str) -> bytes:
        assert self.root is not None
        return (self.root / name).read_bytes()

    def collect(self, referenced: set[str]) -> int:
        """Delete the files no snapshot refers to any more; returns how many went."""
        assert self.root is not None
        gone = 0
        for path in self.root.iterdir():
            if path.name not in referenced and not path.name.endswith(".tmp"):
                path.unlink()
                self.written.discard(path.name)
                gone += 1
        return gone


_BLOBS = _BlobStore()


def _rebuild_mapping(cls: type[defaultdict[Any, Any]], factory: Callable[[], Any] | None, state: dict[str, Any]) -> Any:
    """A moto defaultdict whose constructor wants arguments (ssm's ParameterDict) - which pickle's
    own way, `cls(factory)`, cannot call: made bare, its attributes put back; pickle then fills in
    its items."""
    mapping: Any = cls.__new__(cls)
    defaultdict.__init__(mapping, factory)
    mapping.__dict__.update(state)
    return mapping


def _picklable_factory(factory: Callable[[], Any]) -> Callable[[], Any]:
    """A stand-in for a defaultdict's lambda factory (`lambda: defaultdict(dict)`), built from what
    the lambda makes: partials of importable types, which pickle."""
    made = factory()
    if isinstance(made, defaultdict):
        inner = made.default_factory
        return functools.partial(defaultdict, _picklable_factory(inner) if inner is not None else None)
    return type(made)


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, blobs: set[str]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.blobs = blobs

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, _LOCKS):
            return (_rlock if isinstance(obj, type(threading.RLock())) else _lock, ())
        factory = obj.default_factory if isinstance(obj, defaultdict) else None
        if isinstance(obj, defaultdict) and type(obj).__module__.startswith("moto."):
            if factory is not None and "<" in getattr(factory, "__qualname__", ""):
                factory = _picklable_factory(factory)
            return (_rebuild_mapping, (type(obj), factory, dict(vars(obj))), None, None, iter(dict.items(obj)))
        if factory is not None and "<" in getattr(factory, "__qualname__", ""):
            return (defaultdict, (_picklable_factory(factory),), None, None, iter(obj.items()))
        if isinstance(obj, rsa.RSAPrivateKey):
            pem = obj.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            return (_load_rsa, (pem,))
        if type(obj).__name__ == "FakeKey" and type(obj).__module__ == "moto.s3.models":
            state = {k: v for k, v in obj.__dict__.items() if k not in {"_value_buffer", "lock"}}
            name = _BLOBS.keep(obj)
            self.blobs.add(name)
            return (_restore_s3_key, (state, name))
        return NotImplemented


def _atomic_write(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


# -- item changes ------------------------------------------------------------------------------


def _key_of(table: Any, attrs: dict[str, Any]) -> dict[str, Any] | None:
    """The key attributes of an item (or a key) of `table`; None when one is missing - a write moto
    refuses before changing anything."""
    names = [n for n in (table.hash_key_attr, table.range_key_attr) if n is not None]
    return {n: attrs[n] for n in names} if all(n in attrs for n in names) else None


class _Recorder(threading.local):
    """The items the request on this thread writes: set by DurableApp around a journaled request."""

    touched: list[tuple[Any, ...]] | None = None


_RECORDER = _Recorder()


def _note(touch: tuple[Any, ...]) -> None:
    if _RECORDER.touched is not None:
        _RECORDER.touched.append(touch)


def _recording_item_writes() -> None:
    """moto's item writes note which item they write: every DynamoDB item write (batches and
    transactions included) goes through the backend's put_item, update_item or delete_item, and
    every S3 object write through put_object or delete_object (copies and multipart completions too)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.s3.models import S3Backend

    if getattr(DynamoDBBackend.put_item, "devportal_recorded", False):
        return

    def item_key(backend: Any, table_name: str, attrs: dict[str, Any]) -> None:
        table = backend.tables.get(table_name)
        key = _key_of(table, attrs) if table is not None else None
        if key is not None:
            hash_and_range = backend.get_keys_value(table, key)
            _note(("dynamodb", backend.account_id, backend.region_name, table_name, *hash_and_range))

    def dynamodb(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def write(self: Any, table_name: str, attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
            if _RECORDER.touched is not None:
                item_key(self, table_name, attrs)
            return original(self, table_name, attrs, *args, **kwargs)

        write.devportal_recorded = True  # type: ignore[attr-defined]
        return write

    def s3(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def write(self: Any, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
            _note(("s3", self.account_id, self.region_name, bucket_name, key_name))
            return original(self, bucket_name, key_name, *args, **kwargs)

        return write

    for name in ("put_item", "update_item", "delete_item"):
        setattr(DynamoDBBackend, name, dynamodb(getattr(DynamoDBBackend, name)))
    for name in ("put_object", "delete_object"):
        setattr(S3Backend, name, s3(getattr(S3Backend, name)))


def _now(touch: tuple[Any, ...]) -> tuple[Any, ...]:
    """A touched item with what it holds now: the DynamoDB item (None: gone), or the S3 key's versions."""
    service, account, region, container, *key = touch
    backend = backends.get_backend(service)[account][region]
    if service == "dynamodb":
        table = backend.tables.get(container)
        return (*touch, table.get_item(*key) if table is not None else None)
    bucket = backend.buckets.get(container)
    return (*touch, list(bucket.keys.getlist(key[0], [])) if bucket is not None else [])


def _apply(change: tuple[Any, ...]) -> None:
    """Put one journaled item back as it was written (replaying a journal onto its snapshot)."""
    service, account, region, container, *key, now = change
    backend = backends.get_backend(service)[account][region]
    if service == "dynamodb":
        table = backend.tables.get(container)
        if table is None:
            return
        hash_key, range_key = key
        items, slot = (table.items, hash_key) if range_key is None else (table.items[hash_key], range_key)
        if now is None:
            items.pop(slot, None)
        else:
            items[slot] = now
        return
    bucket = backend.buckets.get(container)
    if bucket is None:
        return
    if now:
        dict.__setitem__(bucket.keys, key[0], now)
    else:
        dict.pop(bucket.keys, key[0], None)


# -- the journal -----------------------------------------------------------------------------

_HEADER = struct.Struct(">QII")  # sequence number, length, crc32 of the entry


class Journal:
    """A group's numbered entries since its snapshot, appended one per journaled request. Each entry
    is written whole with its length and checksum: a tail torn by a crash (an entry never answered)
    is where reading stops."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file: io.BufferedWriter | None = None
        self.entries = 0
        self.size = path.stat().st_size if path.exists() else 0

    def append(self, seq: int, entry: bytes) -> None:
        if self.file is None:
            self.file = self.path.open("ab")
        self.file.write(_HEADER.pack(seq, len(entry), zlib.crc32(entry)) + entry)
        self.file.flush()  # in the OS once answered: survives the process, like the snapshots
        self.entries += 1
        self.size += _HEADER.size + len(entry)

    def read(self) -> Iterator[tuple[int, bytes]]:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        at = 0
        while at + _HEADER.size <= len(data):
            seq, length, crc = _HEADER.unpack_from(data, at)
            entry = data[at + _HEADER.size : at + _HEADER.size + length]
            if len(entry) < length or zlib.crc32(entry) != crc:
                log.warning(
                    "%s: stopped at a torn entry after sequence %d (a request never answered)", self.path, seq - 1
                )
                return
            yield seq, entry
            at += _HEADER.size + length

    def clear(self) -> None:
        """Empty it (its entries are in the snapshot just written)."""
        if self.file is not None:
            self.file.close()
            self.file = None
        self.path.unlink(missing_ok=True)
        self.entries = self.size = 0

    @property
    def full(self) -> bool:
        return self.entries >= JOURNAL_MAX_ENTRIES or self.size >= JOURNAL_MAX_BYTES


class _Unpickler(pickle.Unpickler):
    """Reads snapshots written when this module ran as `__main__` (format 1) as well."""

    def find_class(self, module: str, name: str) -> Any:
        return super().find_class(__spec__.name if module == "__main__" else module, name)


def _unpickle(data: bytes) -> Any:
    return _Unpickler(io.BytesIO(data)).load()


# -- the store -------------------------------------------------------------------------------


@dataclass
class Store:
    directory: Path
    locks: dict[str, threading.RLock] = field(default_factory=group_locks)
    referenced_blobs: dict[str, set[str]] = field(default_factory=dict)
    dirty: set[str] = field(default_factory=set)  # changed by a lazy action, not yet written
    seq: dict[str, int] = field(default_factory=dict)  # each group's last change, journaled or not
    journals: dict[str, Journal] = field(init=False)

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "s3-objects").mkdir(exist_ok=True)
        _BLOBS.root = self.directory / "s3-objects"
        _BLOBS.written = set()  # another directory: nothing known to be in it yet
        self.journals = {group: Journal(self.directory / f"{group}.journal") for group in JOURNALED}

    @property
    def manifest(self) -> Path:
        return self.directory / "manifest.json"

    def _snapshot_path(self, group: str) -> Path:
        return self.directory / f"{group}.pickle"

    def load(self) -> list[str]:
        """Put every saved group back into moto's backends, journals applied; returns the groups restored."""
        if not self.manifest.exists():
            return []
        written = json.loads(self.manifest.read_text(encoding="utf-8"))
        if written.get("moto") != moto.__version__ or written.get("format") not in (1, FORMAT):
            raise StateUnreadable(
                f"{self.directory} was written by moto {written.get('moto')} (format {written.get('format')}); "
                f"this is moto {moto.__version__} (format {FORMAT}). Start with --fresh to begin empty "
                "(the local portal's data goes), or install the moto version that wrote it."
            )
        restored = []
        for group, services in GROUPS.items():
            path = self._snapshot_path(group)
            if not path.exists():
                continue
            saved: dict[str, Any] = _unpickle(path.read_bytes())
            if written["format"] == 1:
                saved = {"seq": 0, "services": saved}
            for service in services:
                backend_dict = backends.get_backend(service)  # type: ignore[call-overload]
                state = saved["services"].get(service, {})
                for account, regions in state.get("backends", {}).items():
                    for region, backend in regions.items():
                        backend_dict[account][region] = backend
                # What the service keeps beside its backends (S3: which account holds which bucket)
                for name, value in state.get("shared", {}).items():
                    setattr(backend_dict, name, value)
            self.seq[group] = saved["seq"]
            replayed = self._replay(group)
            restored.append(f"{group} (+{replayed} journaled)" if replayed else group)
        if written["format"] != FORMAT:
            self.save_all()  # rewritten in this format, before anything is journaled onto it
            _atomic_write(self.manifest, json.dumps(_manifest()).encode())
        return restored

    def _replay(self, group: str) -> int:
        journal = self.journals.get(group)
        if journal is None:
            return 0
        replayed = 0
        for seq, entry in journal.read():
            if seq <= self.seq[group]:
                continue  # in the snapshot already (written just before the journal was cleared)
            for change in _unpickle(entry):
                _apply(change)
            self.seq[group] = seq
            replayed += 1
        journal.entries = replayed
        return replayed

    def save(self, group: str) -> None:
        """Write one group's snapshot, and empty its journal (the caller holds its lock)."""
        self.dirty.discard(group)
        blobs: set[str] = set()
        buffer = io.BytesIO()
        self.seq[group] = seq = self.seq.get(group, 0) + 1
        state = {service: _service_state(backends.get_backend(service)) for service in GROUPS[group]}  # type: ignore[call-overload]
        _Pickler(buffer, blobs).dump({"seq": seq, "services": state})
        _atomic_write(self._snapshot_path(group), buffer.getvalue())
        if group in self.journals:
            self.journals[group].clear()
        if group == "s3":
            self.referenced_blobs[group] = blobs
        if not self.manifest.exists():
            _atomic_write(self.manifest, json.dumps(_manifest()).encode())

    def journal(self, group: str, touched: list[tuple[Any, ...]]) -> None:
        """Append what the items a request wrote now hold (the caller holds the group's lock)."""
        if group not in self.seq or self.journals[group].full:  # no snapshot yet (seq: loaded or saved)
            self.save(group)
            return
        changes = [_now(touch) for touch in dict.fromkeys(touched)]
        buffer = io.BytesIO()
        _Pickler(buffer, set()).dump(changes)
        self.seq[group] += 1
        self.journals[group].append(self.seq[group], buffer.getvalue())

    def save_soon(self, group: str) -> None:
        """Mark a group changed by a lazy action (the caller holds its lock); `flush` writes it."""
        self.dirty.add(group)

    def flush(self) -> None:
        for group in list(self.dirty):
            with self.locks[group]:
                if group in self.dirty:
                    self.save(group)

    def save_all(self) -> None:
        for group in GROUPS:
            with self.locks[group]:
                self.save(group)

    def collect_blobs(self) -> int:
        """Delete S3 object files nothing refers to (after writing S3's snapshot, its journal folded in)."""
        with self.locks["s3"]:
            self.save("s3")
            return _BLOBS.collect(self.referenced_blobs.get("s3", set()))


# What every BackendDict holds about itself; anything else it holds is the service's own shared state.
_BACKEND_DICT_OWN = {"backend", "service_name", "_use_boto3_regions", "_additional_regions", "_id"}


def _service_state(backend_dict: Any) -> dict[str, Any]:
    return {
        "backends": {account: dict(regions) for account, regions in backend_dict.items()},
        "shared": {k: v for k, v in vars(backend_dict).items() if k not in _BACKEND_DICT_OWN},
    }


def _manifest() -> dict[str, Any]:
    return {"format": FORMAT, "moto": moto.__version__}


# -- requests --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    service: str | None
    action: str | None

    @property
    def group(self) -> str | None:
        return GROUP_OF.get(self.service or "")

    @property
    def mutates(self) -> bool:
        if self.action is None:
            return False
        return not self.action.removeprefix("Admin").startswith(_READ_PREFIXES)  # AdminGetUser reads


def classify(environ: dict[str, Any]) -> Call:
    """Which service a request is for and what it does, from its signature, target and body."""
    service = _signed_service(environ)
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    prefix, _, action = target.partition(".")
    if service is None and prefix:
        service = _TARGET_SERVICES.get(prefix)
    if service == "s3":
        method = environ.get("REQUEST_METHOD", "GET")
        if method in {"GET", "HEAD", "OPTIONS"}:
            return Call("s3", None)
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        subresources = sorted(k for k in query if k != "x-id" and not k.lower().startswith("x-amz-"))
        return Call("s3", f"{method}?{'&'.join(subresources)}" if subresources else method)
    if action:
        return Call(service, action)
    return Call(service, _form_action(environ))


def _signed_service(environ: dict[str, Any]) -> str | None:
    credential = ""
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    if "Credential=" in authorization:
        credential = authorization.split("Credential=", 1)[1].split(",", 1)[0]
    else:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        credential = (query.get("X-Amz-Credential") or [""])[0]
    parts = credential.split("/")
    return parts[3] if len(parts) >= 5 else None


def _form_action(environ: dict[str, Any]) -> str | None:
    """The Action of a query-protocol request (SNS, STS), read without consuming the body."""
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return None
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    actions = parse_qs(body.decode("utf-8", "replace")).get("Action") or []
    return actions[0] if actions else None


# Lambda's Invoke, as boto3 (and moto's state machines) call it: answered by the local Lambda
# endpoint (devportal_local.lambda_front), which runs the portal's real handlers.
_INVOKE_PATH = re.compile(r"/2015-03-31/functions/[^/]+/invocations")
LAMBDA_ENDPOINT_VARIABLE = "DEVPORTAL_LAMBDA_ENDPOINT"
_INVOKE_HEADERS = ("X-Amz-Function-Error", "X-Amz-Executed-Version", "X-Amz-Log-Result", "Content-Type")


def _forward_invoke(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    url = os.environ[LAMBDA_ENDPOINT_VARIABLE].rstrip("/") + environ["PATH_INFO"]
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 - http on loopback, ours
    request.add_header("X-Amz-Invocation-Type", environ.get("HTTP_X_AMZ_INVOCATION_TYPE", "RequestResponse"))
    try:
        with urllib.request.urlopen(request, timeout=900) as answered:  # noqa: S310 - loopback, ours
            status, headers, payload = answered.status, answered.headers, answered.read()
    except urllib.error.HTTPError as error:
        status, headers, payload = error.code, error.headers, error.read()
    except OSError as error:
        status, headers = 502, None
        payload = json.dumps(
            {"Type": "Service", "message": f"the local Lambda endpoint is not answering: {error}"}
        ).encode()
    kept = [(name, headers[name]) for name in _INVOKE_HEADERS if headers is not None and headers.get(name)]
    start_response(f"{status} {http.HTTPStatus(status).phrase}", [*kept, ("Content-Length", str(len(payload)))])
    return [payload]


class SerialApp:
    """moto's WSGI app, with each mutating request applied under its service group's lock.

    moto's backends are not safe under concurrent writes: a TransactWriteItems that fails restores
    a copy of the table taken before it ran, dropping what other requests wrote meanwhile, so two
    racing transactions can both appear to fail and leave half of one behind. DynamoDB, SQS and
    the rest apply each write atomically; one writer at a time per group gives the stand-in that."""

    def __init__(self, locks: dict[str, threading.RLock] | None = None) -> None:
        self.locks = group_locks() if locks is None else locks
        self.app = DomainDispatcherApplication(create_backend_app)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        invoked = _INVOKE_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if invoked and environ.get("REQUEST_METHOD") == "POST" and os.environ.get(LAMBDA_ENDPOINT_VARIABLE):
            return _forward_invoke(environ, start_response)
        call = classify(environ)
        group = call.group
        if group is None or not call.mutates or call.action == "ReceiveMessage":
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        with self.locks[group]:
            # The body is produced whole inside the lock, so what follows sees what it reports.
            touched = _RECORDER.touched = self.recording(call)
            try:
                result = self.app(environ, start_response)
                try:
                    chunks = list(result)
                finally:
                    close = getattr(result, "close", None)
                    if close is not None:
                        close()
            finally:
                _RECORDER.touched = None
            self.applied(call, touched)
        return chunks

    def recording(self, call: Call) -> list[tuple[Any, ...]] | None:
        """A list to note the items `call` writes in, or None: what it changes is not followed."""
        return None

    def applied(self, call: Call, touched: list[tuple[Any, ...]] | None) -> None:
        """Called inside the group's lock once a mutating request has been answered."""


class DurableApp(SerialApp):
    """A SerialApp that also persists each mutating request's group before answering it."""

    def __init__(self, store: Store) -> None:
        super().__init__(store.locks)
        self.store = store

    def recording(self, call: Call) -> list[tuple[Any, ...]] | None:
        return [] if call.action in JOURNALED.get(call.group or "", ()) else None

    def applied(self, call: Call, touched: list[tuple[Any, ...]] | None) -> None:
        assert call.group is not None
        if touched:  # every change it made is to these items
            self.store.journal(call.group, touched)
        elif call.service == "sqs" and call.action in LAZY_ACTIONS:
            self.store.save_soon(call.group)
        else:
            self.store.save(call.group)


def _durable_receives(store: Store) -> None:
    """SQS ReceiveMessage: wait outside the messaging lock, take messages inside it."""
    from moto.sqs.models import SQSBackend

    original = SQSBackend.receive_message

    def receive_message(
        self: Any,
        queue_name: str,
        count: int,
        wait_seconds_timeout: int,
        visibility_timeout: int,
        message_attribute_names: list[str] | None = None,
    ) -> list[Any]:
        deadline = time.monotonic() + wait_seconds_timeout
        while True:
            with store.locks["messaging"]:
                taken = original(self, queue_name, count, 0, visibility_timeout, message_attribute_names)
                if taken:
                    store.save_soon("messaging")
                    return taken
            if time.monotonic() >= deadline:
                return taken
            time.sleep(0.05)

    SQSBackend.receive_message = receive_message  # type: ignore[method-assign]


def _transactions_without_table_copies() -> None:
    """moto backs up every table a TransactWriteItems touches with a deep copy before applying it,
    O(table) per transaction: with a catalog of thousands of APIs, most of the stand-in's time.
    Under SerialApp's lock (one writer per group) a backup of the items the transaction touches is
    enough: moto's own copy becomes the table itself, and a cancelled transaction puts back, in
    reverse order, what each touched item was."""
    from moto.dynamodb import models as dynamodb_models

    backend = dynamodb_models.DynamoDBBackend
    if getattr(backend.transact_write_items, "devportal_patched", False):
        return
    original = backend.transact_write_items
    real_copy = vars(dynamodb_models)["copy"]  # the `copy` module as moto's models module sees it
    from moto.dynamodb.models.table import Table as table_type

    class _KeepTables:
        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            return value if isinstance(value, table_type) else copy.deepcopy(value, memo)

    def touched(self: Any, transact_items: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any], Any]]:
        saved = []
        for entry in transact_items:
            op_type, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName"))
            if table is None:
                continue
            key = _key_of(table, op.get("Item", {})) if op_type == "Put" else op.get("Key") or {}
            if key is None:
                continue  # moto refuses it before changing anything
            try:
                current = self.get_item(table.name, key)
            except Exception:  # noqa: S112 - an invalid key: moto refuses the transaction before changing anything
                continue
            saved.append((table.name, key, copy.deepcopy(current) if current is not None else None))
        return saved

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = touched(self, transact_items)
        setattr(dynamodb_models, "copy", _KeepTables)  # noqa: B010 - the name moto's function reads
        try:
            original(self, transact_items)
        except Exception:
            for table_name, key, item in reversed(saved):
                if item is None:
                    self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, item.to_json()["Attributes"])
            raise
        finally:
            setattr(dynamodb_models, "copy", real_copy)  # noqa: B010

    transact_write_items.devportal_patched = True  # type: ignore[attr-defined]
    backend.transact_write_items = transact_write_items  # type: ignore[method-assign]


class _RequestHandler(MotoRequestHandler):
    # The stdlib server writes an answer's headers and its body in two sends; with Nagle's algorithm
    # the body then waits for the client's delayed ACK of the headers, 40 ms on Linux, on most
    # answers of a kept-alive connection. AWS answers at once, so the stand-in does too.
    disable_nagle_algorithm = True


_PARTITION = threading.local()


def _queries_read_their_partition() -> None:
    """moto's Query on a table (not an index) walks and sorts every item of the table to keep one
    partition's: O(table) per query, so with a month of hourly usage every read of the single
    table took a third of a second. DynamoDB reads the partition alone; so does the stand-in:
    while a query runs, `all_items` (on that thread) gives the queried partition's items only,
    and moto's own range conditions, ordering, paging and projections apply to them as before. A
    sort-key condition narrows them first, with moto's own comparison, before they are sorted."""
    from moto.dynamodb.models.table import Table

    if getattr(Table.query, "devportal_patched", False):
        return
    original_query, original_all_items = Table.query, Table.all_items

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        if index_name is not None or not self.range_key_attr:
            return original_query(self, hash_key, *args, **kwargs)
        comparison = kwargs.get("range_comparison", args[0] if args else None)
        values = kwargs.get("range_objs", args[1] if len(args) > 1 else None) or []
        _PARTITION.table, _PARTITION.key, _PARTITION.condition = self, hash_key, (comparison, values)
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _PARTITION.table = None

    def all_items(self: Any) -> Any:
        queried = getattr(_PARTITION, "table", None)
        if queried is not self:
            return original_all_items(self)
        partition = queried.items.get(_PARTITION.key)
        items = list(partition.values()) if partition else []
        comparison, values = _PARTITION.condition
        if comparison:  # what moto's own loop keeps, before the sort rather than after it
            items = [item for item in items if item.range_key.compare(comparison, values)]
        return sorted(items, key=lambda item: item.range_key)

    query.devportal_patched = True  # type: ignore[attr-defined]
    Table.query = query  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign]


def _state_machines_run() -> None:
    """Step Functions executions run their states for real (Lambda tasks through the local Lambda
    endpoint, SDK integrations against this same server, at MOTO_PORT)."""
    from moto.core.config import default_user_config

    default_user_config["stepfunctions"] = {"execute_state_machine": True}


@contextlib.contextmanager
def _running(host: str, port: int, app: SerialApp) -> Iterator[Any]:
    """`app` served on a thread (one thread per request) until the block ends."""
    _transactions_without_table_copies()
    _queries_read_their_partition()
    _state_machines_run()
    _recording_item_writes()
    server = make_server(host, port, app, threaded=True, request_handler=_RequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="moto", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join()


@contextlib.contextmanager
def serving(host: str, port: int, store: Store) -> Iterator[Any]:
    _durable_receives(store)
    stopping = threading.Event()

    def flush_lazy_changes() -> None:
        while not stopping.wait(FLUSH_SECONDS):
            store.flush()

    flusher = threading.Thread(target=flush_lazy_changes, name="moto-flush", daemon=True)
    flusher.start()
    try:
        with _running(host, port, DurableApp(store)) as server:
            yield server
    finally:  # the flusher stops after the server
        stopping.set()
        flusher.join()  # the caller's save_all writes what is left


@contextlib.contextmanager
def serving_in_memory(host: str, port: int) -> Iterator[Any]:
    """The same stand-in without persistence (integration tests: one per session, nothing kept)."""
    with _running(host, port, SerialApp()) as server:
        yield server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devportal_local.aws_server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state-dir", type=Path, required=True, help="where `aws/` is kept")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    store = Store(args.state_dir / "aws")
    started = time.perf_counter()
    try:
        restored = store.load()
    except StateUnreadable as error:
        log.error("%s", error)
        raise SystemExit(3) from None
    log.info("state %s: %s", store.directory, ", ".join(restored) or "empty", extra={})
    collected = store.collect_blobs() if restored else 0
    log.info("restored in %.2f s (%d unreferenced S3 object file(s) removed)", time.perf_counter() - started, collected)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with serving(args.host, args.port, store):
        log.info("moto serving on %s:%d", args.host, args.port)
        stop.wait()
    store.save_all()  # receives that took nothing, DLQ moves: the last word on a clean stop
    log.info("state saved to %s", store.directory)


if __name__ == "__main__":  # run as the module itself, so what it pickles names devportal_local.aws_server
    from devportal_local.aws_server import main as module_main

    module_main()
