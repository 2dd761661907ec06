import { describe, expect, it } from "vitest";
import { encodeKubernetesObject, type JsonObject } from "@/lib/decode";
import { clockHintOf } from "./clock-hints";

const T0 = "2026-11-20T09:00:00Z";
const ms = (iso: string) => Date.parse(iso);
const bytes = (object: JsonObject) => Buffer.from(encodeKubernetesObject(object));

function pod(managedTimes: string[], created = T0): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "web-1",
      namespace: "shop",
      creationTimestamp: created,
      managedFields: managedTimes.map((time, index) => ({ manager: `m${index}`, operation: "Update", apiVersion: "v1", time })),
    },
    // A status time is not the write's time (kubelet copies it from the container runtime).
    status: { phase: "Running", startTime: "2026-11-20T12:00:00Z" },
  };
}

function lease(renewTime: string): JsonObject {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name: "node-1", namespace: "kube-node-lease", creationTimestamp: T0 },
    spec: { holderIdentity: "node-1", leaseDurationSeconds: 40, renewTime },
  };
}

describe("clockHintOf", () => {
  it("reads a Lease's renewTime with its microseconds cut to milliseconds", () => {
    const value = bytes(lease("2026-11-20T09:05:10.123456Z"));
    expect(clockHintOf({ key: Buffer.from("/registry/leases/kube-node-lease/node-1"), version: 7, value })).toBe(
      ms("2026-11-20T09:05:10.123Z"),
    );
  });

  it("reads an Event's newest time (lastTimestamp past firstTimestamp)", () => {
    const value = bytes({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "web-1.1", namespace: "shop", creationTimestamp: T0 },
      involvedObject: { kind: "Pod", name: "web-1" },
      reason: "BackOff",
      firstTimestamp: T0,
      lastTimestamp: "2026-11-20T09:07:00Z",
      count: 4,
    });
    expect(clockHintOf({ key: Buffer.from("/registry/events/shop/web-1.1"), version: 4, value })).toBe(ms("2026-11-20T09:07:00Z"));
  });

  it("takes creationTimestamp only for a create, and the newest managedFields time for an update", () => {
    const value = bytes(pod(["2026-11-20T09:01:00Z", "2026-11-20T09:03:00Z", "2026-11-20T09:02:00Z"]));
    const key = Buffer.from("/registry/pods/shop/web-1");
    expect(clockHintOf({ key, version: 1, value })).toBe(ms(T0));
    expect(clockHintOf({ key, version: 5, value })).toBe(ms("2026-11-20T09:03:00Z"));
  });

  it("tells nothing for an update without managedFields, whatever its status says", () => {
    expect(clockHintOf({ key: Buffer.from("/registry/pods/shop/web-1"), version: 2, value: bytes(pod([])) })).toBeNull();
  });

  it("reads JSON custom resources like protobuf objects", () => {
    const widget = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "blue", creationTimestamp: T0, managedFields: [{ manager: "kubectl", time: "2026-11-20T10:00:00Z" }] },
    };
    const value = Buffer.from(JSON.stringify(widget));
    const key = Buffer.from("/registry/example.com/widgets/default/blue");
    expect(clockHintOf({ key, version: 1, value })).toBe(ms(T0));
    expect(clockHintOf({ key, version: 3, value })).toBe(ms("2026-11-20T10:00:00Z"));
  });

  it("tells nothing, and never throws, for values that are not Kubernetes objects", () => {
    const key = Buffer.from("/registry/leases/kube-node-lease/node-1");
    const truncated = bytes(lease("2026-11-20T09:05:10Z")).subarray(0, 30);
    const podBytes = bytes(pod(["2026-11-20T09:01:00Z"]));
    for (const value of [Buffer.alloc(0), Buffer.from("plain text"), Buffer.from([0xff, 0x00, 0x13]), truncated]) {
      expect(clockHintOf({ key, version: 2, value })).toBeNull();
    }
    for (let cut = 4; cut < podBytes.length; cut += 7) {
      const hint = clockHintOf({ key: Buffer.from("/registry/pods/shop/web-1"), version: 2, value: podBytes.subarray(0, cut) });
      expect(hint === null || hint === ms("2026-11-20T09:01:00Z")).toBe(true);
    }
  });
});
