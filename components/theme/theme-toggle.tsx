"use client";

import { useSyncExternalStore } from "react";
import { applyThemeChoice, THEME_CHOICES, THEME_STORAGE_KEY, toThemeChoice, type ThemeChoice } from "./apply-theme";

// The theme switch in the header: System (the default), Light or Dark, kept across reloads and
// followed by the browser's other tabs.

const LABELS: Record<ThemeChoice, string> = { system: "System", light: "Light", dark: "Dark" };
const listeners = new Set<() => void>();

function readThemeChoice(): ThemeChoice {
  try {
    return toThemeChoice(window.localStorage.getItem(THEME_STORAGE_KEY));
  } catch {
    return "system";
  }
}

function writeThemeChoice(choice: ThemeChoice) {
  try {
    if (choice === "system") window.localStorage.removeItem(THEME_STORAGE_KEY);
    else window.localStorage.setItem(THEME_STORAGE_KEY, choice);
  } catch {
    // Not remembered where storage is forbidden; this page still switches.
  }
  applyThemeChoice(THEME_STORAGE_KEY, choice);
  listeners.forEach((listener) => listener());
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  // Another tab changed the choice: take it over here too.
  const onStorage = (event: StorageEvent) => {
    if (event.key !== THEME_STORAGE_KEY && event.key !== null) return;
    applyThemeChoice(THEME_STORAGE_KEY);
    listener();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", onStorage);
  };
}

export function ThemeToggle() {
  const choice = useSyncExternalStore(subscribe, readThemeChoice, () => "system" as const);
  return (
    <label className="flex items-center gap-1 text-xs text-slate-600">
      Theme
      <select
        value={choice}
        onChange={(event) => writeThemeChoice(toThemeChoice(event.target.value))}
        className="rounded border border-slate-300 bg-white px-1 py-0.5 text-xs text-slate-900"
      >
        {THEME_CHOICES.map((option) => (
          <option key={option} value={option}>
            {LABELS[option]}
          </option>
        ))}
      </select>
    </label>
  );
}
