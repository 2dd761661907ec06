import type { Etcd3 } from "etcd3";
import { encodeKubernetesObject } from "@/lib/decode";
import type { JsonObject } from "@/lib/decode/types";

// Keys whose names a URL cannot carry as they are: every character a browser or another tool
// percent-encodes or treats as syntax, text that is not ASCII, a byte that is not UTF-8, a key
// ending in "/", the key "/", and the `system:` RBAC objects every real cluster has, written as kube-apiserver
// writes them (protobuf). Each value says which key it belongs to, so a test that opens a key can
// tell it got that one.

export const ODD_NAMES_FOLDER = "/odd-names/";

export type OddName = {
  /** The key's bytes. */
  key: Buffer;
  /** How etcdlens shows the key (lib/keys keyToDisplay). */
  display: string;
  /** The folders from the tree's "/" down to the key's level, then the key's label in the tree. */
  treePath: string[];
  /** Text the value pane shows for this key. */
  seen: string;
};

function textKey(name: string, treePath: string[]): OddName {
  const key = `${ODD_NAMES_FOLDER}${name}`;
  return { key: Buffer.from(key), display: key, treePath: ["odd-names", ...treePath], seen: `the value of ${key}` };
}

export const ODD_NAMES: OddName[] = [
  textKey("with space", ["with space"]),
  textKey("colon:name", ["colon:name"]),
  textKey("a+b", ["a+b"]),
  textKey("pct%41", ["pct%41"]),
  textKey("hash#tag", ["hash#tag"]),
  textKey("q?mark", ["q?mark"]),
  textKey('say "hi"', ['say "hi"']),
  textKey("it's", ["it's"]),
  textKey("<tag>&amp;", ["<tag>&amp;"]),
  textKey("list[0]", ["list[0]"]),
  textKey("tilde~7e~x", ["tilde~7e~x"]),
  textKey("trailing/", ["trailing", "(empty name)"]),
  textKey("ünïcødé/日本語", ["ünïcødé", "日本語"]),
  // The key "/" itself: listed in the root folder under the empty name.
  { key: Buffer.from("/"), display: "/", treePath: ["(empty name)"], seen: "the value of the key /" },
  {
    key: Buffer.concat([Buffer.from(`${ODD_NAMES_FOLDER}byte-`), Buffer.of(0xff), Buffer.from("-end")]),
    display: `${ODD_NAMES_FOLDER}byte-\\xff-end`,
    treePath: ["odd-names", "byte-\\xff-end"],
    seen: "the value of a key holding the byte 0xff",
  },
];

const RBAC = "rbac.authorization.k8s.io";

function bootstrapMeta(name: string, labels: Record<string, string> = {}): JsonObject {
  return {
    name,
    uid: "5e0d6f3a-1c1b-4a57-9d1c-0b0a9c6b2f10",
    resourceVersion: "",
    creationTimestamp: "2026-11-20T09:00:00Z",
    annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
    labels: { "kubernetes.io/bootstrapping": "rbac-defaults", ...labels },
  };
}

function aggregateToAdmin(): JsonObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: "ClusterRole",
    metadata: bootstrapMeta("system:aggregate-to-admin", { [`${RBAC}/aggregate-to-admin`]: "true" }),
    rules: [
      { verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews"] },
      {
        verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
        apiGroups: [RBAC],
        resources: ["rolebindings", "roles"],
      },
    ],
  };
}

function aggregateToView(): JsonObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: "ClusterRole",
    metadata: bootstrapMeta("system:aggregate-to-view", { [`${RBAC}/aggregate-to-view`]: "true" }),
    rules: [{ verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["configmaps", "endpoints", "persistentvolumeclaims"] }],
  };
}

function nodeProxier(): JsonObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: "ClusterRoleBinding",
    metadata: bootstrapMeta("system:node-proxier"),
    subjects: [{ kind: "User", apiGroup: RBAC, name: "system:kube-proxy" }],
    roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "system:node-proxier" },
  };
}

function rbacName(resource: string, object: JsonObject, seen: string): OddName {
  const name = (object.metadata as JsonObject).name as string;
  const key = `/registry/${resource}/${name}`;
  return { key: Buffer.from(key), display: key, treePath: ["registry", resource, name], seen };
}

export const RBAC_NAMES: (OddName & { object: JsonObject })[] = [
  { ...rbacName("clusterroles", aggregateToAdmin(), "localsubjectaccessreviews"), object: aggregateToAdmin() },
  { ...rbacName("clusterroles", aggregateToView(), "persistentvolumeclaims"), object: aggregateToView() },
  { ...rbacName("clusterrolebindings", nodeProxier(), "system:kube-proxy"), object: nodeProxier() },
];

/**
 * A level longer than the first page the tree lists (200 names): even entries are folders
 * (`f-000/x`), odd ones keys (`f-001`), so names past the first page are of both kinds.
 */
export const WIDE_LEVEL = "/odd-names/wide/";
export const WIDE_LEVEL_ENTRIES = 250;

export function wideLevelName(index: number): string {
  return `f-${String(index).padStart(3, "0")}`;
}

/** Writes the odd names, the RBAC objects and the wide level through `client`. */
export async function seedOddNames(client: Etcd3): Promise<void> {
  for (const { key, seen } of ODD_NAMES) await client.put(key).value(seen).exec();
  for (let index = 0; index < WIDE_LEVEL_ENTRIES; index++) {
    const name = `${WIDE_LEVEL}${wideLevelName(index)}`;
    if (index % 2 === 0) await client.put(`${name}/x`).value(`inside the folder ${name}`).exec();
    else await client.put(name).value(`the value of ${name}`).exec();
  }
  for (const { key, object } of RBAC_NAMES)
    await client
      .put(key)
      .value(Buffer.from(encodeKubernetesObject(object)))
      .exec();
}
