"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { memo, useCallback, useEffect, useRef, useState } from "react";
import { api, asProblem, failed, type Problem, type Schemas } from "@/lib/api/client";
import { paths } from "@/lib/paths";
import { Loading } from "./Loading";
import { ProblemMessage } from "./ProblemMessage";
import { RequireSignIn } from "./RequireSignIn";

type Page = Schemas["SearchPage"];
type Hit = Schemas["SearchHit"];
type Sort = "relevance" | "title" | "updated";
type Filters = { q: string; owner: string; status: string; sort: Sort | "" };

// A page is what one screen or two shows: the answer to each keystroke stays small (tens of KB) and
// quick to draw; "Show more" asks for the next ones.
const PAGE_SIZE = 20;
const MAX_SHOWN = 200;
const ADDRESS_DELAY_MS = 300;

/** Hits for the filters, asked again on every keystroke; an answer to an older keystroke is dropped. */
function useSearch(filters: Filters, pages: number) {
  const [page, setPage] = useState<Page | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(true);
  useEffect(() => {
    const controller = new AbortController();
    setBusy(true);
    api
      .GET("/catalog/search", {
        params: {
          query: {
            q: filters.q || undefined,
            owner: filters.owner || undefined,
            status: (filters.status || undefined) as "active" | "deprecated" | "retired" | undefined,
            sort: filters.sort || undefined,
            limit: Math.min(PAGE_SIZE * pages, MAX_SHOWN),
          },
        },
        signal: controller.signal,
      })
      .then(({ data, error, response }) => {
        if (controller.signal.aborted) return;
        setBusy(false);
        if (data) {
          setPage(data);
          setProblem(null);
        } else setProblem(asProblem(error, response));
      })
      .catch((failure: unknown) => {
        if (controller.signal.aborted) return;
        setBusy(false);
        setProblem(failed(failure));
      });
    return () => controller.abort();
  }, [filters.q, filters.owner, filters.status, filters.sort, pages]);
  return { page, problem, busy };
}

function OperationLink({ hit, operation }: { hit: Hit; operation: Hit["operations"][number] }) {
  return (
    <li>
      <Link href={paths.operation(hit.apiId, hit.latestVersion, operation.method, operation.path)}>
        <span className={`method method-${operation.method.toLowerCase()}`}>{operation.method}</span>{" "}
        <code>{operation.path}</code>
      </Link>
      {operation.summary ? <span className="muted"> {operation.summary}</span> : null}
    </li>
  );
}

/** What a card shows; an API that stays among the hits from one keystroke to the next is not drawn again. */
function shown(hit: Hit): string {
  const operations = hit.operations.map((o) => `${o.method} ${o.path} ${o.summary}`).join("\n");
  return `${hit.apiId}\n${hit.title}\n${hit.owner}\n${hit.latestVersion}\n${hit.status}\n${hit.operationCount}\n${hit.description}\n${hit.tags.join(",")}\n${operations}`;
}

const HitCard = memo(function HitCard({ hit }: { hit: Hit }) {
  return (
    <li className="card">
      <h2>
        <Link href={paths.api(hit.apiId)}>{hit.title}</Link>
      </h2>
      <p className="muted">
        <code>{hit.apiId}</code> · team {hit.owner} · {hit.latestVersion} ·{" "}
        <span className={`badge status-${hit.status}`}>{hit.status}</span> · {hit.operationCount === 1 ? "1 operation" : `${hit.operationCount} operations`}
      </p>
      {hit.description ? <p className="description">{hit.description}</p> : null}
      {hit.tags.length > 0 && (
        <ul className="tags" aria-label="Tags">
          {hit.tags.slice(0, 8).map((tag) => (
            <li key={tag}>{tag}</li>
          ))}
        </ul>
      )}
      {hit.operations.length > 0 && (
        <ul className="operations" aria-label={`Matching operations of ${hit.title}`}>
          {hit.operations.map((operation) => (
            <OperationLink key={`${operation.method} ${operation.path}`} hit={hit} operation={operation} />
          ))}
        </ul>
      )}
    </li>
  );
}, (before, after) => before.hit === after.hit || shown(before.hit) === shown(after.hit));

type Facet = Schemas["Facet"];

/** Every team with an API, asked once: the list does not change as the user types (with a catalog
 * of hundreds of teams, redrawing it on every keystroke was most of a keystroke's work). */
function useTeams(): Facet[] {
  const [teams, setTeams] = useState<Facet[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    api
      .GET("/catalog/search", { params: { query: { limit: 1 } }, signal: controller.signal })
      .then(({ data }) => {
        if (data) setTeams([...data.facets.owners].sort((a, b) => a.value.localeCompare(b.value)));
      })
      .catch(() => undefined); // the search itself shows the problem; the filter still offers "every team"
    return () => controller.abort();
  }, []);
  return teams;
}

const TeamFilter = memo(function TeamFilter({
  teams,
  value,
  onChange,
}: {
  teams: Facet[];
  value: string;
  onChange: (owner: string) => void;
}) {
  return (
    <label>
      Team
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">every team</option>
        {teams.map((f) => (
          <option key={f.value} value={f.value}>{`${f.value} (${f.count})`}</option>
        ))}
        {value && !teams.some((f) => f.value === value) ? <option value={value}>{value}</option> : null}
      </select>
    </label>
  );
});

function CatalogSearch() {
  const params = useSearchParams();
  const [filters, setFilters] = useState<Filters>({
    q: params.get("q") ?? "",
    owner: params.get("owner") ?? "",
    status: params.get("status") ?? "",
    sort: (params.get("sort") as Sort | null) ?? "",
  });
  const [pages, setPages] = useState(1);
  const { page, problem, busy } = useSearch(filters, pages);

  // One function for the page's life (the memoized filters keep it), reading the filters as they are now.
  const latest = useRef(filters);
  const addressTimer = useRef<number | undefined>(undefined);
  latest.current = filters;
  const change = useCallback((next: Partial<Filters>) => {
    const merged = { ...latest.current, ...next };
    latest.current = merged;
    setFilters(merged);
    setPages(1);
    // The address keeps the search, so it can be shared and survives a reload; it follows once the
    // typing pauses, since Next.js redraws its router's tree on each change of the address. The
    // history API, not router.replace, which would fetch the page's payload again.
    window.clearTimeout(addressTimer.current);
    addressTimer.current = window.setTimeout(() => {
      const query = new URLSearchParams(Object.entries(merged).filter(([, value]) => value) as [string, string][]);
      window.history.replaceState(null, "", query.size ? `/?${query}` : "/");
    }, ADDRESS_DELAY_MS);
  }, []);
  useEffect(() => () => window.clearTimeout(addressTimer.current), []);

  const teams = useTeams();
  const statuses = page?.facets.statuses ?? [];
  return (
    <>
      <div className="toolbar" role="search">
        <label className="grow">
          Search
          <input type="search" value={filters.q} onChange={(e) => change({ q: e.target.value })}
            placeholder="an API, a tag, an operation: create invoice" autoComplete="off" />
        </label>
        <TeamFilter teams={teams} value={filters.owner} onChange={(owner) => change({ owner })} />
        <label>
          Status
          <select value={filters.status} onChange={(e) => change({ status: e.target.value })}>
            <option value="">any status</option>
            {statuses.map((f) => (
              <option key={f.value} value={f.value}>{`${f.value} (${f.count})`}</option>
            ))}
          </select>
        </label>
        <label>
          Sort by
          <select value={filters.sort} onChange={(e) => change({ sort: e.target.value as Sort | "" })}>
            <option value="">{filters.q ? "best match" : "title"}</option>
            <option value="title">title</option>
            <option value="updated">recently updated</option>
          </select>
        </label>
      </div>
      {problem ? <ProblemMessage problem={problem} title="The catalog could not be searched" /> : null}
      {!page ? (
        problem ? null : <Loading what="the catalog" />
      ) : (
        <>
          <p className="muted" aria-live="polite" aria-busy={busy}>
            {page.total === 1 ? "1 API" : `${page.total} APIs`}
            {filters.q ? ` match “${filters.q}”` : ""}
          </p>
          {page.total === 0 ? (
            filters.q || filters.owner || filters.status ? (
              <p>Nothing matches. Try fewer or shorter words, or every team.</p>
            ) : (
              <p>
                No API is registered yet. <Link href={paths.submit}>Submit one</Link> to start the catalog.
              </p>
            )
          ) : (
            <ul className="cards">
              {page.items.map((hit) => (
                <HitCard key={hit.apiId} hit={hit} />
              ))}
            </ul>
          )}
          {page.items.length < page.total && page.items.length < MAX_SHOWN ? (
            <p>
              <button type="button" className="secondary" disabled={busy} onClick={() => setPages(pages + 1)}>
                Show more
              </button>
            </p>
          ) : null}
        </>
      )}
    </>
  );
}

export function Catalog() {
  return <RequireSignIn>{() => <CatalogSearch />}</RequireSignIn>;
}
