"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useState } from "react";
import { api, type Schemas } from "@/lib/api/client";
import { periodStart, type Granularity } from "@/lib/charts";
import { count, ms, percent } from "@/lib/format";
import { paths, type AnalyticsView } from "@/lib/paths";
import { useAnswer } from "@/lib/use-answer";
import { HealthView } from "./HealthPanel";
import { Loading } from "./Loading";
import { ProblemMessage } from "./ProblemMessage";
import { RequireSignIn } from "./RequireSignIn";
import { UsageView, type Lines } from "./UsageView";

type Summary = Schemas["ReportSummary"];
type Report = Schemas["DailyReport"];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
type Period = "24h" | "7d" | "30d" | "12w";
const PERIODS: Record<Period, { label: string; granularity: Granularity; back: number }> = {
  "24h": { label: "Last 24 hours, by hour", granularity: "hour", back: 23 * HOUR },
  "7d": { label: "Last 7 days, by day", granularity: "day", back: 6 * DAY },
  "30d": { label: "Last 30 days, by day", granularity: "day", back: 29 * DAY },
  "12w": { label: "Last 12 weeks, by week", granularity: "week", back: 11 * 7 * DAY },
};
const DEFAULT_PERIOD: Period = "7d";

function isPeriod(value: string | undefined): value is Period {
  return value !== undefined && value in PERIODS;
}

/** The query for a period ending now: from the start of its first hour, day or week. */
function periodQuery(period: Period, now: Date) {
  const { granularity, back } = PERIODS[period];
  return {
    from: periodStart(new Date(now.getTime() - back), granularity).toISOString(),
    to: now.toISOString(),
    granularity,
  };
}

function Usage({
  apiId,
  view,
  lines,
  onSettled,
}: {
  apiId: string;
  view: AnalyticsView;
  lines?: Lines;
  onSettled: () => void;
}) {
  const router = useRouter();
  const period = isPeriod(view.period) ? view.period : DEFAULT_PERIOD;
  const [asked, setAsked] = useState(0);
  // the period ends when it is asked for (and again on "Refresh"), not at every redraw
  const asking = useMemo(() => periodQuery(period, new Date()), [period, asked]); // eslint-disable-line react-hooks/exhaustive-deps
  const { data: detail } = useAnswer((signal) => api.GET("/apis/{apiId}", { params: { path: { apiId } }, signal }), [apiId]);
  const { data, problem } = useAnswer(
    (signal) =>
      api.GET("/apis/{apiId}/analytics", {
        params: {
          path: { apiId },
          query: { ...asking, version: view.version, operationId: view.operation },
        },
        signal,
      }),
    [apiId, asking, view.version, view.operation],
  );
  const go = (change: Partial<AnalyticsView>) => router.replace(paths.analytics(apiId, { ...view, ...change }), { scroll: false });
  const versions = detail?.apiId === apiId ? detail.versions.map((v) => v.version) : [];
  // the answer to this query, not one still shown from before a change of filter
  const current =
    data?.apiId === apiId &&
    data.granularity === asking.granularity &&
    (data.version ?? undefined) === view.version &&
    (data.operationId ?? undefined) === view.operation
      ? data
      : null;
  useEffect(() => {
    if (current || problem) onSettled();
  }, [current, problem, onSettled]);
  return (
    <section aria-labelledby="usage-heading" className="stack">
      <h2 id="usage-heading">Usage</h2>
      <div className="toolbar">
        <label>
          Period
          <select value={period} onChange={(event) => go({ period: event.target.value })}>
            {Object.entries(PERIODS).map(([key, p]) => (
              <option key={key} value={key}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Version
          <select value={view.version ?? ""} onChange={(event) => go({ version: event.target.value || undefined })}>
            <option value="">All versions</option>
            {versions.map((version) => (
              <option key={version} value={version}>
                {version}
              </option>
            ))}
          </select>
        </label>
        {view.operation ? (
          <p className="filter">
            Only <code>{view.operation}</code>{" "}
            <button type="button" className="secondary" onClick={() => go({ operation: undefined })}>
              All operations
            </button>
          </p>
        ) : null}
        <button type="button" className="secondary" onClick={() => setAsked((n) => n + 1)}>
          Refresh
        </button>
      </div>
      <p className="muted">Times are UTC. The current {PERIODS[period].granularity} is still counting.</p>
      {problem ? <ProblemMessage problem={problem} title="The usage could not be loaded" /> : null}
      {!current && !problem ? <Loading what={`the usage of ${apiId}`} /> : null}
      {current ? (
        <UsageView
          report={current}
          lines={lines}
          operationLink={view.operation ? undefined : (operation) => paths.analytics(apiId, { ...view, operation })}
        />
      ) : null}
    </section>
  );
}

export function ReportList({ apiId, reports, more }: { apiId: string; reports: Summary[]; more?: () => void }) {
  return (
    <>
      {reports.length === 0 ? (
        <p className="muted">
          No daily report yet: the first is written shortly after the first day (UTC) with calls ends.
        </p>
      ) : (
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Day (UTC)</th>
                <th scope="col">The day</th>
                <th scope="col">Calls</th>
                <th scope="col">Error rate</th>
                <th scope="col">p99</th>
                <th scope="col">Alerts</th>
              </tr>
            </thead>
            <tbody>
              {reports.map((report) => (
                <tr key={report.day}>
                  <th scope="row">
                    <Link href={paths.analytics(apiId, { day: report.day })}>{report.day}</Link>
                  </th>
                  <td>{report.headline}</td>
                  <td>{count(report.calls)}</td>
                  <td>{percent(report.errorRate)}</td>
                  <td>{ms(report.p99Ms)}</td>
                  <td>{report.alerts ? <span className="badge alert-open">{report.alerts}</span> : "0"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {more ? (
        <button type="button" className="secondary" onClick={more}>
          Older reports
        </button>
      ) : null}
    </>
  );
}

export function Reports({ apiId }: { apiId: string }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const [pages, setPages] = useState<Record<string, Summary[]>>({});
  const { data, problem } = useAnswer(
    (signal) =>
      api.GET("/apis/{apiId}/analytics/reports", {
        params: { path: { apiId }, query: cursor ? { cursor } : {} },
        signal,
      }),
    [apiId, cursor],
  );
  // the pages before this one (each kept under the cursor that follows it), then this one once it
  // has come (until then `data` is still the page before)
  const current = data?.apiId === apiId && (cursor === undefined || data.items !== pages[cursor]) ? data.items : [];
  const shown = [...cursors.flatMap((c) => pages[c] ?? []), ...current];
  return (
    <section aria-labelledby="reports-heading" className="stack">
      <h2 id="reports-heading">Daily reports</h2>
      <p className="muted">
        Written every night by the API&apos;s analytics workflow in Temporal (collect, process, report, store) for the day
        before.
      </p>
      {problem ? <ProblemMessage problem={problem} title="The daily reports could not be loaded" /> : null}
      {!data && !problem ? <Loading what="the daily reports" /> : null}
      {data && data.apiId === apiId ? (
        <ReportList
          apiId={apiId}
          reports={shown}
          more={
            data.nextCursor
              ? () => {
                  setPages((known) => ({ ...known, [data.nextCursor as string]: data.items }));
                  setCursors((known) => [...known, data.nextCursor as string]);
                }
              : undefined
          }
        />
      ) : null}
    </section>
  );
}

function change(value: number | null): string {
  return value === null ? "" : ` (${value >= 0 ? "+" : ""}${Math.round(value * 100)} %)`;
}

export function DailyReportView({ report, lines }: { report: Report; lines?: Lines }) {
  const compared = [
    ["The day before", report.comparison.dayBefore],
    ["Same day last week", report.comparison.weekBefore],
  ] as const;
  return (
    <article className="stack" aria-labelledby="report-heading">
      <h2 id="report-heading">Report of {report.day}</h2>
      <p className="headline">{report.headline}</p>
      <ul className="highlights">
        {report.highlights.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <div className="scroll">
        <table>
          <caption className="visually-hidden">The day against the days before</caption>
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col">Calls</th>
              <th scope="col">Error rate</th>
              <th scope="col">p99</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">{report.day}</th>
              <td>{count(report.usage.totals.calls)}</td>
              <td>{percent(report.usage.totals.errorRate)}</td>
              <td>{ms(report.usage.totals.latencyMs.p99)}</td>
            </tr>
            {compared.map(([name, figures]) => (
              <tr key={name}>
                <th scope="row">
                  {name}, {figures.day}
                </th>
                <td>
                  {count(figures.calls)}
                  <span className="muted">{change(figures.callsChange)}</span>
                </td>
                <td>{percent(figures.errorRate)}</td>
                <td>{ms(figures.p99Ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted">Written {new Date(report.generatedAt).toLocaleString()}.</p>
      <UsageView report={report.usage} lines={lines} />
    </article>
  );
}

function OneReport({ apiId, day, lines }: { apiId: string; day: string; lines?: Lines }) {
  const { data, problem } = useAnswer(
    (signal) => api.GET("/apis/{apiId}/analytics/reports/{day}", { params: { path: { apiId, day } }, signal }),
    [apiId, day],
  );
  if (problem) return <ProblemMessage problem={problem} title={`The report of ${day} could not be loaded`} />;
  if (!data || data.apiId !== apiId || data.day !== day) return <Loading what={`the report of ${day}`} />;
  return <DailyReportView report={data} lines={lines} />;
}

function Analytics({ apiId, view }: { apiId: string; view: AnalyticsView }) {
  const { data: health, problem } = useAnswer(
    (signal) => api.GET("/apis/{apiId}/health", { params: { path: { apiId } }, signal }),
    [apiId],
  );
  const lines = health?.apiId === apiId ? health.thresholds : undefined;
  const [settled, setSettled] = useState(false);
  const settle = useCallback(() => setSettled(true), []);
  return (
    <article className="analytics">
      <p className="muted">
        <Link href={paths.catalog}>Catalog</Link> / <Link href={paths.api(apiId)}>{apiId}</Link> /{" "}
        {view.day ? (
          <>
            <Link href={paths.analytics(apiId)}>Analytics</Link> / {view.day}
          </>
        ) : (
          "Analytics"
        )}
      </p>
      <h1>Analytics of {apiId}</h1>
      {view.day ? (
        <OneReport apiId={apiId} day={view.day} lines={lines} />
      ) : (
        <>
          <Usage apiId={apiId} view={view} lines={lines} onSettled={settle} />
          {/* loaded meanwhile, shown once the usage above is: nothing on screen moves when it comes */}
          <div hidden={!settled}>
            <Reports apiId={apiId} />
            {problem ? <ProblemMessage problem={problem} title="The API's health could not be loaded" /> : null}
            {health?.apiId === apiId ? <HealthView health={health} /> : null}
          </div>
        </>
      )}
    </article>
  );
}

export function AnalyticsPage() {
  const params = useSearchParams();
  const apiId = params.get("id");
  if (!apiId) return <p>No API named: open one from the <Link href={paths.catalog}>catalog</Link>.</p>;
  const view: AnalyticsView = {
    period: params.get("period") ?? undefined,
    version: params.get("version") ?? undefined,
    operation: params.get("operation") ?? undefined,
    day: params.get("day") ?? undefined,
  };
  return <RequireSignIn>{() => <Analytics apiId={apiId} view={view} />}</RequireSignIn>;
}
