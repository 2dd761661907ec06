import { startEtcd } from "@/scripts/lib/etcd-process";
import { readState, writeState } from "./state";

// The outage tests stop the shared etcd on purpose; this starts it again on the same data and
// ports, and records its new process ID for later tests and teardown.
export async function restartSharedEtcd(): Promise<void> {
  const state = readState();
  const etcd = await startEtcd({
    dataDir: state.etcd.dataDir,
    keepData: true,
    clientPort: state.etcd.clientPort,
    peerPort: state.etcd.peerPort,
    quiet: true,
  });
  writeState({ ...state, etcd: { ...state.etcd, pid: etcd.pid()! } });
}
