import { readFileSync } from "node:fs";
import { join } from "node:path";

// The second cluster of the e2e setup (global-setup.ts names it in e2e/.state/clusters.yaml): its
// endpoint, for tests that write their own keys there.
export function secondEndpoint(): string {
  const config = readFileSync(join(process.cwd(), "e2e", ".state", "clusters.yaml"), "utf8");
  const endpoint = /endpoints: \[([^\]]+)\]/.exec(config)?.[1];
  if (!endpoint) throw new Error("the second cluster's endpoint is not in e2e/.state/clusters.yaml");
  return endpoint;
}
