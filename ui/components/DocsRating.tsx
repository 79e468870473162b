"use client";

import { useState, type FormEvent } from "react";
import { api, type Schemas } from "@/lib/api/client";
import { useAnswer } from "@/lib/use-answer";
import { useAction } from "@/lib/use-action";
import { ProblemMessage } from "./ProblemMessage";

type Rating = Schemas["DocsRating"];

export function tallyText(rating: Rating): string {
  if (!rating.votes) return "No reader has rated these docs yet.";
  const share = Math.round((rating.helpfulShare ?? 0) * 100);
  return `${share} % of ${rating.votes} reader${rating.votes === 1 ? "" : "s"} found these docs helpful.`;
}

/** "Were these docs helpful?" under every docs view: one vote per reader and version, changeable. */
export function DocsRating({ apiId, version }: { apiId: string; version: string }) {
  const path = { params: { path: { apiId, version } } };
  const { data, problem: loadProblem, setData } = useAnswer(
    (signal) => api.GET("/apis/{apiId}/versions/{version}/rating", { ...path, signal }),
    [apiId, version],
  );
  const [comment, setComment] = useState("");
  const { busy, problem, act } = useAction();
  const current = data && data.apiId === apiId && data.version === version ? data : null;

  const vote = async (helpful: boolean, event?: FormEvent) => {
    event?.preventDefault();
    const body = comment.trim() ? { helpful, comment: comment.trim() } : { helpful };
    await act(
      () => api.PUT("/apis/{apiId}/versions/{version}/rating", { ...path, body }),
      (answered) => {
        if (!answered) return;
        setData(answered);
        setComment("");
      },
    );
  };

  return (
    <section aria-labelledby="rating-heading" className="rating">
      <h2 id="rating-heading">Were these docs helpful?</h2>
      {loadProblem && <ProblemMessage problem={loadProblem} title="The docs' rating could not be loaded" />}
      {current && <p className="muted">{tallyText(current)}</p>}
      {current?.mine && (
        <p>
          You found them {current.mine.helpful ? "helpful" : "not helpful"}
          {current.mine.comment ? `: “${current.mine.comment}”` : ""}. Vote again to change it.
        </p>
      )}
      <form onSubmit={(event) => void vote(true, event)}>
        <label className="grow">
          Comment (optional)
          <textarea
            value={comment}
            maxLength={1000}
            rows={2}
            onChange={(event) => setComment(event.target.value)}
            placeholder="What helped, or what was missing?"
          />
        </label>
        <div className="toolbar">
          <button type="submit" disabled={busy}>
            Yes, helpful
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={() => void vote(false)}>
            No, not helpful
          </button>
        </div>
      </form>
      {problem && <ProblemMessage problem={problem} title="Your vote was not kept" />}
    </section>
  );
}
