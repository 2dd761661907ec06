// GET /api/diff?key=K&from=A&to=B — the key as it was at revisions A and B, decoded, and the
// structural changes from A to B. A side where the key did not exist is empty (kv and value null);
// 404 when it existed at neither, 410 when a revision was compacted.
import { AppError } from "@/lib/errors";
import { readRefusingFuture } from "@/lib/api/future-revision";
import { presentKeyValue } from "@/lib/api/present";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { decodeValue, judgeSecret } from "@/lib/decode";
import { DEFAULT_NOISE_PATTERNS, diffValues, renderForDiff, summarizeBytes } from "@/lib/diff";
import { callEtcd } from "@/lib/etcd/call";
import { getCluster } from "@/lib/etcd/client";
import { range, type KeyValue } from "@/lib/etcd/kv";
import { bytesToBase64, keyToDisplay } from "@/lib/keys";
import type { DiffDto, DiffSideDto } from "@/lib/api/dto";

export const dynamic = "force-dynamic";

function presentSide(revision: number, kv: KeyValue | undefined, revealSecrets: boolean): DiffSideDto {
  if (!kv) return { revision, kv: null, value: null };
  return { revision, kv: presentKeyValue(kv), value: decodeValue(kv.value, { modRevision: kv.modRevision, revealSecrets, key: kv.key }) };
}

function requiredRevision(query: QueryParams, name: string): number {
  const revision = query.revision(name);
  if (revision === undefined) throw new AppError("bad_request", `the "${name}" parameter (a revision) is required`);
  return revision;
}

export const GET = apiRoute(async (request): Promise<DiffDto> => {
  const query = await QueryParams.read(request);
  const key = query.keyOrThrow("key");
  const from = requiredRevision(query, "from");
  const to = requiredRevision(query, "to");
  const connection = getCluster(query.clusterName());
  const [older, newer] = await readRefusingFuture(connection, { from, to }, () =>
    Promise.all([from, to].map((revision) => callEtcd(connection, () => range(connection, { key, revision }), { revision }))),
  );
  const oldKv = older.kvs[0];
  const newKv = newer.kvs[0];
  if (!oldKv && !newKv) {
    throw new AppError("not_found", `no key ${keyToDisplay(key)} at revision ${from} or ${to}`, { currentRevision: newer.header.revision });
  }
  // Diffs say only changed / unchanged for Secret values, whatever the server allows: revealing is
  // one value per click, through /api/secret.
  const revealSecrets = false;
  const fromSide = presentSide(from, oldKv, revealSecrets);
  const toSide = presentSide(to, newKv, revealSecrets);
  const body: DiffDto = {
    revision: Math.max(older.header.revision, newer.header.revision),
    key: keyToDisplay(key),
    keyBase64: bytesToBase64(key),
    from: fromSide,
    to: toSide,
    changes: diffValues(fromSide.value, toSide.value),
    noisePatterns: [...DEFAULT_NOISE_PATTERNS],
  };
  const textless = [fromSide.value, toSide.value].some((value) => value !== null && renderForDiff(value).language === "none");
  if (textless) {
    const secret = [oldKv, newKv].some((kv) => kv && judgeSecret(kv.value, kv.key));
    body.bytes = summarizeBytes(oldKv?.value ?? new Uint8Array(0), newKv?.value ?? new Uint8Array(0), { secret });
  }
  return body;
});

// The same query in a POST body, for keys too long for a URL (see QueryParams.read).
export const POST = GET;
