import type { JsonObject, JsonValue } from "@/lib/decode/types";
import type { PathSegment } from "./paths";
import { diffJson } from "./structural";

// Who changed a Kubernetes object, read from its metadata.managedFields. kube-apiserver keeps one
// entry per field manager (per manager, operation, subresource and, for Update, apiVersion) with
// the set of fields it owns (fieldsV1) and the time of its last write. It stamps that time only
// when the manager's request changed the object, and a manager gains fields only by writing them;
// a manager that merely lost fields to another keeps its time. So the makers of a change are the
// entries that are new, whose time moved, or whose set grew.
//
// fieldsV1 is a trie in JSON: `f:<name>` a field or map key, `k:<json>` a list item by its key
// fields, `v:<json>` a set item by value, `i:<n>` a list item by index, `.` the node itself; a
// key mapping to `{}` is a member of the set. Only field names are ever shown from it, so a set
// item's value (`v:`) never leaves this module.

export type ManagerRef = {
  manager: string;
  operation: string;
  /** Set for a write through a subresource: `status`, `scale`. */
  subresource?: string;
};

/** A manager that made a change, with the fields it touched as `spec.replicas` (at most two names deep). */
export type ManagerChange = ManagerRef & { fields: string[] };

type ManagedEntry = ManagerRef & { identity: string; time: string | undefined; fields: JsonObject };

/** How deep the touched fields are named: `spec.replicas`, `status.conditions`, not a list item's key. */
const FIELD_NAME_DEPTH = 2;

function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function textOf(value: JsonValue | undefined): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The managedFields entries of a Kubernetes object; undefined when the value carries none. */
export function readManagedFields(document: JsonValue | undefined): ManagedEntry[] | undefined {
  if (!isObject(document) || !isObject(document.metadata)) return undefined;
  const list = document.metadata.managedFields;
  if (!Array.isArray(list)) return undefined;
  return list.filter(isObject).map((entry) => {
    const manager = textOf(entry.manager) ?? "";
    const operation = textOf(entry.operation) ?? "";
    const subresource = textOf(entry.subresource);
    // An Apply entry is one per manager whatever its apiVersion; Update entries are per apiVersion.
    const apiVersion = operation === "Update" ? (textOf(entry.apiVersion) ?? "") : "";
    const ref: ManagedEntry = {
      manager,
      operation,
      identity: JSON.stringify([manager, operation, apiVersion, subresource ?? ""]),
      time: textOf(entry.time),
      fields: isObject(entry.fieldsV1) ? entry.fieldsV1 : {},
    };
    if (subresource) ref.subresource = subresource;
    return ref;
  });
}

/** Every member of a fieldsV1 set, as the trie keys leading to it (`["f:spec", "f:replicas"]`). */
export function listFieldSetMembers(fields: JsonObject, prefix: string[] = []): string[][] {
  const members: string[][] = [];
  for (const [name, child] of Object.entries(fields)) {
    const path = [...prefix, name];
    if (!isObject(child) || Object.keys(child).length === 0) members.push(path);
    else members.push(...listFieldSetMembers(child, path));
  }
  return members;
}

/** A member's leading field names, at most FIELD_NAME_DEPTH: `spec.replicas`; empty when it names none. */
function nameOfMember(member: readonly string[]): string {
  const names: string[] = [];
  for (const key of member) {
    if (!key.startsWith("f:") || names.length === FIELD_NAME_DEPTH) break;
    names.push(key.slice(2));
  }
  return names.join(".");
}

function nameOfPath(segments: readonly PathSegment[]): string {
  const names: string[] = [];
  for (const segment of segments) {
    if (typeof segment !== "string" || names.length === FIELD_NAME_DEPTH) break;
    names.push(segment);
  }
  return names.join(".");
}

function isEqualJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => isEqualJson(item, b[index]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && isEqualJson(a[key], b[key]));
  }
  return false;
}

function parseJson(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}

/** The trie node for list item `index` of `list`: by its key fields, its value, or its index. */
function childForItem(node: JsonObject, list: JsonValue | undefined, index: number): JsonValue | undefined {
  if (Object.hasOwn(node, `i:${index}`)) return node[`i:${index}`];
  const item = Array.isArray(list) ? list[index] : undefined;
  if (item === undefined) return undefined;
  for (const [name, child] of Object.entries(node)) {
    if (name.startsWith("k:")) {
      const keys = parseJson(name.slice(2));
      if (isObject(keys) && isObject(item) && Object.entries(keys).every(([field, value]) => isEqualJson(item[field], value))) return child;
    } else if (name.startsWith("v:") && isEqualJson(parseJson(name.slice(2)), item)) return child;
  }
  return undefined;
}

/**
 * Whether a fieldsV1 set owns the field at `segments` of `document`, or something below it, or an
 * atomic field above it (a member whose inside is not tracked: the whole subtree is its owner's).
 */
export function ownsField(fields: JsonObject, document: JsonValue | undefined, segments: readonly PathSegment[]): boolean {
  let node: JsonObject = fields;
  let value = document;
  for (const [depth, segment] of segments.entries()) {
    // At the root an empty set owns nothing; below it, an empty node is an owned atomic member.
    if (depth > 0 && Object.keys(node).length === 0) return true;
    const child = typeof segment === "string" ? node[`f:${segment}`] : childForItem(node, value, segment);
    if (!isObject(child)) return false;
    node = child;
    value =
      typeof segment === "string" ? (isObject(value) ? value[segment] : undefined) : Array.isArray(value) ? value[segment] : undefined;
  }
  return segments.length > 0;
}

function refOf(entry: ManagedEntry): ManagerRef {
  return entry.subresource
    ? { manager: entry.manager, operation: entry.operation, subresource: entry.subresource }
    : { manager: entry.manager, operation: entry.operation };
}

/** Names in first-seen order, without repeats, and without `data` where `data.password` says more. */
function uniqueNames(names: string[]): string[] {
  const unique = [...new Set(names.filter((name) => name !== ""))];
  return unique.filter((name) => !unique.some((other) => other.startsWith(`${name}.`)));
}

/** The managers present in an object's first version, each with the fields it set. */
function listCreators(entries: ManagedEntry[]): ManagerChange[] {
  return entries.map((entry) => ({ ...refOf(entry), fields: uniqueNames(listFieldSetMembers(entry.fields).map(nameOfMember)) }));
}

/**
 * The managers that made the change from `old` to `next` (two versions of one object; `old`
 * undefined for a create), with the fields each touched: the members its set gained or lost, and
 * the changed fields it owns. `listChanged` gives the changed paths when the caller knows more
 * than the two documents show (a masked Secret value changes only in its fingerprint). Undefined
 * when `next` carries no managedFields.
 */
export function findChangeManagers(
  old: JsonValue | undefined,
  next: JsonValue | undefined,
  listChanged: () => PathSegment[][] = () => diffJson(old, next).map((item) => item.segments),
): ManagerChange[] | undefined {
  const after = readManagedFields(next);
  if (!after) return undefined;
  if (old === undefined) return listCreators(after);
  const before = new Map((readManagedFields(old) ?? []).map((entry) => [entry.identity, entry]));
  let changedPaths: PathSegment[][] | undefined;
  const changed = () => (changedPaths ??= listChanged());
  const makers: ManagerChange[] = [];
  for (const entry of after) {
    const previous = before.get(entry.identity);
    const members = listFieldSetMembers(entry.fields).map((member) => JSON.stringify(member));
    const previousMembers = new Set(previous ? listFieldSetMembers(previous.fields).map((member) => JSON.stringify(member)) : []);
    const gained = members.filter((member) => !previousMembers.has(member));
    if (previous && previous.time === entry.time && gained.length === 0) continue;
    const kept = new Set(members);
    const lost = [...previousMembers].filter((member) => !kept.has(member));
    const owned = changed().filter(
      (segments) => ownsField(entry.fields, next, segments) || (previous !== undefined && ownsField(previous.fields, old, segments)),
    );
    const fields = uniqueNames([
      ...owned.map(nameOfPath),
      ...[...gained, ...lost].map((member) => nameOfMember(JSON.parse(member) as string[])),
    ]);
    makers.push({ ...refOf(entry), fields });
  }
  return makers;
}

/** The managers that own the field at `segments` of `document` (a version of a Kubernetes object). */
export function findFieldOwners(document: JsonValue | undefined, segments: readonly PathSegment[]): ManagerRef[] {
  return (readManagedFields(document) ?? []).filter((entry) => ownsField(entry.fields, document, segments)).map(refOf);
}

/** `kube-controller-manager · Update · status` */
export function formatManager(ref: ManagerRef): string {
  return [ref.manager || "(unnamed manager)", ref.operation, ref.subresource].filter(Boolean).join(" · ");
}

/** `kubectl · Update · scale: spec.replicas`, naming at most `shown` fields. */
export function formatManagerChange(change: ManagerChange, shown = 3): string {
  if (change.fields.length === 0) return formatManager(change);
  const names = change.fields.slice(0, shown).join(", ");
  const more = change.fields.length > shown ? `, +${change.fields.length - shown} more` : "";
  return `${formatManager(change)}: ${names}${more}`;
}
