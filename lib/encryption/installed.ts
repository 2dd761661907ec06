// The keys values are decrypted with, set once by the server (load-config.ts) or by a test. Kept on
// globalThis: Next may load this module more than once in one process (instrumentation and route
// handlers), and every copy must decrypt with the same keys.
import type { AtRestKeys } from "./keys";

/** The installed keys, or why there are none that can be used (a configuration that did not load). */
export type KeySource = { keys: AtRestKeys } | { problem: string } | null;

const SLOT = Symbol.for("etcdlens.atRestKeys");
type Holder = { [SLOT]?: KeySource };

export function installAtRestKeys(source: KeySource): void {
  (globalThis as Holder)[SLOT] = source;
}

export function installedAtRestKeys(): KeySource {
  return (globalThis as Holder)[SLOT] ?? null;
}
