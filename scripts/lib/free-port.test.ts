import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { findFreePort } from "./etcd-process";

// The outage test runs beside the other integration tests and restarts its etcd on the same
// ports minutes later: its ports must come from the range it names, and only free ones.

afterEach(() => {
  delete process.env.ETCDLENS_TEST_PORT_RANGE;
});

describe("findFreePort", () => {
  it("takes a port from ETCDLENS_TEST_PORT_RANGE, passing over one in use", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(20500, "127.0.0.1", resolve));
    try {
      process.env.ETCDLENS_TEST_PORT_RANGE = "20500-20501";
      for (let i = 0; i < 10; i++) expect(await findFreePort()).toBe(20501);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
