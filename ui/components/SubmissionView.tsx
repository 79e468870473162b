"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { api, asProblem, failed, type Problem, type Schemas } from "@/lib/api/client";
import { excerpt } from "@/lib/excerpt";
import type { Located } from "@/lib/locate";
import { paths } from "@/lib/paths";
import { useAnswer } from "@/lib/use-answer";
import { Loading } from "./Loading";
import { ProblemMessage } from "./ProblemMessage";
import { RequireSignIn } from "./RequireSignIn";

type Submission = Schemas["Submission"];
type Finding = Schemas["Finding"];

// The registration workflow's steps, in order (temporal_bridge/workflows.py).
const STEPS = [
  { step: "validating", label: "Validating the document" },
  { step: "awaiting-approval", label: "Waiting for an admin to approve its breaking changes" },
  { step: "rendering", label: "Rendering its documentation" },
  { step: "storing", label: "Storing the version" },
  { step: "announcing", label: "Announcing it to the catalog" },
] as const;

const REASONS: Record<NonNullable<Submission["reason"]>, string> = {
  "invalid-spec": "The document is not a valid OpenAPI document. Each finding below is shown where it is.",
  "breaking-change-rejected":
    "An admin rejected the changes this version makes that break consumers of the latest active version. " +
    "Each change is below, with the reason.",
  "approval-expired":
    "The changes this version makes that break consumers waited 7 days without an admin's decision. " +
    "Submit it again to ask again, or raise its major version.",
  "lint-failed":
    "The document is valid, but your team's lint ruleset rejects it. Each finding below is shown where it is; " +
    "the ruleset is on your team's page.",
  "version-conflict": "This version is already registered with different content. Submit it as a new version.",
  "internal-error": "Registration could not complete. Submitting it again is safe.",
};

const POLL_MS = 1000;
const SLOW_POLL_MS = 5000; // after a minute: a stuck registration shows in the Temporal Web UI

/** The submission, asked again every second until it is registered or rejected. */
function useSubmission(submissionId: string) {
  const [submission, setSubmission] = useState<Submission | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    const started = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const { data, error, response } = await api.GET("/submissions/{submissionId}", {
          params: { path: { submissionId } },
          signal: controller.signal,
        });
        if (controller.signal.aborted) return;
        if (!data) {
          setProblem(asProblem(error, response));
          return;
        }
        setProblem(null);
        setSubmission(data);
        if (data.status === "registered" || data.status === "rejected") return;
      } catch (failure) {
        if (controller.signal.aborted) return;
        setProblem(failed(failure)); // shown, and asked again: the network may come back
      }
      timer = setTimeout(() => void poll(), Date.now() - started > 60_000 ? SLOW_POLL_MS : POLL_MS);
    };
    void poll();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [submissionId]);
  return { submission, problem };
}

/** The submitted document's text, once there are findings to show in it. */
function useDocument(submission: Submission) {
  const wanted = submission.status === "rejected" && (submission.findings?.length ?? 0) > 0;
  const { submissionId } = submission;
  const { data, problem } = useAnswer(
    (signal) =>
      wanted
        ? api.GET("/submissions/{submissionId}/document", {
            params: { path: { submissionId } },
            parseAs: "text",
            signal,
          })
        : null,
    [wanted, submissionId],
  );
  return { text: data, problem };
}

/** The approval step is shown only to a submission that waits, or waited, for one. */
const ASKED = new Set(["breaking-change-rejected", "approval-expired"]);

export function Steps({ submission }: { submission: Submission }) {
  const finished = submission.status === "registered" || submission.status === "rejected";
  const asked = submission.step === "awaiting-approval" || ASKED.has(submission.reason ?? "");
  const steps = STEPS.filter(({ step }) => step !== "awaiting-approval" || asked);
  const current = submission.status === "submitted" ? -1 : steps.findIndex((s) => s.step === submission.step);
  return (
    <ol className="steps" aria-label="Registration steps">
      <li className="done">Submitted</li>
      {steps.map(({ step, label }, index) => {
        const state =
          submission.status === "registered" || index < current
            ? "done"
            : index === current && !finished
              ? "current"
              : "pending";
        return (
          <li key={step} className={state} aria-current={state === "current" ? "step" : undefined}>
            {label}
            {state === "current" && <span className="visually-hidden"> (in progress)</span>}
          </li>
        );
      })}
      <li className={submission.status === "registered" ? "done" : submission.status === "rejected" ? "failed" : "pending"}>
        {submission.status === "rejected" ? "Rejected" : "Registered"}
      </li>
    </ol>
  );
}

function FindingInPlace({ finding, where, text }: { finding: Finding; where: Located | null; text: string | null }) {
  return (
    <li className="finding">
      <p>
        <span className={`badge severity-${finding.severity}`}>{finding.severity}</span> {finding.message}
      </p>
      <p className="muted">
        at <code>{finding.pointer || "(the whole document)"}</code>
        {where && (
          <>
            {" "}
            {where.exact ? "" : "near "}line {where.line}
          </>
        )}{" "}
        · rule <code>{finding.rule}</code>
      </p>
      {where && text !== null && (
        <pre className="excerpt" aria-label={`The document around line ${where.line}`}>
          {excerpt(text, where.line).map((line) => (
            <code key={line.number} className={line.number === where.line ? "at" : undefined}>
              <span className="line-number" aria-hidden="true">
                {line.number}
              </span>
              {line.text || " "}
              {"\n"}
            </code>
          ))}
        </pre>
      )}
    </li>
  );
}

/** Where each pointer is in `text`; the YAML parser it needs loads only when there are findings to place. */
function useLocator(text: string | null) {
  const [where, setWhere] = useState<((pointer: string) => Located | null) | null>(null);
  useEffect(() => {
    if (text === null) return;
    let cancelled = false;
    import("@/lib/locate")
      .then(({ locator }) => !cancelled && setWhere(() => locator(text)))
      .catch((failure: unknown) => console.error("devportal: the YAML parser did not load", failure));
    return () => {
      cancelled = true;
    };
  }, [text]);
  return where;
}

function Findings({ submission }: { submission: Submission }) {
  const { text, problem } = useDocument(submission);
  const where = useLocator(text);
  const findings = submission.findings ?? [];
  if (findings.length === 0) return null;
  return (
    <section aria-labelledby="findings">
      <h2 id="findings">
        {findings.length} finding{findings.length === 1 ? "" : "s"}
      </h2>
      {problem && (
        <ProblemMessage problem={problem} title="The submitted document could not be loaded to show the lines" />
      )}
      {text === null && !problem && <Loading what="the submitted document" />}
      <ol className="findings">
        {findings.map((finding, index) => (
          <FindingInPlace key={index} finding={finding} where={where?.(finding.pointer) ?? null} text={text} />
        ))}
      </ol>
      {submission.findingsTruncated && (
        <p className="muted">There are more findings than are kept; fix these and submit again to see the rest.</p>
      )}
    </section>
  );
}

function SubmissionDetail({ submissionId }: { submissionId: string }) {
  const { submission, problem } = useSubmission(submissionId);
  if (!submission) {
    return problem ? (
      <ProblemMessage problem={problem} title={`Submission ${submissionId} could not be loaded`} />
    ) : (
      <Loading what="the submission" />
    );
  }
  const { status } = submission;
  return (
    <article>
      <h1>
        {submission.apiId} {submission.version}
      </h1>
      <p role="status" aria-live="polite">
        <span className={`badge status-${status}`}>{status}</span>{" "}
        {status === "registered"
          ? "Registered: the version is active and documented."
          : status === "rejected"
            ? REASONS[submission.reason ?? "internal-error"]
            : "Registering; this page follows each step."}
      </p>
      {problem && <ProblemMessage problem={problem} title="The latest update could not be loaded" />}
      <Steps submission={submission} />
      <dl className="facts">
        <dt>Team</dt>
        <dd>{submission.owner}</dd>
        <dt>Submitted</dt>
        <dd>{new Date(submission.submittedAt).toLocaleString()}</dd>
        <dt>Document</dt>
        <dd>
          {submission.format.toUpperCase()}, {submission.sizeBytes.toLocaleString()} bytes
        </dd>
        <dt>Workflow</dt>
        <dd>
          {submission.links.workflow ? (
            <a href={submission.links.workflow} target="_blank" rel="noreferrer">
              {submission.workflowId} in the Temporal Web UI
            </a>
          ) : (
            <code>{submission.workflowId}</code>
          )}
        </dd>
      </dl>
      {status === "registered" && (
        <p>
          <Link href={paths.reference(submission.apiId, submission.version)}>Open its reference</Link>
        </p>
      )}
      {status === "rejected" && <Findings submission={submission} />}
      <p>
        <Link href={paths.submit}>Submit another</Link>
      </p>
    </article>
  );
}

export function SubmissionPage() {
  const params = useSearchParams();
  const submissionId = params.get("id");
  if (!submissionId) return <p>No submission named: submit one on the <Link href={paths.submit}>submit page</Link>.</p>;
  return <RequireSignIn>{() => <SubmissionDetail submissionId={submissionId} />}</RequireSignIn>;
}
