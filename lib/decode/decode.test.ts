import { Encoder } from "cbor-x";
import { describe, expect, it } from "vitest";
import { writeEnvelope } from "./envelope";
import { decodeValue, encodeKubernetesObject, MASKED_PLACEHOLDER, readMaskedValue, type JsonObject, type KubernetesValue } from "./index";
import { WIRE_LENGTH_DELIMITED, WireWriter } from "./wire";

const text = (value: string) => new TextEncoder().encode(value);
const cborEncoder = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
const cbor = (value: unknown) => new Uint8Array([0xd9, 0xd9, 0xf7, ...cborEncoder.encode(value)]);

function decodeObject(bytes: Uint8Array, options = {}): KubernetesValue {
  const decoded = decodeValue(bytes, options);
  if (decoded.format !== "kubernetes") throw new Error(`expected a Kubernetes object, got ${decoded.format}`);
  return decoded;
}

const pod: JsonObject = {
  kind: "Pod",
  apiVersion: "v1",
  metadata: {
    name: "web-0",
    namespace: "shop",
    uid: "8f0c6d1e-0000-4000-8000-000000000001",
    generation: 3,
    creationTimestamp: "2024-05-01T12:00:00Z",
    deletionGracePeriodSeconds: 0,
    labels: { app: "web", "app.kubernetes.io/part-of": "shop" },
    ownerReferences: [{ apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: "u-1", controller: true }],
  },
  spec: {
    volumes: [{ name: "config", configMap: { name: "web-config", defaultMode: 420 } }],
    containers: [
      {
        name: "web",
        image: "nginx:1.27",
        ports: [{ containerPort: 8080, protocol: "TCP" }],
        env: [{ name: "PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }],
        resources: { limits: { cpu: "500m", memory: "128Mi" } },
        readinessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 5 },
        livenessProbe: { tcpSocket: { port: 8080 } },
      },
    ],
    terminationGracePeriodSeconds: 0,
    automountServiceAccountToken: false,
  },
  status: { phase: "Running", startTime: "2024-05-01T12:00:05Z", podIP: "10.1.2.3" },
};

describe("round trips through encodeKubernetesObject and decodeValue", () => {
  it("keeps a hand-made Pod exactly: pointers to zero, times, quantities, int-or-string, inline structs", () => {
    const bytes = encodeKubernetesObject(pod);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x6b, 0x38, 0x73, 0x00]);
    const decoded = decodeObject(bytes);
    expect(decoded).toMatchObject({ encoding: "protobuf", apiVersion: "v1", kind: "Pod", known: true });
    expect(decoded.error).toBeUndefined();
    expect(decoded.object).toEqual(pod);
    expect(Object.keys(decoded.object).slice(0, 2)).toEqual(["kind", "apiVersion"]);
  });

  it("keeps meta/v1 types: a Lease's MicroTime and an Event's counts", () => {
    const lease = {
      kind: "Lease",
      apiVersion: "coordination.k8s.io/v1",
      metadata: { name: "kube-scheduler", namespace: "kube-system" },
      spec: { holderIdentity: "node-1", leaseDurationSeconds: 15, renewTime: "2024-05-01T12:00:00.123456Z", leaseTransitions: 0 },
    };
    expect(decodeObject(encodeKubernetesObject(lease)).object).toEqual(lease);
  });

  it("prints Go's []string wrapper messages (ExtraValue, AttestationValue) as plain lists", () => {
    const csr = {
      kind: "CertificateSigningRequest",
      apiVersion: "certificates.k8s.io/v1",
      metadata: { name: "csr-1" },
      spec: { request: "", signerName: "example.com/signer", extra: { groups: ["a", "b"] } },
      status: {},
    };
    expect(decodeObject(encodeKubernetesObject(csr)).object).toEqual(csr);
    const tokenRequest = {
      kind: "TokenRequest",
      apiVersion: "authentication.k8s.io/v1",
      metadata: { name: "default" },
      spec: {
        audiences: null,
        expirationSeconds: null,
        boundObjectRef: null,
        attestations: { "example.com/node": ["quote-1", "quote-2"] },
      },
      status: { token: "", expirationTimestamp: null },
    };
    expect(decodeObject(encodeKubernetesObject(tokenRequest)).object).toEqual(tokenRequest);
  });

  it("prints an absent pointer field without omitempty as null, as Go prints a nil pointer", () => {
    const claim = {
      kind: "PersistentVolumeClaim",
      apiVersion: "v1",
      metadata: { name: "restored" },
      spec: { dataSource: { kind: "PersistentVolumeClaim", name: "source" } },
    };
    const decoded = decodeObject(encodeKubernetesObject(claim)).object as { spec: { dataSource: unknown } };
    // TypedLocalObjectReference.APIGroup is a *string tagged json:"apiGroup".
    expect(decoded.spec.dataSource).toEqual({ apiGroup: null, kind: "PersistentVolumeClaim", name: "source" });
    expect(
      decodeObject(encodeKubernetesObject({ ...claim, spec: { dataSource: { apiGroup: "", kind: "K", name: "n" } } })).object,
    ).toMatchObject({
      spec: { dataSource: { apiGroup: "", kind: "K", name: "n" } },
    });
  });

  it("leaves out a zero creationTimestamp (omitzero since Kubernetes 1.34) but prints other zero times as null", () => {
    const deployment = {
      kind: "Deployment",
      apiVersion: "apps/v1",
      metadata: { name: "web", creationTimestamp: null },
      spec: { selector: null, template: { metadata: { labels: { app: "web" }, creationTimestamp: null }, spec: { containers: null } } },
      status: {},
    };
    const decoded = decodeObject(encodeKubernetesObject(deployment)).object as typeof deployment;
    expect(decoded.metadata).toEqual({ name: "web" });
    expect(decoded.spec.template.metadata).toEqual({ labels: { app: "web" } });
    const pod = {
      kind: "Pod",
      apiVersion: "v1",
      metadata: { name: "p", creationTimestamp: "2024-05-01T12:00:00Z" },
      spec: { containers: null },
      status: { conditions: [{ type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: "2024-05-01T12:00:05Z" }] },
    };
    expect(decodeObject(encodeKubernetesObject(pod)).object).toEqual(pod);
  });

  it("refuses fields the schema does not have, instead of dropping them", () => {
    expect(() => encodeKubernetesObject({ ...pod, spec: { nodeNmae: "typo" } })).toThrow(/nodeNmae/);
  });

  it("refuses types without a schema", () => {
    expect(() => encodeKubernetesObject({ apiVersion: "example.com/v1", kind: "Widget" })).toThrow(/no schema/);
  });
});

describe("decode options", () => {
  it("fills an empty resourceVersion from the key's mod revision, and keeps a stored one", () => {
    const bytes = encodeKubernetesObject({ kind: "ConfigMap", apiVersion: "v1", metadata: { name: "a" } });
    expect(decodeObject(bytes, { modRevision: 42 }).object.metadata).toEqual({ name: "a", resourceVersion: "42" });
    const stored = encodeKubernetesObject({ kind: "ConfigMap", apiVersion: "v1", metadata: { name: "a", resourceVersion: "7" } });
    expect(decodeObject(stored, { modRevision: 42 }).object.metadata).toEqual({ name: "a", resourceVersion: "7" });
  });

  it("puts a filled resourceVersion where the API server prints it: after uid, before generation", () => {
    const metadata = { name: "a", namespace: "n", uid: "u", generation: 2, creationTimestamp: "2024-05-01T12:00:00Z", labels: { x: "y" } };
    const bytes = encodeKubernetesObject({ kind: "ConfigMap", apiVersion: "v1", metadata, data: { k: "v" } });
    const decoded = decodeObject(bytes, { modRevision: 42 });
    expect(Object.keys(decoded.object.metadata as JsonObject)).toEqual([
      "name",
      "namespace",
      "uid",
      "resourceVersion",
      "generation",
      "creationTimestamp",
      "labels",
    ]);
    expect(Object.keys(decoded.object)).toEqual(["kind", "apiVersion", "metadata", "data"]);
    const json = decodeObject(
      text(JSON.stringify({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", uid: "u", generation: 1 } })),
      { modRevision: 9 },
    );
    expect(Object.keys(json.object.metadata as JsonObject)).toEqual(["name", "uid", "resourceVersion", "generation"]);
  });

  it("uses the type hint only when the envelope names no type", () => {
    const bytes = encodeKubernetesObject({ kind: "ConfigMap", apiVersion: "v1", data: { a: "b" } });
    expect(decodeObject(bytes, { typeHint: { apiVersion: "v1", kind: "Secret" } }).kind).toBe("ConfigMap");
  });
});

describe("format detection by content", () => {
  it.each([
    ["empty", new Uint8Array(0), { format: "empty" }],
    ["text", text("hello world\n"), { format: "text", text: "hello world\n" }],
    ["json", text('{"a":1,"b":[true,null]}'), { format: "json", data: { a: 1, b: [true, null] } }],
    ["yaml", text("name: web\nreplicas: 3\n"), { format: "yaml", data: { name: "web", replicas: 3 } }],
    ["binary", new Uint8Array([0, 1, 2, 0xff, 0xfe]), { format: "binary" }],
    ["cbor", cbor({ a: [1, 2] }), { format: "cbor", data: { a: [1, 2] } }],
    ["encrypted", text("k8s:enc:aescbc:v1:key1:\u0001\u0002ciphertext"), { format: "encrypted", provider: "aescbc", keyName: "key1" }],
    ["kms v2", text("k8s:enc:kms:v2:vault:\n\u0003xyz"), { format: "encrypted", provider: "kms", keyName: "vault", kmsVersion: "v2" }],
  ])("%s", (_name, bytes, expected) => {
    expect(decodeValue(bytes)).toMatchObject(expected);
  });

  it("keeps a single 'key: value' line as text, not YAML", () => {
    expect(decodeValue(text("Error: connection refused"))).toMatchObject({ format: "text" });
  });

  it("keeps JSON scalars as text", () => {
    expect(decodeValue(text("42"))).toMatchObject({ format: "text", text: "42" });
  });

  it("recognises Kubernetes objects stored as JSON (custom resources) and as CBOR", () => {
    const widget = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", resourceVersion: "" }, spec: { size: 2 } };
    expect(decodeValue(text(JSON.stringify(widget)), { modRevision: 9 })).toMatchObject({
      format: "kubernetes",
      encoding: "json",
      known: false,
      object: { ...widget, metadata: { name: "w", resourceVersion: "9" } },
    });
    expect(decodeValue(cbor({ apiVersion: "v1", kind: "ConfigMap", data: { a: "b" } }))).toMatchObject({
      format: "kubernetes",
      encoding: "cbor",
      known: true,
      object: { data: { a: "b" } },
    });
  });

  it("decodes a type without schema: envelope type, ObjectMeta from field 1, the rest by field number", () => {
    // A made-up Widget: metadata (1) { name (1) "w" }, spec (2) { size (1) 7, label (2) "big" }.
    const raw = [0x0a, 0x03, 0x0a, 0x01, 0x77, 0x12, 0x07, 0x08, 0x07, 0x12, 0x03, ...text("big")];
    const typeMeta = [0x0a, 0x10, ...text("example.com/v1a1"), 0x12, 0x06, ...text("Widget")];
    const bytes = new Uint8Array([...text("k8s\u0000"), 0x0a, typeMeta.length, ...typeMeta, 0x12, raw.length, ...raw]);
    const decoded = decodeObject(bytes);
    expect(decoded).toMatchObject({ apiVersion: "example.com/v1a1", kind: "Widget", known: false });
    expect(decoded.object).toEqual({
      kind: "Widget",
      apiVersion: "example.com/v1a1",
      metadata: { name: "w" },
      "2": { "1": 7, "2": "big" },
    });
  });

  it("reports a truncated object with the byte offset and keeps the type from the envelope", () => {
    const bytes = encodeKubernetesObject(pod);
    const truncated = bytes.subarray(0, bytes.length - 20);
    const decoded = decodeObject(truncated);
    expect(decoded.kind).toBe("Pod");
    expect(decoded.error?.message).toMatch(/past the end/);
    expect(decoded.error?.offset).toBeGreaterThan(0);
    expect(decoded.error?.offset).toBeLessThanOrEqual(truncated.length);
  });
});

describe("Secret masking", () => {
  const secret = (data: Record<string, string>) =>
    encodeKubernetesObject({ kind: "Secret", apiVersion: "v1", metadata: { name: "db" }, data, type: "Opaque" });
  const b64 = (value: string) => Buffer.from(value).toString("base64");

  it("masks data values by default and keeps the keys", () => {
    const decoded = decodeObject(secret({ password: b64("hunter2"), user: b64("admin") }));
    expect(decoded.object.data).toEqual({ password: MASKED_PLACEHOLDER, user: MASKED_PLACEHOLDER });
    expect(JSON.stringify(decoded)).not.toContain(b64("hunter2"));
    expect(decoded.masked.map((m) => [m.path, m.length])).toEqual([
      [["data", "password"], 7],
      [["data", "user"], 5],
    ]);
  });

  it("gives equal fingerprints for equal bytes only, and none that reveals the value", () => {
    const first = decodeObject(secret({ a: b64("same"), b: b64("same"), c: b64("other") })).masked;
    const again = decodeObject(secret({ x: b64("same") })).masked;
    expect(first[0].fingerprint).toBe(first[1].fingerprint);
    expect(first[0].fingerprint).not.toBe(first[2].fingerprint);
    expect(again[0].fingerprint).toBe(first[0].fingerprint);
    expect(first[0].fingerprint).not.toContain(Buffer.from("same").toString("hex"));
  });

  it("masks stringData in Secrets stored as JSON too", () => {
    const json = text(JSON.stringify({ apiVersion: "v1", kind: "Secret", stringData: { token: "abc" } }));
    const decoded = decodeObject(json);
    expect(decoded.object.stringData).toEqual({ token: MASKED_PLACEHOLDER });
    expect(decoded.masked[0]).toMatchObject({ path: ["stringData", "token"], length: 3 });
  });

  it("reveals values when asked", () => {
    const decoded = decodeObject(secret({ password: b64("hunter2") }), { revealSecrets: true });
    expect(decoded.object.data).toEqual({ password: b64("hunter2") });
    expect(decoded.masked).toEqual([]);
  });
});

describe("message fields on the wire print even when their special type is a zero scalar", () => {
  it("prints a Deployment's maxUnavailable 0 beside maxSurge 25%", () => {
    const deployment = {
      kind: "Deployment",
      apiVersion: "apps/v1",
      metadata: { name: "web" },
      spec: {
        selector: null,
        template: { metadata: {}, spec: { containers: null } },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
      },
      status: {},
    };
    const decoded = decodeObject(encodeKubernetesObject(deployment));
    expect(decoded.error).toBeUndefined();
    expect(decoded.object).toEqual(deployment);
    expect(JSON.stringify(decoded.object)).toContain('"rollingUpdate":{"maxUnavailable":0,"maxSurge":"25%"}');
  });

  it("prints an emptyDir sizeLimit of 0", () => {
    const volumePod = {
      kind: "Pod",
      apiVersion: "v1",
      metadata: { name: "p" },
      spec: { volumes: [{ name: "scratch", emptyDir: { sizeLimit: "0" } }], containers: null },
      status: {},
    };
    expect(decodeObject(encodeKubernetesObject(volumePod)).object).toEqual(volumePod);
  });

  it.each([false, 0])("prints a RawExtension holding %s", (data) => {
    const revision = { kind: "ControllerRevision", apiVersion: "apps/v1", metadata: { name: "r" }, data, revision: 0 };
    expect(decodeObject(encodeKubernetesObject(revision)).object).toEqual(revision);
  });
});

describe("Secrets embedded in other objects", () => {
  const b64 = (value: string) => Buffer.from(value).toString("base64");
  const secret = { kind: "Secret", apiVersion: "v1", metadata: { name: "db" }, data: { password: b64("hunter2") }, type: "Opaque" };

  /** A WatchEvent as the API server writes one: the object inside is "k8s\0" protobuf, not JSON. */
  function watchEventHolding(object: Uint8Array): Uint8Array {
    const raw = new WireWriter();
    raw.tag(1, WIRE_LENGTH_DELIMITED);
    raw.bytes(object);
    const event = new WireWriter();
    event.tag(1, WIRE_LENGTH_DELIMITED);
    event.string("ADDED");
    event.message(2, raw.finish());
    return writeEnvelope("v1", "WatchEvent", event.finish());
  }

  it("masks a protobuf Secret inside a WatchEvent and reports it under the embedding field", () => {
    const decoded = decodeObject(watchEventHolding(encodeKubernetesObject(secret)));
    expect(decoded.error).toBeUndefined();
    expect(decoded.object.object).toMatchObject({ kind: "Secret", data: { password: MASKED_PLACEHOLDER } });
    expect(JSON.stringify(decoded)).not.toContain(b64("hunter2"));
    expect(decoded.masked).toEqual([{ path: ["object", "data", "password"], length: 7, fingerprint: expect.any(String) }]);
  });

  it("masks a JSON Secret inside a ControllerRevision's data", () => {
    const revision = { kind: "ControllerRevision", apiVersion: "apps/v1", metadata: { name: "r" }, data: secret, revision: 2 };
    const decoded = decodeObject(encodeKubernetesObject(revision));
    expect(decoded.object.data).toMatchObject({ data: { password: MASKED_PLACEHOLDER } });
    expect(decoded.masked.map((m) => m.path)).toEqual([["data", "data", "password"]]);
  });

  it("masks Secrets nested two objects deep, with the full path", () => {
    const inner = watchEventHolding(encodeKubernetesObject(secret));
    const decoded = decodeObject(watchEventHolding(inner));
    expect(decoded.masked.map((m) => m.path)).toEqual([["object", "object", "data", "password"]]);
  });

  it("reveals embedded Secrets only when asked", () => {
    const decoded = decodeObject(watchEventHolding(encodeKubernetesObject(secret)), { revealSecrets: true });
    expect(decoded.object.object).toMatchObject({ data: { password: b64("hunter2") } });
    expect(decoded.masked).toEqual([]);
  });

  it("fills resourceVersion of the outer object only", () => {
    const decoded = decodeObject(watchEventHolding(encodeKubernetesObject(secret)), { modRevision: 5 });
    expect(decoded.object.object).toMatchObject({ metadata: { name: "db" } });
    expect((decoded.object.object as JsonObject).metadata).not.toHaveProperty("resourceVersion");
  });
});

describe("readMaskedValue reveals one masked value", () => {
  const b64 = (value: string) => Buffer.from(value).toString("base64");
  const secret = encodeKubernetesObject({
    kind: "Secret",
    apiVersion: "v1",
    metadata: { name: "db" },
    data: { password: b64("hunter2"), user: b64("admin") },
    stringData: { token: "abc" },
  });

  it("returns data values as the API prints them (base64) and stringData as text", () => {
    expect(readMaskedValue(secret, ["data", "password"])).toEqual({ value: b64("hunter2"), encoding: "base64" });
    expect(readMaskedValue(secret, ["data", "user"])).toEqual({ value: b64("admin"), encoding: "base64" });
    expect(readMaskedValue(secret, ["stringData", "token"])).toEqual({ value: "abc", encoding: "text" });
  });

  it("reveals a value of a Secret embedded in another object by its full path", () => {
    const revision = encodeKubernetesObject({
      kind: "ControllerRevision",
      apiVersion: "apps/v1",
      metadata: { name: "r" },
      data: { kind: "Secret", apiVersion: "v1", data: { key: b64("v") } },
      revision: 1,
    });
    expect(readMaskedValue(revision, ["data", "data", "key"])).toEqual({ value: b64("v"), encoding: "base64" });
  });

  it.each([
    ["a key the Secret does not have", ["data", "missing"]],
    ["a value that is never masked", ["metadata", "name"]],
    ["a prefix of a masked path", ["data"]],
    ["an inherited property", ["data", "constructor"]],
  ])("returns undefined for %s", (_name, path) => {
    expect(readMaskedValue(secret, path)).toBeUndefined();
  });

  it("returns undefined for objects that mask nothing, and for values that are not objects", () => {
    const configMap = encodeKubernetesObject({ kind: "ConfigMap", apiVersion: "v1", data: { password: "visible" } });
    expect(readMaskedValue(configMap, ["data", "password"])).toBeUndefined();
    expect(readMaskedValue(text("hello"), ["data", "password"])).toBeUndefined();
  });
});

describe("strings on the wire", () => {
  /** A ConfigMap whose data holds each value under keys "0", "1", ... as raw bytes. */
  function configMapWith(values: Uint8Array[]): Uint8Array {
    const object = new WireWriter();
    values.forEach((value, i) => {
      const entry = new WireWriter();
      entry.tag(1, WIRE_LENGTH_DELIMITED);
      entry.string(String(i));
      entry.tag(2, WIRE_LENGTH_DELIMITED);
      entry.bytes(value);
      object.message(2, entry.finish());
    });
    return writeEnvelope("v1", "ConfigMap", object.finish());
  }

  it("decodes ASCII, multi-byte and invalid UTF-8 of every length as TextDecoder does (U+FFFD for bad bytes)", () => {
    const samples = ["", "TCP", "héllo wörld", "日本語のテキスト", "x".repeat(200) + "é", "emoji 🚀 in a label value"].map((value) =>
      new TextEncoder().encode(value),
    );
    const invalid = [
      new Uint8Array([0x61, 0xff, 0x62]),
      new Uint8Array([0xc3, 0x28]),
      new Uint8Array([0xe2, 0x82]),
      new Uint8Array([...text("y".repeat(100)), 0xf0, 0x9f]),
    ];
    const values = [...samples, ...invalid];
    const decoded = decodeObject(configMapWith(values));
    expect(decoded.error).toBeUndefined();
    const expected = Object.fromEntries(values.map((value, i) => [String(i), new TextDecoder().decode(value)]));
    expect(decoded.object.data).toEqual(expected);
  });
});
