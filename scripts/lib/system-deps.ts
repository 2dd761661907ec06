import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";

// Finds the programs etcdlens needs from the operating system (etcd, Chromium), installing
// Debian's package when running as root on Debian or Ubuntu, and otherwise saying exactly what to
// install. Used by the demo, the test harness and npm test.

/** `versionArgs`: how the program prints its version (`--version` when not given). */
export type SystemProgram = { name: string; debianPackage: string; fallbackPaths: string[]; versionArgs?: string[] };

export const ETCD: SystemProgram = { name: "etcd", debianPackage: "etcd-server", fallbackPaths: ["/usr/bin/etcd"] };
export const CHROMIUM: SystemProgram = { name: "chromium", debianPackage: "chromium", fallbackPaths: ["/usr/bin/chromium"] };
export const ETCDCTL: SystemProgram = {
  name: "etcdctl",
  debianPackage: "etcd-client",
  fallbackPaths: ["/usr/bin/etcdctl"],
  versionArgs: ["version"],
};
// Debian keeps PostgreSQL's server programs out of PATH, in one folder per major version; the
// harness takes the postgres server from the folder where initdb was found.
export const POSTGRES_INITDB: SystemProgram = {
  name: "initdb",
  debianPackage: "postgresql",
  fallbackPaths: ["17", "16", "15"].map((major) => `/usr/lib/postgresql/${major}/bin/initdb`),
};
export const OPENSSL: SystemProgram = {
  name: "openssl",
  debianPackage: "openssl",
  fallbackPaths: ["/usr/bin/openssl"],
  versionArgs: ["version"],
};

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isDebianLike(): boolean {
  if (!existsSync("/etc/os-release") || !findOnPath("apt-get")) return false;
  return /^(ID|ID_LIKE)=.*(debian|ubuntu)/m.test(readFileSync("/etc/os-release", "utf8"));
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

let aptUpdated = false;

function aptInstall(packages: string[]): void {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!aptUpdated) {
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    aptUpdated = true;
  }
  execFileSync("apt-get", ["install", "-y", "-qq", ...packages], { stdio: "inherit", env });
}

export class MissingProgramError extends Error {}

/**
 * The path of a program: `overrideVar` (e.g. ETCD_BIN) if set, else PATH, else Debian's package
 * installed now (as root on Debian/Ubuntu, saying so), else an error with the install command.
 */
export function requireProgram(program: SystemProgram, overrideVar?: string): string {
  const override = overrideVar ? process.env[overrideVar] : undefined;
  if (override) {
    if (!isExecutable(override)) throw new MissingProgramError(`${overrideVar}=${override} is not an executable file`);
    return override;
  }
  const found = findOnPath(program.name) ?? program.fallbackPaths.find(isExecutable);
  if (found) return found;
  if (isDebianLike() && isRoot()) {
    console.log(`etcdlens: ${program.name} is not installed; installing Debian's ${program.debianPackage} package...`);
    aptInstall([program.debianPackage]);
    const installed = findOnPath(program.name) ?? program.fallbackPaths.find(isExecutable);
    if (installed) return installed;
  }
  const how = isDebianLike()
    ? `sudo apt-get update && sudo apt-get install -y ${program.debianPackage}`
    : `install ${program.name} (on Debian/Ubuntu: sudo apt-get install -y ${program.debianPackage})`;
  throw new MissingProgramError(
    `${program.name} was not found${overrideVar ? ` (set ${overrideVar}, or put it on PATH)` : " on PATH"}. To install it: ${how}`,
  );
}

/** The first line of what the program at `path` says its version is. */
export function programVersion(path: string, program: SystemProgram): string {
  const result = spawnSync(path, program.versionArgs ?? ["--version"], { encoding: "utf8" });
  return (result.stdout || result.stderr || "").split("\n")[0].trim();
}
