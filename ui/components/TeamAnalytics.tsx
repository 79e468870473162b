"use client";

import Link from "next/link";
import { api, type Schemas } from "@/lib/api/client";
import { ms, percent } from "@/lib/format";
import { paths } from "@/lib/paths";
import { useAnswer } from "@/lib/use-answer";
import { Loading } from "./Loading";
import { ProblemMessage } from "./ProblemMessage";

type Ranking = Schemas["TeamAnalytics"];

/** A team's APIs ranked by calls over the last 7 days (GET /teams/{team}/analytics). */
export function TeamRanking({ ranking }: { ranking: Ranking }) {
  const used = ranking.apis.filter((entry) => entry.calls > 0);
  return (
    <section aria-labelledby="team-usage" className="stack">
      <h2 id="team-usage">Usage of the last 7 days</h2>
      <p className="muted">
        {ranking.totals.calls.toLocaleString("en-US")} calls to {used.length} of {ranking.totals.apis} APIs, error rate{" "}
        {percent(ranking.totals.errorRate)}
        {ranking.totals.degraded ? `; ${ranking.totals.degraded} with an open health alert` : ""}.
      </p>
      {used.length === 0 ? (
        <p className="muted">No usage published yet: services publish it with a service key (POST /usage).</p>
      ) : (
        <div className="scroll">
        <table>
          <caption className="visually-hidden">APIs ranked by calls</caption>
          <thead>
            <tr>
              <th scope="col">API</th>
              <th scope="col">Calls</th>
              <th scope="col">Error rate</th>
              <th scope="col">p95</th>
              <th scope="col">p99</th>
              <th scope="col">Consumers</th>
              <th scope="col">Health</th>
            </tr>
          </thead>
          <tbody>
            {used.map((entry) => (
              <tr key={entry.apiId}>
                <th scope="row">
                  <Link href={paths.api(entry.apiId)}>{entry.title}</Link>
                </th>
                <td>{entry.calls.toLocaleString("en-US")}</td>
                <td>{percent(entry.errorRate)}</td>
                <td>{ms(entry.latencyMs.p95)}</td>
                <td>{ms(entry.latencyMs.p99)}</td>
                <td>{entry.consumers}</td>
                <td>
                  <span className={`badge health-${entry.health}`}>{entry.health}</span>
                  {entry.degradedRules.length ? <span className="muted"> {entry.degradedRules.join(", ")}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
    </section>
  );
}

export function TeamAnalytics({ team }: { team: string }) {
  const { data, problem } = useAnswer(
    (signal) => api.GET("/teams/{team}/analytics", { params: { path: { team } }, signal }),
    [team],
  );
  if (problem) return <ProblemMessage problem={problem} title={`The usage of ${team} could not be loaded`} />;
  if (!data || data.team !== team) return <Loading what={`the usage of ${team}`} />;
  return <TeamRanking ranking={data} />;
}
