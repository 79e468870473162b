"use client";

import Link from "next/link";
import { useState } from "react";
import { api, type Schemas } from "@/lib/api/client";
import { paths } from "@/lib/paths";
import { useAction } from "@/lib/use-action";
import { useAnswer } from "@/lib/use-answer";
import { Loading } from "./Loading";
import { ProblemMessage } from "./ProblemMessage";

type Request = Schemas["ApprovalRequest"];

/** One version waiting for a decision: its breaking changes, who calls what they break, and the
 * admin's answer with a reason. */
export function ApprovalCard({ request, onDecided }: { request: Request; onDecided: (approved: boolean) => void }) {
  const [reason, setReason] = useState("");
  const { busy, problem, act } = useAction();
  const path = { params: { path: { apiId: request.apiId, version: request.version } }, body: { reason } };
  const decide = (approved: boolean) =>
    act(
      () =>
        approved
          ? api.POST("/apis/{apiId}/versions/{version}/approve", path)
          : api.POST("/apis/{apiId}/versions/{version}/reject", path),
      () => onDecided(approved),
    );
  return (
    <li className="card stack">
      <h3>
        <Link href={paths.api(request.apiId)}>{request.apiId}</Link> {request.version}{" "}
        <span className="muted">
          breaks {request.breakingCount} thing{request.breakingCount === 1 ? "" : "s"} of {request.baseVersion} · team{" "}
          {request.owner} · decide by {new Date(request.deadline).toLocaleString()}
        </span>
      </h3>
      <ul className="changes">
        {request.breaking.map((change) => (
          <li key={change.fingerprint}>
            <span className="badge level-ERR">ERR</span> <code>{change.id}</code>
            <p>{change.message}</p>
            <p className="muted">
              {change.consumers.length
                ? `Called in the last 30 days by ${change.consumers.join(", ")}.`
                : "No consumer called it in the last 30 days."}
            </p>
          </li>
        ))}
      </ul>
      <label>
        Reason (told to the team)
        <input value={reason} maxLength={500} onChange={(event) => setReason(event.target.value)} />
      </label>
      <p>
        <button type="button" disabled={busy || !reason.trim()} onClick={() => void decide(true)}>
          Approve
        </button>{" "}
        <button type="button" className="secondary" disabled={busy || !reason.trim()} onClick={() => void decide(false)}>
          Reject
        </button>
      </p>
      {problem && <ProblemMessage problem={problem} title="The decision was not sent" />}
    </li>
  );
}

/** The versions waiting for an admin's decision on their breaking changes. */
export function Approvals() {
  const [told, setTold] = useState<string | null>(null);
  // decided here: the workflow records the decision a moment later, so the list would still show them
  const [sent, setSent] = useState<Set<string>>(new Set());
  const { data, problem } = useAnswer((signal) => api.GET("/approvals", { signal }), []);
  const waiting = (data?.items ?? []).filter((request) => !sent.has(`${request.apiId} ${request.version}`));
  return (
    <section aria-labelledby="approvals" className="stack">
      <h2 id="approvals">Breaking changes waiting for a decision</h2>
      {told && <p role="status">{told}</p>}
      {problem && <ProblemMessage problem={problem} title="The approvals could not be loaded" />}
      {!data && !problem && <Loading what="the approvals" />}
      {data && waiting.length === 0 && <p className="muted">Nothing waits for a decision.</p>}
      {data && waiting.length > 0 && (
        <ul className="cards">
          {waiting.map((request) => (
            <ApprovalCard
              key={`${request.apiId}-${request.version}`}
              request={request}
              onDecided={(approved) => {
                setTold(
                  `${request.apiId} ${request.version} ${approved ? "approved: it registers now" : "rejected: its team is told why"}.`,
                );
                setSent((before) => new Set([...before, `${request.apiId} ${request.version}`]));
              }}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
