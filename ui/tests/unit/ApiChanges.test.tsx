import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Schemas } from "@/lib/api/client";
import { ChangeList } from "@/components/ApiChanges";

const change = (over: Partial<Schemas["ApiChange"]>): Schemas["ApiChange"] => ({
  id: "api-removed-without-deprecation",
  level: "ERR",
  message: "POST /pets was removed.",
  operation: "POST /pets",
  location: "operation",
  oldPointer: "/paths/~1pets/post",
  newPointer: null,
  fingerprint: "0123456789abcdef",
  ...over,
});

describe("the changes between two versions", () => {
  const changes = [
    change({}),
    change({ id: "endpoint-added", level: "INFO", message: "GET /toys was added.", fingerprint: "fedcba9876543210",
             oldPointer: null, newPointer: "/paths/~1toys/get" }),
  ];

  it("shows each with its level, rule and where it was and is", () => {
    render(<ChangeList changes={changes} levels={new Set(["ERR", "WARN", "INFO"])} />);
    expect(screen.getByText("POST /pets was removed.")).toBeTruthy();
    expect(screen.getByText("/paths/~1pets/post")).toBeTruthy();
    expect(screen.getByText("/paths/~1toys/get")).toBeTruthy();
    expect(screen.getAllByText(/^(ERR|INFO)$/).map((badge) => badge.textContent)).toEqual(["ERR", "INFO"]);
  });

  it("shows only the levels chosen, and says so when none is left", () => {
    const { rerender } = render(<ChangeList changes={changes} levels={new Set(["ERR"])} />);
    expect(screen.queryByText("GET /toys was added.")).toBeNull();
    rerender(<ChangeList changes={changes} levels={new Set(["WARN"])} />);
    expect(screen.getByText("No changes at the levels chosen.")).toBeTruthy();
  });
});
