import { describe, expect, it } from "vitest";
import { formatBytes } from "@/lib/format";

describe("formatBytes", () => {
  it("says sizes as file managers do", () => {
    expect(formatBytes(812)).toBe("812 bytes");
    expect(formatBytes(12_345)).toBe("12.3 kB");
    expect(formatBytes(47_125_053)).toBe("47.1 MB");
  });
});
