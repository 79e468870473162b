// How the portal writes figures, the same on every page: "1,250", "2.34 %", "95.5 ms"; a dash for none.

export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : value.toLocaleString("en-US");
}

export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? "–" : `${+(rate * 100).toFixed(2)} %`;
}

export function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : `${value.toLocaleString("en-US", { maximumFractionDigits: 1 })} ms`;
}

export function moment(stamp: string | null | undefined): string {
  return stamp ? new Date(stamp).toLocaleString() : "–";
}

/** A size in bytes as people say it: 812 bytes, 3.4 MB (decimal, as file managers show). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
