import "server-only";
import { decodeValue, judgeSecret } from "@/lib/decode";
import { DEFAULT_NOISE_PATTERNS, diffValues, renderForDiff, structuredDataOf, summarizeBytes, type ValueChange } from "@/lib/diff";
import { findFieldOwners } from "@/lib/diff/managers";
import type { KeyValue } from "@/lib/etcd/kv";
import { bytesToBase64, keyToDisplay } from "@/lib/keys";
import type { DiffDto, DiffSideDto, FieldChangeDto, ReadFromDto } from "./dto";
import { presentKeyValue } from "./present-key";

// The one place a comparison of two revisions of a key (DiffDto) is built.

type DiffSideInput = { revision: number; kv: KeyValue | undefined };

// Diffs say only changed / unchanged for Secret values, whatever the server allows: revealing is
// one value per click, through /api/secret.
function presentSide({ revision, kv }: DiffSideInput): DiffSideDto {
  if (!kv) return { revision, kv: null, value: null };
  return {
    revision,
    kv: presentKeyValue(kv),
    value: decodeValue(kv.value, { modRevision: kv.modRevision, revealSecrets: false, key: kv.key }),
  };
}

/** Each change with the managers owning its field in the newer version (a removed field has none there). */
function withOwners(changes: ValueChange[], newer: DiffSideDto): FieldChangeDto[] {
  const document = structuredDataOf(newer.value);
  return changes.map((item) => {
    const owners = item.kind === "removed" ? [] : findFieldOwners(document, item.segments);
    return owners.length > 0 ? { ...item, owners } : item;
  });
}

/** `revision` is the newest etcd revision the two reads answered at. */
export function presentDiff(revision: number, key: Uint8Array, from: DiffSideInput, to: DiffSideInput, readFrom: ReadFromDto): DiffDto {
  const fromSide = presentSide(from);
  const toSide = presentSide(to);
  const body: DiffDto = {
    revision,
    key: keyToDisplay(key),
    keyBase64: bytesToBase64(key),
    from: fromSide,
    to: toSide,
    changes: withOwners(diffValues(fromSide.value, toSide.value), toSide),
    noisePatterns: [...DEFAULT_NOISE_PATTERNS],
    readFrom,
  };
  // For values without text (binary): what differs in the bytes; for a Secret only the sizes.
  const textless = [fromSide.value, toSide.value].some((value) => value !== null && renderForDiff(value).language === "none");
  if (textless) {
    const secret = [from.kv, to.kv].some((kv) => kv && judgeSecret(kv.value, kv.key));
    body.bytes = summarizeBytes(from.kv?.value ?? new Uint8Array(0), to.kv?.value ?? new Uint8Array(0), { secret });
  }
  return body;
}
