import "server-only";
import { decodeValue, judgeSecret } from "@/lib/decode";
import type { KeyValue } from "@/lib/etcd/kv";
import { bytesToBase64, keyToDisplay } from "@/lib/keys";
import type { KeyDto, KeyValueDto, ReadFromDto } from "./dto";
import { presentRevisionTime } from "./present-archive";
import type { RevisionTime } from "@/lib/archive/store";

// The one place a key's metadata (KeyValueDto) and a key with its decoded value (KeyDto) are built.

/** The hex view shows this much; the whole value is one click away at /api/raw. */
export const RAW_PREVIEW_BYTES = 64 * 1024;

export function presentKeyValue(kv: KeyValue): KeyValueDto {
  return {
    key: keyToDisplay(kv.key),
    keyBase64: bytesToBase64(kv.key),
    createRevision: kv.createRevision,
    modRevision: kv.modRevision,
    version: kv.version,
    lease: kv.lease,
    size: kv.value.length,
  };
}

/** `revealRefusal`: why this viewer may not reveal this key's Secret values, or null when they may (RequestAccess.revealRefusal). */
export function presentKey(
  revision: number,
  kv: KeyValue,
  readFrom: ReadFromDto,
  revealRefusal: string | null,
  modTime?: RevisionTime,
): KeyDto {
  // Secret values stay masked here even when the operator allows revealing: each one is revealed
  // on its own request (/api/secret), a click per value, and a Secret that cannot be decoded is
  // downloaded whole from /api/raw.
  const value = decodeValue(kv.value, { modRevision: kv.modRevision, key: kv.key });
  // Raw bytes (and the hex and text views made of them) of a Secret would reveal what the mask hides.
  const closed = judgeSecret(kv.value, kv.key) !== undefined;
  const preview = closed ? new Uint8Array(0) : kv.value.subarray(0, RAW_PREVIEW_BYTES);
  return {
    revision,
    kv: presentKeyValue(kv),
    value,
    raw: { base64: bytesToBase64(preview), truncated: closed || kv.value.length > preview.length },
    revealAllowed: revealRefusal === null,
    ...(revealRefusal === null ? {} : { revealRefusal }),
    readFrom,
    ...(modTime ? { modRevisionTime: presentRevisionTime(modTime) } : {}),
  };
}
