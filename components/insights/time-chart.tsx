"use client";

import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

// A time-series chart drawn by uPlot on a canvas. A canvas cannot take the page's CSS colours
// (light-dark() in app/globals.css), so the colours are read off hidden elements carrying the
// palette's classes, and read again, the chart redrawn, when the theme changes. The legend is
// off: the table beside each chart names the lines with the same colours and holds the numbers.

/** Line colours in series order, as Tailwind classes whose computed colour the canvas takes. */
export const SERIES_CLASSES = [
  "text-blue-600",
  "text-emerald-600",
  "text-amber-600",
  "text-red-600",
  "text-violet-600",
  "text-cyan-600",
  "text-pink-600",
  "text-lime-600",
  "text-slate-500",
];

type Palette = { axis: string; grid: string; series: string[] };

function readPalette(host: HTMLElement): Palette {
  const colour = (className: string) => {
    const probe = document.createElement("span");
    probe.className = className;
    probe.hidden = true;
    host.appendChild(probe);
    const value = getComputedStyle(probe).color;
    probe.remove();
    return value;
  };
  const grid = document.createElement("span");
  grid.className = "border border-slate-200";
  grid.hidden = true;
  host.appendChild(grid);
  const gridColour = getComputedStyle(grid).borderTopColor;
  grid.remove();
  return { axis: colour("text-slate-600"), grid: gridColour, series: SERIES_CLASSES.map(colour) };
}

/** A number that changes whenever the theme does: the class on <html> or the system's scheme. */
function useThemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((value) => value + 1);
    const observer = new MutationObserver(bump);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
    const media = window.matchMedia("(prefers-color-scheme: dark)");
    media.addEventListener("change", bump);
    return () => {
      observer.disconnect();
      media.removeEventListener("change", bump);
    };
  }, []);
  return version;
}

export type ChartSeries = { label: string; values: number[] };

export function TimeChart({
  title,
  times,
  series,
  formatValue,
}: {
  title: string;
  /** Milliseconds since the epoch, ascending. */
  times: number[];
  series: ChartSeries[];
  formatValue: (value: number) => string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const theme = useThemeVersion();
  const [width, setWidth] = useState(0);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry.contentRect.width)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const element = host.current;
    if (!element || width === 0) return;
    const palette = readPalette(element);
    const axis = {
      stroke: palette.axis,
      grid: { stroke: palette.grid, width: 1 },
      ticks: { stroke: palette.grid, width: 1 },
    };
    const chart = new uPlot(
      {
        width,
        height: 220,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [axis, { ...axis, size: 70, values: (_chart, ticks) => ticks.map(formatValue) }],
        series: [
          {},
          ...series.map((line, i) => ({
            label: line.label,
            stroke: palette.series[i % palette.series.length],
            width: 1.5,
            points: { show: false },
          })),
        ],
      },
      [times.map((time) => time / 1000), ...series.map((line) => line.values)],
      element,
    );
    return () => chart.destroy();
  }, [width, theme, times, series, formatValue]);

  return <div ref={host} role="img" aria-label={title} className="w-full min-w-0" />;
}
