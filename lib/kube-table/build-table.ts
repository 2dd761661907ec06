import type { DecodedValue } from "@/lib/decode/types";
import { newestTimestampOf } from "./clock";
import { groupOf, printerFor } from "./printers";
import { objectAt, textAt } from "./read-json";
import type { Cell, KindCount, ResourceRef, TableRow } from "./types";

// One page of a folder, decoded, as a kubectl table: the rows when every entry is an object of
// the same resource (group and kind; versions may differ), else what the page holds instead, so
// that a folder mixing kinds, plain keys or sub-folders never claims to be one resource.

export type TableEntry<K> = {
  key: K;
  /** The entry's name in the folder, for an object without metadata.name. */
  name: string;
  /** null for a sub-folder. */
  value: DecodedValue | null;
};

export type BuiltTable<K> =
  | {
      resource: ResourceRef & { apiVersions: string[] };
      columns: string[];
      rows: (TableRow & { key: K })[];
      /** The newest write-time stamp in the page's objects (see clock.ts); null when none has one. */
      newestTimestamp: number | null;
    }
  | { resource: null; found: KindCount[] };

export type Identity = { id: string; label: string; resource?: ResourceRef; apiVersion?: string };

function identify(value: DecodedValue | null): Identity {
  if (value === null) return { id: "folder", label: "folder" };
  if (value.format === "kubernetes" && value.kind) {
    const resource = { group: groupOf(value.apiVersion), kind: value.kind };
    const label = resource.group ? `${resource.kind}.${resource.group}` : resource.kind;
    return { id: `${resource.group}/${resource.kind}`, label, resource, apiVersion: value.apiVersion };
  }
  // A Secret too damaged to decode still belongs in a Secrets table, as a row that says so.
  if (value.format === "undecodable-secret")
    return { id: "/Secret", label: "Secret", resource: { group: "", kind: "Secret" }, apiVersion: "v1" };
  if (value.format === "encrypted") return { id: "encrypted", label: "encrypted at rest" };
  return { id: `format:${value.format}`, label: value.format === "kubernetes" ? "Kubernetes object without a kind" : value.format };
}

function countKinds(identities: Identity[]): KindCount[] {
  const counts = new Map<string, KindCount>();
  for (const identity of identities) {
    const count = counts.get(identity.id) ?? { what: identity.label, count: 0 };
    count.count += 1;
    counts.set(identity.id, count);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count);
}

/** TYPE, DATA and AGE of a Secret whose bytes could not be decoded: nothing is known of them. */
const UNDECODABLE_SECRET_CELLS: Cell[] = ["<not decodable>", "", { age: null }];

/** One entry reduced to what its row needs: the decoded object can be dropped right after. */
export type EntrySummary = { identity: Identity; name?: string; cells: Cell[]; stamp: number | null };

/** What one decoded value contributes to a table (its kind, its row by its own kind's printer). */
export function summarizeValue(value: DecodedValue | null): EntrySummary {
  const identity = identify(value);
  if (!identity.resource || value?.format !== "kubernetes") {
    // Only a Secret has a row without a decoded object (see identify).
    return { identity, cells: identity.resource ? UNDECODABLE_SECRET_CELLS : [], stamp: null };
  }
  const object = value.object;
  const name = textAt(objectAt(object.metadata)?.name) || undefined;
  return { identity, name, cells: printerFor(identity.resource).cells(object), stamp: newestTimestampOf(object) };
}

/** The page's rows when every entry is of one resource, else what the page holds. */
export function assembleTable<K>(entries: { key: K; name: string; summary: EntrySummary }[]): BuiltTable<K> {
  const identities = entries.map((entry) => entry.summary.identity);
  const resource = identities[0]?.resource;
  if (!resource || identities.some((identity) => identity.id !== identities[0].id))
    return { resource: null, found: countKinds(identities) };
  let newestTimestamp: number | null = null;
  const rows = entries.map(({ key, name, summary }) => {
    if (summary.stamp !== null && (newestTimestamp === null || summary.stamp > newestTimestamp)) newestTimestamp = summary.stamp;
    return { key, name: summary.name ?? name, cells: summary.cells };
  });
  const apiVersions = [...new Set(identities.map((identity) => identity.apiVersion ?? ""))].filter(Boolean).sort();
  return { resource: { ...resource, apiVersions }, columns: printerFor(resource).columns, rows, newestTimestamp };
}

export function buildTable<K>(entries: TableEntry<K>[]): BuiltTable<K> {
  return assembleTable(entries.map((entry) => ({ key: entry.key, name: entry.name, summary: summarizeValue(entry.value) })));
}
