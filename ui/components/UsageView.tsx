"use client";

import { type Schemas } from "@/lib/api/client";
import { periodLabel, timeline, type Granularity } from "@/lib/charts";
import { count, ms, percent } from "@/lib/format";
import { BarList, ColumnChart, LineChart } from "./Charts";

type Report = Schemas["UsageReport"];
export type Lines = { errorRate: number; p99Ms: number };

const TONE_OF_CLASS: Record<string, string> = { "2": "ok", "3": "info", "4": "warn", "5": "bad" };

function busiest(labels: string[], values: (number | null)[]): { label: string; value: number } | null {
  let best: { label: string; value: number } | null = null;
  values.forEach((value, i) => {
    if (value !== null && (best === null || value > best.value)) best = { label: labels[i] ?? "", value };
  });
  return best;
}

/** Everything one usage report says (GET /apis/{apiId}/analytics, or a daily report's day): the
 * figures, the calls, error rate and latency over time, status codes, operations, consumers,
 * adoption and the calls the spec does not document. `lines` are the API's health lines, drawn on
 * the error-rate and latency charts. */
export function UsageView({
  report,
  lines,
  operationLink,
}: {
  report: Report;
  lines?: Lines;
  operationLink?: (operation: string) => string;
}) {
  const granularity = report.granularity as Granularity;
  const periods = timeline(report.from, report.to, granularity, report.series);
  const labels = periods.map((p) => periodLabel(p.start, granularity));
  const calls = periods.map((p) => p.point?.calls ?? 0);
  const serverErrors = periods.map((p) => p.point?.serverErrors ?? 0);
  const clientErrors = periods.map((p) => p.point?.clientErrors ?? 0);
  const errorRates = periods.map((p) => p.point?.errorRate ?? null);
  const latency = (key: "p50" | "p95" | "p99") => periods.map((p) => p.point?.latencyMs[key] ?? null);
  const totals = report.totals;
  const most = busiest(labels, calls);
  const worstRate = busiest(labels, errorRates);
  const slowest = busiest(labels, latency("p99"));
  const statusCodes = Object.entries(totals.statusCodes)
    .map(([code, n]) => ({ label: code, value: n, tone: TONE_OF_CLASS[code.charAt(0)] ?? "info" }))
    .sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
  const undocumentedCalls = report.undocumented.reduce((sum, u) => sum + u.calls, 0);

  return (
    <div className="usage">
      <dl className="tiles">
        <div>
          <dt>Calls</dt>
          <dd>{count(totals.calls)}</dd>
        </div>
        <div>
          <dt>Error rate (5xx)</dt>
          <dd>{percent(totals.errorRate)}</dd>
        </div>
        <div>
          <dt>Client errors (4xx)</dt>
          <dd>{count(totals.clientErrors)}</dd>
        </div>
        <div>
          <dt>Latency p50 / p95 / p99</dt>
          <dd>
            {ms(totals.latencyMs.p50)} / {ms(totals.latencyMs.p95)} / {ms(totals.latencyMs.p99)}
          </dd>
        </div>
        <div>
          <dt>Consumers</dt>
          <dd>{count(report.consumers.distinct)}</dd>
        </div>
        <div>
          <dt>Undocumented calls</dt>
          <dd>{count(undocumentedCalls)}</dd>
        </div>
      </dl>
      {totals.calls === 0 ? (
        <p className="muted">
          No calls in this period. Services publish their calls with a service key (POST /usage); they show here within
          seconds.
        </p>
      ) : (
        <>
          <ColumnChart
            title={`Calls per ${granularity}`}
            summary={`${count(totals.calls)} calls, ${count(totals.serverErrors)} answered 5xx and ${count(
              totals.clientErrors,
            )} 4xx; the most in one ${granularity}: ${count(most?.value)} (${most?.label}).`}
            labels={labels}
            series={[
              { name: "answered 1xx-3xx", tone: "ok", values: calls.map((c, i) => c - (serverErrors[i] ?? 0) - (clientErrors[i] ?? 0)) },
              { name: "4xx", tone: "warn", values: clientErrors },
              { name: "5xx", tone: "bad", values: serverErrors },
            ]}
            format={(v) => count(v)}
          />
          <LineChart
            title="Error rate (5xx share)"
            summary={`${percent(totals.errorRate)} over the period; the highest ${percent(worstRate?.value)} (${
              worstRate?.label
            })${lines ? `; the alert line is ${percent(lines.errorRate)}` : ""}.`}
            labels={labels}
            series={[{ name: "5xx share", tone: "bad", values: errorRates }]}
            unit="percent"
            format={(v) => percent(v)}
            threshold={lines ? { value: lines.errorRate, label: `alert line ${percent(lines.errorRate)}` } : undefined}
          />
          <LineChart
            title="Latency percentiles"
            summary={`p50 ${ms(totals.latencyMs.p50)}, p95 ${ms(totals.latencyMs.p95)}, p99 ${ms(
              totals.latencyMs.p99,
            )} over the period; the slowest p99 ${ms(slowest?.value)} (${slowest?.label})${
              lines ? `; the alert line is ${ms(lines.p99Ms)}` : ""
            }.`}
            labels={labels}
            series={[
              { name: "p50", tone: "ok", values: latency("p50") },
              { name: "p95", tone: "violet", values: latency("p95") },
              { name: "p99", tone: "bad", values: latency("p99") },
            ]}
            unit="ms"
            format={(v) => ms(v)}
            threshold={
              lines && lines.p99Ms <= 4 * Math.max(0, ...latency("p99").map((v) => v ?? 0))
                ? { value: lines.p99Ms, label: `p99 alert line ${ms(lines.p99Ms)}` }
                : undefined
            }
          />
        </>
      )}
      <div className="columns">
        <BarList
          title="Status codes"
          items={statusCodes}
          format={(v) => count(v)}
          empty="No calls, no status codes."
        />
        <BarList
          title="Top consumers"
          items={report.topConsumers.map((c) => ({ label: c.consumerId, value: c.calls }))}
          format={(v) => count(v)}
          empty="No consumer named yet."
        />
      </div>
      {report.consumers.uncountedCalls > 0 ? (
        <p className="muted">
          {count(report.consumers.uncountedCalls)} calls came from consumers past the 2,000 an hour keeps by name.
        </p>
      ) : null}
      <section aria-labelledby="top-operations" className="stack">
        <h3 id="top-operations">Top operations</h3>
        {report.topOperations.length === 0 ? (
          <p className="muted">No operation called in this period.</p>
        ) : (
          <div className="scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Operation</th>
                  <th scope="col">Calls</th>
                  <th scope="col">5xx</th>
                  <th scope="col">Error rate</th>
                </tr>
              </thead>
              <tbody>
                {report.topOperations.map((op) => (
                  <tr key={op.operation}>
                    <th scope="row">
                      {operationLink ? (
                        <a href={operationLink(op.operation)} title={`Only the calls of ${op.operation}`}>
                          <code>{op.operation}</code>
                        </a>
                      ) : (
                        <code>{op.operation}</code>
                      )}
                    </th>
                    <td>{count(op.calls)}</td>
                    <td>{count(op.serverErrors)}</td>
                    <td>{percent(op.errorRate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {report.adoption.length > 1 ? (
        <ColumnChart
          title="Adoption per week"
          summary={`${count(report.adoption.reduce((sum, w) => sum + w.newConsumers, 0))} consumers made their first call in the period; ${count(
            report.adoption.at(-1)?.activeConsumers,
          )} called in its last week.`}
          labels={report.adoption.map((w) => periodLabel(new Date(w.weekStart), "week"))}
          series={[
            { name: "consumers that called", tone: "ok", values: report.adoption.map((w) => w.activeConsumers) },
            { name: "of them new (first call ever)", tone: "violet", values: report.adoption.map((w) => w.newConsumers) },
          ]}
          format={(v) => count(v)}
          stacked={false}
        />
      ) : null}
      <section aria-labelledby="undocumented" className="stack">
        <h3 id="undocumented">Undocumented traffic</h3>
        {report.undocumented.length === 0 ? (
          <p className="muted">Every call was to an operation and status code the spec documents.</p>
        ) : (
          <>
            <p className="muted">
              Calls the registered spec does not document: an operation it does not declare, or a status code the
              operation&apos;s responses do not list. Document them, or fix the service.
            </p>
            <div className="scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Call</th>
                    <th scope="col">Calls</th>
                  </tr>
                </thead>
                <tbody>
                  {report.undocumented.map((u) => (
                    <tr key={u.call}>
                      <th scope="row">
                        <code>{u.call}</code>
                      </th>
                      <td>{count(u.calls)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
      {report.satisfaction ? (
        <p>
          <strong>Docs satisfaction:</strong>{" "}
          {report.satisfaction.votes
            ? `${percent(report.satisfaction.helpfulShare)} of ${count(report.satisfaction.votes)} readers found the docs helpful (all votes so far).`
            : "no reader has rated the docs yet."}
        </p>
      ) : null}
    </div>
  );
}
