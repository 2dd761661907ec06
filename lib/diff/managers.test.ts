import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decodeValue, encodeKubernetesObject } from "@/lib/decode";
import type { JsonObject, JsonValue } from "@/lib/decode/types";
import { describeVersions } from "./lifecycle";
import {
  findChangeManagers,
  findFieldOwners,
  formatManager,
  formatManagerChange,
  listFieldSetMembers,
  ownsField,
  readManagedFields,
} from "./managers";

// The Deployment of Kubernetes' own serialization fixtures (every field filled), decoded from the
// protobuf bytes kube-apiserver stores, then given the managedFields a real cluster writes as it
// is applied with kubectl, scaled with `kubectl scale` and reconciled by the controller manager.

const fixturesDir = process.env.ETCDLENS_FIXTURES_DIR || path.resolve(process.cwd(), "../shared/fixtures/k8s-api/HEAD");
const fixture = path.join(fixturesDir, "apps.v1.Deployment.pb");
const present = existsSync(fixture);
if (!present) console.warn(`managedFields fixture tests did NOT run: ${fixture} does not exist`);

function decodeFixture(): JsonObject {
  const decoded = decodeValue(new Uint8Array(readFileSync(fixture)), { typeHint: { apiVersion: "apps/v1", kind: "Deployment" } });
  if (decoded.format !== "kubernetes") throw new Error(`the fixture decoded as ${decoded.format}`);
  return decoded.object;
}

const clientSideApply = (time: string, withReplicas: boolean): JsonObject => ({
  manager: "kubectl-client-side-apply",
  operation: "Update",
  apiVersion: "apps/v1",
  time,
  fieldsType: "FieldsV1",
  fieldsV1: {
    "f:metadata": {
      "f:annotations": { ".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {} },
      "f:finalizers": { ".": {}, 'v:"example.com/hold"': {} },
    },
    "f:spec": {
      ...(withReplicas ? { "f:replicas": {} } : {}),
      "f:template": {
        "f:spec": {
          "f:containers": {
            'k:{"name":"nameValue"}': { ".": {}, "f:name": {}, "f:image": {}, "f:args": {} },
          },
        },
      },
    },
  },
});

const scaledBy = (time: string): JsonObject => ({
  manager: "kubectl",
  operation: "Update",
  apiVersion: "apps/v1",
  time,
  fieldsType: "FieldsV1",
  fieldsV1: { "f:spec": { "f:replicas": {} } },
  subresource: "scale",
});

const controllerStatus = (time: string): JsonObject => ({
  manager: "kube-controller-manager",
  operation: "Update",
  apiVersion: "apps/v1",
  time,
  fieldsType: "FieldsV1",
  fieldsV1: {
    "f:status": {
      "f:replicas": {},
      "f:readyReplicas": {},
      "f:conditions": { ".": {}, 'k:{"type":"typeValue"}': { ".": {}, "f:status": {}, "f:type": {}, "f:lastUpdateTime": {} } },
    },
  },
  subresource: "status",
});

/** A version of the fixture Deployment: its replicas, status replicas and managedFields. */
function version(base: JsonObject, replicas: number, readyReplicas: number, managedFields: JsonObject[]): JsonObject {
  const object = structuredClone(base);
  const metadata = object.metadata as JsonObject;
  metadata.managedFields = managedFields;
  (object.spec as JsonObject).replicas = replicas;
  const status = object.status as JsonObject;
  status.replicas = readyReplicas;
  status.readyReplicas = readyReplicas;
  return object;
}

describe.skipIf(!present)("managedFields of the fixture Deployment", () => {
  const base = present ? decodeFixture() : {};
  const applied = version(base, 2, 2, [clientSideApply("2026-11-20T09:00:00Z", true), controllerStatus("2026-11-20T09:00:05Z")]);
  const scaled = version(base, 5, 2, [
    clientSideApply("2026-11-20T09:00:00Z", false),
    controllerStatus("2026-11-20T09:00:05Z"),
    scaledBy("2026-11-20T09:10:00Z"),
  ]);
  const reconciled = version(base, 5, 5, [
    clientSideApply("2026-11-20T09:00:00Z", false),
    controllerStatus("2026-11-20T09:10:02Z"),
    scaledBy("2026-11-20T09:10:00Z"),
  ]);

  it("reads the fixture's own entry (every field filled, an empty set) as it was decoded from protobuf", () => {
    expect(readManagedFields(base)).toEqual([
      {
        manager: "managerValue",
        operation: "operationValue",
        subresource: "subresourceValue",
        identity: JSON.stringify(["managerValue", "operationValue", "", "subresourceValue"]),
        time: "2004-01-01T01:01:01Z",
        fields: {},
      },
    ]);
    // An empty set owns nothing, not everything.
    expect(findFieldOwners(base, ["spec", "replicas"])).toEqual([]);
    expect(findChangeManagers(undefined, base)).toEqual([
      { manager: "managerValue", operation: "operationValue", subresource: "subresourceValue", fields: [] },
    ]);
  });

  it("lists a fieldsV1 set's members through f:, k:, v: and . keys", () => {
    expect(listFieldSetMembers(clientSideApply("t", true).fieldsV1 as JsonObject)).toEqual([
      ["f:metadata", "f:annotations", "."],
      ["f:metadata", "f:annotations", "f:kubectl.kubernetes.io/last-applied-configuration"],
      ["f:metadata", "f:finalizers", "."],
      ["f:metadata", "f:finalizers", 'v:"example.com/hold"'],
      ["f:spec", "f:replicas"],
      ["f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"nameValue"}', "."],
      ["f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"nameValue"}', "f:name"],
      ["f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"nameValue"}', "f:image"],
      ["f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"nameValue"}', "f:args"],
    ]);
  });

  it("names kubectl's scale, not the apply that lost spec.replicas to it", () => {
    expect(findChangeManagers(applied, scaled)).toEqual([
      { manager: "kubectl", operation: "Update", subresource: "scale", fields: ["spec.replicas"] },
    ]);
  });

  it("names the controller manager's status write by its moved time, with the status fields it owns that changed", () => {
    expect(findChangeManagers(scaled, reconciled)).toEqual([
      {
        manager: "kube-controller-manager",
        operation: "Update",
        subresource: "status",
        fields: ["status.replicas", "status.readyReplicas"],
      },
    ]);
  });

  it("names no one when no entry moved, and nothing for a value without managedFields", () => {
    expect(findChangeManagers(reconciled, structuredClone(reconciled))).toEqual([]);
    expect(findChangeManagers({ level: "info" }, { level: "debug" })).toBeUndefined();
    expect(findChangeManagers(undefined, "text" as JsonValue)).toBeUndefined();
  });

  it("names every manager of a create with the fields it set, two names deep and never a set item's value", () => {
    const creators = findChangeManagers(undefined, applied);
    expect(creators).toEqual([
      {
        manager: "kubectl-client-side-apply",
        operation: "Update",
        fields: ["metadata.annotations", "metadata.finalizers", "spec.replicas", "spec.template"],
      },
      {
        manager: "kube-controller-manager",
        operation: "Update",
        subresource: "status",
        fields: ["status.replicas", "status.readyReplicas", "status.conditions"],
      },
    ]);
    expect(JSON.stringify(creators)).not.toContain("example.com/hold");
  });

  it("finds a field's owner through list items matched by key, by value, and below an atomic field", () => {
    const containers = ["spec", "template", "spec", "containers"];
    expect(findFieldOwners(reconciled, [...containers, 0, "image"]).map(formatManager)).toEqual(["kubectl-client-side-apply · Update"]);
    // args is atomic (a leaf of the set): every item inside it is its owner's.
    expect(findFieldOwners(reconciled, [...containers, 0, "args", 0]).map(formatManager)).toEqual(["kubectl-client-side-apply · Update"]);
    // Fields of the same item that no entry lists have no owner.
    expect(findFieldOwners(reconciled, [...containers, 0, "workingDir"])).toEqual([]);
    expect(findFieldOwners(reconciled, ["status", "conditions", 0, "status"]).map(formatManager)).toEqual([
      "kube-controller-manager · Update · status",
    ]);
    expect(findFieldOwners(reconciled, ["spec", "replicas"]).map(formatManager)).toEqual(["kubectl · Update · scale"]);
    expect(findFieldOwners(reconciled, ["metadata", "resourceVersion"])).toEqual([]);
    const finalizers = (reconciled.metadata as JsonObject).finalizers as JsonValue[];
    const held = { ...reconciled, metadata: { ...(reconciled.metadata as JsonObject), finalizers: [...finalizers, "example.com/hold"] } };
    expect(ownsField(clientSideApply("t", false).fieldsV1 as JsonObject, held, ["metadata", "finalizers", finalizers.length])).toBe(true);
    expect(ownsField(clientSideApply("t", false).fieldsV1 as JsonObject, held, ["metadata", "finalizers", 0])).toBe(false);
  });

  it("formats a change the way the history pane and the feed show it", () => {
    expect(formatManagerChange({ manager: "kube-controller-manager", operation: "Update", subresource: "status", fields: [] })).toBe(
      "kube-controller-manager · Update · status",
    );
    expect(
      formatManagerChange({ manager: "kubectl-client-side-apply", operation: "Update", fields: ["spec.replicas", "a", "b", "c"] }),
    ).toBe("kubectl-client-side-apply · Update: spec.replicas, a, b, +1 more");
  });

  it("attaches the managers to history entries decoded from the stored protobuf bytes", () => {
    const input = (object: JsonObject, revision: number, versionNumber: number) => ({
      type: "PUT" as const,
      revision,
      version: versionNumber,
      createRevision: 10,
      value: encodeKubernetesObject(object),
    });
    const meanings = describeVersions([input(reconciled, 12, 3), input(scaled, 11, 2), input(applied, 10, 1)], undefined, true);
    expect(meanings.map((meaning) => meaning.managers?.map((change) => formatManagerChange(change)))).toEqual([
      ["kube-controller-manager · Update · status: status.replicas, status.readyReplicas"],
      ["kubectl · Update · scale: spec.replicas"],
      [
        "kubectl-client-side-apply · Update: metadata.annotations, metadata.finalizers, spec.replicas, +1 more",
        "kube-controller-manager · Update · status: status.replicas, status.readyReplicas, status.conditions",
      ],
    ]);
  });
});
