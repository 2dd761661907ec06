import { describe, expect, it } from "vitest";
import { decodeValue, encodeKubernetesObject, type DecodedValue, type JsonObject } from "@/lib/decode";
import { formatDuration } from "./age";
import { buildTable, type TableEntry } from "./build-table";
import { formatCell, compareCells } from "./cells";
import { newestTimestampOf } from "./clock";
import { describePod } from "./pods";
import { describeDeployment, describeJob } from "./workloads";
import { describeEvent, describeNode, describeService } from "./core";

const T0 = Date.parse("2026-11-20T09:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
const MINUTE = 60_000;

function pod(status: JsonObject, extra: { spec?: JsonObject; metadata?: JsonObject } = {}): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web-1", namespace: "shop", creationTimestamp: at(0), ...extra.metadata },
    spec: { containers: [{ name: "web" }], nodeName: "node-1", ...extra.spec },
    status,
  };
}

const running = (restartCount = 0) => ({ name: "web", ready: true, restartCount, state: { running: { startedAt: at(1) } } });

/** The row a pod reads as, 60 minutes after T0. */
function podRow(object: JsonObject): string[] {
  return describePod(object).map((cell) => formatCell(cell, T0 + 60 * MINUTE));
}

describe("kubectl's duration format", () => {
  it.each([
    [0, "0s"],
    [-1500, "0s"],
    [-2500, "<invalid>"],
    [47_000, "47s"],
    [119_000, "119s"],
    [5 * MINUTE + 30_000, "5m30s"],
    [47 * MINUTE, "47m"],
    [179 * MINUTE, "179m"],
    [3 * 60 * MINUTE + 20 * MINUTE, "3h20m"],
    [9 * 60 * MINUTE, "9h"],
    [(5 * 24 + 3) * 60 * MINUTE, "5d3h"],
    [30 * 24 * 60 * MINUTE, "30d"],
    [(3 * 365 + 10) * 24 * 60 * MINUTE, "3y10d"],
    [9 * 365 * 24 * 60 * MINUTE, "9y"],
  ])("%d ms is %s", (millis, text) => {
    expect(formatDuration(millis)).toBe(text);
  });
});

describe("Pods", () => {
  it("a running pod: ready count, phase, restarts, age, IP and node", () => {
    const object = pod({
      phase: "Running",
      podIPs: [{ ip: "10.244.1.7" }],
      conditions: [{ type: "Ready", status: "True" }],
      containerStatuses: [running()],
    });
    expect(podRow(object)).toEqual(["1/1", "Running", "0", "60m", "10.244.1.7", "node-1"]);
  });

  it("CrashLoopBackOff from the waiting container, with restarts and when the last one was", () => {
    const object = pod({
      phase: "Running",
      containerStatuses: [
        {
          name: "web",
          ready: false,
          restartCount: 4,
          state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container" } },
          lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: at(55) } },
        },
      ],
    });
    expect(podRow(object)).toEqual(["0/1", "CrashLoopBackOff", "4 (5m ago)", "60m", "<none>", "node-1"]);
  });

  it("Completed when every container terminated with that reason; Running when another still runs", () => {
    const done = { name: "job", ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: "Completed" } } };
    expect(podRow(pod({ phase: "Succeeded", containerStatuses: [done] }))[1]).toBe("Completed");
    const twoContainers = { spec: { containers: [{ name: "web" }, { name: "job" }] } };
    const ready = pod(
      { phase: "Running", conditions: [{ type: "Ready", status: "True" }], containerStatuses: [running(), done] },
      twoContainers,
    );
    expect(podRow(ready).slice(0, 2)).toEqual(["1/2", "Running"]);
    const notReady = pod({ phase: "Running", containerStatuses: [running(), done] }, twoContainers);
    expect(podRow(notReady)[1]).toBe("NotReady");
  });

  it("a terminated container without a reason shows its exit code or signal", () => {
    const failed = (terminated: JsonObject) =>
      podRow(pod({ phase: "Failed", containerStatuses: [{ name: "web", state: { terminated } }] }))[1];
    expect(failed({ exitCode: 137 })).toBe("ExitCode:137");
    expect(failed({ exitCode: 0, signal: 9 })).toBe("Signal:9");
  });

  it("Terminating once deleted, unless it finished; Unknown when its node was lost", () => {
    const deleting = { metadata: { deletionTimestamp: at(58) } };
    expect(podRow(pod({ phase: "Running", containerStatuses: [running()] }, deleting))[1]).toBe("Terminating");
    const done = { name: "web", state: { terminated: { exitCode: 0, reason: "Completed" } } };
    expect(podRow(pod({ phase: "Succeeded", containerStatuses: [done] }, deleting))[1]).toBe("Completed");
    expect(podRow(pod({ phase: "Running", reason: "NodeLost", containerStatuses: [running()] }, deleting))[1]).toBe("Unknown");
  });

  it("init containers: the step reached, a failing one's reason, and Pending before any status", () => {
    const spec = { spec: { initContainers: [{ name: "migrate" }, { name: "warm" }], containers: [{ name: "web" }] } };
    const firstDone = { name: "migrate", state: { terminated: { exitCode: 0, reason: "Completed" } } };
    const second = { name: "warm", state: { running: { startedAt: at(2) } } };
    expect(podRow(pod({ phase: "Pending", initContainerStatuses: [firstDone, second] }, spec))[1]).toBe("Init:1/2");
    const crashing = { name: "migrate", restartCount: 2, state: { waiting: { reason: "CrashLoopBackOff" } } };
    expect(podRow(pod({ phase: "Pending", initContainerStatuses: [crashing] }, spec)).slice(1, 3)).toEqual(["Init:CrashLoopBackOff", "2"]);
    expect(podRow(pod({ phase: "Pending" }, { spec: { nodeName: "" } }))).toEqual(["0/1", "Pending", "0", "60m", "<none>", "<none>"]);
  });

  it("a sidecar (init container that always restarts) counts as a container once started", () => {
    const spec = { spec: { initContainers: [{ name: "proxy", restartPolicy: "Always" }], containers: [{ name: "web" }] } };
    const proxy = { name: "proxy", started: true, ready: true, restartCount: 1, state: { running: { startedAt: at(1) } } };
    const object = pod(
      {
        phase: "Running",
        conditions: [{ type: "Initialized", status: "True" }],
        initContainerStatuses: [proxy],
        containerStatuses: [running(2)],
      },
      spec,
    );
    expect(podRow(object).slice(0, 3)).toEqual(["2/2", "Running", "3"]);
  });
});

describe("Deployments, Jobs, Nodes, Services, Events", () => {
  it("Deployments: READY ready/desired, UP-TO-DATE, AVAILABLE, AGE", () => {
    const deployment = {
      metadata: { name: "web", creationTimestamp: at(0) },
      spec: { replicas: 5 },
      status: { replicas: 5, readyReplicas: 3, updatedReplicas: 4, availableReplicas: 3 },
    };
    expect(describeDeployment(deployment).map((cell) => formatCell(cell, T0 + 2 * 24 * 60 * MINUTE))).toEqual(["3/5", "4", "3", "2d"]);
    // Scaled to zero: status counts are omitted from the stored object.
    expect(describeDeployment({ metadata: {}, spec: { replicas: 0 }, status: {} }).slice(0, 3)).toEqual(["0/0", 0, 0]);
  });

  it("Jobs: STATUS from conditions, COMPLETIONS, and DURATION fixed once complete", () => {
    const job = {
      metadata: { creationTimestamp: at(0) },
      spec: { completions: 3, parallelism: 1 },
      status: { succeeded: 3, startTime: at(1), completionTime: at(4), conditions: [{ type: "Complete", status: "True" }] },
    };
    expect(describeJob(job).map((cell) => formatCell(cell, T0 + 60 * MINUTE))).toEqual(["Complete", "3/3", "3m", "60m"]);
    const runningJob = { metadata: { creationTimestamp: at(0) }, spec: { parallelism: 4 }, status: { succeeded: 1, startTime: at(10) } };
    expect(describeJob(runningJob).map((cell) => formatCell(cell, T0 + 60 * MINUTE))).toEqual(["Running", "1/1 of 4", "50m", "60m"]);
  });

  it("Nodes: Ready or NotReady, SchedulingDisabled, roles from labels", () => {
    const node = {
      metadata: { creationTimestamp: at(0), labels: { "node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/etcd": "" } },
      spec: { unschedulable: true },
      status: { conditions: [{ type: "Ready", status: "False" }], nodeInfo: { kubeletVersion: "v1.31.2" } },
    };
    expect(describeNode(node).map((cell) => formatCell(cell, T0 + 60 * MINUTE))).toEqual([
      "NotReady,SchedulingDisabled",
      "control-plane,etcd",
      "60m",
      "v1.31.2",
    ]);
  });

  it("Services: type, cluster IP, external IP by type, ports with node ports", () => {
    const service: JsonObject = {
      metadata: { creationTimestamp: at(0) },
      spec: {
        type: "LoadBalancer",
        clusterIP: "10.96.0.10",
        clusterIPs: ["10.96.0.10"],
        ports: [
          { port: 80, nodePort: 30080, protocol: "TCP" },
          { port: 53, protocol: "UDP" },
        ],
      },
      status: { loadBalancer: {} },
    };
    expect(describeService(service).slice(0, 4)).toEqual(["LoadBalancer", "10.96.0.10", "<pending>", "80:30080/TCP,53/UDP"]);
    expect(describeService({ spec: { clusterIP: "None" } }).slice(0, 4)).toEqual(["ClusterIP", "None", "<none>", "<none>"]);
  });

  it("Events: LAST SEEN from lastTimestamp (or a series), TYPE, REASON, kind/name, MESSAGE", () => {
    const event = {
      involvedObject: { kind: "Pod", name: "web-1" },
      reason: "BackOff",
      message: "Back-off restarting failed container",
      type: "Warning",
      firstTimestamp: at(10),
      lastTimestamp: at(50),
      count: 7,
    };
    expect(describeEvent(event).map((cell) => formatCell(cell, T0 + 60 * MINUTE))).toEqual([
      "10m",
      "Warning",
      "BackOff",
      "pod/web-1",
      "Back-off restarting failed container",
    ]);
    const { involvedObject, reason, message, type } = event;
    const series: JsonObject = {
      involvedObject,
      reason,
      message,
      type,
      eventTime: `${at(5).slice(0, -1)}.000000Z`,
      series: { count: 3, lastObservedTime: `${at(58).slice(0, -1)}.123456Z` },
    };
    expect(formatCell(describeEvent(series)[0], T0 + 60 * MINUTE)).toBe("119s");
  });
});

const entry = (name: string, value: DecodedValue | null): TableEntry<string> => ({ key: `/registry/x/${name}`, name, value });
const decoded = (object: JsonObject, key?: string) =>
  decodeValue(encodeKubernetesObject(object), key ? { key: new TextEncoder().encode(key) } : {});

describe("one page as a table", () => {
  it("a page of Pods is one resource with kubectl's columns, named by metadata.name", () => {
    const table = buildTable([
      entry("a", decoded(pod({ phase: "Running" }))),
      entry("b", decoded(pod({ phase: "Pending" }, { metadata: { name: "web-2" } }))),
    ]);
    expect(table.resource).toEqual({ group: "", kind: "Pod", apiVersions: ["v1"] });
    if (!table.resource) return;
    expect(table.columns).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"]);
    expect(table.rows.map((row) => [row.name, row.cells[1]])).toEqual([
      ["web-1", "Running"],
      ["web-2", "Pending"],
    ]);
  });

  it("a custom resource stored as JSON gets NAME KIND AGE", () => {
    const widget = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "blue", creationTimestamp: at(0) },
      spec: { size: 3 },
    };
    const table = buildTable([entry("blue", decodeValue(new TextEncoder().encode(JSON.stringify(widget))))]);
    expect(table.resource).toEqual({ group: "example.com", kind: "Widget", apiVersions: ["example.com/v1"] });
    if (!table.resource) return;
    expect(table.columns).toEqual(["NAME", "KIND", "AGE"]);
    expect(table.rows[0].cells.map((cell) => formatCell(cell, T0 + 3 * MINUTE))).toEqual(["Widget", "3m"]);
  });

  it("Secrets: the type and the number of values, and no value anywhere in the rows", () => {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "db", creationTimestamp: at(0) },
      type: "Opaque",
      data: { user: btoa("shop"), password: btoa("hunter2-very-secret") },
    };
    const table = buildTable([entry("db", decoded(secret, "/registry/secrets/shop/db"))]);
    if (!table.resource) throw new Error("a Secrets page is one resource");
    expect(table.columns).toEqual(["NAME", "TYPE", "DATA", "AGE"]);
    expect(table.rows[0].cells.slice(0, 2)).toEqual(["Opaque", 2]);
    const text = JSON.stringify(table);
    for (const value of ["hunter2-very-secret", btoa("hunter2-very-secret"), btoa("shop")]) expect(text).not.toContain(value);
  });

  it("a page mixing kinds, plain values or folders claims no resource and says what it holds", () => {
    const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1" } };
    const mixed = buildTable([
      entry("p", decoded(pod({ phase: "Running" }))),
      entry("c", decoded(configMap)),
      entry("t", decodeValue(new TextEncoder().encode("hello"))),
      entry("f", null),
    ]);
    expect(mixed).toEqual({
      resource: null,
      found: [
        { what: "Pod", count: 1 },
        { what: "ConfigMap", count: 1 },
        { what: "text", count: 1 },
        { what: "folder", count: 1 },
      ],
    });
    expect(buildTable([entry("f", null)]).resource).toBeNull();
    expect(buildTable([]).resource).toBeNull();
  });

  it("AGE at a past revision counts from the newest write stamp in the page's objects", () => {
    const object = pod(
      { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: at(30) }], containerStatuses: [running()] },
      { metadata: { managedFields: [{ manager: "kubelet", time: at(42) }] } },
    );
    expect(newestTimestampOf(object)).toBe(T0 + 42 * MINUTE);
    const table = buildTable([entry("a", decoded(object))]);
    expect(table.resource && table.newestTimestamp).toBe(T0 + 42 * MINUTE);
  });

  it("sorting: ages by how long ago, numbers by value, names naturally", () => {
    const reference = T0 + 60 * MINUTE;
    expect(compareCells({ age: T0 + 50 * MINUTE }, { age: T0 }, reference)).toBeLessThan(0);
    expect(compareCells({ age: null }, { age: T0 }, reference)).toBeGreaterThan(0);
    expect(compareCells(10, 9, reference)).toBeGreaterThan(0);
    expect(compareCells({ restarts: 2, lastAt: null }, { restarts: 11, lastAt: null }, reference)).toBeLessThan(0);
    expect(compareCells("web-2", "web-10", reference)).toBeLessThan(0);
  });
});
