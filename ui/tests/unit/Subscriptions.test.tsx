import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Schemas } from "@/lib/api/client";
import { Attempts, KIND_LABELS, TOLD_AT_ONCE, deliveryWhat } from "@/components/Subscriptions";

const delivery = (attempts: Schemas["DeliveryAttempt"][]): Schemas["Delivery"] => ({
  deliveryId: "msg_0123456789abcdef0123456789",
  subscriptionId: "sub-0123456789abcdef01234567",
  kind: "api.registered",
  apiId: "petstore",
  eventId: "e-1",
  createdAt: "2026-12-06T10:00:00.000Z",
  status: "delivered",
  rounds: 1,
  attempts,
});

describe("a delivery's attempts", () => {
  it("lists each attempt in order with its outcome, the receiver's status and latency, and why", () => {
    render(
      <Attempts
        delivery={delivery([
          { at: "2026-12-06T10:00:01.000Z", outcome: "retryable", status: 503, latencyMs: 2.5, detail: "answered 503" },
          { at: "2026-12-06T10:00:03.000Z", outcome: "retryable", status: null, latencyMs: 10000, detail: "no answer within 10 s" },
          { at: "2026-12-06T10:00:09.000Z", outcome: "delivered", status: 200, latencyMs: 1.8, detail: "" },
        ])}
      />,
    );
    const items = screen.getAllByRole("listitem").map((item) => item.textContent ?? "");
    expect(items).toHaveLength(3);
    expect(items[0]).toContain("retryable");
    expect(items[0]).toContain("HTTP 503");
    expect(items[1]).not.toContain("HTTP");
    expect(items[1]).toContain("no answer within 10 s");
    expect(items[2]).toContain("delivered");
    expect(items[2]).toContain("HTTP 200 · 1.8 ms");
  });

  it("says when nothing was tried yet", () => {
    render(<Attempts delivery={delivery([])} />);
    expect(screen.getByText("none yet")).toBeTruthy();
  });

  it("has words for every kind a team can subscribe to", () => {
    expect(Object.keys(KIND_LABELS)).toHaveLength(9);
    expect(Object.values(KIND_LABELS).every((label) => label.length > 10)).toBe(true);
  });
});

describe("what a delivery was about", () => {
  it("names an event's kind and API, and a digest by its number of notices", () => {
    expect(deliveryWhat(delivery([]))).toBe("api.registered · petstore");
    const digest = { ...delivery([]), kind: "digest" as const, apiId: undefined, notices: 3 };
    expect(deliveryWhat(digest)).toBe("Daily digest of 3 notices");
    expect(deliveryWhat({ ...digest, notices: 1 })).toBe("Daily digest of 1 notice");
  });

  it("never offers health alerts for the digest", () => {
    expect([...TOLD_AT_ONCE].sort()).toEqual(["health.degraded", "health.recovered"]);
  });
});
