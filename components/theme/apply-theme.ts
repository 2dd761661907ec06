// The user's theme: "system" follows prefers-color-scheme through CSS alone (app/globals.css);
// "light" or "dark" is a class on <html> that overrides it. Kept in localStorage, per browser.

export type ThemeChoice = "system" | "light" | "dark";

export const THEME_CHOICES: readonly ThemeChoice[] = ["system", "light", "dark"];

export const THEME_STORAGE_KEY = "etcdlens.theme";

/** The choice a stored or selected string names; anything else is "system". */
export function toThemeChoice(value: string | null): ThemeChoice {
  return THEME_CHOICES.find((choice) => choice === value) ?? "system";
}

/**
 * Puts the stored choice (or the one given) on <html>. It also runs as the inline script that sets
 * the theme before first paint (theme-script.tsx sends its source), so it must be self-contained:
 * nothing from outside its own body, not even the constants above.
 */
export function applyThemeChoice(storageKey: string, choice?: string | null): void {
  let picked = choice;
  if (picked === undefined) {
    // Storage throws where the browser forbids it (some private modes, sandboxed frames).
    try {
      picked = window.localStorage.getItem(storageKey);
    } catch {
      picked = null;
    }
  }
  const root = document.documentElement;
  root.classList.remove("light", "dark");
  if (picked === "light" || picked === "dark") root.classList.add(picked);
}
