import { decodeValue } from "@/lib/decode";
import type { DecodedValue, DecodeOptions } from "@/lib/decode/types";
import { diffValues, summarizeVersion } from "./index";
import { findChangeManagers, type ManagerChange } from "./managers";
import { structuredDataOf } from "./render";

// What each history entry means in the key's life: which lifecycle (create → updates → delete) it
// belongs to, whether a create is a new incarnation of a key that existed before (for Kubernetes
// objects: whether the uid changed), and a one-line summary of what it changed.

export type VersionInput = {
  type: "PUT" | "DELETE";
  revision: number;
  version: number;
  createRevision: number;
  /** A PUT's value; a DELETE's last value before the delete, when known. */
  value: Uint8Array | null;
};

export type VersionMeaning = {
  /** The create revision of the lifecycle the entry belongs to (a tombstone ends that lifecycle). */
  lifecycle: number;
  /** On a create: whether the key existed before (omitted when unknown without more reading). */
  recreated?: boolean;
  /** On a re-created Kubernetes object: whether metadata.uid differs from the last incarnation's. */
  uidChanged?: boolean;
  /** What the entry changed against the version before it; null when that cannot be said. */
  summary: string | null;
  /** For a Kubernetes object: the field managers that made the change (on a create, those present). */
  managers?: ManagerChange[];
};

function uidOf(value: DecodedValue | null): string | undefined {
  if (value?.format !== "kubernetes") return undefined;
  const metadata = value.object.metadata;
  if (!metadata || typeof metadata !== "object" || Array.isArray(metadata)) return undefined;
  return typeof metadata.uid === "string" && metadata.uid !== "" ? metadata.uid : undefined;
}

/**
 * Meanings for `versions` (newest first). `older` is the version right before the last one when
 * known; `olderKnown` says whether its absence means "nothing older" or "not read".
 */
export function describeVersions(
  versions: readonly VersionInput[],
  older: VersionInput | undefined,
  olderKnown: boolean,
  decodeOptions: DecodeOptions = {},
): VersionMeaning[] {
  const decoded = new Map<VersionInput, DecodedValue | null>();
  const decode = (version: VersionInput): DecodedValue | null => {
    if (!decoded.has(version)) {
      const bytes = version.value;
      decoded.set(
        version,
        bytes === null
          ? null
          : decodeValue(bytes, { ...decodeOptions, modRevision: version.type === "PUT" ? version.revision : undefined }),
      );
    }
    return decoded.get(version) ?? null;
  };

  const withManagers = (meaning: VersionMeaning, version: VersionInput, previous?: VersionInput): VersionMeaning => {
    // The changed paths as the diff sees them, masked Secret values included.
    const managers = findChangeManagers(previous && structuredDataOf(decode(previous)), structuredDataOf(decode(version)), () =>
      diffValues(previous ? decode(previous) : null, decode(version)).map((item) => item.segments),
    );
    return managers ? { ...meaning, managers } : meaning;
  };

  return versions.map((version, index) => {
    const previous = index + 1 < versions.length ? versions[index + 1] : older;
    const previousKnown = index + 1 < versions.length || olderKnown;
    if (version.type === "DELETE") return { lifecycle: version.createRevision, summary: "deleted" };
    if (version.version <= 1) {
      if (!previousKnown) return withManagers({ lifecycle: version.createRevision, summary: "created" }, version);
      if (!previous) return withManagers({ lifecycle: version.createRevision, recreated: false, summary: "created" }, version);
      const before = uidOf(decode(previous));
      const now = uidOf(decode(version));
      const uidChanged = before !== undefined && now !== undefined ? before !== now : undefined;
      const summary = uidChanged ? "re-created with a new uid" : "re-created";
      const meaning: VersionMeaning =
        uidChanged === undefined
          ? { lifecycle: version.createRevision, recreated: true, summary }
          : { lifecycle: version.createRevision, recreated: true, uidChanged, summary };
      return withManagers(meaning, version);
    }
    if (!previous || previous.type !== "PUT") return { lifecycle: version.createRevision, summary: null };
    return withManagers(
      { lifecycle: version.createRevision, summary: summarizeVersion(decode(previous), decode(version)) },
      version,
      previous,
    );
  });
}
