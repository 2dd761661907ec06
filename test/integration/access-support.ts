import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { encodeViewer, VIEWER_HEADER } from "@/lib/auth/viewer-header";
import type { Viewer } from "@/lib/auth/viewer";

// Access rules for the route tests: a configuration file with two clusters on one etcd ("main",
// which the rules name, and "other") and `access:` rules, sign-in on (proxy headers: the gate
// itself is not under test here, so requests carry the viewer header the gate writes), read by
// lib/env.ts as in production. Call before the first request of a test file: settings are read
// once per process, and vitest gives each file its own modules.

export type RuleText = { users?: string[]; groups?: string[]; clusters: string[] | "*"; prefixes?: string[]; rights: string[] };

export function useAccessRules(etcd: EtcdProcess, name: string, rules: RuleText[]): void {
  const dir = join(tmpdir(), "etcdlens-test", `${name}-config-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "etcdlens.yaml");
  const clusters = [
    { name: "main", endpoints: [etcd.endpoint] },
    { name: "other", endpoints: [etcd.endpoint] },
  ];
  // JSON is YAML: prefixes with ":" or spaces need no quoting rules of their own.
  writeFileSync(path, JSON.stringify({ clusters, access: rules }, null, 2));
  process.env.ETCDLENS_CONFIG = path;
  process.env.ETCDLENS_AUTH = "proxy";
  process.env.ETCDLENS_PROXY_USER_HEADER = "x-test-user";
  process.env.ETCDLENS_TRUSTED_PROXIES = "127.0.0.1";
}

export const viewer = (user: string, ...groups: string[]): Viewer => ({ user, groups, via: "proxy" });

/** Calls a route handler as `who`, the way the gate hands a request on. */
export async function callAs(
  handler: (request: Request) => Promise<Response>,
  who: Viewer | undefined,
  path: string,
  init: RequestInit = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on the JSON shape
): Promise<{ status: number; body: any; response: Response }> {
  const headers = new Headers(init.headers);
  if (who) headers.set(VIEWER_HEADER, encodeViewer(who));
  const response = await handler(new Request(`http://127.0.0.1${path}`, { ...init, headers }));
  const type = response.headers.get("content-type") ?? "";
  const body = type.includes("json")
    ? await response.json()
    : type.includes("event-stream")
      ? null
      : Buffer.from(await response.arrayBuffer());
  return { status: response.status, body, response };
}
