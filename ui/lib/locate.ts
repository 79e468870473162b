// Where a JSON pointer points in a submitted document's text: the line a finding is about.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";

export type Located = {
  line: number; // 1-based
  column: number; // 1-based
  exact: boolean; // false: the pointer goes deeper than the document, this is the nearest place
};

/** `/paths/~1pets~1{id}/get` -> ["paths", "/pets/{id}", "get"] (RFC 6901). */
export function pointerSegments(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) return [pointer]; // not a pointer: look it up as one key
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** A parsed document that answers where each pointer is. JSON is YAML, so both formats parse here. */
export function locator(text: string): (pointer: string) => Located | null {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, keepSourceTokens: false, uniqueKeys: false });
  if (document.errors.length > 0 || !document.contents) return () => null;
  const at = (offset: number, exact: boolean): Located => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col, exact };
  };
  return (pointer) => {
    let node: unknown = document.contents;
    let place: Located = at((document.contents as Node).range?.[0] ?? 0, true);
    for (const segment of pointerSegments(pointer)) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
        if (!pair) return { ...place, exact: false };
        const key = pair.key as Node;
        place = at(key.range?.[0] ?? 0, true);
        node = pair.value;
      } else if (isSeq(node) && /^(0|[1-9][0-9]*)$/.test(segment) && Number(segment) < node.items.length) {
        const item = node.items[Number(segment)] as Node;
        place = at(item.range?.[0] ?? 0, true);
        node = item;
      } else {
        return { ...place, exact: false };
      }
    }
    return place;
  };
}
