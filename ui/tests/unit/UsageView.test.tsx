import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { DailyReportView, ReportList } from "@/components/AnalyticsPage";
import { UsageView } from "@/components/UsageView";
import type { Schemas } from "@/lib/api/client";

type Report = Schemas["UsageReport"];

const latency = (p99: number) => ({ p50: 20, p95: 80, p99, mean: 30 });

function usage(overrides: Partial<Report> = {}): Report {
  return {
    apiId: "petstore",
    from: "2026-12-01T00:00:00Z",
    to: "2026-12-04T00:00:00Z",
    granularity: "day",
    version: null,
    operationId: null,
    totals: {
      calls: 1200, serverErrors: 30, clientErrors: 12, errorRate: 0.025, latencyMs: latency(1480),
      statusCodes: { "200": 1158, "404": 12, "500": 30 },
    },
    series: [
      { start: "2026-12-01T00:00:00Z", calls: 400, serverErrors: 0, clientErrors: 4, errorRate: 0, latencyMs: latency(300) },
      { start: "2026-12-03T00:00:00Z", calls: 800, serverErrors: 30, clientErrors: 8, errorRate: 0.0375, latencyMs: latency(2400) },
    ],
    topOperations: [{ operation: "listPets", calls: 1000, serverErrors: 30, errorRate: 0.03 }],
    topConsumers: [{ consumerId: "mobile-app", calls: 900 }, { consumerId: "web", calls: 300 }],
    consumers: { distinct: 2, uncountedCalls: 0 },
    adoption: [
      { weekStart: "2026-11-23T00:00:00Z", activeConsumers: 1, newConsumers: 1 },
      { weekStart: "2026-11-30T00:00:00Z", activeConsumers: 2, newConsumers: 1 },
    ],
    undocumented: [{ call: "createPet 429", calls: 7 }],
    satisfaction: { votes: 4, helpful: 3, notHelpful: 1, helpfulShare: 0.75, versions: [] },
    ...overrides,
  } as Report;
}

describe("an API's usage", () => {
  it("shows its figures, and each chart says what it shows in a sentence and as a table", () => {
    render(<UsageView report={usage()} lines={{ errorRate: 0.05, p99Ms: 2000 }} operationLink={(op) => `/op/${op}`} />);
    const tiles = screen.getAllByRole("term").map((term) => `${term.textContent}: ${term.nextSibling?.textContent}`);
    expect(tiles).toEqual([
      "Calls: 1,200",
      "Error rate (5xx): 2.5 %",
      "Client errors (4xx): 12",
      "Latency p50 / p95 / p99: 20 ms / 80 ms / 1,480 ms",
      "Consumers: 2",
      "Undocumented calls: 7",
    ]);
    // a day without calls is a gap in the series, and still a period of the chart
    const calls = screen.getByRole("img", { name: /^Calls per day:/ });
    expect(calls).toHaveAccessibleName(
      "Calls per day: 1,200 calls, 30 answered 5xx and 12 4xx; the most in one day: 800 (Dec 3).",
    );
    expect(screen.getByText("Calls per day as a table").closest("details")?.querySelectorAll("tbody tr")).toHaveLength(3);
    expect(screen.getByRole("img", { name: /^Error rate/ })).toHaveAccessibleName(
      "Error rate (5xx share): 2.5 % over the period; the highest 3.75 % (Dec 3); the alert line is 5 %.",
    );
    expect(screen.getByRole("img", { name: /^Latency/ })).toHaveAccessibleName(
      "Latency percentiles: p50 20 ms, p95 80 ms, p99 1,480 ms over the period; the slowest p99 2,400 ms (Dec 3); the alert line is 2,000 ms.",
    );
    expect(screen.getByText("p99 alert line 2,000 ms")).toBeInTheDocument();
    // status codes by count, operations that narrow the view, undocumented calls, adoption, votes
    const codes = within(screen.getByRole("region", { name: "Status codes" })).getAllByRole("listitem");
    expect(codes.map((code) => code.textContent)).toEqual(["2001,158", "50030", "40412"]);
    expect(screen.getByRole("link", { name: "listPets" })).toHaveAttribute("href", "/op/listPets");
    expect(screen.getByRole("row", { name: "createPet 429 7" })).toBeInTheDocument();
    expect(screen.getByRole("img", { name: /^Adoption per week: 2 consumers made their first call/ })).toBeInTheDocument();
    expect(screen.getByText(/75 % of 4 readers found the docs helpful/)).toBeInTheDocument();
  });

  it("says so when there were no calls, without empty charts", () => {
    render(
      <UsageView
        report={usage({
          totals: { calls: 0, serverErrors: 0, clientErrors: 0, errorRate: null, latencyMs: { p50: null, p95: null, p99: null, mean: null }, statusCodes: {} },
          series: [], topOperations: [], topConsumers: [], adoption: [], undocumented: [],
          consumers: { distinct: 0, uncountedCalls: 0 },
        })}
      />,
    );
    expect(screen.getByText(/No calls in this period/)).toBeInTheDocument();
    expect(screen.queryByRole("img")).not.toBeInTheDocument();
    expect(screen.getByText("Every call was to an operation and status code the spec documents.")).toBeInTheDocument();
  });
});

describe("daily reports", () => {
  it("list each day with its headline, linking to the whole report", () => {
    render(
      <ReportList
        apiId="petstore"
        reports={[
          { day: "2026-12-04", generatedAt: "2026-12-05T00:31:00Z", headline: "360 calls, 3.1 % answered 5xx, p99 79 ms.", calls: 360, errorRate: 0.031, p99Ms: 79, alerts: 1 },
        ]}
        more={() => undefined}
      />,
    );
    // (the build adds Next's trailing slash: /catalog/api/analytics/?id=...)
    expect(screen.getByRole("link", { name: "2026-12-04" })).toHaveAttribute(
      "href",
      expect.stringMatching(/^\/catalog\/api\/analytics\/?\?id=petstore&day=2026-12-04$/),
    );
    expect(screen.getByRole("row", { name: /360 calls, 3.1 % answered 5xx/ })).toHaveTextContent("3603.1 %79 ms1");
    expect(screen.getByRole("button", { name: "Older reports" })).toBeInTheDocument();
  });

  it("without any yet, say when the first comes", () => {
    render(<ReportList apiId="petstore" reports={[]} />);
    expect(screen.getByText(/the first is written shortly after the first day \(UTC\) with calls ends/)).toBeInTheDocument();
  });

  it("read as a headline, highlights and the day against the days before", () => {
    const day = usage({
      from: "2026-12-04T00:00:00Z", to: "2026-12-05T00:00:00Z", granularity: "hour", series: [],
      adoption: [{ weekStart: "2026-11-30T00:00:00Z", activeConsumers: 2, newConsumers: 0 }], // a day lies in one week
    });
    render(
      <DailyReportView
        report={{
          apiId: "petstore", day: "2026-12-04", owner: "pets", generatedAt: "2026-12-05T00:31:00Z",
          headline: "1,200 calls, 2.5 % answered 5xx, p99 1,480 ms; 50 % more calls than the day before.",
          highlights: ["Busiest hour: 14:00-15:00 UTC, 210 calls."],
          comparison: {
            dayBefore: { day: "2026-12-03", calls: 800, serverErrors: 0, errorRate: 0, p99Ms: 300, callsChange: 0.5 },
            weekBefore: { day: "2026-11-27", calls: 0, serverErrors: 0, errorRate: null, p99Ms: null, callsChange: null },
          },
          busiestHour: { start: "2026-12-04T14:00:00Z", calls: 210 },
          newConsumers: { count: 0, named: [] },
          alerts: [],
          usage: day,
        }}
      />,
    );
    expect(screen.getByRole("heading", { name: "Report of 2026-12-04" })).toBeInTheDocument();
    expect(screen.getByText(/50 % more calls than the day before/)).toBeInTheDocument();
    expect(screen.getByText("Busiest hour: 14:00-15:00 UTC, 210 calls.").tagName).toBe("LI");
    expect(screen.getByRole("row", { name: /The day before, 2026-12-03/ })).toHaveTextContent("800 (+50 %)0 %300 ms");
    expect(screen.getByRole("row", { name: /Same day last week, 2026-11-27/ })).toHaveTextContent("0–");
    // a day's usage has one week: no adoption chart
    expect(screen.queryByRole("img", { name: /^Adoption/ })).not.toBeInTheDocument();
  });
});
