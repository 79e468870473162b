import { describe, expect, it } from "vitest";
import { paths, safeReturnPath, signInPath } from "@/lib/paths";

describe("the return path after signing in", () => {
  it("comes back to where the user was, query included", () => {
    expect(signInPath({ pathname: "/catalog/api/", search: "?id=petstore" })).toBe(
      "/sign-in/?next=%2Fcatalog%2Fapi%2F%3Fid%3Dpetstore",
    );
  });

  it("is only ever a path on this origin", () => {
    expect(safeReturnPath("/team/")).toBe("/team/");
    for (const hostile of ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)", null, ""]) {
      expect(safeReturnPath(hostile)).toBe(paths.catalog);
    }
  });

  it("does not loop back to the sign-in page", () => {
    expect(signInPath({ pathname: "/sign-in/", search: "?next=%2F" })).toBe("/sign-in/");
  });
});
