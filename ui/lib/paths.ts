// The UI's own routes. Ids travel in the query string so that a static export serves every page.

/** What the analytics page shows: a period (24h, 7d, 30d, 12w), one version or operation, or one day's report. */
export type AnalyticsView = { period?: string; version?: string; operation?: string; day?: string };

export const paths = {
  catalog: "/",
  api: (apiId: string, version?: string) =>
    `/catalog/api/?id=${encodeURIComponent(apiId)}` + (version ? `&version=${encodeURIComponent(version)}` : ""),
  reference: (apiId: string, version: string) =>
    `/catalog/api/?id=${encodeURIComponent(apiId)}&version=${encodeURIComponent(version)}&view=reference`,
  operation: (apiId: string, version: string, method: string, path: string) =>
    `/catalog/api/?id=${encodeURIComponent(apiId)}&version=${encodeURIComponent(version)}` +
    `&operation=${encodeURIComponent(`${method.toUpperCase()} ${path}`)}`,
  analytics: (apiId: string, view: AnalyticsView = {}) => {
    const query = new URLSearchParams({ id: apiId });
    for (const [key, value] of Object.entries(view)) if (value) query.set(key, value);
    return `/catalog/api/analytics/?${query}`;
  },
  tests: (apiId: string) => `/catalog/api/tests/?id=${encodeURIComponent(apiId)}`,
  changes: (apiId: string, range: { from?: string; to?: string } = {}) => {
    const query = new URLSearchParams({ id: apiId });
    if (range.from) query.set("from", range.from);
    if (range.to) query.set("to", range.to);
    return `/catalog/api/changes/?${query}`;
  },
  lint: (apiId: string, version: string) =>
    `/catalog/api/lint/?id=${encodeURIComponent(apiId)}&version=${encodeURIComponent(version)}`,
  testRun: (runId: string) => `/test-run/?id=${encodeURIComponent(runId)}`,
  submit: "/submit/",
  submission: (submissionId: string) => `/submission/?id=${encodeURIComponent(submissionId)}`,
  team: "/team/",
  admin: "/admin/",
  outbox: "/outbox/",
  account: "/account/",
  signIn: "/sign-in/",
};

/** The sign-in page, told to come back to where the user was. */
export function signInPath(location: { pathname: string; search: string }): string {
  const back = location.pathname + location.search;
  return back === "/" || back.startsWith(paths.signIn) ? paths.signIn : `${paths.signIn}?next=${encodeURIComponent(back)}`;
}

/** Where to go after signing in: only a path on this origin, never another site (`//evil`, `https:`). */
export function safeReturnPath(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return paths.catalog;
  return next;
}
