"use client";

import { useCallback, useEffect, useRef, useState } from "react";

// A vertical bar between two columns that resizes the one before or after it (its sibling element):
// dragged with a pointer, or focused
// and moved with the arrow keys (Shift for bigger steps, Home/End for the limits), as the WAI-ARIA
// window splitter pattern describes. While dragging only `onResize(width, false)` is called, to
// preview; the width to keep comes once, with `true`.

const STEP = 16;
const BIG_STEP = 64;

type PaneSeparatorProps = {
  label: string;
  /** The column resized: the element just before the bar (dragging right widens it) or just after. */
  resizes: "previous" | "next";
  /** The id of that column. */
  controls?: string;
  min: number;
  /** The widest the column may be now (it depends on the window and the other columns). */
  max: () => number;
  onResize: (width: number, final: boolean) => void;
};

export function PaneSeparator({ label, resizes, controls, min, max, onResize }: PaneSeparatorProps) {
  const self = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState<number | undefined>(undefined);
  const direction = resizes === "previous" ? 1 : -1;
  const measure = useCallback(() => {
    const column = resizes === "previous" ? self.current?.previousElementSibling : self.current?.nextElementSibling;
    return column?.getBoundingClientRect().width ?? min;
  }, [resizes, min]);
  useEffect(() => {
    const update = () => setWidth(Math.round(measure()));
    update();
    window.addEventListener("resize", update);
    return () => window.removeEventListener("resize", update);
  }, [measure]);

  const clamp = (value: number) => Math.round(Math.min(Math.max(value, min), Math.max(min, max())));
  const resize = (value: number, final: boolean) => {
    const next = clamp(value);
    setWidth(next);
    onResize(next, final);
  };

  function onPointerDown(event: React.PointerEvent<HTMLDivElement>) {
    if (event.button !== 0) return;
    event.preventDefault();
    const bar = event.currentTarget;
    const startX = event.clientX;
    const startWidth = measure();
    let last = startWidth;
    bar.setPointerCapture(event.pointerId);
    const move = (moved: PointerEvent) => {
      last = startWidth + direction * (moved.clientX - startX);
      resize(last, false);
    };
    const end = () => {
      bar.removeEventListener("pointermove", move);
      bar.removeEventListener("pointerup", end);
      bar.removeEventListener("pointercancel", end);
      resize(last, true);
    };
    bar.addEventListener("pointermove", move);
    bar.addEventListener("pointerup", end);
    bar.addEventListener("pointercancel", end);
  }

  function onKeyDown(event: React.KeyboardEvent<HTMLDivElement>) {
    const step = event.shiftKey ? BIG_STEP : STEP;
    const current = measure();
    if (event.key === "ArrowRight") resize(current + direction * step, true);
    else if (event.key === "ArrowLeft") resize(current - direction * step, true);
    else if (event.key === "Home") resize(direction === 1 ? min : max(), true);
    else if (event.key === "End") resize(direction === 1 ? max() : min, true);
    else return;
    event.preventDefault();
  }

  return (
    <div
      ref={self}
      role="separator"
      aria-orientation="vertical"
      aria-label={label}
      aria-controls={controls}
      aria-valuenow={width}
      aria-valuemin={min}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onKeyDown={onKeyDown}
      className="hidden w-1.5 cursor-col-resize touch-none bg-slate-100 hover:bg-blue-200 focus:outline-none focus-visible:bg-blue-300 md:block"
    />
  );
}
