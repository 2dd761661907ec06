import "server-only";
import { readFileSync } from "node:fs";
import { getEncryptionConfigFile } from "@/lib/env";
import { installAtRestKeys, installedAtRestKeys } from "./installed";
import { EncryptionConfigError, parseEncryptionConfiguration } from "./keys";

// Reads ETCDLENS_ENCRYPTION_CONFIG once per process and installs its keys for lib/decode. The
// server calls it at start (instrumentation.ts), where a file that does not load stops the server;
// anything that reads etcd calls it too (lib/etcd/client.ts), so scripts and tests need no start-up
// step. A file that does not load then leaves every encrypted value saying so, not the request.

let loaded = false;

/** Installs the configured keys; returns why the file did not load (for the log), or null. */
export function loadAtRestKeys(): string | null {
  if (loaded) {
    const source = installedAtRestKeys();
    return source && "problem" in source ? source.problem : null;
  }
  loaded = true;
  const file = getEncryptionConfigFile();
  if (!file) {
    installAtRestKeys(null);
    return null;
  }
  try {
    installAtRestKeys({ keys: parseEncryptionConfiguration(readFileSync(file, "utf8")) });
    return null;
  } catch (error) {
    // What reaches the browser names the setting, never the file's path or its content.
    const why = error instanceof EncryptionConfigError ? error.message : "the file cannot be read";
    installAtRestKeys({ problem: `ETCDLENS_ENCRYPTION_CONFIG did not load (${why}); see the server log` });
    const detail = error instanceof Error ? error.message : String(error);
    console.error(`etcdlens: ETCDLENS_ENCRYPTION_CONFIG (${file}): ${detail}`);
    return `ETCDLENS_ENCRYPTION_CONFIG (${file}) did not load: ${detail}`;
  }
}
