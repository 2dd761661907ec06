import { describe, expect, it } from "vitest";
import { decodeValue, encodeKubernetesObject, type JsonObject, type JsonValue } from "@/lib/decode";
import { compileSearchQuery } from "./match";
import { rawPrefilter } from "./prefilter";
import { formatPath, parseSearchQuery, type SearchTerm } from "./query";

// The prefilter may skip decoding only values that cannot match: for every scalar of real encoded
// objects (times, quantities, int-or-strings, bytes fields, embedded managedFields JSON), the
// condition `path=thatValue` matches the decoded object, so the prefilter must let its bytes through.

const objects: JsonObject[] = [
  {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "web-1",
      namespace: "shop",
      uid: "0b5c-11",
      creationTimestamp: "2026-01-02T03:04:05Z",
      labels: { app: "web", "app.kubernetes.io/name": "shop" },
      managedFields: [
        {
          manager: "kubectl",
          operation: "Apply",
          apiVersion: "v1",
          time: "2026-01-02T03:04:05Z",
          fieldsType: "FieldsV1",
          fieldsV1: { "f:spec": { "f:nodeName": {} } },
        },
      ],
    },
    spec: {
      nodeName: "node-1",
      terminationGracePeriodSeconds: 30,
      containers: [
        {
          name: "app",
          image: "nginx:1.25",
          resources: { requests: { cpu: "100m", memory: "64Mi" } },
          livenessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10 },
          ports: [{ containerPort: 8080, name: "http", protocol: "TCP" }],
        },
      ],
    },
    status: {
      phase: "Running",
      podIP: "10.244.1.7",
      startTime: "2026-01-02T03:04:06Z",
      conditions: [{ type: "Ready", status: "True", lastTransitionTime: "2026-01-02T03:04:07Z" }],
    },
  },
  {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "db", namespace: "shop", creationTimestamp: "2026-01-02T03:04:05Z" },
    type: "Opaque",
    data: { password: Buffer.from("hunter2").toString("base64"), key: Buffer.from([0, 1, 2, 250]).toString("base64") },
  },
  {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "cfg", namespace: "shop" },
    data: { mode: "fast" },
    binaryData: { blob: "AAEC" },
  },
];

function scalars(node: JsonValue, path: (string | number)[], out: [string, string][]): [string, string][] {
  if (node === null) return out;
  if (typeof node !== "object") out.push([formatPath(path), String(node)]);
  else if (Array.isArray(node)) node.forEach((item, i) => scalars(item, [...path, i], out));
  else for (const [name, child] of Object.entries(node)) scalars(child, [...path, name], out);
  return out;
}

const termsOf = (query: string): SearchTerm[] => {
  const parsed = parseSearchQuery(query);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.terms;
};

describe("rawPrefilter", () => {
  it("lets through every value a field condition matches", () => {
    let checked = 0;
    let skippable = 0;
    for (const object of objects) {
      const bytes = encodeKubernetesObject(object);
      const decoded = decodeValue(bytes, { revealSecrets: true });
      if (decoded.format !== "kubernetes") throw new Error(decoded.format);
      for (const [path, value] of scalars(decoded.object, [], [])) {
        const query = `${path}=${JSON.stringify(value)}`;
        const terms = termsOf(query);
        expect(compileSearchQuery(terms).match("/k", decoded), query).not.toBeNull();
        const prefilter = rawPrefilter(terms);
        if (prefilter) skippable += 1;
        expect(prefilter ? prefilter(bytes) : true, query).toBe(true);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(40);
    // Most conditions do use the prefilter, or the test proves little.
    expect(skippable).toBeGreaterThan(checked / 3);
  });

  it("skips a Kubernetes protobuf without the text, and never another format", () => {
    const prefilter = rawPrefilter(termsOf("spec.containers[*].image=redis:7"))!;
    expect(prefilter(encodeKubernetesObject(objects[0]))).toBe(false);
    expect(prefilter(Buffer.from(JSON.stringify(objects[0])))).toBe(true);
    expect(rawPrefilter(termsOf("status.phase!=Running"))).toBeUndefined();
    expect(rawPrefilter(termsOf("nginx"))).toBeUndefined();
  });
});
