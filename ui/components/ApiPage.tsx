"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useCallback, useState } from "react";
import { api, type Schemas, type User } from "@/lib/api/client";
import { paths } from "@/lib/paths";
import { useAnswer } from "@/lib/use-answer";
import { lintSummary } from "./ApiLint";
import { DocsRating } from "./DocsRating";
import { HealthPanel } from "./HealthPanel";
import { LifecycleControls, statusWords } from "./Lifecycle";
import { Loading } from "./Loading";
import { ProblemMessage } from "./ProblemMessage";
import { Reference } from "./Reference";
import { RequireSignIn } from "./RequireSignIn";
import { can, useSession } from "./SessionProvider";

function useApi(apiId: string) {
  const { data, problem } = useAnswer((signal) => api.GET("/apis/{apiId}", { params: { path: { apiId } }, signal }), [
    apiId,
  ]);
  return { detail: data?.apiId === apiId ? data : null, problem };
}

type View = { apiId: string; requested: string | null; operation?: string; full: boolean };

function ApiView({ apiId, requested, operation, full, user }: View & { user: User }) {
  const { detail: loaded, problem } = useApi(apiId);
  const [changed, setChanged] = useState<Record<string, Schemas["ApiVersion"]>>({});
  const { state } = useSession();
  const router = useRouter();
  const [settled, setSettled] = useState(false);
  const settle = useCallback(() => setSettled(true), []);
  if (problem) return <ProblemMessage problem={problem} title={`${apiId} could not be loaded`} />;
  if (!loaded) return <Loading what={apiId} />;
  const detail = { ...loaded, versions: loaded.versions.map((v) => changed[v.version] ?? v) };
  const versions = [...detail.versions].sort((a, b) => b.registeredAt.localeCompare(a.registeredAt));
  const current = versions.find((v) => v.version === (requested ?? detail.latestVersion)) ?? versions[0];
  if (!current) return <p>{detail.title} has no registered version yet.</p>;
  return (
    <article>
      <p className="muted">
        <Link href={paths.catalog}>Catalog</Link> / {apiId}
      </p>
      <h1>{detail.title}</h1>
      {current.status !== "active" && (
        <p role="note" className={`lifecycle ${current.status}`}>
          {current.version} is {statusWords(current)}
          {current.status === "retired" ? ": no longer offered; kept here for reference." : "."}
        </p>
      )}
      <div className="toolbar">
        <label>
          Version
          <select
            value={current.version}
            onChange={(event) =>
              router.replace((full ? paths.reference : paths.api)(apiId, event.target.value))
            }
          >
            {versions.map((v) => (
              <option key={v.version} value={v.version}>
                {v.version}
                {v.version === detail.latestVersion ? " (latest)" : ""}
                {v.status !== "active" ? ` (${v.status})` : ""}
              </option>
            ))}
          </select>
        </label>
      </div>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <span className={`badge status-${current.status}`}>{statusWords(current)}</span>
          {(user.team === current.owner && can(state, "apis:submit")) || can(state, "users:manage") ? (
            <LifecycleControls
              version={current}
              onChanged={(version) => setChanged((before) => ({ ...before, [version.version]: version }))}
            />
          ) : null}
        </dd>
        <dt>Owner</dt>
        <dd>team {current.owner}</dd>
        <dt>OpenAPI</dt>
        <dd>{current.openapiVersion}</dd>
        <dt>Operations</dt>
        <dd>{current.operationCount}</dd>
        <dt>Registered</dt>
        <dd>{new Date(current.registeredAt).toLocaleString()}</dd>
        <dt>Health</dt>
        <dd>
          <span className={`badge health-${detail.health}`}>{detail.health}</span>
          {detail.degradedRules.length ? <span className="muted"> {detail.degradedRules.join(", ")}</span> : null}
        </dd>
        <dt>Usage</dt>
        <dd>
          <Link href={paths.analytics(apiId)}>Analytics</Link>
          {detail.lastReport ? (
            <>
              {" "}
              · <Link href={paths.analytics(apiId, { day: detail.lastReport.day })}>{detail.lastReport.day}</Link>:{" "}
              {detail.lastReport.headline}
            </>
          ) : null}
        </dd>
        <dt>Lint</dt>
        <dd>
          {current.lint ? (
            <>
              <Link href={paths.lint(apiId, current.version)}>{lintSummary(current.lint)}</Link>
              {current.lint.blocking ? <span className="muted"> · {current.lint.blocking}</span> : null}
            </>
          ) : (
            <span className="muted">registered before the portal linted versions</span>
          )}
        </dd>
        <dt>Changes</dt>
        <dd>
          {versions.length > 1 ? (
            <Link href={paths.changes(apiId, { to: current.version })}>What changed in {current.version}</Link>
          ) : (
            <span className="muted">the first version: nothing to compare yet</span>
          )}
        </dd>
        <dt>Contract tests</dt>
        <dd>
          <Link href={paths.tests(apiId)}>Test runs</Link>
          {detail.lastTestRun ? (
            <>
              {" "}
              · <Link href={paths.testRun(detail.lastTestRun.runId)}>last run</Link>:{" "}
              <span className={`badge run-${detail.lastTestRun.outcome}`}>{detail.lastTestRun.outcome}</span>{" "}
              <span className="muted">{detail.lastTestRun.summary}</span>
            </>
          ) : (
            <span className="muted"> · not tested yet</span>
          )}
        </dd>
      </dl>
      <Reference apiId={apiId} version={current.version} operation={operation} full={full} onSettled={settle} />
      {/* loaded meanwhile, shown once the document above is: nothing on screen moves when it comes */}
      <div hidden={!settled}>
        <DocsRating apiId={apiId} version={current.version} />
        {full ? null : <HealthPanel apiId={apiId} />}
      </div>
    </article>
  );
}

export function ApiPage() {
  const params = useSearchParams();
  const apiId = params.get("id");
  if (!apiId) return <p>No API named: open one from the <Link href={paths.catalog}>catalog</Link>.</p>;
  const operation = params.get("operation") ?? undefined;
  const full = params.get("view") === "reference" || operation !== undefined;
  return (
    <RequireSignIn>
      {(user) => (
        <ApiView apiId={apiId} requested={params.get("version")} operation={operation} full={full} user={user} />
      )}
    </RequireSignIn>
  );
}
