import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { TeamRanking } from "@/components/TeamAnalytics";

const figures = (calls: number, errorRate: number | null) => ({
  calls,
  serverErrors: 0,
  clientErrors: 0,
  errorRate,
  latencyMs: { p50: 20, p95: 95.5, p99: 1480, mean: 30 },
});

describe("a team's usage ranking", () => {
  it("lists the used APIs most called first with their figures and health", () => {
    render(
      <TeamRanking
        ranking={{
          team: "pets",
          from: "2026-11-27T00:00:00Z",
          to: "2026-12-04T00:00:00Z",
          totals: { apis: 3, calls: 1250, serverErrors: 5, errorRate: 0.004, degraded: 1 },
          apis: [
            { ...figures(1200, 0.0025), apiId: "petstore", title: "Petstore", latestVersion: "1.0.0", health: "degraded", degradedRules: ["error-rate"], consumers: 7 },
            { ...figures(50, 0.04), apiId: "kennel", title: "Kennel", latestVersion: "2.0.0", health: "healthy", degradedRules: [], consumers: 2 },
            { ...figures(0, null), apiId: "quiet", title: "Quiet", latestVersion: "1.0.0", health: "healthy", degradedRules: [], consumers: 0 },
          ],
          truncated: false,
        }}
      />,
    );
    expect(screen.getByText(/1,250 calls to 2 of 3 APIs, error rate 0.4 %; 1 with an open health alert/)).toBeInTheDocument();
    const rows = screen.getAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent("Petstore1,2000.25 %95.5 ms1,480 ms7degraded error-rate");
    expect(rows[2]).toHaveTextContent("Kennel");
    expect(screen.queryByText("Quiet")).not.toBeInTheDocument();
  });
});
