import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { GET as getChanges } from "@/app/api/changes/route";
import { GET as getDiff } from "@/app/api/diff/route";
import { GET as getHistory } from "@/app/api/history/route";
import { GET as getKey } from "@/app/api/key/route";
import { MAX_NESTING_DEPTH } from "@/lib/decode/depth";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// Values nested far deeper than anything a person can read, through every route a value goes
// through, against a real etcd: each answers 200 with the value shown as text (or, for CBOR, a
// clear problem with the raw bytes), never a 500 from a stack overflow.

let etcd: EtcdProcess;
let writer: Etcd3;

const q = (text: string) => encodeKeyParam(Buffer.from(text));
const rev = (response: { header: { revision: string } }) => Number(response.header.revision);

function deepJson(depth: number, leaf: number): string {
  return `${'{"a":'.repeat(depth)}${leaf}${"}".repeat(depth)}`;
}
function deepJsonArray(depth: number, leaf: number): string {
  return `${"[".repeat(depth)}${leaf}${"]".repeat(depth)}`;
}
function deepYamlFlow(depth: number, leaf: number): string {
  return `---\n${"[".repeat(depth)}${leaf}${"]".repeat(depth)}\n`;
}
function deepYamlBlock(depth: number, leaf: number): string {
  // "- - - 1" is a sequence of sequences, one level per dash.
  return `${"- ".repeat(depth)}${leaf}\n- ${leaf}\n`;
}
function deepCbor(depth: number, leaf: number): Buffer {
  // d9d9f7: the self-describe tag Kubernetes writes; 0x81: an array of one item.
  return Buffer.concat([Buffer.from([0xd9, 0xd9, 0xf7]), Buffer.alloc(depth, 0x81), Buffer.from([leaf])]);
}

const shapes: { name: string; make: (depth: number, leaf: number) => string | Buffer; shownAs: string }[] = [
  { name: "JSON objects", make: deepJson, shownAs: "text" },
  { name: "JSON arrays", make: deepJsonArray, shownAs: "text" },
  { name: "YAML flow", make: deepYamlFlow, shownAs: "text" },
  { name: "YAML block", make: deepYamlBlock, shownAs: "text" },
  { name: "CBOR", make: deepCbor, shownAs: "cbor" },
];

beforeAll(async () => {
  etcd = await startTestEtcd("bad-input-depth", { extraArgs: ["--max-request-bytes", String(4 * 1024 * 1024)] });
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  writer = seedingClient(etcd);
});

afterAll(async () => {
  writer?.close();
  await etcd?.stop();
});

describe.each([5_000, 100_000])("values nested %i levels deep", (depth) => {
  it.each(shapes)("$name answer on every route without a 500", async ({ name, make, shownAs }) => {
    const prefix = `/deep/${depth}/${name.replace(" ", "-")}/`;
    const key = `${prefix}value`;
    const first = rev(await writer.put(key).value(make(depth, 1)));
    const second = rev(await writer.put(key).value(make(depth, 2)));

    for (const path of [`/api/key?key=${q(key)}`, `/api/key?key=${q(key)}&rev=${first}`]) {
      const { status, body } = await callRoute(getKey, path);
      expect(status, path).toBe(200);
      expect(body.value.format).toBe(shownAs);
      if (shownAs === "text") expect(body.value.text).toBe(make(depth, path.includes("rev=") ? 1 : 2));
      else
        expect(body.value.error.message).toBe(
          `nested deeper than ${MAX_NESTING_DEPTH} levels: too deeply nested to display; the raw bytes are shown instead`,
        );
      expect(body.raw.base64.length).toBeGreaterThan(0);
    }

    const history = await callRoute(getHistory, `/api/history?key=${q(key)}`);
    expect(history.status).toBe(200);
    expect(history.body.items.map((item: { revision: number }) => item.revision)).toEqual([second, first]);

    const diff = await callRoute(getDiff, `/api/diff?key=${q(key)}&from=${first}&to=${second}`);
    expect(diff.status).toBe(200);
    expect(diff.body.from.value.format).toBe(shownAs);
    expect(diff.body.changes).toEqual([]);

    const changes = await callRoute(getChanges, `/api/changes?prefix=${q(prefix)}`);
    expect(changes.status).toBe(200);
    expect(changes.body.items.map((item: { revision: number }) => item.revision)).toEqual([second, first]);
  });
});
