// Whether an etcd member answers a watch progress request in order with the events it sends.
//
// Before the fix of etcd-io/etcd#15220 (released in 3.4.24 and 3.5.8) the answer bypassed the
// queue of events, so "nothing up to revision R is missing" could arrive before the last events
// up to R. From those versions on it is queued behind them and is sent only while the stream is
// caught up, so a watcher may take it as a promise, as it takes etcd's own progress notifications.

const FIRST_ORDERED: Record<string, number> = { "3.4": 24, "3.5": 8 };

/** `version` as etcd's status reports it ("3.5.12"); unknown or malformed versions are not trusted. */
export function answersProgressInOrder(version: string): boolean {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) return false;
  const [major, minor, patch] = match.slice(1).map(Number);
  if (major !== 3) return major > 3;
  if (minor >= 6) return true;
  const firstPatch = FIRST_ORDERED[`${major}.${minor}`];
  return firstPatch !== undefined && patch >= firstPatch;
}
