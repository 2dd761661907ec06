"use client";

import { useCallback, useSyncExternalStore } from "react";

// The explorer's side columns as the person last sized them, kept in localStorage: a reload, a new
// tab and the next visit open with the same layout. The server knows nothing of it and renders the
// default widths; the stored ones apply right after hydration.

export type PaneWidths = { tree?: number; history?: number };

const STORAGE_KEY = "etcdlens.paneWidths";
const NONE: PaneWidths = {};
const listeners = new Set<() => void>();
// Storage can be refused (a private window, a quota); the widths then last as long as the tab.
let memory: PaneWidths = NONE;
let lastRaw: string | null = null;

function parseWidths(raw: string | null): PaneWidths {
  if (!raw) return NONE;
  try {
    const value: unknown = JSON.parse(raw);
    if (!value || typeof value !== "object") return NONE;
    const widths: PaneWidths = {};
    for (const name of ["tree", "history"] as const) {
      const width = (value as Record<string, unknown>)[name];
      if (typeof width === "number" && Number.isFinite(width) && width > 0) widths[name] = width;
    }
    return widths;
  } catch {
    return NONE;
  }
}

function readWidths(): PaneWidths {
  try {
    const raw = window.localStorage.getItem(STORAGE_KEY);
    if (raw !== lastRaw) {
      lastRaw = raw;
      memory = parseWidths(raw);
    }
  } catch {
    // keep the widths of this tab
  }
  return memory;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("storage", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", listener);
  };
}

export function usePaneWidths(): [PaneWidths, (change: PaneWidths) => void] {
  const widths = useSyncExternalStore(subscribe, readWidths, () => NONE);
  const update = useCallback((change: PaneWidths) => {
    memory = { ...readWidths(), ...change };
    try {
      lastRaw = JSON.stringify(memory);
      window.localStorage.setItem(STORAGE_KEY, lastRaw);
    } catch {
      // shown in this tab only
    }
    for (const listener of listeners) listener();
  }, []);
  return [widths, update];
}
