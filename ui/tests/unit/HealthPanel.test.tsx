import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { HealthView, lineText } from "@/components/HealthPanel";

const HEALTH = {
  apiId: "petstore",
  status: "degraded" as const,
  checked: true,
  evaluatedThrough: "2026-12-04T22:00:00Z",
  rules: [
    { rule: "error-rate" as const, status: "degraded" as const, line: 0.05, alertId: "petstore:error-rate:20261204T21", since: "2026-12-04T21:00:00Z" },
    { rule: "latency-p99" as const, status: "healthy" as const, line: 800, alertId: null, since: null },
    { rule: "traffic" as const, status: "healthy" as const, line: 3, alertId: null, since: null },
  ],
  thresholds: { errorRate: 0.05, p99Ms: 800, trafficSigma: 3, minCalls: 20 },
  defaults: { errorRate: 0.05, p99Ms: 2000, trafficSigma: 3, minCalls: 20 },
  overrides: { p99Ms: 800 },
  overriddenBy: "alice",
  overriddenAt: "2026-12-04T10:00:00Z",
  alerts: [
    {
      alertId: "petstore:error-rate:20261204T21",
      rule: "error-rate" as const,
      status: "open" as const,
      since: "2026-12-04T21:00:00Z",
      degraded: { hour: "2026-12-04T21:00:00Z", value: 0.25, line: 0.05, summary: "degraded at 2026-12-04T21:00:00Z: 25.0 % of calls answered 5xx (line 5 %)", evidence: {} },
      recoveredAt: null,
      recovered: null,
    },
  ],
};

describe("an API's health", () => {
  it("shows each rule with its line and state, and the alerts in plain words", () => {
    render(<HealthView health={HEALTH} />);
    expect(screen.getByRole("heading", { name: /Health degraded/ })).toBeInTheDocument();
    const rows = screen.getAllByRole("row");
    expect(within(rows[1]!).getByRole("rowheader")).toHaveTextContent("Error rate (5xx)");
    expect(rows[1]).toHaveTextContent("above 5 %");
    expect(rows[1]).toHaveTextContent("degraded");
    expect(rows[2]).toHaveTextContent("above 800 ms");
    expect(screen.getByText(/25.0 % of calls answered 5xx/)).toBeInTheDocument();
    expect(screen.getByText(/Lines set by the owning team \(alice\)/)).toBeInTheDocument();
  });

  it("says why an API without usage has no health yet", () => {
    render(<HealthView health={{ ...HEALTH, status: "healthy", checked: false, evaluatedThrough: null, alerts: [] }} />);
    expect(screen.getByText(/No usage published yet/)).toBeInTheDocument();
    expect(screen.getByText("No alert so far.")).toBeInTheDocument();
  });

  it("words each line as a reader says it", () => {
    expect(lineText("error-rate", 0.025)).toBe("above 2.5 %");
    expect(lineText("latency-p99", 2000)).toBe("above 2,000 ms");
    expect(lineText("traffic", 3)).toBe("beyond 3 standard deviations");
  });
});
