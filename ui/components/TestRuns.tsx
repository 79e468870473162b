"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import { api, type Schemas, type User } from "@/lib/api/client";
import { moment, percent } from "@/lib/format";
import { paths } from "@/lib/paths";
import { TRIGGERS, isActive, mayRunTests, progressText, trend, type TestRunSummary } from "@/lib/testing";
import { useAction } from "@/lib/use-action";
import { useAnswer } from "@/lib/use-answer";
import { LineChart } from "./Charts";
import { Loading } from "./Loading";
import { ProblemMessage } from "./ProblemMessage";
import { RequireSignIn } from "./RequireSignIn";

type Settings = Schemas["TestSettingsView"];
type Schedule = Schemas["TestScheduleView"];
type ApiDetail = Schemas["ApiDetail"];


/** Score and operation coverage over the API's runs, oldest first. */
export function TestTrend({ runs }: { runs: TestRunSummary[] }) {
  const ended = trend(runs);
  if (ended.length < 2) return null;
  const labels = ended.map((run) => new Date(run.requestedAt).toLocaleString());
  const last = ended[ended.length - 1];
  return (
    <LineChart
      title="Score and coverage, run by run"
      summary={`Over the last ${ended.length} runs; the latest scored ${percent(last?.score)} and tested ${percent(
        last?.operationCoverage,
      )} of the operations.`}
      labels={labels}
      series={[
        { name: "Score (checks passed)", tone: "ok", values: ended.map((run) => run.score ?? null) },
        { name: "Operations tested", tone: "violet", values: ended.map((run) => run.operationCoverage ?? null) },
      ]}
      unit="percent"
      format={(value) => percent(value)}
    />
  );
}

export function RunList({ runs }: { runs: TestRunSummary[] }) {
  if (!runs.length) return <p className="muted">No contract test run yet.</p>;
  return (
    <div className="scroll">
      <table className="runs">
        <caption className="visually-hidden">Contract test runs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">How</th>
            <th scope="col">Version</th>
            <th scope="col">Status</th>
            <th scope="col">Score</th>
            <th scope="col">Operations tested</th>
            <th scope="col">Target</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.runId}>
              <th scope="row">
                <Link href={paths.testRun(run.runId)}>{moment(run.requestedAt)}</Link>
              </th>
              <td>{TRIGGERS[run.trigger]}</td>
              <td>{run.version}</td>
              <td>
                <span className={`badge run-${run.status}`}>{run.status}</span>
                {isActive(run) ? <span className="muted"> {progressText(run)}</span> : null}
              </td>
              <td>{percent(run.score)}</td>
              <td>{percent(run.operationCoverage)}</td>
              <td>
                <code>{run.target.environment ?? run.target.baseUrl}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function StartRun({ detail, settings }: { detail: ApiDetail; settings: Settings | null }) {
  const router = useRouter();
  const [version, setVersion] = useState(detail.latestVersion);
  const environments = settings?.environments ?? [];
  const [target, setTarget] = useState(environments[0]?.name ?? "declared");
  const [baseUrl, setBaseUrl] = useState("");
  const { busy, problem, act } = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body =
      target === "url" ? { baseUrl: baseUrl.trim() } : target === "declared" ? {} : { environment: target };
    void act(
      () =>
        api.POST("/apis/{apiId}/versions/{version}/test-runs", {
          params: { path: { apiId: detail.apiId, version } },
          body,
        }),
      (run) => run && router.push(paths.testRun(run.runId)),
    );
  };
  return (
    <form onSubmit={submit} className="panel" aria-labelledby="start-heading">
      <h2 id="start-heading">Run the contract tests</h2>
      <p className="muted">
        Cases from the spec (its examples, then generated ones) go to the target; every answer is checked against the
        spec.
      </p>
      <div className="form-row">
        <label>
          Version
          <select value={version} onChange={(event) => setVersion(event.target.value)}>
            {detail.versions.map((v) => (
              <option key={v.version} value={v.version}>
                {v.version}
              </option>
            ))}
          </select>
        </label>
        <label>
          Target
          <select value={target} onChange={(event) => setTarget(event.target.value)}>
            {environments.map((environment) => (
              <option key={environment.name} value={environment.name}>
                {environment.name} ({environment.baseUrl}
                {environment.unsafeMethods ? ", unsafe methods too" : ""})
              </option>
            ))}
            <option value="declared">The server URL the spec declares</option>
            <option value="url">Another base URL (safe methods only)</option>
          </select>
        </label>
        {target === "url" ? (
          <label>
            Base URL
            <input
              type="url"
              required
              placeholder="https://staging.example.com/v1"
              value={baseUrl}
              onChange={(event) => setBaseUrl(event.target.value)}
            />
          </label>
        ) : null}
      </div>
      <button type="submit" disabled={busy}>
        {busy ? "Starting..." : "Start run"}
      </button>
      {problem ? <ProblemMessage problem={problem} title="The run could not be started" /> : null}
    </form>
  );
}

/** The API's schedule, read by everyone; set, paused, resumed and deleted by its team. */
function SchedulePanel({ apiId, mayChange, settings }: { apiId: string; mayChange: boolean; settings: Settings | null }) {
  const { data, problem, setData, reload } = useAnswer(
    (signal) => api.GET("/apis/{apiId}/test-schedule", { params: { path: { apiId } }, signal }),
    [apiId],
  );
  const missing = problem?.status === 404;
  const schedule = data?.apiId === apiId && !missing ? data : null;
  const [cron, setCron] = useState("");
  const [timeZone, setTimeZone] = useState("UTC");
  const [environment, setEnvironment] = useState("");
  const [editing, setEditing] = useState(false);
  const { busy, problem: changeProblem, act } = useAction();

  const put = (body: Schemas["TestSchedule"]) =>
    act(
      () => api.PUT("/apis/{apiId}/test-schedule", { params: { path: { apiId } }, body }),
      (saved) => {
        if (saved) setData(saved);
        setEditing(false);
        reload();
      },
    );
  const remove = () =>
    act(() => api.DELETE("/apis/{apiId}/test-schedule", { params: { path: { apiId } } }), () => reload());
  const edit = () => {
    setCron(schedule?.cron ?? "0 6 * * 1-5");
    setTimeZone(schedule?.timeZone ?? "UTC");
    setEnvironment(schedule?.environment ?? "");
    setEditing(true);
  };
  const save = (event: FormEvent) => {
    event.preventDefault();
    void put({ cron: cron.trim(), timeZone: timeZone.trim(), environment: environment || null, paused: schedule?.paused ?? false });
  };

  return (
    <section className="panel" aria-labelledby="schedule-heading">
      <h2 id="schedule-heading">Schedule</h2>
      {problem && !missing ? <ProblemMessage problem={problem} title="The schedule could not be loaded" /> : null}
      {!schedule && !problem ? <Loading what="the schedule" /> : null}
      {missing && !editing ? <p className="muted">No schedule: runs start when someone asks, or after a registration.</p> : null}
      {schedule && !editing ? (
        <>
          <p>
            <code>{schedule.cron}</code> ({schedule.timeZone}), against{" "}
            {schedule.environment ? `environment ${schedule.environment}` : "the server URL the spec declares"}{" "}
            {schedule.paused ? <span className="badge run-cancelled">paused</span> : <span className="badge run-passed">active</span>}
          </p>
          {schedule.nextRuns.length && !schedule.paused ? (
            <p className="muted">Next runs: {schedule.nextRuns.slice(0, 3).map(moment).join(", ")}</p>
          ) : null}
          {schedule.note ? <p className="muted">{schedule.note}</p> : null}
        </>
      ) : null}
      {mayChange && !editing ? (
        <div className="toolbar">
          <button type="button" onClick={edit} disabled={busy}>
            {schedule ? "Change schedule" : "Schedule runs"}
          </button>
          {schedule ? (
            <>
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void put({
                    cron: schedule.cron,
                    timeZone: schedule.timeZone,
                    environment: schedule.environment ?? null,
                    paused: !schedule.paused,
                  })
                }
              >
                {schedule.paused ? "Resume" : "Pause"}
              </button>
              <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
                Delete schedule
              </button>
            </>
          ) : null}
        </div>
      ) : null}
      {editing ? (
        <form onSubmit={save}>
          <div className="form-row">
            <label>
              When (cron: minute hour day-of-month month day-of-week)
              <input required value={cron} onChange={(event) => setCron(event.target.value)} placeholder="0 6 * * 1-5" />
            </label>
            <label>
              Time zone
              <input required value={timeZone} onChange={(event) => setTimeZone(event.target.value)} placeholder="Europe/Berlin" />
            </label>
            <label>
              Target
              <select value={environment} onChange={(event) => setEnvironment(event.target.value)}>
                <option value="">The server URL the spec declares</option>
                {(settings?.environments ?? []).map((e) => (
                  <option key={e.name} value={e.name}>
                    {e.name} ({e.baseUrl})
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div className="toolbar">
            <button type="submit" disabled={busy}>
              {busy ? "Saving..." : "Save schedule"}
            </button>
            <button type="button" onClick={() => setEditing(false)} disabled={busy}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {changeProblem ? <ProblemMessage problem={changeProblem} title="The schedule was not changed" /> : null}
    </section>
  );
}

function Environments({ settings }: { settings: Settings }) {
  const environments = settings.environments ?? [];
  return (
    <section className="panel" aria-labelledby="environments-heading">
      <h2 id="environments-heading">Test environments</h2>
      {environments.length ? (
        <ul>
          {environments.map((environment) => (
            <li key={environment.name}>
              <strong>{environment.name}</strong> <code>{environment.baseUrl}</code>
              {environment.unsafeMethods ? " - unsafe methods sent" : " - safe methods only"}
              {environment.credential ? ` - credential from secret ${environment.credential.secret}` : ""}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">None set: runs go to the spec&apos;s declared server URL or a base URL given with the run.</p>
      )}
      <p className="muted">
        {settings.runAfterRegistration ? "Each new version is tested after it registers. " : ""}
        Up to {settings.concurrency} operations at a time, {settings.requestsPerSecond} requests/s, latency line{" "}
        {settings.latencyMs} ms. The team changes these with PUT /apis/{settings.apiId}/test-settings.
      </p>
    </section>
  );
}

function TestsView({ apiId, user }: { apiId: string; user: User }) {
  const { data: detail, problem } = useAnswer(
    (signal) => api.GET("/apis/{apiId}", { params: { path: { apiId } }, signal }),
    [apiId],
  );
  const { data: page, problem: runsProblem } = useAnswer(
    (signal) => api.GET("/apis/{apiId}/test-runs", { params: { path: { apiId }, query: { limit: 30 } }, signal }),
    [apiId],
  );
  const { data: settings } = useAnswer(
    (signal) => api.GET("/apis/{apiId}/test-settings", { params: { path: { apiId } }, signal }),
    [apiId],
  );
  if (problem) return <ProblemMessage problem={problem} title={`${apiId} could not be loaded`} />;
  if (!detail || detail.apiId !== apiId) return <Loading what={apiId} />;
  const runs = page?.apiId === apiId ? page.items : null;
  const mayChange = mayRunTests(user, detail.owner);
  const current = settings?.apiId === apiId ? settings : null;
  return (
    <article>
      <p className="muted">
        <Link href={paths.catalog}>Catalog</Link> / <Link href={paths.api(apiId)}>{apiId}</Link> / Contract tests
      </p>
      <h1>Contract tests of {detail.title}</h1>
      <p className="muted">
        Does the live API keep the promise its spec makes? Each run sends cases derived from the spec and checks every
        answer: status codes, content types, headers, bodies, rejected invalid input, latency.
      </p>
      {mayChange && settings !== null ? <StartRun detail={detail} settings={current} /> : null}
      <h2>Runs</h2>
      {runsProblem ? <ProblemMessage problem={runsProblem} title="The runs could not be loaded" /> : null}
      {runs ? (
        <>
          <TestTrend runs={runs} />
          <RunList runs={runs} />
        </>
      ) : runsProblem ? null : (
        <Loading what="the runs" />
      )}
      <SchedulePanel apiId={apiId} mayChange={mayChange} settings={current} />
      {current ? <Environments settings={current} /> : null}
    </article>
  );
}

export function TestsPage() {
  const params = useSearchParams();
  const apiId = params.get("id");
  if (!apiId) return <p>No API named: open one from the <Link href={paths.catalog}>catalog</Link>.</p>;
  return <RequireSignIn>{(user) => <TestsView apiId={apiId} user={user} />}</RequireSignIn>;
}
