"use client";

import { useSyncExternalStore } from "react";

// The page URL's fragment, which the server never sees: a key too long for a URL path travels
// there (see keyHref in lib/keys.ts).

function subscribe(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  window.addEventListener("popstate", onChange);
  return () => {
    window.removeEventListener("hashchange", onChange);
    window.removeEventListener("popstate", onChange);
  };
}

export function usePageFragment(): string {
  return useSyncExternalStore(
    subscribe,
    () => window.location.hash,
    () => "",
  );
}
