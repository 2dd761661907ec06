// Makes sure the programs the tests need from the operating system are there: etcd for the
// integration and end-to-end tests, Chromium for the end-to-end tests, openssl for TLS tests.
// Installs Debian's packages as root on Debian/Ubuntu; otherwise says what to install.
import { CHROMIUM, ETCD, MissingProgramError, programVersion, requireProgram } from "./lib/system-deps";

try {
  const etcd = requireProgram(ETCD, "ETCD_BIN");
  const chromium = requireProgram(CHROMIUM, "CHROMIUM_BIN");
  const openssl = requireProgram({ name: "openssl", debianPackage: "openssl", fallbackPaths: ["/usr/bin/openssl"] });
  for (const path of [etcd, chromium, openssl]) console.log(`${path}: ${programVersion(path)}`);
} catch (error) {
  console.error(error instanceof MissingProgramError ? error.message : error);
  process.exit(1);
}
