"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { api, type Schemas, type User } from "@/lib/api/client";
import { count, moment, ms, percent } from "@/lib/format";
import { paths } from "@/lib/paths";
import { CHECK_NAMES, TRIGGERS, isActive, mayRunTests, progressRatio, progressText, type TestRun } from "@/lib/testing";
import { useAction } from "@/lib/use-action";
import { useAnswer } from "@/lib/use-answer";
import { Loading } from "./Loading";
import { ProblemMessage } from "./ProblemMessage";
import { RequireSignIn } from "./RequireSignIn";

type Operation = Schemas["OperationResult"];
type Check = Schemas["CheckResult"];

const POLL_MS = 1500;


/** A run read again every moment while it is queued or running. */
function useLiveRun(runId: string) {
  const { data, problem, reload, setData } = useAnswer(
    (signal) => api.GET("/test-runs/{runId}", { params: { path: { runId } }, signal }),
    [runId],
  );
  const run = data?.runId === runId ? data : null;
  const active = run !== null && isActive(run);
  useEffect(() => {
    if (!active) return;
    const timer = window.setTimeout(reload, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [active, run, reload]);
  return { run, problem, setRun: setData };
}

export function Progress({ run }: { run: TestRun }) {
  const ratio = progressRatio(run);
  return (
    <div className="progress" role="status" aria-live="polite">
      <progress max={1} value={ratio ?? undefined} aria-label="Cases done" />
      <span>{progressText(run)}</span>
    </div>
  );
}

function CancelButton({ run, onCancelled }: { run: TestRun; onCancelled: (run: TestRun) => void }) {
  const { busy, problem, act } = useAction();
  const cancel = () =>
    act(
      () => api.POST("/test-runs/{runId}/cancel", { params: { path: { runId: run.runId } } }),
      (cancelled) => cancelled && onCancelled(cancelled),
    );
  return (
    <>
      <button type="button" className="danger" onClick={() => void cancel()} disabled={busy}>
        {busy ? "Cancelling..." : "Cancel run"}
      </button>
      {problem ? <ProblemMessage problem={problem} title="The run could not be cancelled" /> : null}
    </>
  );
}

/** "8 of 8 passed", or the checks that failed, by name. */
function ChecksCell({ checks }: { checks: Check[] }) {
  const ran = checks.filter((check) => check.passed || check.failed);
  if (!ran.length) return <td className="muted">none ran</td>;
  const failing = ran.filter((check) => check.failed);
  if (!failing.length) return <td className="check-passed">{`${ran.length} of ${ran.length} passed`}</td>;
  return (
    <td className="check-failed">
      {failing.map((check) => `${CHECK_NAMES[check.check]} (${check.failed} failed)`).join(", ")}
    </td>
  );
}

function Failures({ operation }: { operation: Operation }) {
  const failing = operation.checks.filter((check) => check.failed && check.firstFailure);
  if (!failing.length) return null;
  return (
    <details className="failures">
      <summary>
        {operation.operation}: {failing.length} check{failing.length === 1 ? "" : "s"} failed - first failing cases
      </summary>
      {failing.map((check) => (
        <div key={check.check} className="failure">
          <h4>
            {CHECK_NAMES[check.check]}: {check.firstFailure?.title}
          </h4>
          <p>{check.firstFailure?.message}</p>
          <p className="muted">
            {check.firstFailure?.case}
            {check.firstFailure?.status != null ? ` - answered ${check.firstFailure.status}` : ""}
          </p>
          <CurlCommand command={check.firstFailure?.curl ?? ""} />
        </div>
      ))}
    </details>
  );
}

export function CurlCommand({ command }: { command: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(command);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div className="curl">
      <pre>
        <code>{command}</code>
      </pre>
      <button type="button" onClick={copy} aria-label="Copy the curl command">
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}

export function RunResults({ run }: { run: TestRun }) {
  const results = run.results;
  if (!results) return null;
  return (
    <section aria-labelledby="results-heading">
      <h2 id="results-heading">Results</h2>
      <dl className="facts">
        <dt>Score</dt>
        <dd>{percent(run.score)} of checks passed</dd>
        <dt>Operations tested</dt>
        <dd>
          {results.coverage.operations.tested} of {results.coverage.operations.total} (
          {percent(results.coverage.operations.ratio)})
        </dd>
        <dt>Documented statuses seen</dt>
        <dd>
          {results.coverage.statuses.seen} of {results.coverage.statuses.documented} (
          {percent(results.coverage.statuses.ratio)})
        </dd>
        <dt>Cases</dt>
        <dd>{count(results.cases)}</dd>
      </dl>
      <div className="scroll">
        <table className="results">
          <caption className="visually-hidden">Per operation</caption>
          <thead>
            <tr>
              <th scope="col">Operation</th>
              <th scope="col">Cases</th>
              <th scope="col">Checks</th>
              <th scope="col">Statuses seen</th>
              <th scope="col">Latency p50 / p95</th>
            </tr>
          </thead>
          <tbody>
            {results.operations.map((operation) => (
              <tr key={operation.operation}>
                <th scope="row">
                  <code>{operation.operation}</code>{" "}
                  <span className={`badge run-${operation.status}`}>{operation.status}</span>
                </th>
                <td>{operation.cases}</td>
                <ChecksCell checks={operation.checks} />
                <td>
                  {Object.entries(operation.statusesSeen)
                    .map(([status, times]) => `${status} ×${times}`)
                    .join(", ") || "–"}
                  {operation.undocumentedStatuses.length ? (
                    <span className="check-failed"> (undocumented: {operation.undocumentedStatuses.join(", ")})</span>
                  ) : null}
                </td>
                <td>
                  {operation.latencyMs ? `${ms(operation.latencyMs.p50)} / ${ms(operation.latencyMs.p95)}` : "–"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>By check</h3>
      <div className="scroll">
        <table className="by-check">
          <caption className="visually-hidden">Cases per check</caption>
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Passed</th>
              <th scope="col">Failed</th>
              <th scope="col">Skipped</th>
            </tr>
          </thead>
          <tbody>
            {results.byCheck.map((check) => (
              <tr key={check.check}>
                <th scope="row">{CHECK_NAMES[check.check]}</th>
                <td>{count(check.passed)}</td>
                <td className={check.failed ? "check-failed" : undefined}>{count(check.failed)}</td>
                <td>{count(check.skipped)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {results.operations.some((operation) => operation.status === "skipped") ? (
        <p className="muted">
          Skipped operations use methods that change data (POST, PUT, PATCH, DELETE): they are sent only to a test
          environment whose team enabled unsafe methods.
        </p>
      ) : null}
      {results.operations.map((operation) => (
        <Failures key={operation.operation} operation={operation} />
      ))}
    </section>
  );
}

function RunView({ runId, user }: { runId: string; user: User }) {
  const { run, problem, setRun } = useLiveRun(runId);
  if (problem && !run) return <ProblemMessage problem={problem} title={`Test run ${runId} could not be loaded`} />;
  if (!run) return <Loading what={`test run ${runId}`} />;
  const active = isActive(run);
  return (
    <article>
      <p className="muted">
        <Link href={paths.catalog}>Catalog</Link> / <Link href={paths.api(run.apiId)}>{run.apiId}</Link> /{" "}
        <Link href={paths.tests(run.apiId)}>Contract tests</Link> / {run.runId}
      </p>
      <h1>
        Contract test of {run.apiId} {run.version} <span className={`badge run-${run.status}`}>{run.status}</span>
      </h1>
      {run.summary ? <p className="summary">{run.summary}</p> : null}
      {run.error ? <p className="problem">{run.error}</p> : null}
      {active ? (
        <div className="toolbar">
          <Progress run={run} />
          {mayRunTests(user, run.owner) ? <CancelButton run={run} onCancelled={setRun} /> : null}
        </div>
      ) : null}
      <dl className="facts">
        <dt>Target</dt>
        <dd>
          <code>{run.target.baseUrl}</code>
          {run.target.environment ? ` (environment ${run.target.environment})` : ""}
          {run.target.unsafeMethods ? " - unsafe methods sent" : " - safe methods only"}
        </dd>
        <dt>Asked</dt>
        <dd>
          {moment(run.requestedAt)}, {TRIGGERS[run.trigger]} by {run.requestedBy}
        </dd>
        <dt>Started</dt>
        <dd>{moment(run.startedAt)}</dd>
        <dt>Finished</dt>
        <dd>{moment(run.finishedAt)}</dd>
        <dt>Limits</dt>
        <dd>
          {run.settings.concurrency} operations at a time, {run.settings.requestsPerSecond} requests/s, timeout{" "}
          {ms(run.settings.timeoutMs)}, latency line {ms(run.settings.latencyMs)}, up to {run.settings.maxExamples}{" "}
          generated cases per operation
        </dd>
        {run.workflowUrl ? (
          <>
            <dt>Workflow</dt>
            <dd>
              <a href={run.workflowUrl} target="_blank" rel="noreferrer">
                {run.workflowId}
              </a>{" "}
              in the Temporal Web UI
            </dd>
          </>
        ) : null}
      </dl>
      <RunResults run={run} />
    </article>
  );
}

export function TestRunPage() {
  const params = useSearchParams();
  const runId = params.get("id");
  if (!runId) return <p>No test run named: open one from an API&apos;s contract tests.</p>;
  return <RequireSignIn>{(user) => <RunView runId={runId} user={user} />}</RequireSignIn>;
}
