// A session that ends while a page is open (its lifetime ran out, the user signed out in another
// tab) makes the API answer 401. Reloading the page sends the browser through the gate, which
// takes it to sign in and back to this very URL; reloading at most once a minute keeps a server
// that keeps refusing from sending the tab round in circles.

const LAST_RELOAD_KEY = "etcdlens:sign-in-reload-at";
const MIN_INTERVAL_MS = 60_000;

/** Whether a 401 now should reload the page, given when the last such reload happened. */
export function shouldReloadForSignIn(nowMs: number, lastReloadAtMs: number | undefined): boolean {
  return (
    lastReloadAtMs === undefined || !Number.isFinite(lastReloadAtMs) || nowMs - lastReloadAtMs >= MIN_INTERVAL_MS || nowMs < lastReloadAtMs
  );
}

/** In a browser tab: reload once to sign in again. Elsewhere (server rendering, tests): nothing. */
export function signInAgain(): void {
  if (typeof window === "undefined") return;
  let last: number | undefined;
  try {
    const stored = window.sessionStorage.getItem(LAST_RELOAD_KEY);
    last = stored === null ? undefined : Number(stored);
  } catch {
    last = undefined;
  }
  const now = Date.now();
  if (!shouldReloadForSignIn(now, last)) return;
  try {
    window.sessionStorage.setItem(LAST_RELOAD_KEY, String(now));
  } catch {
    // Storage refused (private mode): reload anyway; the gate's redirect does the rest.
  }
  window.location.reload();
}
