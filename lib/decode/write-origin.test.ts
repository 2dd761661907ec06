import { describe, expect, it } from "vitest";
import { encodeKubernetesObject } from "./index";
import { readWriteOrigin } from "./write-origin";

function pod(managedFields: { manager: string; time?: string }[], namespace = "shop") {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "web-1",
      namespace,
      labels: { app: "web" },
      managedFields: managedFields.map((entry) => ({ operation: "Update", apiVersion: "v1", fieldsType: "FieldsV1", ...entry })),
    },
    spec: { containers: [{ name: "web", image: "nginx:1.25" }] },
  };
}

describe("readWriteOrigin", () => {
  it("reads kind, namespace and the manager with the latest time from protobuf, wherever it is listed", () => {
    const value = encodeKubernetesObject(
      pod([
        { manager: "kubectl-client-side-apply", time: "2026-01-01T10:00:00Z" },
        { manager: "kubelet", time: "2026-01-01T12:00:00Z" },
        { manager: "kube-controller-manager", time: "2026-01-01T11:00:00Z" },
      ]),
    );
    expect(readWriteOrigin(value)).toEqual({ kind: "Pod", namespace: "shop", manager: "kubelet" });
  });

  it("reads the same from a JSON object (a custom resource)", () => {
    const json = JSON.stringify({
      ...pod([
        { manager: "helm", time: "2026-01-01T12:00:00Z" },
        { manager: "argocd", time: "2026-01-01T09:00:00Z" },
      ]),
      kind: "Widget",
      apiVersion: "example.com/v1",
    });
    expect(readWriteOrigin(Buffer.from(json))).toEqual({ kind: "Widget", namespace: "shop", manager: "helm" });
  });

  it("has an empty manager or namespace when the object has none", () => {
    const value = encodeKubernetesObject({ ...pod([]), metadata: { name: "n1" } });
    expect(readWriteOrigin(value)).toEqual({ kind: "Pod", namespace: "", manager: "" });
  });

  it("is null for values that are no Kubernetes object, and never throws on broken ones", () => {
    expect(readWriteOrigin(Buffer.from("plain text"))).toBeNull();
    expect(readWriteOrigin(Buffer.from("{not json"))).toBeNull();
    expect(readWriteOrigin(Buffer.from('{"a":1}'))).toBeNull();
    const value = encodeKubernetesObject(pod([{ manager: "kubelet", time: "2026-01-01T12:00:00Z" }]));
    for (let cut = 4; cut < value.length; cut += 7) expect(() => readWriteOrigin(value.subarray(0, cut))).not.toThrow();
  });
});
