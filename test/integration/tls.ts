import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TlsFiles } from "@/scripts/lib/etcd-process";

// A throwaway CA with a server certificate for 127.0.0.1 and a client certificate, made with
// openssl the way a cluster operator would, so TLS tests exercise real certificate checks.

function openssl(args: string[], cwd: string) {
  execFileSync("openssl", args, { cwd, stdio: "pipe" });
}

export type TestPki = { server: TlsFiles; client: TlsFiles; otherCaFile: string };

export function makeTestPki(dir: string): TestPki {
  mkdirSync(dir, { recursive: true });
  const days = ["-days", "2"];
  openssl(
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=etcdlens-test-ca", ...days],
    dir,
  );
  openssl(
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "other-ca.key",
      "-out",
      "other-ca.crt",
      "-subj",
      "/CN=unrelated-ca",
      ...days,
    ],
    dir,
  );
  writeFileSync(join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
  writeFileSync(join(dir, "client.ext"), "extendedKeyUsage=clientAuth\n");
  for (const name of ["server", "client"]) {
    openssl(
      ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=etcdlens-${name}`],
      dir,
    );
    openssl(
      [
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        `${name}.crt`,
        "-extfile",
        `${name}.ext`,
        ...days,
      ],
      dir,
    );
  }
  const files = (name: string): TlsFiles => ({
    caFile: join(dir, "ca.crt"),
    certFile: join(dir, `${name}.crt`),
    keyFile: join(dir, `${name}.key`),
  });
  return { server: files("server"), client: files("client"), otherCaFile: join(dir, "other-ca.crt") };
}
