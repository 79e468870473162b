import { describe, expect, it } from "vitest";
import { excerpt } from "@/lib/excerpt";
import { locator, pointerSegments } from "@/lib/locate";

const YAML = `openapi: 3.0.3
info:
  title: Pets
  version: 1.0.0
paths:
  /pets/{id}:
    get:
      parameters:
        - name: id
          in: query
      responses: {}
`;

const JSON_TEXT = `{
  "openapi": "3.1.0",
  "info": {"title": "Pets", "version": "1"},
  "paths": {
    "/a~b": {
      "get": {}
    }
  }
}`;

describe("pointerSegments", () => {
  it("unescapes ~1 and ~0 per RFC 6901", () => {
    expect(pointerSegments("/paths/~1pets~1{id}/get")).toEqual(["paths", "/pets/{id}", "get"]);
    expect(pointerSegments("/paths/~1a~0b")).toEqual(["paths", "/a~b"]);
    expect(pointerSegments("")).toEqual([]);
  });
});

describe("locator", () => {
  it("finds a key's line in YAML, through maps and sequences", () => {
    const where = locator(YAML);
    expect(where("/info/version")).toEqual({ line: 4, column: 3, exact: true });
    expect(where("/paths/~1pets~1{id}/get/parameters/0")).toEqual({ line: 9, column: 11, exact: true });
    expect(where("/paths/~1pets~1{id}/get/parameters/0/in")).toEqual({ line: 10, column: 11, exact: true });
  });

  it("finds lines in JSON too", () => {
    const where = locator(JSON_TEXT);
    expect(where("/info")?.line).toBe(3);
    expect(where("/paths/~1a~0b/get")).toEqual({ line: 6, column: 7, exact: true });
  });

  it("falls back to the nearest place when the pointer goes past the document", () => {
    const where = locator(YAML);
    expect(where("/info/contact/email")).toEqual({ line: 2, column: 1, exact: false });
    expect(where("/paths/~1pets~1{id}/get/parameters/7")).toEqual({ line: 8, column: 7, exact: false });
    expect(where("")).toEqual({ line: 1, column: 1, exact: true });
  });

  it("answers nothing for a document it cannot parse", () => {
    expect(locator("a: [")("/a")).toBeNull();
  });
});

describe("excerpt", () => {
  it("numbers the lines around one, clipped to the text", () => {
    expect(excerpt("a\nb\nc\nd", 1, 1)).toEqual([
      { number: 1, text: "a" },
      { number: 2, text: "b" },
    ]);
    expect(excerpt("a\nb\nc\nd", 4, 1).map((l) => l.number)).toEqual([3, 4]);
  });
});
