"use client";

import { useState, type FormEvent } from "react";
import { api, type Schemas } from "@/lib/api/client";
import { moment } from "@/lib/format";
import { useAction } from "@/lib/use-action";
import { useAnswer } from "@/lib/use-answer";
import { Loading } from "./Loading";
import { ProblemMessage } from "./ProblemMessage";

type Kind = Schemas["NotificationKind"];
type Subscription = Schemas["Subscription"];
type Delivery = Schemas["Delivery"];

/** What each kind of event tells, in the order the form offers them (every kind the contract names:
 * a kind added there and not here fails the type check). */
export const KIND_LABELS: Record<Kind, string> = {
  "api.registered": "A version is registered",
  "api.rejected": "A submission is refused, with its findings",
  "api.approval-requested": "Breaking changes wait for an admin",
  "api.approval-decided": "An admin approved or rejected them",
  "api.lifecycle-changed": "A version is deprecated (with its sunset), retired or made active",
  "test-run.completed": "A contract test run ended",
  "health.degraded": "An API crossed a health line",
  "health.recovered": "A health alert closed",
  "notification.failed": "A delivery to another subscription failed for good",
};
/** Health alerts are told at once, always: they are never kept for the daily digest. */
export const TOLD_AT_ONCE: ReadonlySet<Kind> = new Set<Kind>(["health.degraded", "health.recovered"]);
const KINDS = (Object.entries(KIND_LABELS) as [Kind, string][]).map(([kind, label]) => ({ kind, label }));

/** What a delivery was about, in words: an event of one API, or a daily digest of several. */
export function deliveryWhat(delivery: Delivery): string {
  if (delivery.kind === "digest") {
    const notices = delivery.notices ?? 0;
    return `Daily digest of ${notices} notice${notices === 1 ? "" : "s"}`;
  }
  return delivery.apiId ? `${delivery.kind} · ${delivery.apiId}` : delivery.kind;
}

const target = (s: Subscription) => s.webhookUrl ?? s.email ?? "";

function Secret({ secret, onDismiss }: { secret: { of: string; value: string; note: string }; onDismiss: () => void }) {
  return (
    <div className="secret" role="status">
      <p>
        <strong>Signing secret of {secret.of}:</strong> {secret.note} It is shown only now. Verify each delivery&apos;s{" "}
        <code>webhook-signature</code> with it (Standard Webhooks).
      </p>
      <code aria-label="The signing secret">{secret.value}</code>
      <div className="actions">
        <button type="button" className="secondary" onClick={onDismiss}>
          I have stored it
        </button>
      </div>
    </div>
  );
}

const toggle = (list: Kind[], kind: Kind, on: boolean) => (on ? [...list, kind] : list.filter((k) => k !== kind));

/** The kinds a subscription is told of, and which of them wait for the daily digest. */
function KindChoices({
  kinds,
  digest,
  onKinds,
  onDigest,
}: {
  kinds: Kind[];
  digest: Kind[];
  onKinds: (kinds: Kind[]) => void;
  onDigest: (digest: Kind[]) => void;
}) {
  return (
    <fieldset className="stack">
      <legend>Of</legend>
      {KINDS.map(({ kind, label }) => (
        <div key={kind} className="actions">
          <label className="check">
            <input
              type="checkbox"
              checked={kinds.includes(kind)}
              onChange={(event) => onKinds(toggle(kinds, kind, event.target.checked))}
            />{" "}
            {label} <code className="muted">{kind}</code>
          </label>
          {!TOLD_AT_ONCE.has(kind) && kinds.includes(kind) && (
            <label className="check muted">
              <input
                type="checkbox"
                checked={digest.includes(kind)}
                onChange={(event) => onDigest(toggle(digest, kind, event.target.checked))}
                aria-label={`${kind} in the daily digest`}
              />{" "}
              in the daily digest
            </label>
          )}
        </div>
      ))}
      <p className="muted">
        Kinds in the daily digest are told together once a day (07:00 UTC) instead of one by one; health alerts are always
        told at once.
      </p>
    </fieldset>
  );
}

function ApiChoice({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <label>
      Only about these APIs <span className="muted">(API ids, separated by commas; all of the team&apos;s when empty)</span>
      <input value={value} onChange={(event) => onChange(event.target.value)} />
    </label>
  );
}

/** What is sent of `digest`: the kinds still chosen. */
const digestOf = (kinds: Kind[], digest: Kind[]) => digest.filter((k) => kinds.includes(k));

function NewSubscription({ team, onCreated }: { team: string; onCreated: (created: Schemas["CreatedSubscription"]) => void }) {
  const [channel, setChannel] = useState<"webhook" | "email">("webhook");
  const [address, setAddress] = useState("");
  const [kinds, setKinds] = useState<Kind[]>(["api.registered", "api.rejected"]);
  const [digest, setDigest] = useState<Kind[]>([]);
  const [apis, setApis] = useState("");
  const { busy, problem, act } = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const chosen = apis.split(/[\s,]+/).filter(Boolean);
    const body: Schemas["NewSubscription"] = {
      events: kinds,
      ...(channel === "webhook" ? { webhookUrl: address.trim() } : { email: address.trim() }),
      ...(chosen.length ? { apis: chosen } : {}),
      ...(digestOf(kinds, digest).length ? { digest: digestOf(kinds, digest) } : {}),
    };
    void act(
      () => api.POST("/teams/{team}/subscriptions", { params: { path: { team } }, body }),
      (created) => {
        if (!created) return;
        setAddress("");
        onCreated(created);
      },
    );
  };
  return (
    <form className="stack" aria-label="Subscribe" onSubmit={submit}>
      <h3>Subscribe</h3>
      <fieldset className="actions">
        <legend>Tell</legend>
        <label className="check">
          <input type="radio" name="channel" checked={channel === "webhook"} onChange={() => setChannel("webhook")} /> a
          webhook
        </label>
        <label className="check">
          <input type="radio" name="channel" checked={channel === "email"} onChange={() => setChannel("email")} /> an
          e-mail address
        </label>
      </fieldset>
      <label>
        {channel === "webhook" ? "Webhook URL" : "E-mail address"}
        <input
          type={channel === "webhook" ? "url" : "email"}
          required
          value={address}
          placeholder={channel === "webhook" ? "https://hooks.example.com/devportal" : "team@example.com"}
          onChange={(event) => setAddress(event.target.value)}
        />
      </label>
      <KindChoices kinds={kinds} digest={digest} onKinds={setKinds} onDigest={setDigest} />
      <ApiChoice value={apis} onChange={setApis} />
      {problem && <ProblemMessage problem={problem} title="The subscription was not made" />}
      <div className="actions">
        <button type="submit" disabled={busy || kinds.length === 0}>
          Subscribe
        </button>
      </div>
      {channel === "email" && (
        <p className="muted">The address is sent a link; nothing else reaches it until it is followed.</p>
      )}
    </form>
  );
}

export function Attempts({ delivery }: { delivery: Delivery }) {
  if (delivery.attempts.length === 0) return <span className="muted">none yet</span>;
  return (
    <ol className="attempts">
      {delivery.attempts.map((attempt, index) => (
        <li key={index}>
          {moment(attempt.at)} · <span className={`badge attempt-${attempt.outcome}`}>{attempt.outcome}</span>
          {attempt.status !== null ? ` · HTTP ${attempt.status}` : ""}
          {attempt.latencyMs ? ` · ${attempt.latencyMs} ms` : ""}
          {attempt.detail ? <span className="muted"> · {attempt.detail}</span> : null}
        </li>
      ))}
    </ol>
  );
}

/** What was sent to one subscription, newest first, every attempt; a failed one can be sent again. */
export function DeliveryLog({ team, subscription, editable }: { team: string; subscription: Subscription; editable: boolean }) {
  const path = { team, subscriptionId: subscription.subscriptionId };
  const { data, problem, reload } = useAnswer(
    (signal) => api.GET("/teams/{team}/subscriptions/{subscriptionId}/deliveries", { params: { path }, signal }),
    [team, subscription.subscriptionId],
  );
  const { busy, problem: redeliverProblem, act } = useAction();
  const redeliver = (delivery: Delivery) =>
    void act(
      () =>
        api.POST("/teams/{team}/subscriptions/{subscriptionId}/deliveries/{deliveryId}/redeliver", {
          params: { path: { ...path, deliveryId: delivery.deliveryId } },
        }),
      () => reload(),
    );
  return (
    <section className="stack" aria-label={`Deliveries to ${target(subscription)}`}>
      <div className="actions">
        <h4>Deliveries to {target(subscription)}</h4>
        <button type="button" className="secondary" onClick={reload}>
          Refresh
        </button>
      </div>
      {problem && <ProblemMessage problem={problem} title="The deliveries could not be loaded" />}
      {redeliverProblem && <ProblemMessage problem={redeliverProblem} title="It was not sent again" />}
      {!data && !problem && <Loading what="the deliveries" />}
      {data && data.items.length === 0 && <p className="muted">Nothing sent yet (kept 30 days).</p>}
      {data && data.items.length > 0 && (
        <div className="scroll">
          <table className="deliveries">
            <caption className="muted">Newest first; the id is the webhook-id a receiver sees on every attempt.</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {data.items.map((delivery) => (
                <tr key={delivery.deliveryId}>
                  <td>
                    {deliveryWhat(delivery)}
                    <div className="muted">
                      {moment(delivery.createdAt)} · <code>{delivery.deliveryId}</code>
                    </div>
                  </td>
                  <td>
                    <span className={`badge delivery-${delivery.status}`}>{delivery.status}</span>
                    {delivery.rounds > 1 ? <div className="muted">round {delivery.rounds}</div> : null}
                    {delivery.status === "digested" && (
                      <div className="muted">
                        {delivery.digestId ? (
                          <>
                            told in <code>{delivery.digestId}</code>
                          </>
                        ) : (
                          "waits for the daily digest"
                        )}
                      </div>
                    )}
                  </td>
                  <td>
                    <Attempts delivery={delivery} />
                  </td>
                  <td>
                    {editable && ["failed", "delivered", "skipped"].includes(delivery.status) && (
                      <button type="button" className="secondary" disabled={busy} onClick={() => redeliver(delivery)}>
                        {delivery.status === "failed" ? "Deliver again" : "Send again"}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Change what a subscription is told of, and what waits for the daily digest. */
function EditSubscription({
  team,
  subscription,
  onDone,
}: {
  team: string;
  subscription: Subscription;
  onDone: (changed: boolean) => void;
}) {
  const [kinds, setKinds] = useState<Kind[]>(subscription.events);
  const [digest, setDigest] = useState<Kind[]>(subscription.digest);
  const [apis, setApis] = useState(subscription.apis.join(", "));
  const { busy, problem, act } = useAction();
  const path = { team, subscriptionId: subscription.subscriptionId };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body: Schemas["SubscriptionChanges"] = {
      events: kinds,
      digest: digestOf(kinds, digest),
      apis: apis.split(/[\s,]+/).filter(Boolean),
    };
    void act(
      () => api.PATCH("/teams/{team}/subscriptions/{subscriptionId}", { params: { path }, body }),
      (changed) => {
        if (changed) onDone(true);
      },
    );
  };
  return (
    <form className="stack" aria-label={`Change ${target(subscription)}`} onSubmit={submit}>
      <KindChoices kinds={kinds} digest={digest} onKinds={setKinds} onDigest={setDigest} />
      <ApiChoice value={apis} onChange={setApis} />
      {problem && <ProblemMessage problem={problem} title="The subscription was not changed" />}
      <div className="actions">
        <button type="submit" disabled={busy || kinds.length === 0}>
          Save
        </button>
        <button type="button" className="secondary" onClick={() => onDone(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function SubscriptionRow({
  team,
  subscription,
  editable,
  changed,
  onSecret,
}: {
  team: string;
  subscription: Subscription;
  editable: boolean;
  changed: () => void;
  onSecret: (secret: { of: string; value: string; note: string }) => void;
}) {
  const [open, setOpen] = useState(false);
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const { busy, problem, act } = useAction();
  const path = { team, subscriptionId: subscription.subscriptionId };
  const label = target(subscription);
  const pause = (paused: boolean) =>
    void act(() => api.PATCH("/teams/{team}/subscriptions/{subscriptionId}", { params: { path }, body: { paused } }), changed);
  const remove = () => void act(() => api.DELETE("/teams/{team}/subscriptions/{subscriptionId}", { params: { path } }), changed);
  const rotate = () =>
    void act(
      () => api.POST("/teams/{team}/subscriptions/{subscriptionId}/secret", { params: { path } }),
      (rotated) => {
        if (rotated?.secret)
          onSecret({ of: label, value: rotated.secret, note: "The old one still signs every delivery for 24 hours." });
      },
    );
  return (
    <li className="card stack">
      <div>
        <strong className="wrap">{label}</strong>{" "}
        <span className={`badge subscription-${subscription.status}`}>{subscription.status}</span>
        <div className="muted">
          {subscription.channel === "webhook" ? "Webhook" : "E-mail"} · of {subscription.events.join(", ")}
          {subscription.digest.length ? ` · daily digest of ${subscription.digest.join(", ")}` : ""} ·{" "}
          {subscription.apis.length ? `about ${subscription.apis.join(", ")}` : "about every API of the team"}
        </div>
        {subscription.status === "pending-confirmation" && (
          <p className="muted">Waiting for the address to follow the link it was sent.</p>
        )}
      </div>
      {problem && <ProblemMessage problem={problem} title={`${label} was not changed`} />}
      <div className="actions">
        <button type="button" className="secondary" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? "Hide deliveries" : "Deliveries"}
        </button>
        {editable && (
          <button type="button" className="secondary" aria-expanded={editing} onClick={() => setEditing(!editing)}>
            Change…
          </button>
        )}
        {editable && subscription.status !== "pending-confirmation" && (
          <button type="button" className="secondary" disabled={busy} onClick={() => pause(subscription.status === "active")}>
            {subscription.status === "active" ? "Pause" : "Resume"}
          </button>
        )}
        {editable && subscription.channel === "webhook" && (
          <button type="button" className="secondary" disabled={busy} onClick={rotate}>
            New signing secret
          </button>
        )}
        {editable &&
          (confirming ? (
            <span className="actions" role="group" aria-label={`Confirm deleting ${label}`}>
              <button type="button" className="danger" disabled={busy} onClick={remove}>
                Delete the subscription
              </button>
              <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </span>
          ) : (
            <button type="button" className="secondary" onClick={() => setConfirming(true)}>
              Delete…
            </button>
          ))}
      </div>
      {editing && (
        <EditSubscription
          team={team}
          subscription={subscription}
          onDone={(saved) => {
            setEditing(false);
            if (saved) changed();
          }}
        />
      )}
      {open && <DeliveryLog team={team} subscription={subscription} editable={editable} />}
    </li>
  );
}

/** A team's notification subscriptions: who is told what, their deliveries, and a form to add one. */
export function Subscriptions({ team, editable }: { team: string; editable: boolean }) {
  const { data, problem, reload } = useAnswer(
    (signal) => api.GET("/teams/{team}/subscriptions", { params: { path: { team } }, signal }),
    [team],
  );
  const [secret, setSecret] = useState<{ of: string; value: string; note: string } | null>(null);
  return (
    <section aria-labelledby="team-notifications" className="stack">
      <h2 id="team-notifications">Notifications</h2>
      <p className="muted">
        What the portal tells {team} about its APIs: by e-mail, or as signed webhooks (Standard Webhooks), retried with
        backoff when a receiver fails.
      </p>
      {secret && <Secret secret={secret} onDismiss={() => setSecret(null)} />}
      {problem && <ProblemMessage problem={problem} title="The subscriptions could not be loaded" />}
      {!data && !problem && <Loading what="the subscriptions" />}
      {data && data.items.length === 0 && <p className="muted">Nobody is told anything yet.</p>}
      {data && data.items.length > 0 && (
        <ul className="subscriptions" aria-label={`Subscriptions of ${team}`}>
          {data.items.map((subscription) => (
            <SubscriptionRow
              key={subscription.subscriptionId}
              team={team}
              subscription={subscription}
              editable={editable}
              changed={reload}
              onSecret={setSecret}
            />
          ))}
        </ul>
      )}
      {editable && (
        <NewSubscription
          team={team}
          onCreated={(created) => {
            if (created.secret)
              setSecret({ of: created.webhookUrl ?? "", value: created.secret, note: "Store it where the receiver reads its secrets." });
            reload();
          }}
        />
      )}
    </section>
  );
}
