import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { RunList } from "@/components/TestRuns";
import { Progress, RunResults } from "@/components/TestRunView";
import { mayRunTests, progressText, trend, type TestRun } from "@/lib/testing";

const BASE = {
  runId: "tr-0123456789abcdef01234567",
  apiId: "petstore",
  version: "1.0.0",
  owner: "pets",
  trigger: "manual" as const,
  requestedBy: "dev@example.com",
  requestedAt: "2026-12-05T10:00:00Z",
  target: { baseUrl: "https://staging.example.com", environment: "staging", unsafeMethods: false },
  workflowId: "devportal-test-run-tr-0123456789abcdef01234567",
  settings: { concurrency: 2, requestsPerSecond: 20, timeoutMs: 5000, latencyMs: 2000, maxExamples: 10 },
};

type CheckName = NonNullable<TestRun["results"]>["byCheck"][number]["check"];
const check = (name: CheckName, passed: number, failed = 0) => ({
  check: name,
  passed,
  failed,
  skipped: 0,
});

const ENDED: TestRun = {
  ...BASE,
  status: "failed",
  casesDone: 12,
  casesTotal: 12,
  score: 0.9,
  operationCoverage: 0.5,
  summary: "Failed: 1 of 2 operations tested failed a check.",
  results: {
    cases: 12,
    coverage: { operations: { tested: 2, total: 4, ratio: 0.5 }, statuses: { seen: 2, documented: 4, ratio: 0.5 } },
    checks: { passed: 18, failed: 2, skipped: 0 },
    byCheck: [check("not_a_server_error", 12), check("status_code_conformance", 10, 2)],
    operations: [
      {
        operation: "GET /pets",
        method: "GET",
        path: "/pets",
        status: "passed",
        cases: 6,
        checks: [check("not_a_server_error", 6), check("status_code_conformance", 6)],
        statusesSeen: { "200": 6 },
        statusesDocumented: ["200"],
        undocumentedStatuses: [],
        latencyMs: { p50: 3, p95: 8.5, p99: 9, max: 9 },
      },
      {
        operation: "GET /status",
        method: "GET",
        path: "/status",
        status: "failed",
        cases: 6,
        checks: [
          check("not_a_server_error", 6),
          {
            ...check("status_code_conformance", 4, 2),
            firstFailure: {
              title: "Undocumented HTTP status code",
              message: "Received: 203",
              status: 203,
              case: "GET /status",
              curl: "curl -X GET https://staging.example.com/status",
            },
          },
        ],
        statusesSeen: { "203": 2, "200": 4 },
        statusesDocumented: ["200"],
        undocumentedStatuses: ["203"],
        latencyMs: null,
      },
      {
        operation: "POST /pets",
        method: "POST",
        path: "/pets",
        status: "skipped",
        cases: 0,
        checks: [],
        statusesSeen: {},
        statusesDocumented: ["201"],
        undocumentedStatuses: [],
      },
    ],
  },
};

describe("a contract test run", () => {
  it("shows each operation's checks, its undocumented statuses and the failing case as curl", () => {
    render(<RunResults run={ENDED} />);
    expect(screen.getByText("90 % of checks passed")).toBeInTheDocument();
    const rows = screen.getAllByRole("row");
    const status = rows.find((row) => row.textContent?.includes("GET /status"))!;
    expect(within(status).getByText("Status code documented (2 failed)")).toBeInTheDocument();
    const pets = rows.find((row) => row.textContent?.startsWith("GET /pets") && row.textContent.includes("passed"))!;
    expect(within(pets).getByText("2 of 2 passed")).toBeInTheDocument();
    expect(status).toHaveTextContent("undocumented: 203");
    expect(screen.getByText("curl -X GET https://staging.example.com/status")).toBeInTheDocument();
    expect(screen.getByText(/Skipped operations use methods that change data/)).toBeInTheDocument();
  });

  it("shows progress in cases while it runs", () => {
    render(<Progress run={{ ...ENDED, status: "running", casesDone: 3, casesTotal: 12, results: undefined }} />);
    expect(screen.getByRole("status")).toHaveTextContent("3 of 12 cases");
    expect(progressText({ status: "queued", casesDone: 0 })).toMatch(/Queued/);
    expect(progressText({ status: "running", casesDone: 0 })).toMatch(/Planning/);
  });

  it("lists runs newest first with their score, and draws the trend oldest first", () => {
    const older = { ...ENDED, runId: "tr-aaaaaaaaaaaaaaaaaaaaaaaa", requestedAt: "2026-12-04T10:00:00Z", score: 0.5 };
    const running = { ...ENDED, runId: "tr-bbbbbbbbbbbbbbbbbbbbbbbb", status: "running" as const, score: undefined, casesDone: 1, casesTotal: 4 };
    render(<RunList runs={[running, ENDED, older]} />);
    expect(screen.getAllByRole("row")[1]).toHaveTextContent("1 of 4 cases");
    expect(screen.getAllByRole("row")[2]).toHaveTextContent("90 %");
    expect(trend([running, ENDED, older]).map((run) => run.score)).toEqual([0.5, 0.9]);
  });

  it("lets the owning team and admins run tests, not others", () => {
    const user = { id: "u", email: "d@example.com", name: "D", createdAt: "2026-01-01T00:00:00Z", lastLogin: null };
    expect(mayRunTests({ ...user, role: "developer", team: "pets", permissions: ["apis:submit"] }, "pets")).toBe(true);
    expect(mayRunTests({ ...user, role: "developer", team: "orders", permissions: ["apis:submit"] }, "pets")).toBe(false);
    expect(mayRunTests({ ...user, role: "viewer", team: "pets", permissions: [] }, "pets")).toBe(false);
    expect(mayRunTests({ ...user, role: "admin", team: "platform", permissions: [] }, "pets")).toBe(true);
  });
});
