import "server-only";
import { castGrpcError, Etcd3, EtcdInvalidAuthTokenError, type IRangeRequest } from "etcd3";
import { decodeRangeKeys, type RangeKeysPage } from "./range-wire";

// etcd3's client with one more call: a keys-only Range whose response is read by range-wire.ts
// instead of etcd3's generic decoder. The call goes through etcd3's own connection pool, so
// endpoints, failover, TLS and the auth token are exactly those of every other request.

const TOKEN_PROBE_KEY = Buffer.from("\u0000etcdlens/token-probe");

type RangeMethod = { requestSerialize: (request: IRangeRequest) => Buffer };

export class EtcdClient extends Etcd3 {
  /** The keys of one Range request (asked keys-only), with `more`, the range's count and the response's size. */
  async rangeKeys(request: Omit<IRangeRequest, "keys_only">, deadline: number): Promise<RangeKeysPage & { bytes: number }> {
    const bytes = await this.rangeBytes(request, deadline).catch(async (error: unknown) => {
      if (!(error instanceof EtcdInvalidAuthTokenError)) throw error;
      // Only the pool's own calls renew an expired token: make one, then ask again.
      await this.kv.range({ key: TOKEN_PROBE_KEY, count_only: true });
      return this.rangeBytes(request, deadline);
    });
    return { ...decodeRangeKeys(bytes), bytes: bytes.length };
  }

  private rangeBytes(request: Omit<IRangeRequest, "keys_only">, deadline: number): Promise<Buffer> {
    return this.pool.withConnection("KV", ({ client, metadata }) => {
      const range = (client.constructor as unknown as { service: { Range: RangeMethod } }).service.Range;
      return new Promise<Buffer>((resolve, reject) => {
        client.makeUnaryRequest<IRangeRequest, Buffer>(
          "/etcdserverpb.KV/Range",
          range.requestSerialize,
          (bytes) => bytes,
          { ...request, keys_only: true },
          metadata,
          { deadline },
          (error, response) => (error || !response ? reject(castGrpcError(error ?? new Error("empty response"))) : resolve(response)),
        );
      });
    });
  }
}
