import { describe, expect, it } from "vitest";
import { axisValue, niceMax, periodLabel, periodStart, ticks, timeline } from "@/lib/charts";
import { ms, percent } from "@/lib/format";

const point = (start: string, calls: number) => ({
  start,
  calls,
  serverErrors: 0,
  clientErrors: 0,
  errorRate: 0,
  latencyMs: { p50: 1, p95: 2, p99: 3, mean: 1 },
});

describe("the periods a report covers", () => {
  it("starts hours, UTC days and weeks from Monday as the API counts them", () => {
    const moment = new Date("2026-12-05T15:49:39.123Z"); // a Saturday
    expect(periodStart(moment, "hour").toISOString()).toBe("2026-12-05T15:00:00.000Z");
    expect(periodStart(moment, "day").toISOString()).toBe("2026-12-05T00:00:00.000Z");
    expect(periodStart(moment, "week").toISOString()).toBe("2026-11-30T00:00:00.000Z");
    expect(periodStart(new Date("2026-11-30T00:00:00Z"), "week").toISOString()).toBe("2026-11-30T00:00:00.000Z");
  });

  it("lists every period of the report, those without calls as gaps", () => {
    const periods = timeline("2026-12-01T00:00:00Z", "2026-12-04T10:00:00Z", "day", [
      point("2026-12-01T00:00:00Z", 5),
      point("2026-12-03T00:00:00Z", 7),
    ]);
    expect(periods.map((p) => [p.start.toISOString().slice(0, 10), p.point?.calls ?? null])).toEqual([
      ["2026-12-01", 5],
      ["2026-12-02", null],
      ["2026-12-03", 7],
      ["2026-12-04", null],
    ]);
  });

  it("names periods in UTC", () => {
    expect(periodLabel(new Date("2026-12-04T09:00:00Z"), "hour")).toBe("Dec 4 09:00");
    expect(periodLabel(new Date("2026-12-04T00:00:00Z"), "day")).toBe("Dec 4");
    expect(periodLabel(new Date("2026-11-30T00:00:00Z"), "week")).toBe("week of Nov 30");
  });
});

describe("axes", () => {
  it("round the top up to 1, 2, 2.5 or 5 times a power of ten", () => {
    expect([0, 0.034, 0.05, 7, 740, 1001, 2300].map(niceMax)).toEqual([1, 0.05, 0.05, 10, 1000, 2000, 2500]);
  });

  it("step at round values", () => {
    expect(ticks(0.05).map((t) => axisValue(t, "percent"))).toEqual(["0 %", "1 %", "2 %", "3 %", "4 %", "5 %"]);
    expect(ticks(2000)).toEqual([0, 500, 1000, 1500, 2000]);
    expect(ticks(2.5)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(ticks(1000).map((t) => axisValue(t, "count"))).toEqual(["0", "200", "400", "600", "800", "1k"]);
    expect(ticks(2500).map((t) => axisValue(t, "ms"))).toEqual(["0 ms", "500 ms", "1 s", "1.5 s", "2 s", "2.5 s"]);
  });

  it("read values as people say them", () => {
    expect([percent(0.0234), percent(null), ms(1480), ms(3.25), ms(118.44)]).toEqual(["2.34 %", "–", "1,480 ms", "3.3 ms", "118.4 ms"]);
  });
});
