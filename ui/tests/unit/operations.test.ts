import { describe, expect, it } from "vitest";
import { UNTAGGED, operationGroups } from "@/lib/operations";

describe("an API's operations", () => {
  it("are grouped by their first tag in the document's tag order, untagged ones last", () => {
    const groups = operationGroups({
      openapi: "3.1.0",
      tags: [{ name: "pets" }, { name: "stores" }, { name: "unused" }],
      paths: {
        "/stores": { get: { tags: ["stores"], operationId: "listStores", summary: "List stores" } },
        "/pets": {
          parameters: [],
          get: { tags: ["pets", "stores"], operationId: "listPets", summary: "List pets" },
          post: { tags: ["pets"], operationId: "createPet", deprecated: true },
        },
        "/health": { get: { operationId: "health" } },
        "/later": { get: { tags: ["zoo"] } },
      },
    });
    expect(groups.map((g) => g.tag)).toEqual(["pets", "stores", "zoo", UNTAGGED]);
    expect(groups[0]?.operations).toEqual([
      { method: "GET", path: "/pets", summary: "List pets", operationId: "listPets", deprecated: false },
      { method: "POST", path: "/pets", summary: "", operationId: "createPet", deprecated: true },
    ]);
    expect(groups[3]?.operations.map((o) => o.operationId)).toEqual(["health"]);
  });
  it("are none in what is not a document, and odd entries are passed over", () => {
    expect(operationGroups(null)).toEqual([]);
    expect(operationGroups({ paths: [] })).toEqual([]);
    expect(operationGroups({ paths: { "/a": null, "/b": { get: "no" } } })).toEqual([]);
  });
});
