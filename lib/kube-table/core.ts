import type { JsonObject } from "@/lib/decode/types";
import { countOf, instantAt, listAt, numberAt, objectAt, objectsAt, pathAt, textAt } from "./read-json";
import type { Cell } from "./types";

// kubectl get for the core group's other resources: nodes, services, namespaces, configmaps,
// secrets (counts only: a Secret's values never reach a table), serviceaccounts, and events; and
// leases (coordination.k8s.io).

const age = (object: JsonObject): Cell => ({ age: instantAt(pathAt(object, "metadata", "creationTimestamp")) });

export const NODE_COLUMNS = ["NAME", "STATUS", "ROLES", "AGE", "VERSION"];

/** Roles from node-role.kubernetes.io/<role> labels and the older kubernetes.io/role label, sorted. */
function nodeRoles(node: JsonObject): string {
  const roles = new Set<string>();
  for (const [label, value] of Object.entries(objectAt(pathAt(node, "metadata", "labels")) ?? {})) {
    if (label.startsWith("node-role.kubernetes.io/")) {
      const role = label.slice("node-role.kubernetes.io/".length);
      if (role) roles.add(role);
    } else if (label === "kubernetes.io/role" && textAt(value)) roles.add(textAt(value));
  }
  return roles.size ? [...roles].sort().join(",") : "<none>";
}

export function describeNode(node: JsonObject): Cell[] {
  const ready = objectsAt(pathAt(node, "status", "conditions")).findLast((condition) => condition.type === "Ready");
  const status = [ready ? (ready.status === "True" ? "Ready" : "NotReady") : "Unknown"];
  if (pathAt(node, "spec", "unschedulable") === true) status.push("SchedulingDisabled");
  return [status.join(","), nodeRoles(node), age(node), textAt(pathAt(node, "status", "nodeInfo", "kubeletVersion"))];
}

export const SERVICE_COLUMNS = ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"];

/** Load-balancer addresses, shortened like kubectl's narrow output past 16 characters. */
function loadBalancerAddresses(service: JsonObject): string {
  const addresses = objectsAt(pathAt(service, "status", "loadBalancer", "ingress"))
    .map((ingress) => textAt(ingress.ip) || textAt(ingress.hostname))
    .filter(Boolean)
    .join(",");
  return addresses.length > 16 ? `${addresses.slice(0, 13)}...` : addresses;
}

function externalIP(service: JsonObject): string {
  const type = textAt(pathAt(service, "spec", "type")) || "ClusterIP";
  const externalIPs = listAt(pathAt(service, "spec", "externalIPs"))
    .map(textAt)
    .filter(Boolean);
  switch (type) {
    case "ClusterIP":
    case "NodePort":
      return externalIPs.length ? externalIPs.join(",") : "<none>";
    case "LoadBalancer": {
      const balanced = loadBalancerAddresses(service);
      const all = [...(balanced ? balanced.split(",") : []), ...externalIPs];
      return all.length ? all.join(",") : "<pending>";
    }
    case "ExternalName":
      return textAt(pathAt(service, "spec", "externalName"));
    default:
      return "<unknown>";
  }
}

function ports(service: JsonObject): string {
  const pieces = objectsAt(pathAt(service, "spec", "ports")).map((port) => {
    const protocol = textAt(port.protocol) || "TCP";
    const nodePort = numberAt(port.nodePort);
    return nodePort > 0 ? `${numberAt(port.port)}:${nodePort}/${protocol}` : `${numberAt(port.port)}/${protocol}`;
  });
  return pieces.length ? pieces.join(",") : "<none>";
}

export function describeService(service: JsonObject): Cell[] {
  const clusterIPs = listAt(pathAt(service, "spec", "clusterIPs")).map(textAt);
  const clusterIP = clusterIPs[0] || textAt(pathAt(service, "spec", "clusterIP"));
  return [textAt(pathAt(service, "spec", "type")) || "ClusterIP", clusterIP || "<none>", externalIP(service), ports(service), age(service)];
}

export const NAMESPACE_COLUMNS = ["NAME", "STATUS", "AGE"];
export function describeNamespace(namespace: JsonObject): Cell[] {
  return [textAt(pathAt(namespace, "status", "phase")), age(namespace)];
}

export const CONFIG_MAP_COLUMNS = ["NAME", "DATA", "AGE"];
export function describeConfigMap(configMap: JsonObject): Cell[] {
  return [countOf(configMap.data) + countOf(configMap.binaryData), age(configMap)];
}

export const SECRET_COLUMNS = ["NAME", "TYPE", "DATA", "AGE"];
/** The type and how many values a Secret holds: nothing of the values themselves. */
export function describeSecret(secret: JsonObject): Cell[] {
  return [textAt(secret.type), countOf(secret.data), age(secret)];
}

export const SERVICE_ACCOUNT_COLUMNS = ["NAME", "SECRETS", "AGE"];
export function describeServiceAccount(account: JsonObject): Cell[] {
  return [listAt(account.secrets).length, age(account)];
}

export const LEASE_COLUMNS = ["NAME", "HOLDER", "AGE"];
export function describeLease(lease: JsonObject): Cell[] {
  return [textAt(pathAt(lease, "spec", "holderIdentity")), age(lease)];
}

export const EVENT_COLUMNS = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"];

/**
 * LAST SEEN is lastTimestamp, else firstTimestamp, else eventTime (events written through
 * events.k8s.io set only eventTime), and a series' lastObservedTime when the event repeats.
 */
export function lastSeenOf(event: JsonObject): number | null {
  const series = instantAt(pathAt(event, "series", "lastObservedTime"));
  if (series !== null) return series;
  return instantAt(event.lastTimestamp) ?? instantAt(event.firstTimestamp) ?? instantAt(event.eventTime);
}

export function describeEvent(event: JsonObject): Cell[] {
  const involved = objectAt(event.involvedObject);
  const kind = textAt(involved?.kind).toLowerCase();
  const name = textAt(involved?.name);
  return [{ age: lastSeenOf(event) }, textAt(event.type), textAt(event.reason), name ? `${kind}/${name}` : kind, textAt(event.message)];
}
