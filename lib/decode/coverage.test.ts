// Which stored Kubernetes kinds have a schema: every kind kube-apiserver writes to etcd in the GA
// group versions, and the beta and alpha versions clusters still store. Each must be found by the
// registry and keep ObjectMeta in field 1 (a round trip of its metadata shows both). Whether each
// schema prints what Kubernetes prints is checked against Kubernetes' fixtures (fixtures.test.ts).
import { describe, expect, it } from "vitest";
import { getEngine } from "./engine";
import { decodeValue, encodeKubernetesObject, type KubernetesValue } from "./index";

const STORED_KINDS: Record<string, string[]> = {
  v1: [
    "Pod",
    "Service",
    "Endpoints",
    "ConfigMap",
    "Secret",
    "Node",
    "Namespace",
    "Event",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "ServiceAccount",
    "ReplicationController",
    "ResourceQuota",
    "LimitRange",
    "PodTemplate",
  ],
  "apps/v1": ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ControllerRevision"],
  "batch/v1": ["Job", "CronJob"],
  "autoscaling/v1": ["HorizontalPodAutoscaler"],
  "autoscaling/v2": ["HorizontalPodAutoscaler"],
  "networking.k8s.io/v1": ["Ingress", "IngressClass", "NetworkPolicy", "IPAddress", "ServiceCIDR"],
  "policy/v1": ["PodDisruptionBudget"],
  "rbac.authorization.k8s.io/v1": ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"],
  "storage.k8s.io/v1": ["StorageClass", "VolumeAttachment", "CSIDriver", "CSINode", "CSIStorageCapacity", "VolumeAttributesClass"],
  "coordination.k8s.io/v1": ["Lease"],
  "discovery.k8s.io/v1": ["EndpointSlice"],
  "events.k8s.io/v1": ["Event"],
  "scheduling.k8s.io/v1": ["PriorityClass"],
  "node.k8s.io/v1": ["RuntimeClass"],
  "certificates.k8s.io/v1": ["CertificateSigningRequest"],
  "admissionregistration.k8s.io/v1": [
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
  ],
  "flowcontrol.apiserver.k8s.io/v1": ["FlowSchema", "PriorityLevelConfiguration"],
  "apiextensions.k8s.io/v1": ["CustomResourceDefinition"],
  "apiextensions.k8s.io/v1beta1": ["CustomResourceDefinition"],
  "apiregistration.k8s.io/v1": ["APIService"],
  "apiregistration.k8s.io/v1beta1": ["APIService"],
  "resource.k8s.io/v1": ["ResourceClaim", "ResourceClaimTemplate", "DeviceClass", "ResourceSlice"],
  // Versions older clusters stored, and alpha APIs a cluster stores once the feature is on.
  "flowcontrol.apiserver.k8s.io/v1beta1": ["FlowSchema", "PriorityLevelConfiguration"],
  "flowcontrol.apiserver.k8s.io/v1beta2": ["FlowSchema", "PriorityLevelConfiguration"],
  "flowcontrol.apiserver.k8s.io/v1beta3": ["FlowSchema", "PriorityLevelConfiguration"],
  "admissionregistration.k8s.io/v1alpha1": [
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
  ],
  "certificates.k8s.io/v1alpha1": ["ClusterTrustBundle"],
  "coordination.k8s.io/v1alpha2": ["LeaseCandidate"],
  "internal.apiserver.k8s.io/v1alpha1": ["StorageVersion"],
  "node.k8s.io/v1alpha1": ["RuntimeClass"],
  "rbac.authorization.k8s.io/v1alpha1": ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"],
  "storage.k8s.io/v1alpha1": ["VolumeAttachment", "CSIStorageCapacity", "VolumeAttributesClass"],
  "resource.k8s.io/v1alpha3": ["DeviceTaintRule", "ResourcePoolStatusRequest"],
  "storagemigration.k8s.io/v1beta1": ["StorageVersionMigration"],
  "storagemigration.k8s.io/v1": ["StorageVersionMigration"],
  "lifecycle.k8s.io/v1alpha1": ["EvictionRequest"],
};

const cases = Object.entries(STORED_KINDS).flatMap(([apiVersion, kinds]) => kinds.map((kind) => [apiVersion, kind] as const));

describe("stored kinds with a schema", () => {
  it.each(cases)("%s %s is in the registry and keeps its metadata", (apiVersion, kind) => {
    expect(getEngine().registry.lookup(apiVersion, kind)?.name).toBe(kind);
    const object = { kind, apiVersion, metadata: { name: "x", namespace: "ns", uid: "u-1", labels: { app: "a" } } };
    const decoded = decodeValue(encodeKubernetesObject(object), { revealSecrets: true }) as KubernetesValue;
    expect(decoded).toMatchObject({ format: "kubernetes", known: true });
    // Fields without omitempty print too (a ClusterRole's "rules": null), so the rest is not compared.
    expect(decoded.object).toMatchObject(object);
  });
});

/** The JSON-schema wrappers of a CRD print as JSON values, not as the messages that carry them. */
const openApiSchema = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      default: { replicas: 1 },
      additionalProperties: false,
      properties: {
        ports: { type: "array", items: { type: "integer" } },
        tags: { type: "object", additionalProperties: { type: "string" } },
      },
    },
    extra: { "x-kubernetes-preserve-unknown-fields": true, dependencies: { a: ["b"] }, enum: ["x", 1, null] },
  },
};

describe("CustomResourceDefinition schemas", () => {
  it("keeps a v1 CRD's openAPIV3Schema exactly", () => {
    const crd = {
      kind: "CustomResourceDefinition",
      apiVersion: "apiextensions.k8s.io/v1",
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        names: { plural: "widgets", kind: "Widget" },
        scope: "Namespaced",
        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: openApiSchema } }],
      },
    };
    const decoded = decodeValue(encodeKubernetesObject(crd)) as KubernetesValue;
    expect(decoded.object).toMatchObject(crd);
  });

  it("keeps a v1beta1 CRD's validation schema exactly (clusters that predate v1 still store these)", () => {
    const crd = {
      kind: "CustomResourceDefinition",
      apiVersion: "apiextensions.k8s.io/v1beta1",
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        version: "v1",
        names: { plural: "widgets", kind: "Widget" },
        scope: "Namespaced",
        validation: { openAPIV3Schema: openApiSchema },
      },
    };
    const decoded = decodeValue(encodeKubernetesObject(crd)) as KubernetesValue;
    expect(decoded.object).toMatchObject(crd);
  });
});
