import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ProblemMessage } from "@/components/ProblemMessage";

describe("a problem+json answer shown to a person", () => {
  it("says what went wrong and names each field at fault", () => {
    render(
      <ProblemMessage
        problem={{
          type: "urn:devportal:problem:invalid-parameter",
          title: "Bad request",
          status: 400,
          detail: "The request body is not what this operation takes.",
          errors: [
            { detail: "required", pointer: "/email" },
            { detail: "empty", parameter: "owner" },
          ],
        }}
      />,
    );
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Bad request: The request body is not what this operation takes.");
    expect(alert).toHaveTextContent("/email required");
    expect(alert).toHaveTextContent("owner empty");
  });
});
