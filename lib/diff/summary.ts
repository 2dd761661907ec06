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

export function summarizeChanges(changes: readonly FieldChange[], shown = 2): string {
  if (changes.length === 0) return "no meaningful change";
  const head = changes.slice(0, shown).map(formatChange).join(", ");
  return changes.length > shown ? `${head}, +${changes.length - shown} more` : head;
}
