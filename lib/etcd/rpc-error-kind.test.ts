import { castGrpcError, EtcdLeaseInvalidError, EtcdPermissionDeniedError, GRPCDeadlineExceededError } from "etcd3";
import { describe, expect, it } from "vitest";
import { rpcErrorKindOf } from "./rpc-error-kind";

// Errors as etcd3 hands them over: gRPC's status cast to etcd3's classes, etcd's own messages.
function grpcError(code: number, details: string): Error {
  return castGrpcError(Object.assign(new Error(`${code} ${details}`), { code, details }));
}

describe("rpcErrorKindOf", () => {
  it("tells etcd's compaction and future revision apart from other out-of-range answers", () => {
    expect(rpcErrorKindOf(grpcError(11, "etcdserver: mvcc: required revision has been compacted"))).toBe("compacted");
    expect(rpcErrorKindOf(grpcError(11, "etcdserver: mvcc: required revision is a future revision"))).toBe("future_revision");
  });

  it("names a deadline, an unreachable member and a refused permission", () => {
    expect(rpcErrorKindOf(new GRPCDeadlineExceededError("etcd did not answer within 3000 ms"))).toBe("deadline_exceeded");
    expect(rpcErrorKindOf(grpcError(14, "No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1"))).toBe("unavailable");
    expect(rpcErrorKindOf(new Error("Breaker is open: circuit breaker is open"))).toBe("unavailable");
    expect(rpcErrorKindOf(new EtcdPermissionDeniedError("etcdserver: permission denied"))).toBe("permission_denied");
    expect(rpcErrorKindOf(new EtcdLeaseInvalidError("etcdserver: requested lease not found"))).toBe("not_found");
    expect(rpcErrorKindOf(grpcError(8, "grpc: received message larger than max"))).toBe("resource_exhausted");
  });

  it("says other for anything it does not know, never the message", () => {
    expect(rpcErrorKindOf(new Error("/registry/secrets/default/token is broken"))).toBe("other");
    expect(rpcErrorKindOf("a string")).toBe("other");
  });
});
