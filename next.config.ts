import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // etcd3 pulls in gRPC and native-ish modules that must not be bundled.
  serverExternalPackages: ["etcd3", "@grpc/grpc-js", "protobufjs"],
  poweredByHeader: false,
  reactStrictMode: true,
  // Schemas are read from disk at run time by lib/decode; make sure the
  // standalone trace includes them.
  outputFileTracingIncludes: { "/**": ["./proto/**/*.proto"] },
};

export default nextConfig;
