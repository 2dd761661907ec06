import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // etcd3 pulls in gRPC and native-ish modules that must not be bundled.
  serverExternalPackages: ["etcd3", "@grpc/grpc-js", "protobufjs"],
  poweredByHeader: false,
  // Lets proxy.ts see the query string as sent, so keys keep their exact bytes (see proxy.ts).
  skipProxyUrlNormalize: true,
  reactStrictMode: true,
  // Schemas are read from disk at run time by lib/decode; make sure the
  // standalone trace includes them.
  outputFileTracingIncludes: { "/**": ["./proto/**/*.proto"] },
};

export default nextConfig;
