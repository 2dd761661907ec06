import "server-only";
import type { AppError } from "@/lib/errors";

// The server's side of an error answer. The browser reads a message written for it; the log gets
// the cause with its stack. An unexpected error is logged every time; a known condition (etcd
// unreachable, a misconfigured cluster) once a minute per message, because every open page asks
// again every few seconds while it lasts.

const REPEAT_AFTER_MS = 60_000;
const MAX_REMEMBERED = 200;
const lastLogged = new Map<string, number>();

export function logFailure(error: AppError): void {
  if (error.code === "internal") {
    console.error("etcdlens: unexpected error", error);
    return;
  }
  if (error.cause === undefined) return;
  const now = Date.now();
  const key = `${error.code} ${error.message}`;
  const last = lastLogged.get(key);
  if (last !== undefined && now - last < REPEAT_AFTER_MS) return;
  if (lastLogged.size >= MAX_REMEMBERED) lastLogged.clear();
  lastLogged.set(key, now);
  console.warn(`etcdlens: ${error.message}`, error.cause);
}
