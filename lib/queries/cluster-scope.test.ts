import { afterEach, describe, expect, it, vi } from "vitest";
import * as changes from "./changes";
import * as index from "./index";
import * as leases from "./leases";
import * as tables from "./tables";

// Every query-key factory of lib/queries, found by walking the modules' exports (a factory group
// is an exported object of functions), must put the cluster first in its query key and into the
// URL it fetches. A factory added without an entry in SAMPLE_ARGUMENTS fails the first test.

const modules: Record<string, Record<string, unknown>> = { index, changes, leases, tables };

const key = new TextEncoder().encode("/registry/pods/default/web");
const SAMPLE_ARGUMENTS: Record<string, unknown[]> = {
  "clusterQueries.header": [],
  "clusterQueries.overview": [],
  "keyQueries.children": [key, 7, "we"],
  "keyQueries.value": [key, 7],
  "keyQueries.history": [key],
  "keyQueries.diff": [key, 3, 7],
  "keyQueries.complete": ["/registry/po"],
  "changeQueries.feed": [{ prefix: "/registry/", from: 2 }],
  "changeQueries.arrived": [{ prefix: "/registry/" }, 5, 7],
  "leaseQueries.list": [],
  "leaseQueries.detail": ["7587881436476186113"],
  "tableQueries.folder": [new TextEncoder().encode("/registry/pods/default/"), 7],
};

type Factory = (
  cluster: string | undefined,
  ...rest: unknown[]
) => {
  queryKey: readonly unknown[];
  queryFn?: unknown;
  initialPageParam?: unknown;
};

function findFactories(): Map<string, Factory> {
  const found = new Map<string, Factory>();
  for (const exports of Object.values(modules)) {
    for (const [group, value] of Object.entries(exports)) {
      if (!group.endsWith("Queries") || typeof value !== "object" || value === null) continue;
      for (const [name, factory] of Object.entries(value)) {
        if (typeof factory === "function") found.set(`${group}.${name}`, factory as Factory);
      }
    }
  }
  return found;
}

async function fetchedUrl(options: ReturnType<Factory>): Promise<string> {
  const seen: string[] = [];
  vi.stubGlobal("fetch", async (url: string) => {
    seen.push(url);
    return new Response("{}", { status: 200 });
  });
  const queryFn = options.queryFn as (context: {
    pageParam: unknown;
    signal: AbortSignal;
    queryKey: readonly unknown[];
  }) => Promise<unknown>;
  await queryFn({ pageParam: options.initialPageParam, signal: new AbortController().signal, queryKey: options.queryKey });
  expect(seen).toHaveLength(1);
  return seen[0];
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("query-key factories", () => {
  const factories = findFactories();

  it("are all known to this test (the walk found every group)", () => {
    expect([...factories.keys()].sort()).toEqual(Object.keys(SAMPLE_ARGUMENTS).sort());
  });

  for (const [name, factory] of factories) {
    it(`${name} keys its answers and asks its URL by cluster`, async () => {
      const args = SAMPLE_ARGUMENTS[name] ?? [];
      const onProd = factory("prod", ...args);
      const onStaging = factory("staging", ...args);
      const onDefault = factory(undefined, ...args);
      expect(onProd.queryKey[0]).toBe("prod");
      expect(onStaging.queryKey[0]).toBe("staging");
      expect(onDefault.queryKey[0]).toBe("");
      expect(onProd.queryKey.slice(1)).toEqual(onStaging.queryKey.slice(1));

      expect(new URL(await fetchedUrl(onProd), "http://x").searchParams.get("cluster")).toBe("prod");
      expect(new URL(await fetchedUrl(onStaging), "http://x").searchParams.get("cluster")).toBe("staging");
      expect(new URL(await fetchedUrl(onDefault), "http://x").searchParams.has("cluster")).toBe(false);
    });
  }
});

describe("URL builders", () => {
  it("put the cluster into raw, secret and API URLs", () => {
    const cluster = (url: string) => new URL(url, "http://x").searchParams.get("cluster");
    expect(cluster(index.rawValueUrl("prod", key, 4))).toBe("prod");
    expect(cluster(index.secretValueUrl("prod", key, 4, ["data", "password"]))).toBe("prod");
    expect(cluster(index.apiUrl("a b&c", "/api/keys", { prefix: "%2F" }))).toBe("a b&c");
    expect(index.rawValueUrl(undefined, key, 4)).not.toContain("cluster=");
  });

  it("keep a fragment after the added parameter", () => {
    expect(index.withCluster("/keys/a?rev=3#k=x", "prod")).toBe("/keys/a?rev=3&cluster=prod#k=x");
  });
});
