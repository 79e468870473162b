"use client";

import { useSearchParams } from "next/navigation";
import { useState } from "react";
import { api, type Schemas } from "@/lib/api/client";
import { useAction } from "@/lib/use-action";
import { ProblemMessage } from "./ProblemMessage";

/** Where the link mailed to a new subscription's address leads: one button, no sign-in (the mailbox's
 * owner need not be a portal user). Confirming is a POST, so a mail scanner that opens links
 * confirms nothing. */
export function ConfirmSubscription() {
  const token = useSearchParams().get("token") ?? "";
  const [confirmed, setConfirmed] = useState<Schemas["ConfirmedSubscription"] | null>(null);
  const { busy, problem, act } = useAction();
  const confirm = () =>
    void act(
      () => api.POST("/subscriptions/confirmations", { body: { token } }),
      (answer) => setConfirmed(answer ?? null),
    );
  return (
    <div className="stack narrow">
      <h1>Confirm notifications</h1>
      {confirmed ? (
        <p role="status">
          Confirmed: <strong>{confirmed.email}</strong> now receives what team {confirmed.team} subscribed it to (
          {confirmed.events.join(", ")}).
        </p>
      ) : token ? (
        <>
          <p>Someone subscribed this address to a team&apos;s notifications. Nothing is sent to it until you confirm.</p>
          {problem && <ProblemMessage problem={problem} title="The address was not confirmed" />}
          <div className="actions">
            <button type="button" disabled={busy} onClick={confirm}>
              Confirm this address
            </button>
          </div>
          <p className="muted">If you did not expect this, close the page: the link expires in 7 days.</p>
        </>
      ) : (
        <p>This page needs the link from the confirmation e-mail, with its token.</p>
      )}
    </div>
  );
}
