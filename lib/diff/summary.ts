import type { JsonValue } from "@/lib/decode/types";
import type { FieldChange } from "./structural";

// One line saying what changed, for a history entry: `spec.replicas: 2 → 5, status.phase: Pending
// → Running, +3 more`. Values are shortened; objects and lists are described, not printed.

const MAX_VALUE_CHARS = 40;

export function formatValueShort(value: JsonValue | undefined): string {
  if (value === undefined) return "(none)";
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? "[]" : `[${value.length} item${value.length === 1 ? "" : "s"}]`;
  if (typeof value === "object") {
    const count = Object.keys(value).length;
    return count === 0 ? "{}" : `{${count} field${count === 1 ? "" : "s"}}`;
  }
  const text = typeof value === "string" ? (value === "" ? '""' : value) : JSON.stringify(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

export function formatChange(item: FieldChange): string {
  if (item.masked) return item.kind === "changed" ? `${item.path}: changed (masked)` : `${item.path}: ${item.kind} (masked)`;
  return `${item.path}: ${formatValueShort(item.old)} → ${formatValueShort(item.new)}`;
}

// What a person looks for after a rollout or a crash leads the line; timestamps and bookkeeping,
// which move on almost every write, come last. In document order a Pod's conditions (and their
// lastTransitionTime) come before its containerStatuses, so a restart's restartCount was hidden
// behind "+N more".
const KEY_FIELDS = new Set([
  "restartCount",
  "image",
  "replicas",
  "readyReplicas",
  "availableReplicas",
  "updatedReplicas",
  "phase",
  "ready",
]);
const BOOKKEEPING = new Set([
  "metadata.resourceVersion",
  "metadata.managedFields",
  "metadata.generation",
  "metadata.uid",
  "metadata.selfLink",
  "status.observedGeneration",
]);
// deletionTimestamp says the object is going away, which is news, not bookkeeping.
const TIMESTAMP = /^(?!deletionTimestamp$).*(Time|Timestamp)$|^(time|startedAt|finishedAt)$/;

const RANK_KEY = 0;
const RANK_VALUE = 1;
const RANK_METADATA = 2;
const RANK_LAST = 3;

function rankOf(item: FieldChange): number {
  const names = item.segments.filter((segment): segment is string => typeof segment === "string");
  const last = names[names.length - 1];
  if (names.length >= 2 && BOOKKEEPING.has(`${names[0]}.${names[1]}`)) return RANK_LAST;
  if (last !== undefined && TIMESTAMP.test(last)) return RANK_LAST;
  if (last !== undefined && KEY_FIELDS.has(last)) return RANK_KEY;
  return names[0] === "metadata" ? RANK_METADATA : RANK_VALUE;
}

/** The changes in the order a summary names them: meaningful fields first, document order within a rank. */
export function rankChanges(changes: readonly FieldChange[]): FieldChange[] {
  return changes
    .map((item, index) => ({ item, index, rank: rankOf(item) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map(({ item }) => item);
}

export function summarizeChanges(changes: readonly FieldChange[], shown = 2): string {
  if (changes.length === 0) return "no meaningful change";
  const head = rankChanges(changes).slice(0, shown).map(formatChange).join(", ");
  return changes.length > shown ? `${head}, +${changes.length - shown} more` : head;
}
