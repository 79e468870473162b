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
