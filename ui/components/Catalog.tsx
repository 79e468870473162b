"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { api, asProblem, failed, type Problem, type Schemas } from "@/lib/api/client";
import { paths } from "@/lib/paths";
import { Loading } from "./Loading";
import { ProblemMessage } from "./ProblemMessage";
import { RequireSignIn } from "./RequireSignIn";

type Page = Schemas["SearchPage"];
type Hit = Schemas["SearchHit"];
type Sort = "relevance" | "title" | "updated";
type Filters = { q: string; owner: string; status: string; sort: Sort | "" };

const PAGE_SIZE = 50;

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
            status: (filters.status || undefined) as "active" | undefined,
            sort: filters.sort || undefined,
            limit: Math.min(PAGE_SIZE * pages, 200),
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

function HitCard({ hit }: { hit: Hit }) {
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
}

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

  function change(next: Partial<Filters>) {
    const merged = { ...filters, ...next };
    setFilters(merged);
    setPages(1);
    // The address keeps the search, so it can be shared and survives a reload. The history API, not
    // router.replace: Next.js follows it without fetching the page's payload again on every keystroke.
    const query = new URLSearchParams(Object.entries(merged).filter(([, value]) => value) as [string, string][]);
    window.history.replaceState(null, "", query.size ? `/?${query}` : "/");
  }

  const owners = page?.facets.owners ?? [];
  const statuses = page?.facets.statuses ?? [];
  return (
    <>
      <div className="toolbar" role="search">
        <label className="grow">
          Search
          <input type="search" value={filters.q} onChange={(e) => change({ q: e.target.value })}
            placeholder="an API, a tag, an operation: create invoice" autoComplete="off" />
        </label>
        <label>
          Team
          <select value={filters.owner} onChange={(e) => change({ owner: e.target.value })}>
            <option value="">every team</option>
            {owners.map((f) => (
              <option key={f.value} value={f.value}>{`${f.value} (${f.count})`}</option>
            ))}
            {filters.owner && !owners.some((f) => f.value === filters.owner) ? (
              <option value={filters.owner}>{filters.owner} (0)</option>
            ) : null}
          </select>
        </label>
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
          {page.items.length < page.total && page.items.length < 200 ? (
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
