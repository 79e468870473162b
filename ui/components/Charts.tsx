"use client";

import { useId, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { axisValue, niceMax, ticks } from "@/lib/charts";

// Small SVG charts drawn at the width they are shown at (so their text stays readable on a
// phone). Each is a figure with a caption, a one-sentence summary that screen readers get as the
// image's name, a legend, a native tooltip per column or point, and its numbers as a table.

export type Unit = "count" | "percent" | "ms";
export type Series = { name: string; tone: string; values: (number | null)[] };

const HEIGHT = 200;
const PAD = { top: 10, right: 12, bottom: 26, left: 54 };
const LABEL_SPACING = 92; // px between x-axis labels

/** The width the chart is shown at: measured before the first paint (so a chart is drawn once,
 * at its size), then followed as the page resizes. Null until measured. */
function useWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState<number | null>(null);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measured = (pixels: number) => setWidth(Math.max(240, Math.round(pixels)));
    measured(element.getBoundingClientRect().width);
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) measured(entry.contentRect.width);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}

function Legend({ series }: { series: { name: string; tone: string }[] }) {
  return (
    <ul className="legend">
      {series.map((s) => (
        <li key={s.name}>
          <span className={`swatch tone-${s.tone}`} aria-hidden="true" /> {s.name}
        </li>
      ))}
    </ul>
  );
}

function DataTable({
  caption,
  labels,
  series,
  format,
}: {
  caption: string;
  labels: string[];
  series: Series[];
  format: (value: number | null) => string;
}) {
  return (
    <details className="chart-data">
      <summary>{caption} as a table</summary>
      <div className="scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Period (UTC)</th>
              {series.map((s) => (
                <th scope="col" key={s.name}>
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((label, i) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {series.map((s) => (
                  <td key={s.name}>{format(s.values[i] ?? null)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

type Frame = {
  title: string;
  summary: string;
  labels: string[];
  series: Series[];
  unit: Unit;
  format: (value: number | null) => string;
  children: (plot: Plot) => ReactNode;
  top: number;
};

/** Where a chart draws: its plot area and scales. */
type Plot = { width: number; height: number; x: (i: number) => number; slot: number; y: (value: number) => number };

function ChartFrame(frame: Frame) {
  const { ref, width } = useWidth();
  const captionId = useId();
  return (
    <figure className="chart" aria-labelledby={captionId}>
      <figcaption id={captionId}>{frame.title}</figcaption>
      <Legend series={frame.series} />
      <div ref={ref} className="chart-area" style={{ height: HEIGHT }}>
        {width === null ? null : <Drawing {...frame} width={width} />}
      </div>
      <p className="muted chart-summary">{frame.summary}</p>
      <DataTable caption={frame.title} labels={frame.labels} series={frame.series} format={frame.format} />
    </figure>
  );
}

function Drawing({ title, summary, labels, unit, children, top, width }: Frame & { width: number }) {
  const plotWidth = width - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / Math.max(labels.length, 1);
  const plot: Plot = {
    width: plotWidth,
    height: plotHeight,
    slot,
    x: (i) => PAD.left + slot * (i + 0.5),
    y: (value) => PAD.top + plotHeight - (Math.min(value, top) / top) * plotHeight,
  };
  const every = Math.max(1, Math.ceil((labels.length * LABEL_SPACING) / Math.max(plotWidth, 1)));
  return (
    <svg width={width} height={HEIGHT} role="img" aria-label={`${title}: ${summary}`}>
      {ticks(top).map((tick) => (
        <g key={tick} className="grid">
          <line x1={PAD.left} x2={width - PAD.right} y1={plot.y(tick)} y2={plot.y(tick)} />
          <text x={PAD.left - 6} y={plot.y(tick)} dy="0.32em" textAnchor="end">
            {axisValue(tick, unit)}
          </text>
        </g>
      ))}
      {children(plot)}
      {labels.map((label, i) =>
        i % every === 0 ? (
          <text key={label} className="x-label" x={plot.x(i)} y={HEIGHT - 8} textAnchor="middle">
            {label}
          </text>
        ) : null,
      )}
    </svg>
  );
}

/** Columns per period, stacked (parts of one whole) or side by side. */
export function ColumnChart({
  title,
  summary,
  labels,
  series,
  unit = "count",
  format,
  stacked = true,
}: {
  title: string;
  summary: string;
  labels: string[];
  series: Series[];
  unit?: Unit;
  format: (value: number | null) => string;
  stacked?: boolean;
}) {
  const totals = labels.map((_, i) =>
    stacked
      ? series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0)
      : Math.max(0, ...series.map((s) => s.values[i] ?? 0)),
  );
  const top = niceMax(Math.max(0, ...totals));
  return (
    <ChartFrame title={title} summary={summary} labels={labels} series={series} unit={unit} format={format} top={top}>
      {(plot) => {
        // a column is at most 48 px wide, however few the periods
        const group = Math.min(plot.slot > 6 ? plot.slot * 0.8 : plot.slot, 48 * (stacked ? 1 : series.length));
        const barWidth = Math.max(1, stacked ? group : group / series.length);
        return labels.map((label, i) => {
          let base = 0;
          const tip = `${label}: ${series.map((s) => `${s.name} ${format(s.values[i] ?? 0)}`).join(", ")}`;
          return (
            <g key={label} className="column">
              <title>{tip}</title>
              {series.map((s, k) => {
                const value = s.values[i] ?? 0;
                if (value <= 0) return null;
                const left = plot.x(i) - group / 2 + (stacked ? 0 : k * barWidth);
                const bottom = stacked ? base : 0;
                if (stacked) base += value;
                const yTop = plot.y(bottom + value);
                return (
                  <rect
                    key={s.name}
                    className={`tone-${s.tone}`}
                    x={left}
                    y={yTop}
                    width={barWidth}
                    height={Math.max(1, plot.y(bottom) - yTop)}
                  />
                );
              })}
            </g>
          );
        });
      }}
    </ChartFrame>
  );
}

/** Lines per period (a gap where a period has no value), with an optional line to stay under. */
export function LineChart({
  title,
  summary,
  labels,
  series,
  unit,
  format,
  threshold,
}: {
  title: string;
  summary: string;
  labels: string[];
  series: Series[];
  unit: Unit;
  format: (value: number | null) => string;
  threshold?: { value: number; label: string };
}) {
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const top = niceMax(Math.max(0, ...values, threshold?.value ?? 0));
  return (
    <ChartFrame title={title} summary={summary} labels={labels} series={series} unit={unit} format={format} top={top}>
      {(plot) => (
        <>
          {threshold ? (
            <g className="threshold">
              <line x1={PAD.left} x2={PAD.left + plot.width} y1={plot.y(threshold.value)} y2={plot.y(threshold.value)} />
              <text x={PAD.left + plot.width} y={plot.y(threshold.value) - 4} textAnchor="end">
                {threshold.label}
              </text>
            </g>
          ) : null}
          {series.map((s) => {
            let path = "";
            let drawing = false;
            s.values.forEach((value, i) => {
              if (value === null) {
                drawing = false;
                return;
              }
              path += `${drawing ? "L" : "M"}${plot.x(i).toFixed(1)},${plot.y(value).toFixed(1)}`;
              drawing = true;
            });
            return (
              <g key={s.name} className={`line tone-${s.tone}`}>
                <path d={path} />
                {s.values.map((value, i) =>
                  value === null || (labels.length > 60 && s.values[i - 1] != null && s.values[i + 1] != null) ? null : (
                    <circle key={labels[i]} cx={plot.x(i)} cy={plot.y(value)} r={2.5}>
                      <title>{`${labels[i]}: ${s.name} ${format(value)}`}</title>
                    </circle>
                  ),
                )}
              </g>
            );
          })}
        </>
      )}
    </ChartFrame>
  );
}

/** Named amounts as horizontal bars, largest first as given: status codes, consumers. */
export function BarList({
  title,
  items,
  format,
  tone = "ok",
  empty,
}: {
  title: string;
  items: { label: string; value: number; tone?: string; note?: string }[];
  format: (value: number) => string;
  tone?: string;
  empty: string;
}) {
  const headingId = useId();
  const top = Math.max(0, ...items.map((item) => item.value));
  return (
    <section aria-labelledby={headingId} className="bar-list">
      <h3 id={headingId}>{title}</h3>
      {items.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ol className="bars">
          {items.map((item) => (
            <li key={item.label}>
              <span className="bar-label">{item.label}</span>
              <span className="bar-track" aria-hidden="true">
                <span
                  className={`bar tone-${item.tone ?? tone}`}
                  style={{ width: `${top ? Math.max(0.5, (item.value / top) * 100) : 0}%` }}
                />
              </span>
              <span className="bar-value">
                {format(item.value)}
                {item.note ? <span className="muted"> {item.note}</span> : null}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
