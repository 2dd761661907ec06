import { describe, expect, it } from "vitest";
import type { DecodedValue } from "@/lib/decode/types";
import { compileSearchQuery, valuesAtPath } from "./match";
import { findBacktrackingRisk, formatPath, parseSearchQuery, type SearchTerm } from "./query";

function termsOf(query: string): SearchTerm[] {
  const parsed = parseSearchQuery(query);
  if (!parsed.ok) throw new Error(`refused: ${parsed.message}`);
  return parsed.terms;
}

function refusal(query: string): string {
  const parsed = parseSearchQuery(query);
  if (parsed.ok) throw new Error(`accepted: ${JSON.stringify(parsed.terms)}`);
  return parsed.message;
}

const pod: DecodedValue = {
  format: "kubernetes",
  encoding: "protobuf",
  apiVersion: "v1",
  kind: "Pod",
  known: true,
  masked: [],
  object: {
    metadata: {
      name: "web-1",
      labels: { app: "web", "app.kubernetes.io/name": "shop" },
      annotations: { note: "x".repeat(3000) + "needle" },
    },
    spec: {
      containers: [
        { name: "app", image: "nginx:1.25" },
        { name: "sidecar", image: "envoy:1.30", ports: [{ containerPort: 8080 }] },
      ],
    },
    status: { phase: "Pending" },
  },
};

const secret: DecodedValue = {
  format: "kubernetes",
  encoding: "json",
  apiVersion: "v1",
  kind: "Secret",
  known: true,
  masked: [{ path: ["data", "password"], length: 7, fingerprint: "f" }],
  object: { metadata: { name: "db" }, data: { password: "<masked>" } },
};

const matches = (query: string, value: DecodedValue | undefined, key = "/registry/pods/default/web-1") =>
  compileSearchQuery(termsOf(query)).match(key, value);

describe("parseSearchQuery", () => {
  it("reads substrings, quoted texts, regexes and field conditions, separated by spaces or commas", () => {
    expect(termsOf('nginx "two words",/a b[/]c/i status.phase!=Running')).toEqual([
      { kind: "substring", text: "nginx" },
      { kind: "substring", text: "two words" },
      { kind: "regex", source: "a b[/]c", flags: "i" },
      {
        kind: "field",
        path: [
          { kind: "field", name: "status" },
          { kind: "field", name: "phase" },
        ],
        pathText: "status.phase",
        op: "!=",
        value: "Running",
      },
    ]);
  });

  it("reads [*], [N] and quoted field names in paths, and quoted values", () => {
    const [term] = termsOf('metadata.labels["app.kubernetes.io/name"]=web');
    expect(term).toMatchObject({
      kind: "field",
      path: [{ name: "metadata" }, { name: "labels" }, { name: "app.kubernetes.io/name" }],
      value: "web",
    });
    const [every] = termsOf('spec.containers[*].ports[0].name="a b"');
    expect(every).toMatchObject({
      path: [{ name: "spec" }, { name: "containers" }, { kind: "every" }, { name: "ports" }, { kind: "index", index: 0 }, { name: "name" }],
      value: "a b",
    });
  });

  it("treats a word whose left side is no path as a substring, and a quoted a=b as text", () => {
    expect(termsOf("http://x=y")).toEqual([{ kind: "substring", text: "http://x=y" }]);
    expect(termsOf('"a=b"')).toEqual([{ kind: "substring", text: "a=b" }]);
    expect(termsOf("9lives=1")).toEqual([{ kind: "substring", text: "9lives=1" }]);
  });

  it("refuses malformed queries with a message that says what is wrong", () => {
    expect(refusal("")).toMatch(/empty/);
    expect(refusal("  , ")).toMatch(/empty/);
    expect(refusal('"open')).toMatch(/quote at position 1 is not closed/);
    expect(refusal("/abc")).toMatch(/no closing "\/"/);
    expect(refusal("/a(/")).toMatch(/not valid/);
    expect(refusal("/a/g")).toMatch(/flag "g"/);
    expect(refusal("/a/ii")).toMatch(/repeats a flag/);
    expect(refusal("metadata.labels[app]=x")).toMatch(/starts neither/);
    expect(refusal('metadata.labels["app"x=1')).toMatch(/expected "]"/);
    expect(refusal('"a"b')).toMatch(/expected a space or a comma/);
    expect(refusal(`/${"a".repeat(201)}/`)).toMatch(/longer than 200/);
    expect(refusal("x".repeat(2001))).toMatch(/at most 2000/);
  });

  it("refuses regexes that can backtrack catastrophically, and accepts ordinary ones", () => {
    expect(refusal("/(a+)+$/")).toMatch(/holds a quantifier/);
    expect(refusal("/(x|xy)*z/")).toMatch(/alternatives/);
    expect(refusal("/(.*a){3}/")).toMatch(/holds a quantifier/);
    expect(refusal("/(a)\\1/")).toMatch(/backreference/);
    expect(refusal("/a.*b.*c.*d/")).toMatch(/more than 2 unbounded/);
    for (const ok of ["nginx:1\\.2[0-9]", "^web-\\d+$", "(?:foo|bar)-x", "a.*b.*c", "[(+*]{2,5}", "(ab)+", "a{2}", "(?<n>x)y"]) {
      expect(findBacktrackingRisk(ok), ok).toBeUndefined();
    }
  });
});

describe("compileSearchQuery", () => {
  it("matches a substring case-insensitively on the key or any field, and says where", () => {
    expect(matches("NGINX", pod)).toEqual({ field: "spec.containers[0].image", text: "nginx:1.25" });
    expect(matches("web-1", pod)).toEqual({ field: "key", text: "/registry/pods/default/web-1" });
    expect(matches("8080", pod)).toEqual({ field: "spec.containers[1].ports[0].containerPort", text: "8080" });
    expect(matches("redis", pod)).toBeNull();
    expect(matches("app.kubernetes.io", pod)?.field).toBe('metadata.labels["app.kubernetes.io/name"]');
  });

  it("ANDs every term", () => {
    expect(matches("nginx envoy", pod)).not.toBeNull();
    expect(matches("nginx redis", pod)).toBeNull();
    expect(matches("nginx status.phase=Pending", pod)).not.toBeNull();
    expect(matches("nginx,status.phase=Running", pod)).toBeNull();
  });

  it("evaluates field conditions with [*], labels with dots, and != over missing fields", () => {
    expect(matches("spec.containers[*].image=nginx:1.25", pod)).not.toBeNull();
    expect(matches("spec.containers[*].image=nginx:1.26", pod)).toBeNull();
    expect(matches("spec.containers[1].image=envoy:1.30", pod)).not.toBeNull();
    expect(matches("status.phase!=Running", pod)).not.toBeNull();
    expect(matches("status.phase!=Pending", pod)).toBeNull();
    expect(matches("metadata.labels.app=web", pod)).not.toBeNull();
    expect(matches('metadata.labels["app.kubernetes.io/name"]=shop', pod)).not.toBeNull();
    expect(matches("spec.nodeName!=node-1", pod)).not.toBeNull();
    expect(matches("spec.containers[*].ports[*].containerPort=8080", pod)).not.toBeNull();
    // A value without structure has no fields.
    expect(matches("status.phase!=Running", { format: "text", text: "status.phase" })).toBeNull();
  });

  it("finds a regex past the first window of a long field, and in plain text values", () => {
    expect(matches("/need.e$/", pod)?.field).toBe("metadata.annotations.note");
    expect(matches("/^hello w/", { format: "text", text: "hello world" })).toEqual({ field: "", text: "hello world" });
  });

  it("never matches a masked value, by text, regex or field condition", () => {
    expect(matches("masked", secret, "/registry/secrets/default/db")).toBeNull();
    expect(matches("/^<m/", secret, "/registry/secrets/default/db")).toBeNull();
    expect(matches('data.password="<masked>"', secret, "/registry/secrets/default/db")).toBeNull();
    expect(matches("data.password!=hunter2", secret, "/registry/secrets/default/db")).not.toBeNull();
    expect(matches("password", secret, "/registry/secrets/default/db")).toEqual({ field: "data.password", text: "password" });
  });

  it("decides on the key alone when it can, so that no value is decoded", () => {
    const matcher = compileSearchQuery(termsOf("web"));
    expect(matcher.needsValue("/registry/pods/default/web-1")).toBe(false);
    expect(matcher.needsValue("/registry/pods/default/db-1")).toBe(true);
    expect(compileSearchQuery(termsOf("web status.phase=Running")).needsValue("/web")).toBe(true);
  });
});

describe("paths", () => {
  it("lead to every element at [*] and stand for an array's elements at the end", () => {
    expect(
      valuesAtPath(
        { a: [{ b: 1 }, { b: 2 }, { c: 3 }] },
        termsOf("a[*].b=1")[0].kind === "field" ? (termsOf("a[*].b=1")[0] as Extract<SearchTerm, { kind: "field" }>).path : [],
      ),
    ).toEqual([1, 2]);
    expect(formatPath(["metadata", "labels", "app.kubernetes.io/name", "x"])).toBe('metadata.labels["app.kubernetes.io/name"].x');
    expect(formatPath(["spec", "containers", 0, "image"])).toBe("spec.containers[0].image");
  });
});
