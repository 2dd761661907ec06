import { tmpdir } from "node:os";
import { join } from "node:path";
import { beginScratchRun } from "../../scripts/lib/etcd-process";

// The integration tests' scratch folders (etcd data, PostgreSQL clusters, config files made with
// scratchDir) go into one folder per run, removed when the run ends.
export default function setup(): () => void {
  return beginScratchRun(join(tmpdir(), "etcdlens-test"));
}
