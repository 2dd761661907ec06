import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// What global setup started, written down so that tests (in worker processes) and teardown can
// find it: the etcd's ports and data, and the process IDs to stop.

export type E2EState = {
  etcd: { endpoint: string; dataDir: string; clientPort: number; peerPort: number; pid: number };
  secondEtcdPid: number;
  serverPid: number;
  baseURL: string;
};

const STATE_DIR = join(process.cwd(), "e2e", ".state");
const STATE_FILE = join(STATE_DIR, "state.json");

export function writeState(state: E2EState): void {
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
}

export function readState(): E2EState {
  return JSON.parse(readFileSync(STATE_FILE, "utf8")) as E2EState;
}
