import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Schemas } from "@/lib/api/client";
import { Steps } from "@/components/SubmissionView";
import { mediaTypeOf } from "@/lib/documents";

const submission = (over: Partial<Schemas["Submission"]>): Schemas["Submission"] => ({
  submissionId: "sub-" + "a".repeat(24),
  apiId: "pets",
  version: "1.0.0",
  owner: "pets",
  status: "registering",
  sha256: "b".repeat(64),
  sizeBytes: 10,
  format: "yaml",
  submittedAt: "2026-12-03T12:00:00.000Z",
  updatedAt: "2026-12-03T12:00:01.000Z",
  workflowId: "registration-pets-1.0.0-aaaa",
  links: { self: "http://portal/submissions/x" },
  ...over,
});

function stepStates() {
  const list = screen.getByRole("list", { name: "Registration steps" });
  return within(list)
    .getAllByRole("listitem")
    .map((item) => `${item.className}${item.getAttribute("aria-current") ? "*" : ""}`);
}

describe("the registration steps", () => {
  it("mark the workflow's current step and those before it", () => {
    render(<Steps submission={submission({ step: "rendering" })} />);
    expect(stepStates()).toEqual(["done", "done", "current*", "pending", "pending", "pending"]);
    expect(screen.getByText("(in progress)")).toBeInTheDocument();
  });

  it("show nothing running before the workflow starts, all done once registered, the end failed when rejected", () => {
    const { rerender } = render(<Steps submission={submission({ status: "submitted" })} />);
    expect(stepStates()).toEqual(["done", "pending", "pending", "pending", "pending", "pending"]);
    rerender(<Steps submission={submission({ status: "registered" })} />);
    expect(stepStates()).toEqual(["done", "done", "done", "done", "done", "done"]);
    rerender(<Steps submission={submission({ status: "rejected", reason: "invalid-spec" })} />);
    expect(stepStates().at(-1)).toBe("failed");
    expect(screen.getByText("Rejected")).toBeInTheDocument();
  });
});

describe("the media type a document is sent as", () => {
  it("follows the file name, else the first character", () => {
    expect(mediaTypeOf("openapi: 3.1.0", "api.JSON")).toBe("application/json");
    expect(mediaTypeOf("{}", "api.yml")).toBe("application/yaml");
    expect(mediaTypeOf('  \n{"openapi": "3.1.0"}')).toBe("application/json");
    expect(mediaTypeOf("openapi: 3.1.0")).toBe("application/yaml");
  });
});
