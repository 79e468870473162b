// What the usage charts compute, kept apart from drawing so that it can be tested: the periods a
// report covers (its series names only the periods with calls), axis scales and their labels.
import type { Schemas } from "./api/client";

export type Granularity = "hour" | "day" | "week";
export type Point = Schemas["UsageReport"]["series"][number];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The start of the hour, day (UTC) or week (from Monday, UTC) a moment falls in, as the API counts. */
export function periodStart(moment: Date, granularity: Granularity): Date {
  const start = new Date(moment);
  start.setUTCMinutes(0, 0, 0);
  if (granularity === "hour") return start;
  start.setUTCHours(0);
  if (granularity === "day") return start;
  const sinceMonday = (start.getUTCDay() + 6) % 7;
  return new Date(start.getTime() - sinceMonday * DAY);
}

function step(moment: Date, granularity: Granularity): Date {
  const next = new Date(moment);
  if (granularity === "hour") next.setUTCHours(next.getUTCHours() + 1);
  else next.setUTCDate(next.getUTCDate() + (granularity === "day" ? 1 : 7));
  return next;
}

/** Every period of [from, to), each with its point of the series or null when it had no calls. */
export function timeline(
  from: string,
  to: string,
  granularity: Granularity,
  series: Point[],
): { start: Date; point: Point | null }[] {
  const byStart = new Map(series.map((point) => [new Date(point.start).getTime(), point]));
  const end = new Date(to).getTime();
  const periods = [];
  for (let start = periodStart(new Date(from), granularity); start.getTime() < end; start = step(start, granularity)) {
    periods.push({ start, point: byStart.get(start.getTime()) ?? null });
    if (periods.length > 2000) break; // the API answers at most 1000 points
  }
  return periods;
}

/** The top of an axis: the smallest of 1, 2, 2.5, 5 times a power of ten that holds `max`. */
export function niceMax(max: number): number {
  if (!(max > 0) || !Number.isFinite(max)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const factor of [1, 2, 2.5, 5, 10]) if (factor * power >= max) return factor * power;
  return 10 * power;
}

/** Gridlines from zero to a top niceMax gave, at round steps: 0-5 by 1, 0-2 by 0.5, 0-2.5 by 0.5, 0-1 by 0.2. */
export function ticks(top: number): number[] {
  const factor = Math.round((top / 10 ** Math.floor(Math.log10(top))) * 10) / 10;
  const intervals = factor === 2 ? 4 : 5;
  return Array.from({ length: intervals + 1 }, (_, k) => (top * k) / intervals);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A period as an axis or a table names it, in UTC: "Dec 4 14:00", "Dec 4", "week of Nov 30". */
export function periodLabel(start: Date, granularity: Granularity): string {
  const day = `${MONTHS[start.getUTCMonth()]} ${start.getUTCDate()}`;
  if (granularity === "hour") return `${day} ${String(start.getUTCHours()).padStart(2, "0")}:00`;
  return granularity === "day" ? day : `week of ${day}`;
}

/** A short axis value: 1.2k, 3M, 25 %, 1.5 s. */
export function axisValue(value: number, unit: "count" | "percent" | "ms"): string {
  if (unit === "percent") return `${+(value * 100).toFixed(1)} %`;
  if (unit === "ms") return value >= 1000 ? `${+(value / 1000).toFixed(1)} s` : `${+value.toFixed(1)} ms`;
  if (value >= 1_000_000) return `${+(value / 1_000_000).toFixed(1)}M`;
  if (value >= 1000) return `${+(value / 1000).toFixed(1)}k`;
  return `${+value.toFixed(1)}`;
}
