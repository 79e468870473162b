import { describe, expect, it } from "vitest";
import { serversOf } from "@/components/Reference";

describe("an API's base URLs", () => {
  it("are OpenAPI 3's servers", () => {
    expect(serversOf({ openapi: "3.1.0", servers: [{ url: "https://a.example/v1", description: "prod" }] })).toEqual([
      { url: "https://a.example/v1", description: "prod" },
    ]);
  });
  it("are Swagger 2's scheme, host and basePath", () => {
    expect(serversOf({ swagger: "2.0", host: "b.example", basePath: "/v2", schemes: ["https", "http"] })).toEqual([
      { url: "https://b.example/v2" },
      { url: "http://b.example/v2" },
    ]);
  });
  it("are none when the document declares none, or is not a document", () => {
    expect(serversOf({ openapi: "3.0.3" })).toEqual([]);
    expect(serversOf(null)).toEqual([]);
    expect(serversOf({ servers: [{ nope: 1 }] })).toEqual([]);
  });
});
