import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Lets two checkouts' worth of builds (or a build and a test run) coexist in one folder.
  distDir: process.env.ETCDLENS_DIST_DIR ?? ".next",
  // etcd3 pulls in gRPC and native-ish modules that must not be bundled.
  serverExternalPackages: ["etcd3", "@grpc/grpc-js", "protobufjs"],
  poweredByHeader: false,
  // Lets proxy.ts see the query string as sent, so keys keep their exact bytes (see proxy.ts).
  skipProxyUrlNormalize: true,
  reactStrictMode: true,
  // Next's trailing-slash redirect would answer before proxy.ts, skipping the Host check and the
  // security headers; the proxy makes it instead.
  skipTrailingSlashRedirect: true,
  // Schemas are read from disk at run time by lib/decode; make sure the
  // standalone trace includes them.
  outputFileTracingIncludes: { "/**": ["./proto/**/*.proto"] },
};

export default nextConfig;
