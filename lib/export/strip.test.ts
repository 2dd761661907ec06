import { describe, expect, it } from "vitest";
import { describeStripping, parseKeep, stripServerFields } from "./strip";

const pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: "web",
    namespace: "shop",
    uid: "u-1",
    resourceVersion: "42",
    generation: 3,
    creationTimestamp: "2026-01-01T00:00:00Z",
    selfLink: "/api/v1/namespaces/shop/pods/web",
    managedFields: [{ manager: "kubectl" }],
    labels: { app: "web" },
    annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}", team: "a" },
  },
  spec: { containers: [{ name: "app", image: "nginx" }] },
  status: { phase: "Running" },
};

describe("stripServerFields", () => {
  it("takes out what the API server sets and keeps what a person wrote", () => {
    expect(stripServerFields(pod, new Set())).toEqual({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", namespace: "shop", labels: { app: "web" }, annotations: { team: "a" } },
      spec: pod.spec,
    });
    expect(pod.metadata.uid).toBe("u-1"); // the input is left alone
  });

  it("keeps the fields keep= names, and drops an annotations map left empty", () => {
    const kept = stripServerFields(pod, new Set(["status", "uid", "last-applied"]));
    expect(kept.status).toEqual({ phase: "Running" });
    expect(kept.metadata).toMatchObject({ uid: "u-1", annotations: pod.metadata.annotations });
    expect(kept.metadata).not.toHaveProperty("resourceVersion");
    const onlyLastApplied = { ...pod, metadata: { name: "x", annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" } } };
    expect(stripServerFields(onlyLastApplied, new Set()).metadata).toEqual({ name: "x" });
  });
});

describe("parseKeep", () => {
  it("reads a comma list and refuses an unknown name with the known ones", () => {
    const parsed = parseKeep("status, uid,");
    expect(parsed.ok && [...parsed.keep]).toEqual(["status", "uid"]);
    const bad = parseKeep("status,spec");
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toContain('not "spec"');
    expect(!bad.ok && bad.message).toContain("managedFields");
    expect(parseKeep("__proto__").ok).toBe(false);
  });

  it("says in the header what was stripped and how to keep it", () => {
    const [what, how] = describeStripping(new Set(["status"]));
    expect(what).toContain("metadata.resourceVersion");
    expect(what).not.toContain("status");
    expect(how).toContain("keep=resourceVersion,uid,");
  });
});
