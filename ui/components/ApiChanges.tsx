"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { api, type Schemas } from "@/lib/api/client";
import { paths } from "@/lib/paths";
import { useAnswer } from "@/lib/use-answer";
import { Loading } from "./Loading";
import { ProblemMessage } from "./ProblemMessage";
import { RequireSignIn } from "./RequireSignIn";

type Level = Schemas["ApiChange"]["level"];
const LEVEL_WORDS: Record<Level, string> = {
  ERR: "breaks consumers",
  WARN: "may break consumers",
  INFO: "compatible",
};

/** The changes between two versions, grouped by level (breaking first), each with where it is. */
export function ChangeList({ changes, levels }: { changes: Schemas["ApiChange"][]; levels: Set<Level> }) {
  const shown = changes.filter((change) => levels.has(change.level));
  if (!shown.length) return <p className="muted">No changes at the levels chosen.</p>;
  return (
    <ul className="changes">
      {shown.map((change) => (
        <li key={`${change.fingerprint}-${change.oldPointer}-${change.newPointer}`}>
          <span className={`badge level-${change.level}`}>{change.level}</span> <code>{change.id}</code>
          <p>{change.message}</p>
          <p className="muted">
            {change.location}
            {change.oldPointer ? (
              <>
                {" "}
                · before <code>{change.oldPointer}</code>
              </>
            ) : null}
            {change.newPointer ? (
              <>
                {" "}
                · now <code>{change.newPointer}</code>
              </>
            ) : null}
          </p>
        </li>
      ))}
    </ul>
  );
}

function ChangesView({ apiId, from, to }: { apiId: string; from: string | null; to: string | null }) {
  const router = useRouter();
  const [levels, setLevels] = useState<Set<Level>>(new Set(["ERR", "WARN", "INFO"]));
  const detail = useAnswer((signal) => api.GET("/apis/{apiId}", { params: { path: { apiId } }, signal }), [apiId]);
  const { data, problem } = useAnswer(
    (signal) =>
      api.GET("/apis/{apiId}/changes", {
        params: { path: { apiId }, query: { from: from ?? undefined, to: to ?? undefined } },
        signal,
      }),
    [apiId, from, to],
  );
  const versions = [...(detail.data?.versions ?? [])].sort((a, b) => b.registeredAt.localeCompare(a.registeredAt));
  const current = data && data.apiId === apiId ? data : null;
  return (
    <article>
      <p className="muted">
        <Link href={paths.catalog}>Catalog</Link> / <Link href={paths.api(apiId)}>{apiId}</Link> / changes
      </p>
      <h1>What changed in {detail.data?.title ?? apiId}</h1>
      {current && versions.length > 0 && (
        <div className="toolbar">
          {(["from", "to"] as const).map((end) => (
            <label key={end}>
              {end === "from" ? "From" : "To"}
              <select
                value={current[end]}
                onChange={(event) =>
                  router.replace(
                    paths.changes(apiId, { from: from ?? current.from, to: to ?? current.to, [end]: event.target.value }),
                  )
                }
              >
                {versions.map((v) => (
                  <option key={v.version} value={v.version}>
                    {v.version}
                  </option>
                ))}
              </select>
            </label>
          ))}
        </div>
      )}
      {problem && <ProblemMessage problem={problem} title="The changes could not be loaded" />}
      {!current && !problem && <Loading what="the changes" />}
      {current && (
        <>
          <p role="status">
            {current.from === current.to
              ? versions.length > 1
                ? `From and to are both ${current.from}: nothing to compare.`
                : `${current.from} is the only version; nothing to compare yet.`
              : `From ${current.from} to ${current.to}: ${current.counts.ERR} breaking, ${current.counts.WARN} that may break, ${current.counts.INFO} compatible.`}
          </p>
          <fieldset className="levels">
            <legend>Show</legend>
            {(["ERR", "WARN", "INFO"] as const).map((level) => (
              <label key={level}>
                <input
                  type="checkbox"
                  checked={levels.has(level)}
                  onChange={(event) => {
                    const next = new Set(levels);
                    if (event.target.checked) next.add(level);
                    else next.delete(level);
                    setLevels(next);
                  }}
                />{" "}
                {level} ({LEVEL_WORDS[level]}): {current.counts[level]}
              </label>
            ))}
          </fieldset>
          <ChangeList changes={current.changes} levels={levels} />
        </>
      )}
    </article>
  );
}

export function ChangesPage() {
  const params = useSearchParams();
  const apiId = params.get("id");
  if (!apiId) return <p>No API named: open one from the <Link href={paths.catalog}>catalog</Link>.</p>;
  return (
    <RequireSignIn>
      {() => <ChangesView apiId={apiId} from={params.get("from")} to={params.get("to")} />}
    </RequireSignIn>
  );
}
