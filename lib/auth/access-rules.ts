// Who may see what: the access rules of the configuration file (`access:`) decided for one viewer.
// Pure, so every route, the tree and the tests share one reading of them. Keys are bytes and a
// rule's prefix is a byte prefix: "/registry/configmaps/" covers every key under it, and nothing
// in "/registry/configmapsx". Rights build on each other: `reveal` (Secret values) implies `read`
// (values), which implies `list` (key names); `audit` (the audit trail) stands apart.
import { keyToDisplay, parentLevel, startsWithBytes as startsWith } from "@/lib/keys";
import type { Viewer } from "./viewer";

export type Right = "list" | "read" | "reveal" | "audit";

export type AccessRule = {
  /** The rule's place in the file (0-based), so that messages can name it. */
  index: number;
  users: string[];
  groups: string[];
  /** Cluster names, or every cluster. */
  clusters: string[] | "*";
  prefixes: Uint8Array[];
  rights: Right[];
};

const IMPLIED_BY: Record<Right, Right[]> = {
  list: ["list", "read", "reveal"],
  read: ["read", "reveal"],
  reveal: ["reveal"],
  audit: ["audit"],
};

function appliesTo(rule: AccessRule, viewer: Viewer): boolean {
  return rule.users.includes(viewer.user) || rule.groups.some((group) => viewer.groups.includes(group));
}

function coversCluster(rule: AccessRule, cluster: string): boolean {
  return rule.clusters === "*" || rule.clusters.includes(cluster);
}

function grants(rule: AccessRule, right: Right): boolean {
  return rule.rights.some((given) => IMPLIED_BY[right].includes(given));
}

/** The rules that give this viewer `right` in `cluster`. */
export function rulesGranting(rules: readonly AccessRule[], viewer: Viewer, cluster: string, right: Right): AccessRule[] {
  return rules.filter((rule) => appliesTo(rule, viewer) && coversCluster(rule, cluster) && grants(rule, right));
}

/** The prefixes under which this viewer has `right` in `cluster`, shortest first, none inside another. */
export function grantedPrefixes(rules: readonly AccessRule[], viewer: Viewer, cluster: string, right: Right): Uint8Array[] {
  const all = rulesGranting(rules, viewer, cluster, right)
    .flatMap((rule) => rule.prefixes)
    .sort((a, b) => a.length - b.length);
  const kept: Uint8Array[] = [];
  for (const prefix of all) if (!kept.some((shorter) => startsWith(prefix, shorter))) kept.push(prefix);
  return kept;
}

/** The rule that allows `right` on `key` in `cluster`, or undefined when none does. */
export function ruleAllowingKey(
  rules: readonly AccessRule[],
  viewer: Viewer,
  cluster: string,
  key: Uint8Array,
  right: Right,
): AccessRule | undefined {
  return rulesGranting(rules, viewer, cluster, right).find((rule) => rule.prefixes.some((prefix) => startsWith(key, prefix)));
}

/** Whether any rule gives this viewer anything at all in `cluster` (so the cluster is listed). */
export function seesCluster(rules: readonly AccessRule[], viewer: Viewer, cluster: string): boolean {
  return rulesGranting(rules, viewer, cluster, "list").some((rule) => rule.prefixes.length > 0);
}

/** Whether any rule gives this viewer the audit trail. */
export function seesAudit(rules: readonly AccessRule[], viewer: Viewer): boolean {
  return rules.some((rule) => appliesTo(rule, viewer) && rule.rights.includes("audit"));
}

/**
 * How much of what lies under `prefix` the viewer may see with `right`: all of it, none, or only
 * what lies under some longer prefixes (a folder on the path to a granted folder shows just that path).
 */
export type Visibility = { kind: "all" } | { kind: "none" } | { kind: "some"; prefixes: Uint8Array[] };

export function visibilityUnder(
  rules: readonly AccessRule[],
  viewer: Viewer,
  cluster: string,
  prefix: Uint8Array,
  right: Right,
): Visibility {
  const granted = grantedPrefixes(rules, viewer, cluster, right);
  if (granted.some((given) => startsWith(prefix, given))) return { kind: "all" };
  const deeper = granted.filter((given) => startsWith(given, prefix));
  return deeper.length === 0 ? { kind: "none" } : { kind: "some", prefixes: deeper };
}

/**
 * Whether a key (or every key starting with `start`, for a folder) is visible under a level's
 * Visibility: "all" of it, "part" of it (a folder some granted prefix lies inside), or "none".
 */
export function visibilityOf(visibility: Visibility, start: Uint8Array, folder: boolean): "all" | "part" | "none" {
  if (visibility.kind !== "some") return visibility.kind;
  if (visibility.prefixes.some((given) => startsWith(start, given))) return "all";
  if (folder && visibility.prefixes.some((given) => startsWith(given, start))) return "part";
  return "none";
}

/**
 * Why a viewer is refused `right` on a key or prefix, naming the rule that would allow it: a 403
 * says what to ask the operator for, rather than only "no".
 */
export function explainRefusal(viewer: Viewer, cluster: string, key: Uint8Array, right: Right): string {
  const who = viewer.groups.length > 0 ? `groups: [${viewer.groups[0]}]` : `users: [${viewer.user}]`;
  const folder = parentLevel(key);
  const shown = keyToDisplay(key) || "every key";
  const groups = viewer.groups.length > 0 ? ` (groups ${viewer.groups.join(", ")})` : " (no groups)";
  return (
    `${viewer.user}${groups} may not ${right} ${JSON.stringify(shown)} in cluster "${cluster}"; an access rule ` +
    `{ ${who}, clusters: [${cluster}], prefixes: [${keyToDisplay(folder) || '""'}], rights: [${right}] } would allow it`
  );
}
