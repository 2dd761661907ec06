// GET /api/secret?key=K[&rev=R | &at=T]&path=["data","password"] — one masked Kubernetes Secret value,
// only when the operator started the server with ETCDLENS_REVEAL_SECRETS=true. One value per
// request, so revealing is a deliberate click per value and the others stay masked; each reveal is
// an entry of the audit trail (who, which key at which revision, which field).
// Access with sign-in on: the reveal right on the key (ETCDLENS_REVEAL_SECRETS applies only without sign-in).
// POST: the same query in the body, for keys too long for a URL (see QueryParams.read).
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { readRefusingFuture } from "@/lib/api/future-revision";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { readMaskedValue } from "@/lib/decode";
import { openClusterFor } from "@/lib/api/open-cluster";
import { openArchiveView, readKeyReachingBackOrThrow } from "@/lib/archive/reach-back";
import type { SecretValueDto } from "@/lib/api/dto";
import { presentSecretValue } from "@/lib/api/present-secret";
import { recordReveal } from "@/lib/audit";

export const dynamic = "force-dynamic";

const pathParam = z
  .string({ message: 'the "path" parameter is required' })
  .transform((text, context) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      context.addIssue({ code: "custom", message: "path is a JSON array of strings" });
      return z.NEVER;
    }
  })
  .pipe(z.array(z.string()).min(1, "path names at least one field"));

export const GET = apiRoute(async (request, access): Promise<SecretValueDto> => {
  const query = await QueryParams.read(request);
  const key = query.keyOrThrow("key");
  const { connection, cluster } = openClusterFor(query, access);
  // With sign-in off, RequestAccess refuses with the ETCDLENS_REVEAL_SECRETS hint; with it on, with the rule that would allow it.
  access.requireKey(cluster, key, "reveal");
  const revision = await query.revisionOrTime("rev", "at");
  const path = query.parsed("path", pathParam);
  // At a revision etcd has compacted, the archive's copy.
  const archive = revision === undefined ? null : await openArchiveView(cluster);
  const { kv } = await readRefusingFuture(connection, { rev: revision }, () =>
    readKeyReachingBackOrThrow(connection, cluster, key, revision, archive),
  );
  const revealed = readMaskedValue(kv.value, path, kv.key);
  if (!revealed) throw new AppError("not_found", `no masked Secret value at ${path.join(".")}`);
  recordReveal(request, access.viewer, { cluster, key: kv.key, revision: kv.modRevision, field: path });
  return presentSecretValue(path, revealed);
});

export const POST = GET;
