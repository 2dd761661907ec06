import type { NextConfig } from "next";
import { RESOURCE_CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from "./lib/http/security-headers";

const nextConfig: NextConfig = {
  // Lets two checkouts' worth of builds (or a build and a test run) coexist in one folder.
  distDir: process.env.ETCDLENS_DIST_DIR ?? ".next",
  // etcd3 pulls in gRPC and native-ish modules that must not be bundled.
  serverExternalPackages: ["etcd3", "@grpc/grpc-js", "protobufjs"],
  poweredByHeader: false,
  // Lets proxy.ts see the query string as sent, so keys keep their exact bytes (see proxy.ts).
  skipProxyUrlNormalize: true,
  reactStrictMode: true,
  // proxy.ts sets these on every answer it sees; this covers the few Next answers before the proxy
  // runs (the trailing-slash redirect). The proxy's page policy replaces this stricter one.
  headers: async () => [
    { source: "/:path*", headers: [...SECURITY_HEADERS, { key: "content-security-policy", value: RESOURCE_CONTENT_SECURITY_POLICY }] },
  ],
  // Schemas are read from disk at run time by lib/decode; make sure the
  // standalone trace includes them.
  outputFileTracingIncludes: { "/**": ["./proto/**/*.proto"] },
};

export default nextConfig;
