"use client";

import { useState, type FormEvent } from "react";
import { api, asProblem, failed, type Problem, type Schemas } from "@/lib/api/client";
import { useAnswer } from "@/lib/use-answer";
import { Loading } from "./Loading";
import { ProblemMessage } from "./ProblemMessage";

type Key = Schemas["ApiKey"];
type Issued = Schemas["IssuedKey"];

const when = (timestamp: string) => new Date(timestamp).toLocaleString();

/** A secret the portal shows once: kept on screen until dismissed, with a copy button. */
function OnceSecret({ issued, note, onDismiss }: { issued: Issued; note: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState<"no" | "yes" | "failed">("no");
  async function copy() {
    try {
      await navigator.clipboard.writeText(issued.secret);
      setCopied("yes");
    } catch {
      setCopied("failed"); // no clipboard (an insecure origin, a denied permission): select it by hand
    }
  }
  return (
    <div className="secret" role="status">
      <p>
        <strong>
          Secret of {issued.name} ({issued.keyId}):
        </strong>{" "}
        {note} It is shown only now; services send it in the <code>X-Api-Key</code> header.
      </p>
      <code aria-label="The new secret">{issued.secret}</code>
      <div className="actions">
        <button type="button" onClick={() => void copy()} aria-label={`Copy the secret of ${issued.name}`}>
          {copied === "yes" ? "Copied" : "Copy"}
        </button>
        <button type="button" className="secondary" onClick={onDismiss}>
          I have stored it
        </button>
      </div>
      {copied === "failed" && <p>The browser did not allow copying; select the secret and copy it by hand.</p>}
    </div>
  );
}

function KeyRow({ item, busy, act }: { item: Key; busy: boolean; act: (action: "rotate" | "revoke", key: Key) => void }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <tr>
      <td>
        {item.name}
        <br />
        <code className="muted">{item.keyId}</code>
      </td>
      <td>
        <span className={`badge state-${item.state}`}>{item.state}</span>
        {item.state === "rotated" && item.graceUntil && (
          <p className="muted">Still works until {when(item.graceUntil)}, then stops.</p>
        )}
      </td>
      <td>{when(item.createdAt)}</td>
      <td>
        {item.state === "revoked" ? null : confirming ? (
          <div className="actions" role="group" aria-label={`Confirm revoking ${item.name}`}>
            <span>Services using it are refused at once.</span>
            <button type="button" className="danger" disabled={busy} onClick={() => act("revoke", item)}>
              Revoke {item.name}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </div>
        ) : (
          <div className="actions">
            {item.state === "active" && (
              <button type="button" className="secondary" disabled={busy} onClick={() => act("rotate", item)}>
                Rotate
              </button>
            )}
            <button type="button" className="secondary" disabled={busy} onClick={() => setConfirming(true)}>
              Revoke…
            </button>
          </div>
        )}
      </td>
    </tr>
  );
}

/** One team's service keys: list, create (the secret shown once), rotate (grace shown), revoke (confirmed). */
export function TeamKeys({ team }: { team: string }) {
  const { data, problem: loadProblem, reload } = useAnswer(
    (signal) => api.GET("/keys", { params: { query: { team } }, signal }),
    [team],
  );
  const [name, setName] = useState("");
  const [issued, setIssued] = useState<{ key: Issued; note: string } | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(work: () => Promise<Problem | null>) {
    setBusy(true);
    setProblem(null);
    try {
      setProblem(await work());
    } catch (failure) {
      setProblem(failed(failure));
    } finally {
      setBusy(false);
      reload();
    }
  }

  const create = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const { data: created, error, response } = await api.POST("/keys", { body: { team, name: name.trim() } });
      if (!created) return asProblem(error, response);
      setIssued({ key: created, note: "Store it where the service reads its secrets." });
      setName("");
      return null;
    });
  };

  const act = (action: "rotate" | "revoke", item: Key) =>
    void run(async () => {
      const params = { params: { path: { keyId: item.keyId } } };
      if (action === "revoke") {
        const { error, response } = await api.DELETE("/keys/{keyId}", params);
        return response.ok ? null : asProblem(error, response);
      }
      const { data: rotated, error, response } = await api.POST("/keys/{keyId}/rotate", params);
      if (!rotated) return asProblem(error, response);
      setIssued({ key: rotated, note: `Put it in place of the old one, which keeps working for the grace period shown below.` });
      return null;
    });

  const keys = data?.items ?? [];
  return (
    <section aria-labelledby={`keys-${team}`} className="stack">
      <h2 id={`keys-${team}`}>Service keys of {team}</h2>
      {issued && <OnceSecret issued={issued.key} note={issued.note} onDismiss={() => setIssued(null)} />}
      {problem && <ProblemMessage problem={problem} title="The key was not changed" />}
      {loadProblem && <ProblemMessage problem={loadProblem} title={`The keys of ${team} could not be loaded`} />}
      {!data && !loadProblem && <Loading what={`the keys of ${team}`} />}
      {data && keys.length === 0 && <p className="muted">{team} has no service keys yet.</p>}
      {keys.length > 0 && (
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((item) => (
                <KeyRow key={item.keyId} item={item} busy={busy} act={act} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="toolbar" onSubmit={create}>
        <label className="grow">
          New key for
          <input
            name="keyName"
            required
            maxLength={128}
            value={name}
            onChange={(event) => setName(event.target.value)}
            placeholder="the service that will use it, e.g. billing-worker"
          />
        </label>
        <button type="submit" disabled={busy}>
          Create key
        </button>
      </form>
    </section>
  );
}
