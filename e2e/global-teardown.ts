import { rmSync } from "node:fs";
import { join } from "node:path";
import { E2E_SCRATCH_ROOT } from "./global-setup";
import { readState } from "./support/state";

function stop(pid: number | undefined) {
  if (!pid) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // already gone
  }
}

function running(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export default async function globalTeardown(): Promise<void> {
  const state = readState();
  const pids = [state.serverPid, state.etcd.pid, state.secondEtcdPid];
  pids.forEach(stop);
  // The run's scratch folder goes once nothing writes to it any more (etcd flushes as it stops).
  const deadline = Date.now() + 10_000;
  while (pids.some(running) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const run = process.env.ETCDLENS_SCRATCH_RUN;
  if (run) rmSync(join(E2E_SCRATCH_ROOT, run), { recursive: true, force: true });
}
