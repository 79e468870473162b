"use client";

import { api } from "@/lib/api/client";
import { useAnswer } from "@/lib/use-answer";
import { Loading } from "./Loading";
import { ProblemMessage } from "./ProblemMessage";
import { RequireSignIn } from "./RequireSignIn";

function Outbox() {
  const { data, problem, reload } = useAnswer((signal) => api.GET("/mail/outbox", { signal }), []);
  return (
    <div className="stack">
      <h1>Outbox</h1>
      <p className="muted">
        The mail this local stack sent: SES (moto) keeps every message, and nothing leaves the machine. In AWS mail
        leaves through SES; each subscription&apos;s deliveries say what was sent.
      </p>
      <div className="actions">
        <button type="button" className="secondary" onClick={reload}>
          Refresh
        </button>
      </div>
      {problem && <ProblemMessage problem={problem} title="The outbox could not be read" />}
      {!data && !problem && <Loading what="the outbox" />}
      {data && data.items.length === 0 && <p className="muted">Nothing sent yet.</p>}
      {data && data.items.length > 0 && (
        <>
          <p className="muted">
            {data.total} message{data.total === 1 ? "" : "s"} sent
            {data.total > data.items.length ? `; the newest ${data.items.length}` : ""}, newest first.
          </p>
          <ul className="subscriptions" aria-label="Mail sent, newest first">
            {data.items.map((mail) => (
              <li key={mail.messageId} className="card stack">
                <strong className="wrap">{mail.subject}</strong>
                <div className="muted wrap">
                  To {mail.to.join(", ")} · from {mail.from}
                </div>
                <pre className="mail">{mail.text}</pre>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

export function OutboxPage() {
  return <RequireSignIn>{() => <Outbox />}</RequireSignIn>;
}
