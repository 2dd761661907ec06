// Secrets in every shape a real etcd holds them, for the leak scans (integration and e2e): each
// secret value is distinctive, so a scan of any response can tell whether one got out, and a
// ConfigMap seeded the same way is the control that proves the scan finds what is there.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify as toYamlText } from "yaml";
import type { Etcd3 } from "etcd3";
import { encodeKubernetesObject } from "@/lib/decode";
import { PROTOBUF_MAGIC, writeEnvelope } from "@/lib/decode/envelope";
import type { JsonObject } from "@/lib/decode/types";
import { WIRE_LENGTH_DELIMITED, WireWriter } from "@/lib/decode/wire";
import { encryptionConfigurationFor, sealAtRest, type SealingKey } from "./seal-at-rest";

/** What a leak looks like when it starts: every secret value begins with it. */
export const SECRET_MARKER = "s3cr3t-";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

export type SeededShape = {
  shape: string;
  key: string;
  /** The revisions written, oldest first (several for the shapes with history). */
  revisions: number[];
  /** Every secret value written under the key, in clear. */
  values: string[];
  /** A control shape holds no Secret: its values must be found by the scan. */
  control: boolean;
};

/**
 * The keys the at-rest shapes are encrypted with, as an API server with a rotated configuration
 * would hold them: aescbc writes, secretbox (the older key) still reads. Test keys, never real ones.
 */
export const AT_REST_KEYS: SealingKey[] = [
  { provider: "aescbc", name: "key2", secret: Buffer.alloc(32, 0x2c) },
  { provider: "secretbox", name: "key1", secret: Buffer.alloc(32, 0x5b) },
];

/** The EncryptionConfiguration that decrypts the at-rest shapes (for ETCDLENS_ENCRYPTION_CONFIG). */
export const AT_REST_CONFIGURATION = encryptionConfigurationFor(AT_REST_KEYS);

function distinctive(label: string): string {
  return `${label}-${randomBytes(8).toString("hex")}`;
}

function b64(text: string): string {
  return Buffer.from(text).toString("base64");
}

function secretObject(
  namespace: string,
  name: string,
  data: Record<string, string>,
  applied?: { data?: Record<string, string>; stringData?: Record<string, string> },
): JsonObject {
  const metadata: JsonObject = { name, namespace, uid: `uid-${name}`, creationTimestamp: "2026-01-01T00:00:00Z" };
  if (applied) {
    // What `kubectl apply` leaves behind: the whole manifest as it was applied, data included.
    const manifest: JsonObject = { apiVersion: "v1", kind: "Secret", metadata: { annotations: {}, name, namespace }, type: "Opaque" };
    if (applied.data) manifest.data = Object.fromEntries(Object.entries(applied.data).map(([k, v]) => [k, b64(v)]));
    if (applied.stringData) manifest.stringData = applied.stringData;
    metadata.annotations = { [LAST_APPLIED]: `${JSON.stringify(manifest)}\n` };
  }
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata,
    type: "Opaque",
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

/** A Secret with a password in data and a token applied as stringData, as `kubectl apply` stores it. */
function appliedSecret(namespace: string, name: string, password: string, token: string): JsonObject {
  return secretObject(namespace, name, { password, token }, { data: { password }, stringData: { token } });
}

/** The envelope the API server writes, but with contentEncoding set (what etcdlens cannot read). */
function envelopeWithContentEncoding(secretBytes: Uint8Array, encoding: string): Uint8Array {
  const typeMeta = new WireWriter();
  typeMeta.tag(1, WIRE_LENGTH_DELIMITED);
  typeMeta.string("v1");
  typeMeta.tag(2, WIRE_LENGTH_DELIMITED);
  typeMeta.string("Secret");
  const raw = rawOf(secretBytes);
  const unknown = new WireWriter();
  unknown.message(1, typeMeta.finish());
  unknown.message(2, raw);
  unknown.tag(3, WIRE_LENGTH_DELIMITED);
  unknown.string(encoding);
  unknown.message(4, new Uint8Array(0));
  const body = unknown.finish();
  return Buffer.concat([Buffer.from(PROTOBUF_MAGIC), body]);
}

/** The object bytes inside a "k8s\0" value (envelope field 2), read the plain way. */
function rawOf(value: Uint8Array): Uint8Array {
  let pos = PROTOBUF_MAGIC.length;
  const varint = () => {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = value[pos++];
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
    }
  };
  while (pos < value.length) {
    const tag = varint();
    const length = varint();
    if (tag >>> 3 === 2) return value.subarray(pos, pos + length);
    pos += length;
  }
  throw new Error("no raw object in the envelope");
}

/** A type etcdlens has no schema for, holding a whole Secret (its "k8s\0" bytes) in a nested field. */
function unknownTypeHolding(secretBytes: Uint8Array, namespace: string, name: string): Uint8Array {
  const meta = new WireWriter();
  meta.tag(1, WIRE_LENGTH_DELIMITED);
  meta.string(name);
  meta.tag(3, WIRE_LENGTH_DELIMITED);
  meta.string(namespace);
  const spec = new WireWriter();
  spec.message(1, secretBytes);
  const object = new WireWriter();
  object.message(1, meta.finish());
  object.message(2, spec.finish());
  return writeEnvelope("vault.example.com/v1", "SecretCopy", object.finish());
}

/**
 * Writes every shape under `${prefix}` (the prefix a real cluster uses, "" for none) and returns
 * what was written where. `namespace` keeps the keys apart from other data in the same etcd.
 */
export async function seedSecretShapes(writer: Etcd3, namespace = "leak-scan", prefix = "/registry"): Promise<SeededShape[]> {
  const shapes: SeededShape[] = [];
  const put = async (key: string, value: Uint8Array | string): Promise<number> => {
    const result = await writer.put(key).value(Buffer.from(value)).exec();
    return Number(result.header.revision);
  };
  const add = async (shape: string, key: string, versions: { bytes: Uint8Array | string; values: string[] }[], control = false) => {
    const revisions: number[] = [];
    for (const version of versions) revisions.push(await put(key, version.bytes));
    shapes.push({ shape, key, revisions, values: versions.flatMap((version) => version.values), control });
  };
  const secretsKey = (name: string) => `${prefix}/secrets/${namespace}/${name}`;

  {
    const password = distinctive(`${SECRET_MARKER}proto`);
    await add("protobuf", secretsKey("proto"), [
      { bytes: encodeKubernetesObject(secretObject(namespace, "proto", { password })), values: [password] },
    ]);
  }
  {
    const versions = [1, 2, 3].map((n) => {
      const password = distinctive(`${SECRET_MARKER}applied${n}`);
      const token = distinctive(`${SECRET_MARKER}applied-token${n}`);
      return { bytes: encodeKubernetesObject(appliedSecret(namespace, "applied", password, token)), values: [password, token] };
    });
    await add("protobuf with last-applied-configuration, 3 revisions", secretsKey("applied"), versions);
  }
  {
    const password = distinctive(`${SECRET_MARKER}encoded`);
    const token = distinctive(`${SECRET_MARKER}encoded-token`);
    const bytes = envelopeWithContentEncoding(encodeKubernetesObject(appliedSecret(namespace, "encoded", password, token)), "gzip");
    await add("envelope with contentEncoding", secretsKey("encoded"), [{ bytes, values: [password, token] }]);
  }
  {
    const password = distinctive(`${SECRET_MARKER}truncated`);
    const token = distinctive(`${SECRET_MARKER}truncated-token`);
    const whole = Buffer.from(encodeKubernetesObject(appliedSecret(namespace, "truncated", password, token)));
    // Cut just after the first copy of the password: the bytes hold a value, the object is broken.
    const cut = whole.indexOf(password) + password.length + 3;
    await add("truncated protobuf", secretsKey("truncated"), [{ bytes: whole.subarray(0, cut), values: [password] }]);
  }
  {
    const versions = [1, 2].map((n) => {
      const password = distinctive(`${SECRET_MARKER}json${n}`);
      const token = distinctive(`${SECRET_MARKER}json-token${n}`);
      return { bytes: JSON.stringify(appliedSecret(namespace, "json", password, token)), values: [password, token] };
    });
    await add("JSON, 2 revisions", secretsKey("json"), versions);
  }
  {
    const password = distinctive(`${SECRET_MARKER}trailing`);
    const token = distinctive(`${SECRET_MARKER}trailing-token`);
    const bytes = `${JSON.stringify(appliedSecret(namespace, "trailing", password, token))}\ntrailing text after the document`;
    await add("JSON with trailing bytes", secretsKey("trailing"), [{ bytes, values: [password, token] }]);
  }
  {
    const password = distinctive(`${SECRET_MARKER}yaml`);
    const token = distinctive(`${SECRET_MARKER}yaml-token`);
    await add("YAML", secretsKey("yaml"), [
      { bytes: toYamlText(appliedSecret(namespace, "yaml", password, token)), values: [password, token] },
    ]);
  }
  {
    const password = distinctive(`${SECRET_MARKER}custom`);
    const token = distinctive(`${SECRET_MARKER}custom-token`);
    const resource = {
      apiVersion: "vault.example.com/v1",
      kind: "SecretTemplate",
      metadata: { name: "custom", namespace, uid: "uid-custom" },
      spec: { template: appliedSecret(namespace, "custom", password, token) },
    };
    await add("custom resource (JSON) holding a Secret", `${prefix}/vault.example.com/secrettemplates/${namespace}/custom`, [
      { bytes: JSON.stringify(resource), values: [password, token] },
    ]);
  }
  {
    const password = distinctive(`${SECRET_MARKER}unknown`);
    const token = distinctive(`${SECRET_MARKER}unknown-token`);
    const inner = encodeKubernetesObject(appliedSecret(namespace, "unknown", password, token));
    await add("unknown protobuf kind holding a Secret", `${prefix}/vault.example.com/secretcopies/${namespace}/unknown`, [
      { bytes: unknownTypeHolding(inner, namespace, "unknown"), values: [password, token] },
    ]);
  }
  {
    const password = distinctive(`${SECRET_MARKER}other-prefix`);
    const token = distinctive(`${SECRET_MARKER}other-prefix-token`);
    await add("protobuf under a non-/registry prefix", `/kubernetes.io/secrets/${namespace}/other-prefix`, [
      { bytes: encodeKubernetesObject(appliedSecret(namespace, "other-prefix", password, token)), values: [password, token] },
    ]);
  }
  for (const key of AT_REST_KEYS) {
    const name = `at-rest-${key.provider}`;
    const password = distinctive(`${SECRET_MARKER}${name}`);
    const token = distinctive(`${SECRET_MARKER}${name}-token`);
    const plaintext = encodeKubernetesObject(appliedSecret(namespace, name, password, token));
    await add(`encrypted at rest with ${key.provider}, applied`, secretsKey(name), [
      { bytes: sealAtRest(plaintext, key, secretsKey(name)), values: [password, token] },
    ]);
  }
  {
    const password = distinctive(`${SECRET_MARKER}key-only`);
    await add("unreadable bytes under the secrets path", secretsKey("key-only"), [
      { bytes: Buffer.concat([Buffer.from([0x00, 0x01, 0x02]), Buffer.from(`password=${password}`)]), values: [password] },
    ]);
  }
  {
    const versions = [1, 2].map((n) => {
      const value = distinctive(`c0ntr0l${n}`);
      const configMap = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: "control",
          namespace,
          uid: "uid-control",
          creationTimestamp: "2026-01-01T00:00:00Z",
          annotations: { [LAST_APPLIED]: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", data: { setting: value } }) },
        },
        data: { setting: value },
      };
      return { bytes: encodeKubernetesObject(configMap), values: [value] };
    });
    await add("control: ConfigMap (protobuf, applied), 2 revisions", `${prefix}/configmaps/${namespace}/control`, versions, true);
  }
  return shapes;
}

/** Where the e2e setup writes what it seeded, for the specs (in other processes) to read. */
const E2E_SHAPES_FILE = join(process.cwd(), "e2e", ".state", "secret-shapes.json");

/** Seeds the shapes for the e2e run and writes them down for e2e/ui/secret-leaks.spec.ts. */
export async function seedSecretShapesForE2E(writer: Etcd3): Promise<void> {
  const shapes = await seedSecretShapes(writer);
  mkdirSync(join(E2E_SHAPES_FILE, ".."), { recursive: true });
  writeFileSync(E2E_SHAPES_FILE, JSON.stringify(shapes, null, 2));
}

export function readE2EShapes(): SeededShape[] {
  return JSON.parse(readFileSync(E2E_SHAPES_FILE, "utf8")) as SeededShape[];
}

/** The characters of base64(pad + value) that depend on the value's bytes alone, at each alignment. */
function base64Cores(bytes: Buffer, alphabet: "base64" | "base64url"): string[] {
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes])
      .toString(alphabet)
      .replace(/=+$/, "");
    const first = Math.ceil((8 * offset) / 6);
    const last = Math.floor((8 * (offset + bytes.length)) / 6);
    cores.push(encoded.slice(first, last));
  }
  return cores;
}

/** A hex dump groups two bytes per word; the value can start on either byte of a word. */
function hexDumpForms(hex: string): string[] {
  const forms: string[] = [];
  for (const start of [0, 2]) {
    let out = "";
    for (let i = 0; i < hex.length; i++) {
      out += hex[i];
      if ((i + start) % 4 === 3 && i < hex.length - 1) out += " ";
    }
    forms.push(out);
  }
  return forms;
}

export type LeakForm = { form: string; needle: string };

/** Every form a value can leak in: clear, base64 (of it and of its Secret.data form), hex. */
export function leakForms(value: string): LeakForm[] {
  const bytes = Buffer.from(value);
  const forms: LeakForm[] = [{ form: "clear", needle: value }];
  for (const needle of base64Cores(bytes, "base64")) forms.push({ form: "base64", needle });
  for (const needle of base64Cores(bytes, "base64url")) forms.push({ form: "base64url", needle });
  for (const needle of base64Cores(Buffer.from(bytes.toString("base64")), "base64")) forms.push({ form: "base64 of Secret.data", needle });
  const hex = bytes.toString("hex");
  forms.push({ form: "hex", needle: hex }, { form: "HEX", needle: hex.toUpperCase() });
  for (const needle of hexDumpForms(hex)) forms.push({ form: "hex dump", needle });
  return forms.filter((form, index, all) => all.findIndex((other) => other.needle === form.needle) === index);
}

export type LeakHit = { where: string; value: string; form: string };

/**
 * The bytes a hex dump shows (components/value-view/hex-dump.tsx: `offset: 16 bytes in hex, ASCII`),
 * joined across rows, as hex and as its ASCII column: a value longer than a row is split by them.
 */
function readHexDump(text: string): { hex: string; ascii: string } {
  let hex = "";
  let ascii = "";
  for (const line of text.split("\n")) {
    const row = /^[0-9a-f]{8}: (.{40}) (.{0,16})$/.exec(line.padEnd(51, " "));
    if (!row || !/^[0-9a-f ]+$/.test(row[1])) continue;
    hex += row[1].replace(/ /g, "");
    ascii += row[2];
  }
  return { hex, ascii };
}

/** The forms of each value found in text (a response body, a page's text, a hex dump in it). */
export function findLeaks(where: string, text: string, values: readonly string[]): LeakHit[] {
  const hits: LeakHit[] = [];
  const dump = readHexDump(text);
  for (const value of values) {
    for (const { form, needle } of leakForms(value)) if (text.includes(needle)) hits.push({ where, value, form });
    if (dump.hex !== "" && dump.hex.includes(Buffer.from(value).toString("hex"))) hits.push({ where, value, form: "hex dump rows" });
    if (dump.ascii !== "" && dump.ascii.includes(value)) hits.push({ where, value, form: "hex dump ASCII column" });
  }
  return hits;
}
