import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getAudit } from "@/app/api/audit/route";
import { GET as getChanges } from "@/app/api/changes/route";
import { GET as getCluster } from "@/app/api/cluster/route";
import { GET as getClusters } from "@/app/api/clusters/route";
import { GET as getCompare } from "@/app/api/compare/route";
import { GET as getComplete } from "@/app/api/complete/route";
import { GET as getDeleted } from "@/app/api/deleted/route";
import { GET as getDiff } from "@/app/api/diff/route";
import { GET as getExport } from "@/app/api/export/route";
import { GET as getHealthz } from "@/app/api/healthz/route";
import { GET as getHistory } from "@/app/api/history/route";
import { GET as getKey } from "@/app/api/key/route";
import { GET as getKeys } from "@/app/api/keys/route";
import { GET as getLeases } from "@/app/api/leases/route";
import { GET as getInsightsEtcd } from "@/app/api/insights/etcd/route";
import { GET as getInsightsGrowth } from "@/app/api/insights/growth/route";
import { GET as getInsightsWriters } from "@/app/api/insights/writers/route";
import { GET as getMe } from "@/app/api/me/route";
import { GET as getRaw } from "@/app/api/raw/route";
import { GET as getSearch } from "@/app/api/search/route";
import { GET as getSecret } from "@/app/api/secret/route";
import { GET as getStats } from "@/app/api/stats/route";
import { GET as getTable } from "@/app/api/table/route";
import { GET as getWatch } from "@/app/api/watch/route";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { AT_REST_CONFIGURATION, findLeaks, seedSecretShapes, type LeakHit, type SeededShape } from "@/scripts/lib/secret-shapes";
import { ETCDCTL, requireProgram } from "@/scripts/lib/system-deps";
import { seedingClient, startTestEtcd } from "./support";

// Every Secret shape a real etcd holds, read through every API route: no secret value may leave in
// clear, base64 or hex. The ConfigMap control, seeded the same way, must be found by the same scan
// (or the scan proves nothing), and every request must have answered what it was asked.

let etcd: EtcdProcess;
let shapes: SeededShape[];
const q = (text: string) => encodeKeyParam(Buffer.from(text));

type Answer = { where: string; status: number; text: string };

async function ask(handler: (request: Request) => Promise<Response>, path: string): Promise<Answer> {
  const response = await handler(new Request(`http://127.0.0.1${path}`));
  const bytes = Buffer.from(await response.arrayBuffer());
  // latin1 keeps every byte of a binary body as one character, so clear text in it is found too.
  const type = response.headers.get("content-type") ?? "";
  return {
    where: `GET ${path}`,
    status: response.status,
    text: type.includes("octet-stream") ? bytes.toString("latin1") : bytes.toString("utf8"),
  };
}

/** The watch stream from revision 1, read for a short while: its SSE text. */
async function readWatch(prefix: string, fromRevision: number, forMs: number): Promise<Answer> {
  const controller = new AbortController();
  const path = `/api/watch?prefix=${q(prefix)}&fromRevision=${fromRevision}`;
  const response = await getWatch(new Request(`http://127.0.0.1${path}`, { signal: controller.signal }));
  let text = "";
  if (response.body) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const deadline = Date.now() + forMs;
    while (Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), deadline - Date.now())));
      const result = await Promise.race([reader.read(), timeout]);
      clearTimeout(timer);
      if (result === "timeout" || result.done) break;
      text += decoder.decode(result.value, { stream: true });
    }
    await reader.cancel().catch(() => undefined);
  }
  controller.abort();
  return { where: `GET ${path} (SSE)`, status: response.status, text };
}

function countByRoute(hits: LeakHit[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const hit of hits) {
    const route = /\/api\/[a-z]+/.exec(hit.where)?.[0] ?? hit.where;
    counts[route] = (counts[route] ?? 0) + 1;
  }
  return counts;
}

function parentsOf(key: string): string[] {
  const parts = key.split("/");
  return parts.slice(1, -1).map((_, i) => `${parts.slice(0, i + 2).join("/")}/`);
}

const exportedFolders = new Set<string>();

/** Each route with the requests made of it for one shape, and the status each must answer. */
async function askEveryRoute(shape: SeededShape): Promise<{ answer: Answer; expected: number }[]> {
  const key = q(shape.key);
  const secretStatus = shape.control ? 200 : 403;
  const out: { answer: Answer; expected: number }[] = [];
  const add = async (handler: (request: Request) => Promise<Response>, path: string, expected: number) =>
    out.push({ answer: await ask(handler, path), expected });
  await add(getKey, `/api/key?key=${key}`, 200);
  const first = shape.revisions[0];
  const last = shape.revisions[shape.revisions.length - 1];
  for (const revision of shape.revisions) {
    await add(getKey, `/api/key?key=${key}&rev=${revision}`, 200);
    await add(getRaw, `/api/raw?key=${key}&rev=${revision}`, secretStatus);
  }
  await add(getRaw, `/api/raw?key=${key}`, secretStatus);
  await add(getHistory, `/api/history?key=${key}`, 200);
  await add(getDiff, `/api/diff?key=${key}&from=${first}&to=${last}`, 200);
  for (let i = 1; i < shape.revisions.length; i++)
    await add(getDiff, `/api/diff?key=${key}&from=${shape.revisions[i - 1]}&to=${shape.revisions[i]}`, 200);
  // Revealing is off: asking for a value is refused whatever the path.
  for (const path of [
    ["data", "password"],
    ["stringData", "token"],
    ["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"],
  ]) {
    await add(getSecret, `/api/secret?key=${key}&path=${encodeURIComponent(JSON.stringify(path))}`, 403);
  }
  for (const parent of parentsOf(shape.key)) await add(getKeys, `/api/keys?prefix=${q(parent)}`, 200);
  // The kubectl-style table of each folder above the key decodes the values of its page: now and at each revision.
  for (const parent of parentsOf(shape.key)) {
    await add(getTable, `/api/table?prefix=${q(parent)}`, 200);
    for (const revision of shape.revisions) await add(getTable, `/api/table?prefix=${q(parent)}&rev=${revision}`, 200);
  }
  // A search for each value, as text and as a regex, now and at each revision, paged and streamed.
  const folder = q(parentsOf(shape.key).at(-1)!);
  for (const value of shape.values) {
    const quoted = encodeURIComponent(`"${value.replace(/[\\"]/g, "\\$&")}"`);
    const regex = encodeURIComponent(`/${value.slice(0, 6).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}/i`);
    await add(getSearch, `/api/search?prefix=${folder}&q=${quoted}`, 200);
    await add(getSearch, `/api/search?prefix=${folder}&q=${regex}&stream=1`, 200);
    for (const revision of shape.revisions) await add(getSearch, `/api/search?prefix=${folder}&q=${quoted}&rev=${revision}`, 200);
  }
  // An export of the key's folder in each format (once a folder), of each revision of the key, and with every field kept.
  if (!exportedFolders.has(folder)) {
    exportedFolders.add(folder);
    for (const format of ["yaml", "jsonl", "tar"]) await add(getExport, `/api/export?prefix=${folder}&format=${format}`, 200);
  }
  for (const revision of shape.revisions) await add(getExport, `/api/export?key=${key}&format=jsonl&rev=${revision}`, 200);
  await add(getExport, `/api/export?key=${key}&keep=status,last-applied,managedFields,uid`, 200);
  // A comparison of the folder's first and last revision (the default cluster is "default").
  await add(getCompare, `/api/compare?left=default@${first}&right=default@${last}&prefix=${folder}`, 200);
  await add(getComplete, `/api/complete?q=${q(shape.key.slice(0, -2))}`, 200);
  await add(getChanges, `/api/changes?prefix=${q(parentsOf(shape.key)[0])}`, 200);
  return out;
}

/** What `etcdctl get KEY --print-value-only | npm run -s decode -- ARGS` prints, stdout and stderr. */
function decodeWithCli(key: string, args: string[]): Answer {
  const value = spawnSync(requireProgram(ETCDCTL, "ETCDCTL_BIN"), ["get", key, "--print-value-only"], {
    env: { ...process.env, ETCDCTL_API: "3" },
  });
  if (value.status !== 0) throw new Error(`etcdctl failed: ${value.stderr.toString()}`);
  const result = spawnSync(join(process.cwd(), "node_modules/.bin/tsx"), ["scripts/decode.ts", ...args], {
    input: value.stdout,
    encoding: "utf8",
    timeout: 60_000,
  });
  // The CLI answers 0, or 1 for a value it will not print: a crash is neither.
  return {
    where: `decode CLI ${args.join(" ")} < ${key}`,
    status: result.status === 0 || result.status === 1 ? 200 : Number(result.status),
    text: `${result.stdout}\n${result.stderr}`,
  };
}

/** How /api/key shows each shape: masked where it decodes, its size alone where it does not. */
const EXPECTED_FORMAT: Record<string, string> = {
  proto: "kubernetes",
  applied: "kubernetes",
  encoded: "undecodable-secret",
  truncated: "undecodable-secret",
  json: "kubernetes",
  trailing: "undecodable-secret",
  yaml: "undecodable-secret",
  custom: "kubernetes",
  unknown: "kubernetes",
  "other-prefix": "kubernetes",
  "key-only": "undecodable-secret",
  // Decrypted with ETCDLENS_ENCRYPTION_CONFIG, then masked as any Secret.
  "at-rest-aescbc": "kubernetes",
  "at-rest-secretbox": "kubernetes",
  control: "kubernetes",
};

beforeAll(async () => {
  etcd = await startTestEtcd("secret-leaks");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  delete process.env.ETCDLENS_REVEAL_SECRETS;
  delete process.env.ETCDLENS_CONFIG;
  const encryptionConfig = join(tmpdir(), "etcdlens-test", `secret-leaks-encryption-${process.pid}.yaml`);
  mkdirSync(join(encryptionConfig, ".."), { recursive: true });
  writeFileSync(encryptionConfig, AT_REST_CONFIGURATION);
  process.env.ETCDLENS_ENCRYPTION_CONFIG = encryptionConfig;
  const writer = seedingClient(etcd);
  shapes = await seedSecretShapes(writer);
  writer.close();
});

afterAll(async () => {
  await etcd?.stop();
});

describe("the Secret leak scan over every API route", () => {
  it("scans a route file for every route the app has", () => {
    const routes = readdirSync(join(process.cwd(), "app", "api"), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    // Each is asked below; a new route must be added to the scan before this passes.
    expect(routes).toEqual([
      "audit",
      "changes",
      "cluster",
      "clusters",
      "compare",
      "complete",
      "deleted",
      "diff",
      "export",
      "healthz",
      "history",
      "insights",
      "key",
      "keys",
      "leases",
      "me",
      "raw",
      "search",
      "secret",
      "stats",
      "table",
      "watch",
    ]);
  });

  it("shows each shape masked where it decodes and as its size alone where it does not", async () => {
    for (const shape of shapes) {
      const { status, text } = await ask(getKey, `/api/key?key=${q(shape.key)}`);
      expect(status).toBe(200);
      const body = JSON.parse(text);
      const name = shape.key.split("/").pop()!;
      expect(body.value.format, shape.shape).toBe(EXPECTED_FORMAT[name]);
      if (body.value.format === "undecodable-secret") expect(body.value.size).toBe(body.kv.size);
      else if (!shape.control) expect(body.value.masked.length, shape.shape).toBeGreaterThan(0);
    }
  });

  it("summarizes a Secret's revisions as masked changes in the history", async () => {
    for (const name of ["applied", "json"]) {
      const shape = shapes.find((item) => item.key.endsWith(`/${name}`))!;
      const { status, text } = await ask(getHistory, `/api/history?key=${q(shape.key)}`);
      expect(status).toBe(200);
      const items = JSON.parse(text).items as { summary: string | null }[];
      expect(items).toHaveLength(shape.revisions.length);
      expect(items[0].summary).toContain("data.password: changed (masked)");
    }
  });

  it("finds nothing in what the decode CLI prints without --reveal-secrets, and the values with it", () => {
    const secretValues = shapes.filter((shape) => !shape.control).flatMap((shape) => shape.values);
    const answers = shapes.map((shape) => decodeWithCli(shape.key, []));
    expect(answers.filter((answer) => answer.status !== 200).map((answer) => answer.where)).toEqual([]);
    expect(answers.flatMap((answer) => findLeaks(answer.where, answer.text, secretValues))).toEqual([]);
    // The same scan finds the control's value, and a Secret's value once revealing is asked for.
    const control = shapes.find((shape) => shape.control)!;
    expect(findLeaks("cli", answers[shapes.indexOf(control)].text, control.values.slice(-1)).length).toBeGreaterThan(0);
    const proto = shapes.find((shape) => shape.key.endsWith("/proto"))!;
    expect(findLeaks("cli", decodeWithCli(proto.key, ["--reveal-secrets"]).text, proto.values).length).toBeGreaterThan(0);
  }, 180_000);

  it("finds no secret value in any response, and finds every control value", async () => {
    const secretValues = shapes.filter((shape) => !shape.control).flatMap((shape) => shape.values);
    const controlShapes = shapes.filter((shape) => shape.control);
    expect(secretValues.length).toBeGreaterThanOrEqual(15);
    expect(controlShapes.length).toBeGreaterThan(0);

    const answers: { answer: Answer; expected: number }[] = [];
    for (const shape of shapes) answers.push(...(await askEveryRoute(shape)));
    for (const [handler, path] of [
      [getCluster, "/api/cluster"],
      [getClusters, "/api/clusters"],
      [getHealthz, "/api/healthz"],
      [getLeases, "/api/leases"],
      [getAudit, "/api/audit"],
      [getMe, "/api/me"],
      [getChanges, "/api/changes?prefix=%2F"],
      [getKeys, "/api/keys?prefix=%2F"],
      // The figures pages: sizes, counts and names, never values (largestKeys names keys only).
      [getStats, "/api/stats?prefix=%2F"],
      [getStats, "/api/stats?prefix=%2Fregistry%2Fsecrets%2Fleak-scan%2F&sort=bytes"],
      [getInsightsEtcd, "/api/insights/etcd"],
      [getInsightsWriters, "/api/insights/writers"],
      [getInsightsGrowth, "/api/insights/growth?prefix=%2F"],
    ] as const) {
      answers.push({ answer: await ask(handler, path), expected: 200 });
    }
    const watch = await readWatch("/", 1, 1500);
    answers.push({ answer: watch, expected: 200 });

    // The watch stream really replayed the seeded writes (so scanning it was not scanning nothing).
    for (const shape of shapes) expect(watch.text).toContain(JSON.stringify(shape.key).slice(1, -1));

    const hits: LeakHit[] = answers.flatMap(({ answer }) => findLeaks(answer.where, answer.text, secretValues));
    const report = hits.map((hit) => `${hit.where}: ${hit.form} of ${hit.value}`);
    console.info(
      `secret leak scan: ${answers.length} responses, ${secretValues.length} secret values, ${hits.length} hits`,
      countByRoute(hits),
    );
    const wrongStatus = answers
      .filter(({ answer, expected }) => answer.status !== expected)
      .map(({ answer, expected }) => `${answer.where}: ${answer.status}, expected ${expected}`);
    expect(wrongStatus).toEqual([]);
    expect(report).toEqual([]);

    // The control: the same scan finds its values, in the value view and in the raw bytes.
    for (const shape of controlShapes) {
      const own = answers.filter(({ answer }) => answer.where.includes(`key=${q(shape.key)}`));
      for (const value of shape.values) {
        const found = own.flatMap(({ answer }) => findLeaks(answer.where, answer.text, [value]));
        expect(found.some((hit) => hit.where.startsWith("GET /api/key?") && hit.form === "clear")).toBe(true);
        expect(found.some((hit) => hit.where.startsWith("GET /api/raw?") && hit.form === "clear")).toBe(true);
        // A search finds the control by its value, now or at its revision (so the searches above were not searching nothing).
        const searches = answers.filter(
          ({ answer }) => answer.where.includes("/api/search?") && answer.where.includes(encodeURIComponent(`"${value}"`)),
        );
        const searched = searches.some(({ answer }) =>
          JSON.parse(answer.text).items.some((item: { key: string }) => item.key === shape.key),
        );
        expect(searched, `a search for ${value}`).toBe(true);
      }
    }
  });

  // Last: it deletes every shape, which the scans above must not see.
  it("finds no secret value in the deleted view, which lists every shape with the control's last value", async () => {
    const secretValues = shapes.filter((shape) => !shape.control).flatMap((shape) => shape.values);
    const writer = seedingClient(etcd);
    for (const shape of shapes) await writer.delete().key(shape.key);
    writer.close();
    const answers: Answer[] = [];
    for (const prefix of new Set(shapes.map((shape) => parentsOf(shape.key).at(-1)!))) {
      answers.push(await ask(getDeleted, `/api/deleted?prefix=${q(prefix)}`));
    }
    expect(answers.filter((answer) => answer.status !== 200).map((answer) => answer.where)).toEqual([]);
    const listed = answers.flatMap((answer) => (JSON.parse(answer.text) as { items: { key: string }[] }).items.map((item) => item.key));
    expect(listed.sort()).toEqual(shapes.map((shape) => shape.key).sort());
    expect(answers.flatMap((answer) => findLeaks(answer.where, answer.text, secretValues))).toEqual([]);
    const control = shapes.find((shape) => shape.control)!;
    expect(answers.flatMap((answer) => findLeaks(answer.where, answer.text, control.values.slice(-1))).length).toBeGreaterThan(0);
  });
});
