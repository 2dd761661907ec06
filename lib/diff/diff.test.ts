import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { DecodedValue, JsonObject, JsonValue, KubernetesValue } from "@/lib/decode/types";
import { diffJson, diffValues, formatPath, parsePattern, compileNoise, stripNoise, summarizeVersion, summarizeBytes } from "./index";
import { describeVersions } from "./lifecycle";
import { countChangedLines, diffText, foldUnchanged, toSplitRows } from "./text";

function kube(object: JsonObject, masked: KubernetesValue["masked"] = []): DecodedValue {
  return { format: "kubernetes", encoding: "protobuf", apiVersion: "apps/v1", kind: "Deployment", known: true, object, masked };
}

function deployment(replicas: number, resourceVersion: string, generation: number): JsonObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "web",
      resourceVersion,
      generation,
      managedFields: [{ manager: "kubectl", time: `2024-01-0${generation}T00:00:00Z` }],
    },
    spec: { replicas, template: { spec: { containers: [{ name: "web", image: "nginx:1.25" }] } } },
    status: { observedGeneration: generation },
  };
}

describe("diffJson", () => {
  it("reports changed, added and removed leaves with their paths", () => {
    const changes = diffJson({ a: 1, b: { c: "x", d: [1, 2] }, gone: true }, { a: 2, b: { c: "x", d: [1, 3, 4] }, fresh: null });
    expect(changes.map((item) => [item.path, item.kind, item.old, item.new])).toEqual([
      ["a", "changed", 1, 2],
      ["b.d[1]", "changed", 2, 3],
      ["b.d[2]", "added", undefined, 4],
      ["gone", "removed", true, undefined],
      ["fresh", "added", undefined, null],
    ]);
  });

  it("treats a type change as one change of the whole subtree", () => {
    expect(diffJson({ a: { b: 1 } }, { a: [1] })).toEqual([{ path: "a", segments: ["a"], kind: "changed", old: { b: 1 }, new: [1] }]);
  });

  it("finds nothing between equal values and something between unequal ones", () => {
    const json = fc.jsonValue() as fc.Arbitrary<JsonValue>;
    fc.assert(
      fc.property(json, json, (a, b) => {
        const copy = JSON.parse(JSON.stringify(a)) as JsonValue;
        expect(diffJson(a, copy)).toEqual([]);
        const same = JSON.stringify(a) === JSON.stringify(b);
        if (!same) expect(diffJson(a, b).length).toBeGreaterThan(0);
      }),
    );
  });
});

describe("paths and patterns", () => {
  it("brackets keys that are not identifiers and parses them back", () => {
    const path = formatPath(["metadata", "annotations", "deployment.kubernetes.io/revision"]);
    expect(path).toBe('metadata.annotations["deployment.kubernetes.io/revision"]');
    expect(parsePattern(path)).toEqual(["metadata", "annotations", "deployment.kubernetes.io/revision"]);
    expect(formatPath(["spec", "containers", 0, "image"])).toBe("spec.containers[0].image");
    expect(parsePattern("[oops")).toBeUndefined();
    expect(parsePattern("")).toBeUndefined();
  });
});

describe("diffValues and noise", () => {
  it("marks resourceVersion, managedFields times and generations as noise, the replica count not", () => {
    const changes = diffValues(kube(deployment(2, "10", 1)), kube(deployment(5, "14", 2)));
    const meaningful = changes.filter((item) => !item.noise).map((item) => item.path);
    const noise = changes.filter((item) => item.noise).map((item) => item.path);
    expect(meaningful).toEqual(["spec.replicas"]);
    expect(noise.sort()).toEqual([
      "metadata.generation",
      "metadata.managedFields[0].time",
      "metadata.resourceVersion",
      "status.observedGeneration",
    ]);
  });

  it("does not call fields of plain JSON documents noise", () => {
    const changes = diffValues(
      { format: "json", data: { metadata: { resourceVersion: "1" } } },
      { format: "json", data: { metadata: { resourceVersion: "2" } } },
    );
    expect(changes).toMatchObject([{ path: "metadata.resourceVersion", noise: false }]);
  });

  it("strips noise fields for the text diff and leaves the rest alone", () => {
    const original = deployment(2, "10", 1);
    const stripped = stripNoise(original, compileNoise(["metadata.resourceVersion", "metadata.managedFields[*].time"])) as JsonObject;
    expect(stripped.metadata).toEqual({ name: "web", generation: 1, managedFields: [{ manager: "kubectl" }] });
    expect(stripped.spec).toBe(original.spec);
    expect((original.metadata as JsonObject).resourceVersion).toBe("10");
  });

  it("says a masked Secret value changed only when its fingerprint did, without its content", () => {
    const secret = (fingerprints: Record<string, string>) =>
      kube(
        { apiVersion: "v1", kind: "Secret", data: Object.fromEntries(Object.keys(fingerprints).map((key) => [key, "<masked>"])) },
        Object.entries(fingerprints).map(([key, fingerprint]) => ({ path: ["data", key], length: 4, fingerprint })),
      );
    const changes = diffValues(secret({ password: "aaa", user: "bbb" }), secret({ password: "ccc", user: "bbb", token: "ddd" }));
    expect(changes.map((item) => [item.path, item.kind, item.masked])).toEqual([
      ["data.token", "added", true],
      ["data.password", "changed", true],
    ]);
    expect(JSON.stringify(changes)).not.toMatch(/aaa|ccc|ddd/);
  });

  it("summarizes a version in one line and is null without structure", () => {
    expect(summarizeVersion(kube(deployment(2, "10", 1)), kube(deployment(5, "14", 2)))).toBe("spec.replicas: 2 → 5");
    const pod = (phase: string, ip?: string) => kube({ status: ip ? { phase, podIP: ip } : { phase } });
    expect(summarizeVersion(pod("Pending"), pod("Running", "10.0.0.1"))).toBe(
      "status.phase: Pending → Running, status.podIP: (none) → 10.0.0.1",
    );
    expect(summarizeVersion({ format: "text", text: "a" }, { format: "text", text: "b" })).toBeNull();
    expect(summarizeVersion(kube(deployment(2, "10", 1)), kube(deployment(2, "11", 1)))).toBe("no meaningful change");
  });
});

describe("text diff", () => {
  const old = "a: 1\nb: 2\nreplicas: 2\nc: 3\n";
  const next = "a: 1\nb: 2\nreplicas: 5\nc: 3\nd: 4\n";

  it("pairs a changed line and marks the changed word", () => {
    const lines = diffText(old, next);
    expect(lines.map((line) => line.kind)).toEqual(["same", "same", "removed", "added", "same", "added"]);
    expect(lines[2].segments.filter((s) => s.changed).map((s) => s.text)).toEqual(["2"]);
    expect(lines[3].segments.filter((s) => s.changed).map((s) => s.text)).toEqual(["5"]);
    expect(lines[5]).toMatchObject({ newNumber: 5, segments: [{ text: "d: 4", changed: true }] });
    expect(countChangedLines(lines)).toEqual({ added: 2, removed: 1 });
  });

  it("lays changes side by side and folds long unchanged runs", () => {
    const rows = toSplitRows(diffText(old, next));
    expect(rows[2].left?.segments.map((s) => s.text).join("")).toBe("replicas: 2");
    expect(rows[2].right?.segments.map((s) => s.text).join("")).toBe("replicas: 5");
    expect(rows[4]).toMatchObject({ left: undefined, right: { kind: "added" } });
    const long = Array.from({ length: 20 }, (_, i) => `l${i}`).join("\n");
    const folded = foldUnchanged(diffText(long, long.replace("l10", "x10")), (line) => line.kind !== "same", 2);
    expect(folded.filter((item) => "fold" in item)).toEqual([
      { fold: 8, from: 0 },
      { fold: 7, from: 14 },
    ]);
  });
});

describe("summarizeBytes", () => {
  it("counts differing bytes and finds the first one", () => {
    expect(summarizeBytes(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 9, 3, 4))).toEqual({
      oldSize: 3,
      newSize: 4,
      equal: false,
      firstDifference: 1,
      differingBytes: 2,
    });
    expect(summarizeBytes(Uint8Array.of(1), Uint8Array.of(1))).toMatchObject({ equal: true, firstDifference: null });
    expect(summarizeBytes(Uint8Array.of(1), Uint8Array.of(1, 2))).toMatchObject({ equal: false, firstDifference: 1 });
  });
});

describe("describeVersions", () => {
  const json = (object: JsonObject) => new TextEncoder().encode(JSON.stringify(object));
  const map = (uid: string, flag: string) =>
    json({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "flags", uid }, data: { flag } });

  it("groups lifecycles, marks a re-create with a new uid, and summarizes updates", () => {
    const versions = [
      { type: "PUT" as const, revision: 9, version: 2, createRevision: 8, value: map("u2", "c") },
      { type: "PUT" as const, revision: 8, version: 1, createRevision: 8, value: map("u2", "b") },
      { type: "DELETE" as const, revision: 7, version: 0, createRevision: 5, value: map("u1", "b") },
      { type: "PUT" as const, revision: 6, version: 2, createRevision: 5, value: map("u1", "b") },
      { type: "PUT" as const, revision: 5, version: 1, createRevision: 5, value: map("u1", "a") },
    ];
    const meanings = describeVersions(versions, undefined, true);
    expect(meanings).toEqual([
      { lifecycle: 8, summary: "data.flag: b → c" },
      { lifecycle: 8, recreated: true, uidChanged: true, summary: "re-created with a new uid" },
      { lifecycle: 5, summary: "deleted" },
      { lifecycle: 5, summary: "data.flag: a → b" },
      { lifecycle: 5, recreated: false, summary: "created" },
    ]);
    const page = describeVersions(versions.slice(0, 2), undefined, false);
    expect(page[1]).toEqual({ lifecycle: 8, summary: "created" });
    expect(describeVersions(versions.slice(3, 4), undefined, false)[0].summary).toBeNull();
    expect(describeVersions(versions.slice(3, 4), versions[4], true)[0].summary).toBe("data.flag: a → b");
  });
});
