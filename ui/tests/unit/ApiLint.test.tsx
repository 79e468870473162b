import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Schemas } from "@/lib/api/client";
import { LintFindings, lintSummary } from "@/components/ApiLint";

const finding = (over: Partial<Schemas["LintFinding"]>): Schemas["LintFinding"] => ({
  pointer: "/info",
  rule: "info-contact",
  severity: "warning",
  message: "`info.contact` is missing.",
  ...over,
});

describe("what lint found in a version", () => {
  it("counts each severity it found, in words", () => {
    expect(lintSummary({ errors: 1, warnings: 3, infos: 0, hints: 2 })).toBe("1 error, 3 warnings, 2 hints");
    expect(lintSummary({ errors: 0, warnings: 0, infos: 0, hints: 0 })).toBe("nothing found");
  });

  it("lists the worst first, each with its rule and where it is", () => {
    const findings = [
      finding({}),
      finding({ rule: "no-script-tags-in-markdown", severity: "error", pointer: "/info/description",
                message: "A `<script>` tag in text the portal renders." }),
      finding({ rule: "operation-description", severity: "info", pointer: "/paths/~1pets/get", message: "No description." }),
    ];  // prettier-ignore
    render(<LintFindings findings={findings} shown={new Set(["error", "warning"])} />);
    expect(screen.getAllByText(/^(error|warning|info)$/).map((badge) => badge.textContent)).toEqual(["error", "warning"]);
    expect(screen.getByText("/info/description")).toBeTruthy();
    expect(screen.queryByText("No description.")).toBeNull();
  });

  it("says so when nothing is at the severities chosen", () => {
    render(<LintFindings findings={[finding({})]} shown={new Set(["error"])} />);
    expect(screen.getByText("No findings at the severities chosen.")).toBeTruthy();
  });
});
