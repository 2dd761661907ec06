import { createHash } from "node:crypto";
import type { Etcd3 } from "etcd3";
import { encodeKubernetesObject } from "@/lib/decode";
import type { JsonObject } from "@/lib/decode/types";

// What a small Kubernetes cluster leaves in etcd, with real history: objects are written the way
// kube-apiserver writes them (protobuf for built-in types, JSON for custom resources), updated
// over several revisions, and one is deleted and re-created. Used by `npm run demo` and by the
// end-to-end tests, which look revisions up through the API instead of assuming them.

type Writer = (key: string | Buffer, value: string | Buffer) => Promise<number>;

const EPOCH = Date.parse("2026-11-20T09:00:00Z");

function timestamp(minutes: number): string {
  return new Date(EPOCH + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function microTimestamp(minutes: number): string {
  return new Date(EPOCH + minutes * 60_000).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** A stable UUID for a name, so that a re-run of the seeder writes the same objects. */
function uidFor(name: string): string {
  const hex = createHash("sha256").update(name).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function meta(name: string, namespace: string | undefined, minutes: number, extra: JsonObject = {}): JsonObject {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    uid: uidFor(`${namespace ?? ""}/${name}/${minutes}`),
    creationTimestamp: timestamp(minutes),
    ...extra,
  };
}

function managedBy(manager: string, minutes: number, operation = "Update"): JsonObject {
  return {
    manager,
    operation,
    apiVersion: "v1",
    time: timestamp(minutes),
    fieldsType: "FieldsV1",
    fieldsV1: { "f:metadata": { "f:labels": { ".": {}, "f:app": {} } } },
  };
}

function managedEntry(manager: string, minutes: number, fieldsV1: JsonObject, subresource?: string): JsonObject {
  return {
    manager,
    operation: "Update",
    apiVersion: "apps/v1",
    time: timestamp(minutes),
    fieldsType: "FieldsV1",
    fieldsV1,
    ...(subresource ? { subresource } : {}),
  };
}

/**
 * The Deployment's field managers as a cluster records them: applied with kubectl at minute 4,
 * scaled from generation 2 on with `kubectl scale` (which takes spec.replicas from the apply), its
 * status written by the controller manager.
 */
function deploymentManagers(generation: number, minutes: number): JsonObject[] {
  const spec: JsonObject = {
    "f:progressDeadlineSeconds": {},
    "f:revisionHistoryLimit": {},
    "f:selector": {},
    "f:strategy": { "f:rollingUpdate": { ".": {}, "f:maxSurge": {}, "f:maxUnavailable": {} }, "f:type": {} },
    "f:template": {
      "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
      "f:spec": {
        "f:containers": { 'k:{"name":"web"}': { ".": {}, "f:image": {}, "f:name": {}, "f:ports": {} } },
        "f:dnsPolicy": {},
        "f:restartPolicy": {},
        "f:schedulerName": {},
        "f:terminationGracePeriodSeconds": {},
      },
    },
  };
  const scaled = generation > 1;
  return [
    managedEntry("kubectl-client-side-apply", 4, {
      "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
      "f:spec": scaled ? spec : { "f:replicas": {}, ...spec },
    }),
    ...(scaled ? [managedEntry("kubectl", minutes, { "f:spec": { "f:replicas": {} } }, "scale")] : []),
    managedEntry("kube-controller-manager", 4, {
      "f:metadata": { "f:annotations": { ".": {}, "f:deployment.kubernetes.io/revision": {} } },
    }),
    managedEntry(
      "kube-controller-manager",
      minutes,
      {
        "f:status": {
          "f:availableReplicas": {},
          "f:conditions": {
            ".": {},
            'k:{"type":"Available"}': {
              ".": {},
              "f:lastTransitionTime": {},
              "f:lastUpdateTime": {},
              "f:message": {},
              "f:reason": {},
              "f:status": {},
              "f:type": {},
            },
          },
          "f:observedGeneration": {},
          "f:readyReplicas": {},
          "f:replicas": {},
          "f:updatedReplicas": {},
        },
      },
      "status",
    ),
  ];
}

function namespace(name: string): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: meta(name, undefined, 0, { labels: { "kubernetes.io/metadata.name": name } }),
    spec: { finalizers: ["kubernetes"] },
    status: { phase: "Active" },
  };
}

function pod(phase: "Pending" | "Running", restarts: number, minutes: number, podIP?: string): JsonObject {
  const ready = phase === "Running" ? "True" : "False";
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: meta("web-7c9d8f6b5-x2x9k", "shop", 5, {
      generateName: "web-7c9d8f6b5-",
      labels: { app: "web", "pod-template-hash": "7c9d8f6b5" },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: "web-7c9d8f6b5",
          uid: uidFor("shop/web-7c9d8f6b5/4"),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: [managedBy("kube-controller-manager", 5), managedBy("kubelet", minutes)],
    }),
    spec: {
      containers: [
        {
          name: "web",
          image: "nginx:1.27",
          ports: [{ name: "http", containerPort: 80, protocol: "TCP" }],
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
      nodeName: phase === "Running" ? "node-1" : "",
      schedulerName: "default-scheduler",
      enableServiceLinks: true,
    },
    status: {
      phase,
      conditions: [
        { type: "PodScheduled", status: "True", lastTransitionTime: timestamp(5) },
        { type: "Ready", status: ready, lastTransitionTime: timestamp(minutes) },
      ],
      ...(podIP ? { hostIP: "10.0.0.11", podIP, podIPs: [{ ip: podIP }], startTime: timestamp(6) } : {}),
      containerStatuses:
        phase === "Running"
          ? [
              {
                name: "web",
                state: { running: { startedAt: timestamp(minutes) } },
                ready: true,
                restartCount: restarts,
                image: "docker.io/library/nginx:1.27",
                imageID: "docker.io/library/nginx@sha256:2d194184b067db3598771b4cf326cfe6ad5051937ba1132b8b7d4b0184e0d0a6",
                containerID: `containerd://${createHash("sha256").update(`web-${restarts}`).digest("hex")}`,
                started: true,
              },
            ]
          : [],
      qosClass: "Burstable",
    },
  };
}

function deployment(replicas: number, generation: number, minutes: number): JsonObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta("web", "shop", 4, {
      generation,
      labels: { app: "web" },
      annotations: { "deployment.kubernetes.io/revision": "1" },
      managedFields: deploymentManagers(generation, minutes),
    }),
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80, protocol: "TCP" }] }],
          restartPolicy: "Always",
          terminationGracePeriodSeconds: 30,
          dnsPolicy: "ClusterFirst",
          schedulerName: "default-scheduler",
        },
      },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {
      observedGeneration: generation,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      conditions: [
        {
          type: "Available",
          status: "True",
          lastUpdateTime: timestamp(minutes),
          lastTransitionTime: timestamp(6),
          reason: "MinimumReplicasAvailable",
          message: "Deployment has minimum availability.",
        },
      ],
    },
  };
}

function replicaSet(replicas: number, minutes: number): JsonObject {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: meta("web-7c9d8f6b5", "shop", 4, {
      labels: { app: "web", "pod-template-hash": "7c9d8f6b5" },
      ownerReferences: [
        { apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: uidFor("shop/web/4"), controller: true, blockOwnerDeletion: true },
      ],
      managedFields: [managedBy("kube-controller-manager", minutes)],
    }),
    spec: {
      replicas,
      selector: { matchLabels: { app: "web", "pod-template-hash": "7c9d8f6b5" } },
      template: {
        metadata: { labels: { app: "web", "pod-template-hash": "7c9d8f6b5" } },
        spec: { containers: [{ name: "web", image: "nginx:1.27" }], restartPolicy: "Always" },
      },
    },
    status: { replicas, fullyLabeledReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, observedGeneration: 1 },
  };
}

function event(namespaceName: string, name: string, reason: string, message: string, minutes: number): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: meta(name, namespaceName, minutes),
    involvedObject: { kind: "Pod", namespace: namespaceName, name: "web-7c9d8f6b5-x2x9k", apiVersion: "v1" },
    reason,
    message,
    source: { component: "kubelet", host: "node-1" },
    firstTimestamp: timestamp(minutes),
    lastTimestamp: timestamp(minutes),
    count: 1,
    type: "Normal",
    reportingComponent: "kubelet",
    reportingInstance: "node-1",
  };
}

function nodeLease(node: string, renewMinutes: number): JsonObject {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: meta(node, "kube-node-lease", 0, {
      ownerReferences: [{ apiVersion: "v1", kind: "Node", name: node, uid: uidFor(`node/${node}`) }],
    }),
    spec: { holderIdentity: node, leaseDurationSeconds: 40, renewTime: microTimestamp(renewMinutes) },
  };
}

function configMap(namespaceName: string, name: string, data: Record<string, string>, minutes: number): JsonObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: meta(name, namespaceName, minutes), data };
}

function secret(): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: meta("db-credentials", "shop", 3),
    type: "Opaque",
    data: {
      username: Buffer.from("shop").toString("base64"),
      password: Buffer.from("correct horse battery staple").toString("base64"),
    },
  };
}

function widget(color: string, size: number): JsonObject {
  return {
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata: {
      name: "blue-widget",
      namespace: "shop",
      uid: uidFor("shop/blue-widget"),
      generation: size,
      creationTimestamp: timestamp(8),
    },
    spec: { color, size },
    status: { ready: size > 1 },
  };
}

export const DEMO_KEYS = {
  pod: "/registry/pods/shop/web-7c9d8f6b5-x2x9k",
  deployment: "/registry/deployments/shop/web",
  recreated: "/registry/configmaps/shop/feature-flags",
  secret: "/registry/secrets/shop/db-credentials",
  widget: "/registry/example.com/widgets/shop/blue-widget",
  binaryValue: "/demo/binary/blob",
  binaryKey: Buffer.concat([Buffer.from("/demo/binary/key-"), Buffer.from([0xff, 0xfe, 0x00, 0x41])]),
  large: "/demo/large/inventory.json",
  yaml: "/demo/config/app.yaml",
  relative: "foo",
  masterLease: "/registry/masterleases/10.0.0.11",
} as const;

function masterLeaseEndpoints(): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: meta("10.0.0.11", undefined, 0),
    subsets: [{ addresses: [{ ip: "10.0.0.11" }], ports: [{ port: 6443, protocol: "TCP" }] }],
  };
}

function largeJson(): string {
  const items = Array.from({ length: 9000 }, (_, i) => ({
    sku: `SKU-${String(i).padStart(6, "0")}`,
    name: `Item number ${i}`,
    price: Math.round(((i * 7919) % 10000) / 3) / 100,
    tags: ["demo", i % 2 ? "odd" : "even"],
  }));
  return JSON.stringify({ generated: "etcdlens demo", items });
}

/** Writes the demo keyspace through `client`; returns how many writes it made. */
export async function seedDemoData(client: Etcd3): Promise<number> {
  let writes = 0;
  const put: Writer = async (key, value) => {
    const response = await client.put(key).value(value).exec();
    writes += 1;
    return Number(response.header.revision);
  };
  const k8s = (key: string, object: JsonObject) => put(key, Buffer.from(encodeKubernetesObject(object)));

  // A first etcdctl session.
  await put("/test/hoge", "hello");
  await put("/test/piyo", "world");
  await put("/test/piyo2", "world 2");
  await put("/test/piyo3", "world 3");
  await put(DEMO_KEYS.relative, "bar");

  for (const name of ["default", "kube-system", "kube-public", "kube-node-lease", "shop", "analytics"]) {
    await k8s(`/registry/namespaces/${name}`, namespace(name));
  }
  await k8s(
    "/registry/configmaps/kube-system/coredns",
    configMap(
      "kube-system",
      "coredns",
      {
        Corefile:
          ".:53 {\n    errors\n    health\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n    forward . /etc/resolv.conf\n    cache 30\n}\n",
      },
      1,
    ),
  );
  await k8s(
    "/registry/configmaps/shop/web-config",
    configMap("shop", "web-config", { "nginx.conf": "server { listen 80; }\n", LOG_LEVEL: "info" }, 2),
  );
  await k8s(DEMO_KEYS.secret, secret());

  // A deployment scaled up and down, its replicaset following.
  await k8s(DEMO_KEYS.deployment, deployment(2, 1, 4));
  await k8s("/registry/replicasets/shop/web-7c9d8f6b5", replicaSet(2, 4));

  // A pod that goes Pending → Running → restarted, with its events.
  await k8s(DEMO_KEYS.pod, pod("Pending", 0, 5));
  await k8s(
    "/registry/events/shop/web-7c9d8f6b5-x2x9k.1",
    event("shop", "web-7c9d8f6b5-x2x9k.1", "Scheduled", "Successfully assigned shop/web-7c9d8f6b5-x2x9k to node-1", 5),
  );
  await k8s(DEMO_KEYS.pod, pod("Running", 0, 6, "10.244.1.7"));
  await k8s("/registry/events/shop/web-7c9d8f6b5-x2x9k.2", event("shop", "web-7c9d8f6b5-x2x9k.2", "Started", "Started container web", 6));
  await k8s(DEMO_KEYS.deployment, deployment(5, 2, 10));
  await k8s("/registry/replicasets/shop/web-7c9d8f6b5", replicaSet(5, 10));
  await k8s(DEMO_KEYS.pod, pod("Running", 1, 12, "10.244.1.7"));
  await k8s(
    "/registry/events/shop/web-7c9d8f6b5-x2x9k.3",
    event("shop", "web-7c9d8f6b5-x2x9k.3", "BackOff", "Back-off restarting failed container web", 12),
  );
  await k8s(DEMO_KEYS.deployment, deployment(3, 3, 15));
  await k8s("/registry/replicasets/shop/web-7c9d8f6b5", replicaSet(3, 15));

  // Node leases renewed every 10 seconds of cluster time.
  for (let renewal = 0; renewal < 12; renewal++) {
    for (const node of ["node-1", "node-2"]) {
      await k8s(`/registry/leases/kube-node-lease/${node}`, nodeLease(node, renewal / 6));
    }
  }

  // A key deleted and re-created: the second incarnation has a new uid.
  await k8s(DEMO_KEYS.recreated, configMap("shop", "feature-flags", { checkout: "v1" }, 20));
  await k8s(DEMO_KEYS.recreated, configMap("shop", "feature-flags", { checkout: "v2" }, 20));
  await client.delete().key(DEMO_KEYS.recreated).exec();
  writes += 1;
  await k8s(DEMO_KEYS.recreated, configMap("shop", "feature-flags", { checkout: "v3", search: "on" }, 25));

  // A custom resource, stored as JSON under its group-named prefix.
  await put(DEMO_KEYS.widget, JSON.stringify(widget("blue", 1)));
  await put(DEMO_KEYS.widget, JSON.stringify(widget("blue", 3)));

  // Values and keys that are not text, and a large value.
  await put(DEMO_KEYS.binaryValue, Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 37 + 11) % 256)));
  await put(DEMO_KEYS.binaryKey, "a key whose name is not UTF-8");
  await put(DEMO_KEYS.large, largeJson());
  await put(DEMO_KEYS.yaml, "server:\n  port: 8080\n  hosts:\n    - a.example.com\n    - b.example.com\nlogLevel: debug\n");

  // kube-apiserver keeps its own address under a lease it renews; here for an hour.
  const lease = client.lease(3600, { autoKeepAlive: false });
  await lease.grant();
  await lease
    .put(DEMO_KEYS.masterLease)
    .value(Buffer.from(encodeKubernetesObject(masterLeaseEndpoints())))
    .exec();
  writes += 1;
  lease.release();

  // Someone deletes namespace "staging" with what was in it: what the deleted view (/deleted) finds.
  await k8s("/registry/namespaces/staging", namespace("staging"));
  await k8s("/registry/deployments/staging/api", {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta("api", "staging", 30),
    spec: { replicas: 2, selector: { matchLabels: { app: "api" } }, template: { metadata: { labels: { app: "api" } } } },
  });
  await k8s("/registry/configmaps/staging/api-config", configMap("staging", "api-config", { LOG_LEVEL: "debug" }, 30));
  await k8s("/registry/secrets/staging/api-token", {
    apiVersion: "v1",
    kind: "Secret",
    metadata: meta("api-token", "staging", 30),
    type: "Opaque",
    data: { token: Buffer.from("staging token never shown").toString("base64") },
  });
  for (const key of [
    "/registry/secrets/staging/api-token",
    "/registry/configmaps/staging/api-config",
    "/registry/deployments/staging/api",
    "/registry/namespaces/staging",
  ]) {
    await client.delete().key(key).exec();
    writes += 1;
  }
  return writes;
}
