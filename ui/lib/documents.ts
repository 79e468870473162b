// How a document the user hands over is sent: its media type from the file name or, pasted, from
// its first character (a JSON document is an object; anything else is taken as YAML).
export type MediaType = "application/json" | "application/yaml";

export function mediaTypeOf(text: string, fileName?: string): MediaType {
  const name = (fileName ?? "").toLowerCase();
  if (name.endsWith(".json")) return "application/json";
  if (name.endsWith(".yaml") || name.endsWith(".yml")) return "application/yaml";
  return text.trimStart().startsWith("{") ? "application/json" : "application/yaml";
}
