import { describe, expect, it } from "vitest";
import { tallyText } from "@/components/DocsRating";

const base = { apiId: "petstore", version: "1.0.0", mine: null, recentComments: [] };

describe("a docs rating told to a reader", () => {
  it("says how many found the docs helpful", () => {
    expect(tallyText({ ...base, votes: 4, helpful: 3, notHelpful: 1, helpfulShare: 0.75 })).toBe(
      "75 % of 4 readers found these docs helpful.",
    );
    expect(tallyText({ ...base, votes: 1, helpful: 0, notHelpful: 1, helpfulShare: 0 })).toBe(
      "0 % of 1 reader found these docs helpful.",
    );
    expect(tallyText({ ...base, votes: 0, helpful: 0, notHelpful: 0, helpfulShare: null })).toBe(
      "No reader has rated these docs yet.",
    );
  });
});
