// Server-populated fields of a Kubernetes object, taken out so that the object can be given to
// `kubectl apply` again: the API server sets them itself and refuses or ignores them on a create.
import type { JsonObject } from "@/lib/decode/types";

/** The names `keep=` accepts, and what each keeps. */
export const STRIPPED_FIELDS = {
  resourceVersion: "metadata.resourceVersion",
  uid: "metadata.uid",
  creationTimestamp: "metadata.creationTimestamp",
  generation: "metadata.generation",
  managedFields: "metadata.managedFields",
  selfLink: "metadata.selfLink",
  "last-applied": "metadata.annotations[kubectl.kubernetes.io/last-applied-configuration]",
  status: "status",
} as const;

export type StrippedField = keyof typeof STRIPPED_FIELDS;

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
const METADATA_FIELDS = ["resourceVersion", "uid", "creationTimestamp", "generation", "managedFields", "selfLink"] as const;

/** `keep=status,uid` as the set of field names, or the name that is not one. */
export function parseKeep(text: string | undefined): { ok: true; keep: Set<StrippedField> } | { ok: false; message: string } {
  const keep = new Set<StrippedField>();
  if (!text) return { ok: true, keep };
  for (const part of text.split(",")) {
    const name = part.trim();
    if (name === "") continue;
    if (!Object.hasOwn(STRIPPED_FIELDS, name)) {
      return { ok: false, message: `"keep" names fields to keep: ${Object.keys(STRIPPED_FIELDS).join(", ")}; not ${JSON.stringify(name)}` };
    }
    keep.add(name as StrippedField);
  }
  return { ok: true, keep };
}

/** A copy of the object without the server-populated fields not in `keep`; the object itself is left alone. */
export function stripServerFields(object: JsonObject, keep: ReadonlySet<StrippedField>): JsonObject {
  const out: JsonObject = { ...object };
  if (!keep.has("status")) delete out.status;
  const metadata = object.metadata;
  if (metadata && typeof metadata === "object" && !Array.isArray(metadata)) {
    const meta: JsonObject = { ...metadata };
    for (const field of METADATA_FIELDS) if (!keep.has(field)) delete meta[field];
    const annotations = meta.annotations;
    if (!keep.has("last-applied") && annotations && typeof annotations === "object" && !Array.isArray(annotations)) {
      const rest: JsonObject = { ...annotations };
      delete rest[LAST_APPLIED];
      if (Object.keys(rest).length > 0) meta.annotations = rest;
      else delete meta.annotations;
    }
    out.metadata = meta;
  }
  return out;
}

/** The YAML export's header comment: what was taken out, and how to keep it. */
export function describeStripping(keep: ReadonlySet<StrippedField>): string[] {
  const stripped = (Object.keys(STRIPPED_FIELDS) as StrippedField[]).filter((name) => !keep.has(name));
  if (stripped.length === 0) return ["Nothing stripped (keep= named every server-populated field)."];
  return [
    `Stripped (the API server sets these itself): ${stripped.map((name) => STRIPPED_FIELDS[name]).join(", ")}.`,
    `To keep any, add keep=${stripped.join(",")} (or a part of it) to the export URL.`,
  ];
}
