// How contract test runs read on every page: their status, check names, score and progress.
import type { Schemas, User } from "./api/client";

export type TestRun = Schemas["TestRun"];
export type TestRunSummary = Schemas["TestRunSummary"];
export type CheckName = Schemas["CheckResult"]["check"];

export const ACTIVE: ReadonlySet<string> = new Set(["queued", "running"]);

export function isActive(run: { status: string }): boolean {
  return ACTIVE.has(run.status);
}

/** Each check as a reader says it. */
export const CHECK_NAMES: Record<CheckName, string> = {
  response_received: "Response received",
  not_a_server_error: "No server error (5xx)",
  status_code_conformance: "Status code documented",
  content_type_conformance: "Content type documented",
  response_headers_conformance: "Response headers documented",
  response_schema_conformance: "Body matches its schema",
  negative_data_rejection: "Invalid input rejected",
  latency: "Answered within the latency line",
};

export const TRIGGERS: Record<TestRunSummary["trigger"], string> = {
  manual: "asked for",
  registration: "after registration",
  schedule: "on schedule",
};

/** "12 of 40 cases" while it runs (or "planning" before the total is known). */
export function progressText(run: Pick<TestRunSummary, "status" | "casesDone" | "casesTotal">): string {
  if (run.status === "queued") return "Queued: the run starts within seconds.";
  if (run.casesTotal === undefined) return "Planning the cases from the spec...";
  return `${run.casesDone.toLocaleString("en-US")} of ${run.casesTotal.toLocaleString("en-US")} cases`;
}

/** The share of the run done, 0-1, or null while unknown. */
export function progressRatio(run: Pick<TestRunSummary, "casesDone" | "casesTotal">): number | null {
  if (!run.casesTotal) return null;
  return Math.min(1, run.casesDone / run.casesTotal);
}

/** Whether `user` may start, cancel and schedule runs of an API owned by `owner` (the API checks too). */
export function mayRunTests(user: User, owner: string): boolean {
  return user.role === "admin" || (user.team === owner && user.permissions.includes("apis:submit"));
}

/** Runs oldest first, for a trend drawn left to right, only those that ended with a score. */
export function trend(runs: TestRunSummary[]): TestRunSummary[] {
  return runs.filter((run) => run.score !== undefined).sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
}
