import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { Reports } from "@/components/AnalyticsPage";

// The portal's client takes fetch and Request when it is created (at import): a stand-in for the
// portal is installed before, and each test says how it answers. Requests go to /api/... as in a
// browser, relative to the page; Node's Request wants a whole URL.
const portal = vi.hoisted(() => {
  const NodeRequest = globalThis.Request;
  globalThis.Request = class extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, globalThis.location.href) : input, init);
    }
  };
  const stand = { answer: (_request: Request): Response => new Response(null, { status: 404 }), asked: [] as string[] };
  globalThis.fetch = async (input: RequestInfo | URL) => {
    const request = input instanceof Request ? input : new Request(input);
    const url = new URL(request.url);
    stand.asked.push(url.pathname + url.search);
    return stand.answer(request);
  };
  return stand;
});

const summary = (day: string) => ({
  day, generatedAt: `${day}T23:59:00Z`, headline: `The ${day}.`, calls: 1, errorRate: 0, p99Ms: 10, alerts: 0,
});

describe("the daily reports", () => {
  it("page back through older days, keeping the newer ones listed", async () => {
    portal.answer = (request) => {
      const url = new URL(request.url);
      if (url.pathname.endsWith("/auth/refresh")) return new Response(null, { status: 401 });
      const body = url.searchParams.get("cursor")
        ? { apiId: "petstore", items: [summary("2026-12-02")], nextCursor: null }
        : { apiId: "petstore", items: [summary("2026-12-04"), summary("2026-12-03")], nextCursor: "2026-12-03" };
      return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
    };
    render(<Reports apiId="petstore" />);
    expect(await screen.findByRole("link", { name: "2026-12-04" })).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Older reports" }));

    await waitFor(() => expect(screen.getByRole("link", { name: "2026-12-02" })).toBeInTheDocument());
    expect(screen.getAllByRole("link").map((link) => link.textContent)).toEqual(["2026-12-04", "2026-12-03", "2026-12-02"]);
    expect(screen.queryByRole("button", { name: "Older reports" })).not.toBeInTheDocument();
    expect(portal.asked.filter((path) => path.includes("/reports"))).toEqual([
      "/api/apis/petstore/analytics/reports",
      "/api/apis/petstore/analytics/reports?cursor=2026-12-03",
    ]);
  });
});
