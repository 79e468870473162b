"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useState } from "react";
import { api, type Schemas } from "@/lib/api/client";
import { paths } from "@/lib/paths";
import { useAnswer } from "@/lib/use-answer";
import { Loading } from "./Loading";
import { ProblemMessage } from "./ProblemMessage";
import { RequireSignIn } from "./RequireSignIn";

type Severity = Schemas["LintFinding"]["severity"];
const SEVERITIES: Severity[] = ["error", "warning", "info", "hint"];
const PLURAL: Record<Severity, string> = { error: "errors", warning: "warnings", info: "infos", hint: "hints" };

/** "2 errors, 5 warnings" - what lint counted, in words (every severity it found). */
export function lintSummary(counts: Pick<Schemas["LintCounts"], "errors" | "warnings" | "infos" | "hints">): string {
  const said = SEVERITIES.map((severity) => [counts[PLURAL[severity] as keyof typeof counts], severity] as const)
    .filter(([count]) => count > 0)
    .map(([count, severity]) => `${count} ${count === 1 ? severity : PLURAL[severity]}`);
  return said.length ? said.join(", ") : "nothing found";
}

/** What lint found, worst first, with the rule and where in the document. */
export function LintFindings({ findings, shown }: { findings: Schemas["LintFinding"][]; shown: Set<Severity> }) {
  const listed = findings
    .filter((finding) => shown.has(finding.severity))
    .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
  if (!listed.length) return <p className="muted">No findings at the severities chosen.</p>;
  return (
    <ul className="changes">
      {listed.map((finding, index) => (
        <li key={`${finding.rule}-${finding.pointer}-${index}`}>
          <span className={`badge severity-${finding.severity}`}>{finding.severity}</span> <code>{finding.rule}</code>
          <p>{finding.message}</p>
          <p className="muted">
            at <code>{finding.pointer || "/"}</code>
          </p>
        </li>
      ))}
    </ul>
  );
}

function LintView({ apiId, version }: { apiId: string; version: string }) {
  const [shown, setShown] = useState<Set<Severity>>(new Set(["error", "warning"]));
  const { data, problem } = useAnswer(
    (signal) => api.GET("/apis/{apiId}/versions/{version}/lint", { params: { path: { apiId, version } }, signal }),
    [apiId, version],
  );
  const report = data && data.apiId === apiId && data.version === version ? data : null;
  return (
    <article>
      <p className="muted">
        <Link href={paths.catalog}>Catalog</Link> / <Link href={paths.api(apiId, version)}>{apiId}</Link> / lint of{" "}
        {version}
      </p>
      <h1>
        Lint of {apiId} {version}
      </h1>
      {problem && <ProblemMessage problem={problem} title="The lint report could not be loaded" />}
      {!report && !problem && <Loading what="the lint report" />}
      {report && (
        <>
          <p role="status">
            Linted at registration with{" "}
            {report.rulesetUpdatedAt ? `the ruleset of team ${report.team}` : "the recommended ruleset"}:{" "}
            {lintSummary(report)}.{report.truncated ? ` The first ${report.findings.length} findings are kept.` : ""}
          </p>
          <fieldset className="levels">
            <legend>Show</legend>
            {SEVERITIES.map((severity) => (
              <label key={severity}>
                <input
                  type="checkbox"
                  checked={shown.has(severity)}
                  onChange={(event) => {
                    const next = new Set(shown);
                    if (event.target.checked) next.add(severity);
                    else next.delete(severity);
                    setShown(next);
                  }}
                />{" "}
                {PLURAL[severity]}: {report[PLURAL[severity] as "errors" | "warnings" | "infos" | "hints"]}
              </label>
            ))}
          </fieldset>
          <LintFindings findings={report.findings} shown={shown} />
          <p className="muted">
            The rules and their levels: <Link href={paths.team}>your team&apos;s lint ruleset</Link>.
          </p>
        </>
      )}
    </article>
  );
}

export function LintPage() {
  const params = useSearchParams();
  const apiId = params.get("id");
  const version = params.get("version");
  if (!apiId || !version)
    return (
      <p>
        No version named: open one from the <Link href={paths.catalog}>catalog</Link>.
      </p>
    );
  return <RequireSignIn>{() => <LintView apiId={apiId} version={version} />}</RequireSignIn>;
}
