import { describe, expect, it } from "vitest";
import { decodeValue, encodeKubernetesObject, type JsonObject } from "@/lib/decode";
import { summarizeVersion } from "./index";

// A Pod as the kubelet writes it before and after its container crashed and was restarted: the
// status update changes the Ready and ContainersReady conditions (and their lastTransitionTime),
// the container's state, lastState and restartCount, and the resource version.

function pod(restart: boolean, ready: boolean, resourceVersion: string): JsonObject {
  const time = (minute: number) => `2024-05-01T10:${String(minute).padStart(2, "0")}:00Z`;
  const condition = (type: string, status: boolean, at: number) => ({
    type,
    status: status ? "True" : "False",
    lastProbeTime: null,
    lastTransitionTime: time(at),
  });
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "web-7c9d8f6b5-x2x9k",
      namespace: "shop",
      uid: "5b1f6a55-3b0e-4a4e-9d5b-0f6c1c2b8e11",
      resourceVersion,
      creationTimestamp: time(0),
      managedFields: [
        { manager: "kubelet", operation: "Update", apiVersion: "v1", time: restart ? time(7) : time(1), fieldsType: "FieldsV1" },
      ],
    },
    spec: { nodeName: "node-a", containers: [{ name: "web", image: "nginx:1.25" }] },
    status: {
      phase: "Running",
      conditions: [
        condition("Initialized", true, 0),
        condition("Ready", ready, restart ? 7 : 1),
        condition("ContainersReady", ready, restart ? 7 : 1),
        condition("PodScheduled", true, 0),
      ],
      hostIP: "10.0.0.5",
      podIP: "10.244.1.7",
      startTime: time(0),
      containerStatuses: [
        {
          name: "web",
          ready,
          restartCount: restart ? 1 : 0,
          image: "docker.io/library/nginx:1.25",
          imageID: "docker.io/library/nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
          containerID: restart ? "containerd://b2" : "containerd://a1",
          started: ready,
          state: { running: { startedAt: restart ? time(7) : time(1) } },
          lastState: restart
            ? {
                terminated: { exitCode: 137, reason: "OOMKilled", startedAt: time(1), finishedAt: time(6), containerID: "containerd://a1" },
              }
            : {},
        },
      ],
      qosClass: "Burstable",
    },
  };
}

const decoded = (object: JsonObject) => decodeValue(encodeKubernetesObject(object));

describe("summarizeVersion ranks what changed", () => {
  it("leads a Pod restart with restartCount, not with the conditions' timestamps", () => {
    const summary = summarizeVersion(decoded(pod(false, true, "100")), decoded(pod(true, true, "140")));
    expect(summary).toMatch(/^status\.containerStatuses\[0\]\.restartCount: 0 → 1, /);
    expect(summary).not.toMatch(/lastTransitionTime.*\+\d+ more$/);
    expect(summary?.split(", +")[0]).not.toContain("lastTransitionTime");
  });

  it("names a readiness change before timestamps, and timestamps only after every other field", () => {
    const summary = summarizeVersion(decoded(pod(false, true, "100")), decoded(pod(false, false, "120")));
    // Ready and ContainersReady flip; each condition's status and the container's ready and started move.
    expect(summary).toMatch(/^status\.containerStatuses\[0\]\.ready: true → false, /);
    expect(summary).not.toContain("lastTransitionTime");
  });

  it("keeps document order among equally meaningful fields", () => {
    const before = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: { replicas: 2, template: { spec: { containers: [{ name: "web", image: "nginx:1.25" }] } } },
    };
    const after = { ...before, spec: { replicas: 5, template: { spec: { containers: [{ name: "web", image: "nginx:1.27" }] } } } };
    expect(summarizeVersion(decoded(before), decoded(after))).toBe(
      "spec.replicas: 2 → 5, spec.template.spec.containers[0].image: nginx:1.25 → nginx:1.27",
    );
  });

  it("puts a lone timestamp change in the summary when nothing else changed", () => {
    const before = pod(false, true, "100");
    const after = pod(false, true, "101");
    (after.status as { startTime: string }).startTime = "2024-05-01T11:00:00Z";
    expect(summarizeVersion(decoded(before), decoded(after))).toBe("status.startTime: 2024-05-01T10:00:00Z → 2024-05-01T11:00:00Z");
  });
});
