import "server-only";
import { castGrpcError, Etcd3, EtcdInvalidAuthTokenError, type IOptions, type IRangeRequest } from "etcd3";
import { observeEtcdRpc } from "@/lib/metrics/rpc";
import { decodeRangeKeys, decodeRangeSizes, type RangeKeysPage, type RangeSizesPage } from "./range-wire";
import { rpcErrorKindOf } from "./rpc-error-kind";

// etcd3's client with two more calls: a keys-only Range, and a Range whose values are measured but
// not kept (the folder index's sizing pass), both read by range-wire.ts instead of etcd3's generic
// decoder. The call goes through etcd3's own connection pool, so
// endpoints, failover, TLS and the auth token are exactly those of every other request.

const TOKEN_PROBE_KEY = Buffer.from("\u0000etcdlens/token-probe");

type RangeMethod = { requestSerialize: (request: IRangeRequest) => Buffer };

type Pool = Etcd3["pool"];

/** etcd3's method names ("range", "memberList") as gRPC spells them ("Range", "MemberList"), etcd's own metric labels. */
function grpcMethodName(method: string): string {
  return method.charAt(0).toUpperCase() + method.slice(1);
}

export class EtcdClient extends Etcd3 {
  /** `cluster`: the configured name the RPC metrics (lib/metrics) are labelled with. */
  constructor(
    options: IOptions,
    private readonly metricsCluster = "unnamed",
  ) {
    super(options);
    // Every unary call of etcd3 goes through pool.exec (retries inside it: one RPC); watch streams
    // open through withConnection("Watch"). Both are timed here, once for every caller.
    const pool = this.pool;
    const exec = pool.exec.bind(pool);
    pool.exec = ((service, method, payload, callOptions) =>
      this.timed(grpcMethodName(method), () => exec(service, method, payload, callOptions))) as Pool["exec"];
    const withConnection = pool.withConnection.bind(pool);
    pool.withConnection = ((service, fn, shuffle) =>
      service === "Watch"
        ? this.timed("Watch", () => withConnection(service, fn, shuffle))
        : withConnection(service, fn, shuffle)) as Pool["withConnection"];
  }

  private async timed<T>(method: string, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await call();
      observeEtcdRpc(this.metricsCluster, method, (performance.now() - started) / 1000, null);
      return result;
    } catch (error) {
      observeEtcdRpc(this.metricsCluster, method, (performance.now() - started) / 1000, rpcErrorKindOf(error));
      throw error;
    }
  }

  /** The keys of one Range request (asked keys-only), with `more`, the range's count and the response's size. */
  async rangeKeys(request: Omit<IRangeRequest, "keys_only">, deadline: number): Promise<RangeKeysPage & { bytes: number }> {
    const bytes = await this.rangeRenewingToken({ ...request, keys_only: true }, deadline);
    return { ...decodeRangeKeys(bytes), bytes: bytes.length };
  }

  /** The keys and value sizes of one Range request (with values), with `more`, the range's count and the response's size. */
  async rangeSizes(request: Omit<IRangeRequest, "keys_only">, deadline: number): Promise<RangeSizesPage & { bytes: number }> {
    const bytes = await this.rangeRenewingToken(request, deadline);
    return { ...decodeRangeSizes(bytes), bytes: bytes.length };
  }

  private rangeRenewingToken(request: IRangeRequest, deadline: number): Promise<Buffer> {
    return this.rangeBytes(request, deadline).catch(async (error: unknown) => {
      if (!(error instanceof EtcdInvalidAuthTokenError)) throw error;
      // Only the pool's own calls renew an expired token: make one, then ask again.
      await this.kv.range({ key: TOKEN_PROBE_KEY, count_only: true });
      return this.rangeBytes(request, deadline);
    });
  }

  private rangeBytes(request: IRangeRequest, deadline: number): Promise<Buffer> {
    return this.timed("Range", () => this.rangeBytesOnce(request, deadline));
  }

  private rangeBytesOnce(request: IRangeRequest, deadline: number): Promise<Buffer> {
    return this.pool.withConnection("KV", ({ client, metadata }) => {
      const range = (client.constructor as unknown as { service: { Range: RangeMethod } }).service.Range;
      return new Promise<Buffer>((resolve, reject) => {
        client.makeUnaryRequest<IRangeRequest, Buffer>(
          "/etcdserverpb.KV/Range",
          range.requestSerialize,
          (bytes) => bytes,
          request,
          metadata,
          { deadline },
          (error, response) => (error || !response ? reject(castGrpcError(error ?? new Error("empty response"))) : resolve(response)),
        );
      });
    });
  }
}
