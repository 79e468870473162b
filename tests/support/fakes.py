"""In-memory implementations of the registry's ports, for unit tests.

They subclass the Protocols they stand for, so mypy checks them against the real interfaces."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from devportal.analytics.daily import summary_of
from devportal.analytics.health import HealthState
from devportal.analytics.ports import Alert, Applied, HealthRecord, HealthStore, ReportPage, ReportStore, UsageStore
from devportal.analytics.ratings import Rating, RatingStore
from devportal.analytics.usage import Bucket, Usage
from devportal.identity.users import ProfilePage, Profiles, UserProfile
from devportal.notify.ports import DeliveryStore, Executions, Mailer, SigningSecrets, SubscriptionStore, WebhookPoster
from devportal.notify.subscriptions import Attempt, Delivery, Subscription
from devportal.registry.models import (
    ApiVersionRecord,
    CatalogEntry,
    RegistrationStep,
    Submission,
    SubmissionStatus,
    is_newer,
)
from devportal.registry.ports import (
    BlobStore,
    EventPublisher,
    Page,
    PublishFailed,
    RegistryRepository,
    StoreResult,
)
from devportal.specs.validation import Finding
from events.envelope import Envelope


class InMemoryBlobStore(BlobStore):
    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}

    def put(self, key: str, body: bytes, content_type: str) -> None:
        self.objects[key] = (body, content_type)

    def get(self, key: str) -> bytes:
        return self.objects[key][0]

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    def size(self, key: str) -> int | None:
        return len(self.objects[key][0]) if key in self.objects else None

    def download_url(self, key: str, expires_seconds: int) -> str:
        return f"memory://{key}?expires={expires_seconds}"

    def upload_url(self, key: str, content_type: str, size: int, expires_seconds: int) -> str:
        return f"memory://{key}?put={size}&type={content_type}&expires={expires_seconds}"

    def describe(self, key: str) -> tuple[int, str] | None:
        return (len(self.objects[key][0]), self.objects[key][1]) if key in self.objects else None


class InMemoryRegistry(RegistryRepository):
    def __init__(self) -> None:
        self.submissions: dict[str, Submission] = {}
        self.versions: dict[tuple[str, str], ApiVersionRecord] = {}
        self.catalog: dict[str, CatalogEntry] = {}

    def create_submission(self, submission: Submission) -> Submission:
        return self.submissions.setdefault(submission.submission_id, submission)

    def get_submission(self, submission_id: str) -> Submission | None:
        return self.submissions.get(submission_id)

    def record_step(self, submission_id: str, step: RegistrationStep) -> None:
        current = self.submissions.get(submission_id)
        if current is not None and not current.status.terminal:
            self.submissions[submission_id] = dataclasses.replace(
                current, status=SubmissionStatus.REGISTERING, step=step
            )

    def record_outcome(
        self,
        submission_id: str,
        status: SubmissionStatus,
        *,
        reason: str | None,
        findings: Sequence[Finding],
        findings_truncated: bool,
    ) -> bool:
        current = self.submissions.get(submission_id)
        if current is None or current.status.terminal:
            return False
        self.submissions[submission_id] = dataclasses.replace(
            current,
            status=status,
            step=None,
            reason=reason,
            findings=tuple(findings),
            findings_truncated=findings_truncated,
        )
        return True

    def get_version(self, api_id: str, version: str) -> ApiVersionRecord | None:
        return self.versions.get((api_id, version))

    def list_versions(self, api_id: str) -> list[ApiVersionRecord]:
        return [record for (api, _), record in self.versions.items() if api == api_id]

    def store_version(self, record: ApiVersionRecord) -> StoreResult:
        existing = self.versions.get((record.api_id, record.version))
        if existing is None or existing.status == "failed":
            self.versions[(record.api_id, record.version)] = record
            return StoreResult.CREATED
        return StoreResult.ALREADY_STORED if existing.sha256 == record.sha256 else StoreResult.CONFLICT

    def change_status(
        self, api_id: str, version: str, *, expected: str, status: str, sunset: date | None, by: str, at: datetime
    ) -> bool:
        existing = self.versions.get((api_id, version))
        if existing is None or existing.status != expected:
            return False
        self.versions[(api_id, version)] = dataclasses.replace(
            existing, status=status, sunset=sunset, status_changed_at=at, status_changed_by=by
        )
        return True

    def get_catalog_entry(self, api_id: str) -> CatalogEntry | None:
        return self.catalog.get(api_id)

    def add_to_catalog(self, record: ApiVersionRecord) -> CatalogEntry:
        current = self.catalog.get(record.api_id)
        if current is None:
            entry = CatalogEntry(record.api_id, record.title, record.owner, record.version, frozenset({record.version}))
        else:
            newer = record.version not in current.versions and is_newer(record.version, current.latest_version)
            entry = dataclasses.replace(
                current,
                versions=current.versions | {record.version},
                latest_version=record.version if newer else current.latest_version,
                title=record.title if newer else current.title,
            )
        self.catalog[record.api_id] = entry
        return entry

    def note_health(self, api_id: str, rule: str, status: str, hour: datetime) -> bool:
        entry = self.catalog.get(api_id)
        if entry is None or (rule in entry.health and entry.health[rule][1] > hour):
            return False
        self.catalog[api_id] = dataclasses.replace(entry, health={**entry.health, rule: (status, hour)})
        return True

    def note_report(self, api_id: str, day: date, headline: str) -> bool:
        entry = self.catalog.get(api_id)
        if entry is None or (entry.last_report is not None and entry.last_report[0] > day):
            return False
        self.catalog[api_id] = dataclasses.replace(entry, last_report=(day, headline))
        return True

    def note_test_run(self, api_id: str, run: Mapping[str, Any]) -> bool:
        entry = self.catalog.get(api_id)
        if entry is None or (entry.last_test_run is not None and entry.last_test_run["finishedAt"] > run["finishedAt"]):
            return False
        self.catalog[api_id] = dataclasses.replace(entry, last_test_run=dict(run))
        return True

    def list_catalog(self, *, limit: int, cursor: str | None, owner: str | None) -> Page:
        entries = sorted(
            (e for e in self.catalog.values() if owner is None or e.owner == owner), key=lambda e: e.api_id
        )
        after = [e for e in entries if cursor is None or e.api_id > cursor]
        page = after[:limit]
        return Page(page, page[-1].api_id if len(after) > limit else None)


class InMemoryUsageStore(UsageStore):
    """Counts a delivery once per API-hour, as the table's markers do."""

    def __init__(self) -> None:
        self.hours: dict[Bucket, Usage] = {}
        self.markers: set[tuple[str, str, datetime, bool]] = set()
        self.consumers: dict[str, dict[str, datetime]] = {}

    def apply(self, delivery: str, buckets: Mapping[Bucket, Usage]) -> Applied:
        applied = already = 0
        for bucket, usage in buckets.items():
            if (delivery, bucket.api_id, bucket.hour, bucket.day) in self.markers:
                already += 1
                continue
            self.hours[bucket] = Usage.merged((self.hours.get(bucket, Usage()), usage))
            applied += 1
        self.markers |= {(delivery, bucket.api_id, bucket.hour, bucket.day) for bucket in buckets}
        return Applied(applied, already)

    def note_first_seen(self, api_id: str, consumers: Mapping[str, datetime]) -> None:
        known = self.consumers.setdefault(api_id, {})
        for consumer, seen in consumers.items():
            known[consumer] = min(known.get(consumer, seen), seen)

    def first_seen(self, api_id: str) -> dict[str, datetime]:
        return dict(self.consumers.get(api_id, {}))

    def read(
        self, api_id: str, scope: str, start: datetime, end: datetime, *, days: bool = False
    ) -> list[tuple[datetime, Usage]]:
        length = _DAY if days else _HOUR
        found = [
            (bucket.hour, usage)
            for bucket, usage in self.hours.items()
            if bucket.api_id == api_id
            and bucket.scope == scope
            and bucket.day == days
            and start < bucket.hour + length
            and bucket.hour < end
        ]
        return sorted(found, key=lambda hour_usage: hour_usage[0])

    def calls(
        self, api_id: str, scope: str, start: datetime, end: datetime, *, days: bool = False
    ) -> dict[datetime, int]:
        return {hour: usage.calls for hour, usage in self.read(api_id, scope, start, end, days=days)}


class InMemoryHealthStore(HealthStore):
    def __init__(self) -> None:
        self.since: dict[str, datetime] = {}
        self.states: dict[str, HealthState] = {}
        self.kept: dict[str, dict[str, Alert]] = {}
        self.overrides: dict[str, tuple[dict[str, Any], str, datetime]] = {}
        self.conflicts = 0  # the next N saves find another writer was first
        self.reports_scheduled: set[str] = set()

    def note_traffic(self, api_id: str, since: datetime) -> bool:
        if api_id in self.since:
            return False
        self.since[api_id] = since
        return True

    def has_traffic(self, api_id: str) -> bool:
        return api_id in self.since

    def traffic(self) -> Iterator[tuple[str, datetime]]:
        yield from sorted(self.since.items())

    def reports_unscheduled(self, limit: int) -> list[str]:
        return [api_id for api_id in sorted(self.since) if api_id not in self.reports_scheduled][:limit]

    def note_reports_scheduled(self, api_id: str) -> None:
        self.reports_scheduled.add(api_id)

    def record(self, api_id: str) -> HealthRecord:
        overrides = self.overrides.get(api_id)
        state = self.states.get(api_id, HealthState())
        if overrides is None:
            return HealthRecord(state, {})
        return HealthRecord(state, dict(overrides[0]), overrides[1], overrides[2])

    def save(self, api_id: str, state: HealthState, alerts: Sequence[Alert]) -> bool:
        if self.conflicts:
            self.conflicts -= 1
            return False
        if self.states.get(api_id, HealthState()).rev != state.rev:
            return False
        self.states[api_id] = replace(state, rev=state.rev + 1)
        kept = self.kept.setdefault(api_id, {})
        for alert in alerts:
            if alert.degraded:
                kept[alert.alert_id] = alert
            else:
                kept[alert.alert_id] = replace(
                    kept[alert.alert_id], recovered_at=alert.recovered_at, recovered=alert.recovered
                )
        return True

    def alerts(self, api_id: str, limit: int = 50) -> list[Alert]:
        found = sorted(self.kept.get(api_id, {}).values(), key=lambda a: (a.since, a.rule), reverse=True)
        return found[:limit]

    def set_thresholds(self, api_id: str, overrides: Mapping[str, Any], by: str, at: datetime) -> None:
        self.overrides[api_id] = (dict(overrides), by, at)


class InMemoryRatings(RatingStore):
    def __init__(self) -> None:
        self.votes: dict[tuple[str, str, str], Rating] = {}

    def put(self, rating: Rating) -> None:
        self.votes[(rating.api_id, rating.version, rating.reader)] = rating

    def of_version(self, api_id: str, version: str) -> list[Rating]:
        return [r for (a, v, _), r in self.votes.items() if (a, v) == (api_id, version)]


class InMemoryReportStore(ReportStore):
    def __init__(self) -> None:
        self.kept: dict[tuple[str, str], dict[str, Any]] = {}

    def put(self, report: Mapping[str, Any]) -> None:
        self.kept[(report["apiId"], report["day"])] = copy.deepcopy(dict(report))

    def get(self, api_id: str, day: date) -> dict[str, Any] | None:
        found = self.kept.get((api_id, day.isoformat()))
        return copy.deepcopy(found) if found is not None else None

    def page(self, api_id: str, *, limit: int, before: date | None = None) -> ReportPage:
        days = sorted(
            (day for (api, day) in self.kept if api == api_id and (before is None or day < before.isoformat())),
            reverse=True,
        )
        shown = days[:limit]
        return ReportPage(
            [summary_of(self.kept[(api_id, day)]) for day in shown],
            date.fromisoformat(shown[-1]) if len(days) > limit else None,
        )


_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)


class RecordingPublisher(EventPublisher):
    """Keeps what it was asked to publish; `failures` makes the next N calls fail."""

    def __init__(self, failures: int = 0) -> None:
        self.published: list[Envelope[Any]] = []
        self.failures = failures

    def publish(self, events: Sequence[Envelope[Any]]) -> None:
        if self.failures:
            self.failures -= 1
            raise PublishFailed("bus unavailable (test)")
        self.published.extend(events)


class InMemoryProfiles(Profiles):
    def __init__(self, *profiles: UserProfile) -> None:
        self.profiles: dict[str, UserProfile] = {p.user_id: p for p in profiles}

    def put_profile(self, profile: UserProfile) -> bool:
        if profile.user_id in self.profiles:
            return False
        self.profiles[profile.user_id] = profile
        return True

    def get_profile(self, user_id: str) -> UserProfile | None:
        return self.profiles.get(user_id)

    def list_profiles(self, *, team: str | None, limit: int, after: str | None) -> ProfilePage:
        ordered = sorted(
            (p for p in self.profiles.values() if team in (None, p.team) and (after is None or p.email > after)),
            key=lambda p: p.email,
        )
        page = ordered[:limit]
        return ProfilePage(page, page[-1].email if len(ordered) > limit else None)

    def record_sign_in(self, user_id: str, at: datetime) -> bool:
        current = self.profiles.get(user_id)
        if current is None or (current.last_login is not None and current.last_login >= at):
            return False
        self.profiles[user_id] = dataclasses.replace(current, last_login=at)
        return True


class InMemorySubscriptions(SubscriptionStore):
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Subscription] = {}
        self.confirmations: dict[str, tuple[str, str]] = {}

    def of_team(self, team: str) -> list[Subscription]:
        return [s for (t, _), s in self.items.items() if t == team]

    def get(self, team: str, subscription_id: str) -> Subscription | None:
        return self.items.get((team, subscription_id))

    def create(self, subscription: Subscription, limit: int) -> bool:
        if len(self.of_team(subscription.team)) >= limit:
            return False
        self.items[(subscription.team, subscription.subscription_id)] = subscription
        if subscription.confirmation:
            self.confirmations[subscription.confirmation] = (subscription.team, subscription.subscription_id)
        return True

    def replace(self, subscription: Subscription) -> bool:
        key = (subscription.team, subscription.subscription_id)
        if key not in self.items:
            return False
        self.items[key] = subscription
        return True

    def delete(self, team: str, subscription_id: str) -> bool:
        return self.items.pop((team, subscription_id), None) is not None

    def confirm(self, token_hash: str, now: datetime) -> Subscription | None:
        key = self.confirmations.pop(token_hash, None)
        if key is None or key not in self.items:
            return None
        confirmed = replace(self.items[key], status="active", confirmation="", updated_at=now)
        self.items[key] = confirmed
        return confirmed


class InMemoryDeliveries(DeliveryStore):
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Delivery] = {}
        self.told: dict[str, str] = {}  # delivery id -> digest id (they left the waiting index)

    def create(self, delivery: Delivery) -> bool:
        key = (delivery.subscription_id, delivery.delivery_id)
        if key in self.items:
            return False
        self.items[key] = delivery
        return True

    def get(self, subscription_id: str, delivery_id: str) -> Delivery | None:
        return self.items.get((subscription_id, delivery_id))

    def add_attempt(self, subscription_id: str, delivery_id: str, attempt: Attempt) -> None:
        kept = self.items[(subscription_id, delivery_id)]
        self.items[(subscription_id, delivery_id)] = replace(kept, attempts=(*kept.attempts, attempt))

    def finish(self, subscription_id: str, delivery_id: str, status: str, round_number: int) -> bool:
        kept = self.items.get((subscription_id, delivery_id))
        if kept is None or kept.rounds != round_number:
            return False
        self.items[(subscription_id, delivery_id)] = replace(kept, status=status)  # type: ignore[arg-type]
        return True

    def next_round(self, subscription_id: str, delivery_id: str, expected_round: int) -> bool:
        kept = self.items.get((subscription_id, delivery_id))
        if kept is None or kept.rounds != expected_round or kept.status == "pending":
            return False
        self.items[(subscription_id, delivery_id)] = replace(kept, status="pending", rounds=expected_round + 1)
        return True

    def page(self, subscription_id: str, limit: int, cursor: str | None) -> tuple[list[Delivery], str | None]:
        mine = sorted((d for (s, _), d in self.items.items() if s == subscription_id), key=lambda d: d.created_at)
        return list(reversed(mine))[:limit], None

    def _waiting(self) -> list[Delivery]:
        kept = (d for d in self.items.values() if d.status == "digested" and d.delivery_id not in self.told)
        return sorted(kept, key=lambda d: (d.subscription_id, d.created_at, d.delivery_id))

    def waiting_subscriptions(self, limit: int) -> list[tuple[str, str]]:
        return list(dict.fromkeys((d.team, d.subscription_id) for d in self._waiting()))[:limit]

    def waiting(self, subscription_id: str, until: datetime, limit: int) -> list[Delivery]:
        return [d for d in self._waiting() if d.subscription_id == subscription_id and d.created_at < until][:limit]

    def include(self, subscription_id: str, delivery_ids: list[str], digest_id: str) -> None:
        for delivery_id in delivery_ids:
            kept = self.items.get((subscription_id, delivery_id))
            if kept is not None:
                self.told[delivery_id] = digest_id
                self.items[(subscription_id, delivery_id)] = replace(kept, digest_id=digest_id)

    def many(self, subscription_id: str, delivery_ids: list[str]) -> list[Delivery]:
        return [self.items[(subscription_id, d)] for d in delivery_ids if (subscription_id, d) in self.items]


class RecordingExecutions(Executions):
    def __init__(self) -> None:
        self.started: dict[str, dict[str, Any]] = {}

    def start(self, name: str, payload: dict[str, Any]) -> bool:
        if name in self.started:
            return False
        self.started[name] = payload
        return True


class InMemorySecrets(SigningSecrets):
    def __init__(self) -> None:
        self.values: dict[str, list[str]] = {}
        self.teams: dict[str, str] = {}

    def create(self, subscription_id: str, secret: str, *, team: str) -> None:
        self.values[subscription_id] = [secret]
        self.teams[subscription_id] = team

    def current(self, subscription_id: str) -> list[str]:
        return list(self.values[subscription_id])

    def rotate(self, subscription_id: str, secret: str) -> None:
        self.values[subscription_id] = [secret, self.values[subscription_id][0]]

    def delete(self, subscription_id: str) -> None:
        self.values.pop(subscription_id, None)


class RecordingMailer(Mailer):
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, to: str, subject: str, text: str) -> str:
        self.sent.append((to, subject, text))
        return f"m-{len(self.sent)}"


class ScriptedPoster(WebhookPoster):
    """Answers each POST with the next scripted outcome: a status, or an exception to raise."""

    def __init__(self, *outcomes: int | Exception) -> None:
        self.outcomes = list(outcomes)
        self.posted: list[tuple[str, bytes, dict[str, str]]] = []

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, float]:
        self.posted.append((url, body, headers))
        outcome = self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome, 1.5
