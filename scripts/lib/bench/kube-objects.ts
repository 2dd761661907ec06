import { createHash } from "node:crypto";
import type { JsonObject } from "@/lib/decode/types";

// Kubernetes objects of realistic shape and size for the benchmark keyspace. Names and UIDs are
// derived from the index, so a re-run writes the same bytes.

const EPOCH = Date.parse("2026-11-20T09:00:00Z");

function timestamp(seconds: number): string {
  return new Date(EPOCH + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function uidFor(name: string): string {
  const hex = createHash("md5").update(name).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function meta(name: string, namespace: string, index: number, extra: JsonObject = {}): JsonObject {
  return {
    name,
    namespace,
    uid: uidFor(`${namespace}/${name}`),
    resourceVersion: String(1000 + index),
    creationTimestamp: timestamp(index),
    ...extra,
  };
}

const FIELDS_V1 = {
  "f:metadata": { "f:labels": { ".": {}, "f:app": {}, "f:pod-template-hash": {} }, "f:ownerReferences": { ".": {} } },
  "f:spec": { "f:containers": { 'k:{"name":"app"}': { ".": {}, "f:image": {}, "f:name": {}, "f:resources": {} } } },
};

/** A Pod of about 4 KB in protobuf, most of it the managedFields and env kube-apiserver keeps. */
export function pod(namespace: string, name: string, index: number): JsonObject {
  const env = Array.from({ length: 24 }, (_, i) => ({ name: `SETTING_${i}`, value: `value-${i}-${"v".repeat(40)}` }));
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: meta(name, namespace, index, {
      generateName: name.slice(0, name.lastIndexOf("-") + 1),
      labels: { app: name.split("-")[0], "pod-template-hash": "7c9d8f6b5", tier: "backend" },
      annotations: { "kubectl.kubernetes.io/restartedAt": timestamp(index), "example.com/build": "x".repeat(600) },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: "rs",
          uid: uidFor(`${namespace}/rs`),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: [
        {
          manager: "kube-controller-manager",
          operation: "Update",
          apiVersion: "v1",
          time: timestamp(index),
          fieldsType: "FieldsV1",
          fieldsV1: FIELDS_V1,
        },
        {
          manager: "kubelet",
          operation: "Update",
          apiVersion: "v1",
          time: timestamp(index + 5),
          fieldsType: "FieldsV1",
          fieldsV1: FIELDS_V1,
          subresource: "status",
        },
      ],
    }),
    spec: {
      containers: [
        {
          name: "app",
          image: "registry.example.com/team/app:1.2.3",
          ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
          env,
          resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
          imagePullPolicy: "IfNotPresent",
        },
      ],
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      dnsPolicy: "ClusterFirst",
      serviceAccountName: "default",
      nodeName: `node-${index % 500}`,
      schedulerName: "default-scheduler",
      enableServiceLinks: true,
    },
    status: {
      phase: "Running",
      conditions: [
        { type: "PodScheduled", status: "True", lastTransitionTime: timestamp(index) },
        { type: "Ready", status: "True", lastTransitionTime: timestamp(index + 9) },
      ],
      hostIP: "10.0.0.11",
      podIP: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`,
      startTime: timestamp(index + 1),
      containerStatuses: [
        {
          name: "app",
          state: { running: { startedAt: timestamp(index + 8) } },
          ready: true,
          restartCount: 0,
          image: "registry.example.com/team/app:1.2.3",
          imageID: "registry.example.com/team/app@sha256:2d194184b067db3598771b4cf326cfe6ad5051937ba1132b8b7d4b0184e0d0a6",
          containerID: `containerd://${createHash("sha256").update(name).digest("hex")}`,
          started: true,
        },
      ],
      qosClass: "Burstable",
    },
  };
}

export function event(namespace: string, name: string, index: number): JsonObject {
  const podName = name.slice(0, name.indexOf("."));
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: meta(name, namespace, index),
    involvedObject: {
      kind: "Pod",
      namespace,
      name: podName,
      uid: uidFor(`${namespace}/${podName}`),
      apiVersion: "v1",
      resourceVersion: String(index),
    },
    reason: index % 3 === 0 ? "Pulled" : index % 3 === 1 ? "Started" : "Scheduled",
    message: `Successfully assigned ${namespace}/${podName} to node-${index % 500}`,
    source: { component: "kubelet", host: `node-${index % 500}` },
    firstTimestamp: timestamp(index),
    lastTimestamp: timestamp(index),
    count: 1,
    type: "Normal",
    reportingComponent: "kubelet",
    reportingInstance: `node-${index % 500}`,
  };
}

export function replicaSet(namespace: string, name: string, index: number): JsonObject {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: meta(name, namespace, index, { labels: { app: name, "pod-template-hash": "7c9d8f6b5" } }),
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name, "pod-template-hash": "7c9d8f6b5" } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "app", image: "registry.example.com/team/app:1.2.3" }] },
      },
    },
    status: { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 },
  };
}

export function configMap(namespace: string, name: string, index: number, revision = 0): JsonObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(name, namespace, index),
    data: { "app.properties": `mode=production\nrevision=${revision}\nreplicas=${index % 7}\n`, "feature-flags": "a=true,b=false" },
  };
}

export function secret(namespace: string, name: string, index: number): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: meta(name, namespace, index),
    type: "Opaque",
    data: { password: Buffer.from(`secret-${index}`).toString("base64"), token: Buffer.from(uidFor(name)).toString("base64") },
  };
}

export function lease(name: string, index: number, renewal: number): JsonObject {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: meta(name, "kube-node-lease", index),
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: timestamp(index + renewal * 10).replace("Z", ".000000Z") },
  };
}

/** kubelet's status update of a pod(): a restart, the Ready condition flapping, its managedFields entry (the resourceVersion is the caller's). */
export function churnPodStatus(object: JsonObject, step: number): void {
  const metadata = object.metadata as JsonObject;
  const status = object.status as JsonObject;
  const managed = metadata.managedFields as JsonObject[];
  managed[1].time = timestamp(600 + step * 37);
  const conditions = status.conditions as JsonObject[];
  conditions[1].status = step % 2 ? "False" : "True";
  conditions[1].lastTransitionTime = timestamp(600 + step * 37);
  const container = (status.containerStatuses as JsonObject[])[0];
  container.restartCount = step;
  container.ready = step % 2 === 0;
  container.state = { running: { startedAt: timestamp(600 + step * 37) } };
}
