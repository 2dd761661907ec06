import { readState } from "./support/state";

function stop(pid: number | undefined) {
  if (!pid) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // already gone
  }
}

export default async function globalTeardown(): Promise<void> {
  const state = readState();
  stop(state.serverPid);
  stop(state.etcd.pid);
  stop(state.secondEtcdPid);
}
