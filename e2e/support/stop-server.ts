import type { ChildProcess } from "node:child_process";

// Stops a dashboard a spec started: SIGTERM first, so it releases its recorder lock and saves its
// folder index, then SIGKILL after graceMs, since the server may wait for open connections (a
// page's event stream) before it exits. Resolves once the process has exited.
export async function stopServer(child: ChildProcess | undefined, graceMs = 5_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
