import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { GET as getLeases } from "@/app/api/leases/route";
import type { LeaseDetailDto, LeasesDto } from "@/lib/api/dto";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";

let etcd: EtcdProcess;
let writer: Etcd3;

beforeAll(async () => {
  etcd = await startTestEtcd("leases-api");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  writer = seedingClient(etcd);
});

afterAll(async () => {
  writer?.close();
  await etcd?.stop();
});

describe("GET /api/leases", () => {
  it("lists live leases and shows one with its TTLs and attached keys, paged", async () => {
    const lease = writer.lease(120, { autoKeepAlive: false });
    const id = String(await lease.grant());
    for (const name of ["c", "a", "b"]) await lease.put(`/leased/${name}`).value(name).exec();

    const list = await callRoute(getLeases, "/api/leases");
    expect(list.status).toBe(200);
    const leases = list.body as LeasesDto;
    expect(leases.items.find((item) => item.id === id)).toMatchObject({ grantedTtl: 120 });

    const first = await callRoute(getLeases, `/api/leases?id=${id}&limit=2`);
    expect(first.status).toBe(200);
    const detail = first.body as LeaseDetailDto;
    expect(detail).toMatchObject({ id, grantedTtl: 120, totalKeys: 3, nextCursor: 2 });
    expect(detail.remainingTtl).toBeGreaterThan(100);
    expect(detail.keys.map((key) => key.key)).toEqual(["/leased/a", "/leased/b"]);
    const second = (await callRoute(getLeases, `/api/leases?id=${id}&limit=2&cursor=2`)).body as LeaseDetailDto;
    expect(second.keys.map((key) => key.key)).toEqual(["/leased/c"]);
    expect(second.nextCursor).toBeNull();

    const hexForm = await callRoute(getLeases, `/api/leases?id=0x${BigInt(id).toString(16)}`);
    expect(hexForm.body.id).toBe(id);

    await lease.revoke();
    const gone = await callRoute(getLeases, `/api/leases?id=${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe("not_found");
  });

  it("rejects a malformed lease ID", async () => {
    const { status, body } = await callRoute(getLeases, "/api/leases?id=12abc");
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/lease ID/);
  });
});
