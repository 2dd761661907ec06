import type { JsonObject } from "@/lib/decode/types";
import {
  CONFIG_MAP_COLUMNS,
  describeConfigMap,
  describeEvent,
  describeLease,
  describeNamespace,
  describeNode,
  describeSecret,
  describeService,
  describeServiceAccount,
  EVENT_COLUMNS,
  LEASE_COLUMNS,
  NAMESPACE_COLUMNS,
  NODE_COLUMNS,
  SECRET_COLUMNS,
  SERVICE_ACCOUNT_COLUMNS,
  SERVICE_COLUMNS,
} from "./core";
import { describePod, POD_COLUMNS } from "./pods";
import { instantAt, pathAt } from "./read-json";
import type { Cell, ResourceRef } from "./types";
import {
  CRON_JOB_COLUMNS,
  DAEMON_SET_COLUMNS,
  DEPLOYMENT_COLUMNS,
  describeCronJob,
  describeDaemonSet,
  describeDeployment,
  describeJob,
  describeReplicaSet,
  describeStatefulSet,
  JOB_COLUMNS,
  REPLICA_SET_COLUMNS,
  STATEFUL_SET_COLUMNS,
} from "./workloads";

// Which columns a resource's table has and how one object fills them: kubectl's printer for the
// resource when there is one here, else NAME KIND AGE (custom resources, everything else).
// Every printer's first column is NAME except Events', whose first is LAST SEEN, as in kubectl.

export type Printer = {
  columns: string[];
  /** The cells after NAME (all cells for a printer without a NAME column). */
  cells: (object: JsonObject) => Cell[];
  /** False for Events: kubectl's table has no NAME column for them. */
  named: boolean;
};

const named = (columns: string[], cells: Printer["cells"]): Printer => ({ columns, cells, named: true });

const PRINTERS: Record<string, Printer> = {
  "/Pod": named(POD_COLUMNS, describePod),
  "/Node": named(NODE_COLUMNS, describeNode),
  "/Service": named(SERVICE_COLUMNS, describeService),
  "/Namespace": named(NAMESPACE_COLUMNS, describeNamespace),
  "/ConfigMap": named(CONFIG_MAP_COLUMNS, describeConfigMap),
  "/Secret": named(SECRET_COLUMNS, describeSecret),
  "/ServiceAccount": named(SERVICE_ACCOUNT_COLUMNS, describeServiceAccount),
  "/Event": { columns: EVENT_COLUMNS, cells: describeEvent, named: false },
  "apps/Deployment": named(DEPLOYMENT_COLUMNS, describeDeployment),
  "apps/ReplicaSet": named(REPLICA_SET_COLUMNS, describeReplicaSet),
  "apps/StatefulSet": named(STATEFUL_SET_COLUMNS, describeStatefulSet),
  "apps/DaemonSet": named(DAEMON_SET_COLUMNS, describeDaemonSet),
  "batch/Job": named(JOB_COLUMNS, describeJob),
  "batch/CronJob": named(CRON_JOB_COLUMNS, describeCronJob),
  "coordination.k8s.io/Lease": named(LEASE_COLUMNS, describeLease),
};

export const GENERIC_COLUMNS = ["NAME", "KIND", "AGE"];

function genericPrinter(kind: string): Printer {
  return named(GENERIC_COLUMNS, (object) => [kind, { age: instantAt(pathAt(object, "metadata", "creationTimestamp")) }]);
}

/** The API group of an apiVersion: "apps" for "apps/v1", "" for the core group's "v1". */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

export function printerFor(resource: ResourceRef): Printer {
  return PRINTERS[`${resource.group}/${resource.kind}`] ?? genericPrinter(resource.kind);
}

/** Whether the resource has kubectl's own columns here (false: the generic NAME KIND AGE table). */
export function hasOwnPrinter(resource: ResourceRef): boolean {
  return `${resource.group}/${resource.kind}` in PRINTERS;
}
