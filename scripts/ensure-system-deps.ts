// Makes sure the programs the tests need from the operating system are there: etcd for the
// integration and end-to-end tests, Chromium for the end-to-end tests, openssl for TLS tests,
// etcdctl for the decode CLI's test (it must read what `etcdctl get --print-value-only` prints),
// PostgreSQL for the archive's tests on its PostgreSQL engine.
// Installs Debian's packages as root on Debian/Ubuntu; otherwise says what to install.
import {
  CHROMIUM,
  ETCD,
  ETCDCTL,
  MissingProgramError,
  OPENSSL,
  POSTGRES_INITDB,
  programVersion,
  requireProgram,
  type SystemProgram,
} from "./lib/system-deps";

try {
  const programs: [SystemProgram, string | undefined][] = [
    [ETCD, "ETCD_BIN"],
    [CHROMIUM, "CHROMIUM_BIN"],
    [OPENSSL, undefined],
    [ETCDCTL, "ETCDCTL_BIN"],
    [POSTGRES_INITDB, "INITDB_BIN"],
  ];
  for (const [program, overrideVar] of programs) {
    const path = requireProgram(program, overrideVar);
    console.log(`${path}: ${programVersion(path, program)}`);
  }
} catch (error) {
  console.error(error instanceof MissingProgramError ? error.message : error);
  process.exit(1);
}
