// An API's operations read from its document, grouped as a reader looks for them: by the first tag
// each operation has, in the order the document lists its tags, untagged ones last.

export type Operation = { method: string; path: string; summary: string; operationId: string; deprecated: boolean };
export type OperationGroup = { tag: string; operations: Operation[] };

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
export const UNTAGGED = "Other operations";

function record(value: unknown): Record<string, unknown> | null {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

export function operationGroups(document: unknown): OperationGroup[] {
  const doc = record(document);
  const pathItems = record(doc?.paths);
  if (!doc || !pathItems) return [];
  const groups = new Map<string, Operation[]>();
  for (const tag of Array.isArray(doc.tags) ? doc.tags : []) {
    const name = text(record(tag)?.name);
    if (name && !groups.has(name)) groups.set(name, []);
  }
  const untagged: Operation[] = [];
  for (const [path, item] of Object.entries(pathItems)) {
    const pathItem = record(item);
    if (!pathItem) continue;
    for (const method of METHODS) {
      const operation = record(pathItem[method]);
      if (!operation) continue;
      const entry: Operation = {
        method: method.toUpperCase(),
        path,
        summary: text(operation.summary),
        operationId: text(operation.operationId),
        deprecated: operation.deprecated === true,
      };
      const tag = Array.isArray(operation.tags) ? text(operation.tags[0]) : "";
      if (!tag) untagged.push(entry);
      else {
        if (!groups.has(tag)) groups.set(tag, []);
        groups.get(tag)?.push(entry);
      }
    }
  }
  const out = [...groups].filter(([, operations]) => operations.length).map(([tag, operations]) => ({ tag, operations }));
  return untagged.length ? [...out, { tag: UNTAGGED, operations: untagged }] : out;
}
