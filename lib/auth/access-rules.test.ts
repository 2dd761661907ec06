import { describe, expect, it } from "vitest";
import { bytesFromText } from "@/lib/keys";
import {
  explainRefusal,
  grantedPrefixes,
  ruleAllowingKey,
  seesAudit,
  seesCluster,
  visibilityOf,
  visibilityUnder,
  type AccessRule,
} from "./access-rules";
import type { Viewer } from "./viewer";

const bytes = bytesFromText;
const text = (list: Uint8Array[]) => list.map((prefix) => new TextDecoder().decode(prefix));

function rule(index: number, fields: Partial<Omit<AccessRule, "prefixes" | "index">> & { prefixes?: string[] }): AccessRule {
  return {
    index,
    users: fields.users ?? [],
    groups: fields.groups ?? [],
    clusters: fields.clusters ?? ["default"],
    prefixes: (fields.prefixes ?? []).map(bytes),
    rights: fields.rights ?? ["list"],
  };
}

const RULES: AccessRule[] = [
  rule(0, { groups: ["dev"], prefixes: ["/registry/configmaps/"], rights: ["list", "read"] }),
  rule(1, { groups: ["dev"], prefixes: ["/registry/secrets/dev/"], rights: ["list"] }),
  rule(2, { users: ["bob"], clusters: "*", prefixes: [""], rights: ["reveal"] }),
  rule(3, { groups: ["auditors"], rights: ["audit"] }),
];

const alice: Viewer = { user: "alice", groups: ["dev"], via: "oidc" };
const bob: Viewer = { user: "bob", groups: ["ops"], via: "oidc" };
const carol: Viewer = { user: "carol", groups: ["auditors"], via: "proxy" };

describe("ruleAllowingKey", () => {
  it("grants a right under a rule's byte prefix and nowhere beside it", () => {
    expect(ruleAllowingKey(RULES, alice, "default", bytes("/registry/configmaps/kube-system/x"), "read")?.index).toBe(0);
    expect(ruleAllowingKey(RULES, alice, "default", bytes("/registry/configmapsx/a"), "read")).toBeUndefined();
    expect(ruleAllowingKey(RULES, alice, "default", bytes("/registry/configmaps/"), "list")?.index).toBe(0);
  });

  it("lets a higher right imply the lower ones, never the other way", () => {
    expect(ruleAllowingKey(RULES, alice, "default", bytes("/registry/secrets/dev/s"), "list")?.index).toBe(1);
    expect(ruleAllowingKey(RULES, alice, "default", bytes("/registry/secrets/dev/s"), "read")).toBeUndefined();
    expect(ruleAllowingKey(RULES, bob, "other", bytes("/anything"), "read")?.index).toBe(2);
    expect(ruleAllowingKey(RULES, bob, "other", bytes("/anything"), "list")?.index).toBe(2);
  });

  it("applies a rule only to its users, groups and clusters", () => {
    expect(ruleAllowingKey(RULES, alice, "staging", bytes("/registry/configmaps/a"), "read")).toBeUndefined();
    expect(ruleAllowingKey(RULES, { ...alice, groups: [] }, "default", bytes("/registry/configmaps/a"), "read")).toBeUndefined();
    // A user named like a group gains nothing from the group's rules.
    expect(
      ruleAllowingKey(RULES, { user: "dev", groups: [], via: "token" }, "default", bytes("/registry/configmaps/a"), "list"),
    ).toBeUndefined();
  });

  it("compares bytes, so names that are not UTF-8 are covered exactly", () => {
    const rules = [{ ...rule(0, { users: ["alice"] }), prefixes: [Uint8Array.of(0x2f, 0xff)] }];
    expect(ruleAllowingKey(rules, alice, "default", Uint8Array.of(0x2f, 0xff, 0x41), "list")).toBeDefined();
    expect(ruleAllowingKey(rules, alice, "default", Uint8Array.of(0x2f, 0xfe, 0x41), "list")).toBeUndefined();
  });
});

describe("visibilityUnder", () => {
  it("shows a level whole when a granted prefix covers it", () => {
    expect(visibilityUnder(RULES, alice, "default", bytes("/registry/configmaps/ns/"), "list")).toEqual({ kind: "all" });
  });

  it("shows only the paths that lead to granted prefixes above them", () => {
    const visibility = visibilityUnder(RULES, alice, "default", bytes("/registry/"), "list");
    expect(visibility.kind).toBe("some");
    if (visibility.kind !== "some") return;
    expect(text(visibility.prefixes).sort()).toEqual(["/registry/configmaps/", "/registry/secrets/dev/"]);
    expect(visibilityOf(visibility, bytes("/registry/configmaps/"), true)).toBe("all");
    expect(visibilityOf(visibility, bytes("/registry/secrets/"), true)).toBe("part");
    expect(visibilityOf(visibility, bytes("/registry/pods/"), true)).toBe("none");
    // A key (not a folder) named like the start of a granted folder reveals nothing of it.
    expect(visibilityOf(visibility, bytes("/registry/secrets"), false)).toBe("none");
  });

  it("shows nothing to a viewer without rules", () => {
    expect(visibilityUnder(RULES, carol, "default", bytes(""), "list")).toEqual({ kind: "none" });
  });

  it("keeps the shortest of nested prefixes", () => {
    const rules = [rule(0, { users: ["alice"], prefixes: ["/a/b/", "/a/"] }), rule(1, { groups: ["dev"], prefixes: ["/a/c/"] })];
    expect(text(grantedPrefixes(rules, alice, "default", "list"))).toEqual(["/a/"]);
  });
});

describe("clusters and the audit trail", () => {
  it("lists a cluster only to viewers some rule gives keys in it", () => {
    expect(seesCluster(RULES, alice, "default")).toBe(true);
    expect(seesCluster(RULES, alice, "staging")).toBe(false);
    expect(seesCluster(RULES, bob, "staging")).toBe(true);
    expect(seesCluster(RULES, carol, "default")).toBe(false);
  });

  it("gives the audit trail only to rules that grant audit", () => {
    expect(seesAudit(RULES, carol)).toBe(true);
    expect(seesAudit(RULES, bob)).toBe(false);
  });
});

describe("explainRefusal", () => {
  it("names who was refused what, and a rule that would allow it", () => {
    const message = explainRefusal(alice, "default", bytes("/registry/secrets/kube-system/token"), "read");
    expect(message).toContain('alice (groups dev) may not read "/registry/secrets/kube-system/token" in cluster "default"');
    expect(message).toContain("{ groups: [dev], clusters: [default], prefixes: [/registry/secrets/kube-system/], rights: [read] }");
    expect(explainRefusal({ user: "ci", groups: [], via: "token" }, "default", bytes("/x"), "list")).toContain("users: [ci]");
  });
});
