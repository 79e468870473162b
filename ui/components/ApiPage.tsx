"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { api, asProblem, failed, type Problem, type Schemas } from "@/lib/api/client";
import { paths } from "@/lib/paths";
import { Loading } from "./Loading";
import { ProblemMessage } from "./ProblemMessage";
import { Reference } from "./Reference";
import { RequireSignIn } from "./RequireSignIn";

type Detail = Schemas["ApiDetail"];

function useApi(apiId: string) {
  const [detail, setDetail] = useState<Detail | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => {
    let cancelled = false;
    setDetail(null);
    setProblem(null);
    api
      .GET("/apis/{apiId}", { params: { path: { apiId } } })
      .then(({ data, error, response }) => {
        if (cancelled) return;
        if (data) setDetail(data);
        else setProblem(asProblem(error, response));
      })
      .catch((failure: unknown) => !cancelled && setProblem(failed(failure)));
    return () => {
      cancelled = true;
    };
  }, [apiId]);
  return { detail, problem };
}

function ApiView({ apiId, requested, operation }: { apiId: string; requested: string | null; operation?: string }) {
  const { detail, problem } = useApi(apiId);
  const router = useRouter();
  if (problem) return <ProblemMessage problem={problem} title={`${apiId} could not be loaded`} />;
  if (!detail) return <Loading what={apiId} />;
  const versions = [...detail.versions].sort((a, b) => b.registeredAt.localeCompare(a.registeredAt));
  const current = versions.find((v) => v.version === (requested ?? detail.latestVersion)) ?? versions[0];
  if (!current) return <p>{detail.title} has no registered version yet.</p>;
  return (
    <article>
      <p className="muted">
        <Link href={paths.catalog}>Catalog</Link> / {apiId}
      </p>
      <h1>{detail.title}</h1>
      <div className="toolbar">
        <label>
          Version
          <select
            value={current.version}
            onChange={(event) => router.replace(paths.api(apiId, event.target.value))}
          >
            {versions.map((v) => (
              <option key={v.version} value={v.version}>
                {v.version}
                {v.version === detail.latestVersion ? " (latest)" : ""}
              </option>
            ))}
          </select>
        </label>
      </div>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <span className={`badge status-${current.status}`}>{current.status}</span>
        </dd>
        <dt>Owner</dt>
        <dd>team {current.owner}</dd>
        <dt>OpenAPI</dt>
        <dd>{current.openapiVersion}</dd>
        <dt>Operations</dt>
        <dd>{current.operationCount}</dd>
        <dt>Registered</dt>
        <dd>{new Date(current.registeredAt).toLocaleString()}</dd>
      </dl>
      <Reference apiId={apiId} version={current.version} operation={operation} />
    </article>
  );
}

export function ApiPage() {
  const params = useSearchParams();
  const apiId = params.get("id");
  if (!apiId) return <p>No API named: open one from the <Link href={paths.catalog}>catalog</Link>.</p>;
  return <RequireSignIn>{() => <ApiView apiId={apiId} requested={params.get("version")} operation={params.get("operation") ?? undefined} />}</RequireSignIn>;
}
