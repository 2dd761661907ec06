import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Lets two checkouts' worth of builds (or a build and a test run) coexist in one folder.
  distDir: process.env.ETCDLENS_DIST_DIR ?? ".next",
  // The build also writes a self-contained server folder (<distDir>/standalone) with only the
  // node_modules it needs: what the container image ships (scripts/deploy/Dockerfile).
  output: "standalone",
  // etcd3 pulls in gRPC and native-ish modules that must not be bundled.
  serverExternalPackages: ["etcd3", "@grpc/grpc-js", "protobufjs"],
  poweredByHeader: false,
  // Lets proxy.ts see the query string as sent, so keys keep their exact bytes (see proxy.ts).
  skipProxyUrlNormalize: true,
  reactStrictMode: true,
  // Next's trailing-slash redirect would answer before proxy.ts, skipping the Host check and the
  // security headers; the proxy makes it instead.
  skipTrailingSlashRedirect: true,
  // Schemas read from disk at run time (ours by lib/decode, etcd3's gRPC ones by etcd3 itself):
  // the standalone trace must include them, which it cannot see by itself.
  outputFileTracingIncludes: { "/**": ["./proto/**/*.proto", "./node_modules/etcd3/proto/**"] },
};

export default nextConfig;
