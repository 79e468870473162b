"use client";

import { api, type Schemas } from "@/lib/api/client";
import { moment } from "@/lib/format";
import { useAnswer } from "@/lib/use-answer";
import { ProblemMessage } from "./ProblemMessage";

type Health = Schemas["ApiHealth"];
type Rule = Schemas["HealthRule"];

const RULE_NAMES: Record<Rule, string> = {
  "error-rate": "Error rate (5xx)",
  "latency-p99": "p99 latency",
  traffic: "Traffic against the trailing weeks",
};

/** A rule's line as a reader says it. */
export function lineText(rule: Rule, line: number): string {
  if (rule === "error-rate") return `above ${+(line * 100).toFixed(2)} %`;
  if (rule === "latency-p99") return `above ${line.toLocaleString("en-US")} ms`;
  return `beyond ${line} standard deviations`;
}


/** An API's health: each rule with its line and state, and the alert history (GET /apis/{apiId}/health). */
export function HealthView({ health }: { health: Health }) {
  return (
    <section aria-labelledby="health-heading" className="health">
      <h2 id="health-heading">
        Health <span className={`badge health-${health.status}`}>{health.status}</span>
      </h2>
      <p className="muted">
        {health.checked
          ? health.evaluatedThrough
            ? `Judged hourly from published usage; last hour judged ${moment(health.evaluatedThrough)}.`
            : "Judged hourly from published usage; no hour judged yet."
          : "No usage published yet: health is judged once a service publishes calls (POST /usage)."}
        {health.overriddenBy ? ` Lines set by the owning team (${health.overriddenBy}).` : ""}
      </p>
      <table>
        <caption className="visually-hidden">Health rules</caption>
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Alerts when</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {health.rules.map((rule) => (
            <tr key={rule.rule}>
              <th scope="row">{RULE_NAMES[rule.rule]}</th>
              <td>{lineText(rule.rule, rule.line)}</td>
              <td>
                <span className={`badge health-${rule.status}`}>{rule.status}</span>
                {rule.since ? <span className="muted"> since {moment(rule.since)}</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Alert history</h3>
      {health.alerts.length === 0 ? (
        <p className="muted">No alert so far.</p>
      ) : (
        <ol className="alerts">
          {health.alerts.map((alert) => (
            <li key={alert.alertId}>
              <span className={`badge alert-${alert.status}`}>{alert.status}</span> {RULE_NAMES[alert.rule]}
              <p>{alert.degraded.summary}</p>
              {alert.recovered?.summary ? <p>{alert.recovered.summary}</p> : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function HealthPanel({ apiId }: { apiId: string }) {
  const { data, problem } = useAnswer(
    (signal) => api.GET("/apis/{apiId}/health", { params: { path: { apiId } }, signal }),
    [apiId],
  );
  if (problem) return <ProblemMessage problem={problem} title="The API's health could not be loaded" />;
  if (!data || data.apiId !== apiId) return null;
  return <HealthView health={data} />;
}
