"use client";

import { useSyncExternalStore } from "react";

// The user's live switch, one for every page and kept across reloads (localStorage).

const STORAGE_KEY = "etcdlens.live";
const listeners = new Set<() => void>();

function readLivePreference(): boolean {
  return typeof window !== "undefined" && window.localStorage.getItem(STORAGE_KEY) === "on";
}

function writeLivePreference(on: boolean) {
  window.localStorage.setItem(STORAGE_KEY, on ? "on" : "off");
  listeners.forEach((listener) => listener());
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The user's live switch, kept across pages and reloads. */
export function useLivePreference(): [boolean, (on: boolean) => void] {
  const on = useSyncExternalStore(subscribe, readLivePreference, () => false);
  return [on, writeLivePreference];
}
