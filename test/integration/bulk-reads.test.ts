import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bulkReadsOf, BULK_READS_PER_CLUSTER } from "@/lib/etcd/bulk-gate";
import { connectionTo, seedingClient, startTestEtcd } from "./support";
import { parseSearchQuery, type SearchTerm } from "@/lib/search/query";
import { searchValues, visibleRanges } from "@/lib/search/scan-values";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";

// Searches scanning values in bulk take turns per cluster: six at once against a real etcd never
// have more than BULK_READS_PER_CLUSTER pages in flight, the others wait, and all finish whole.

let etcd: EtcdProcess;
const PREFIX = Buffer.from("/bulk/");
const KEYS = 120;

beforeAll(async () => {
  etcd = await startTestEtcd("bulk-reads");
  const writer = seedingClient(etcd);
  for (let i = 0; i < KEYS; i++) await writer.put(`/bulk/item-${String(i).padStart(3, "0")}`).value("x".repeat(30_000));
  writer.close();
});

afterAll(async () => {
  await etcd?.stop();
});

describe("bulk reads", () => {
  it("six searches at once keep at most the cluster's bulk reads in flight, and each scans every key", async () => {
    const connection = connectionTo(etcd);
    const parsed = parseSearchQuery("nowhere-to-be-found");
    const terms = (parsed as { terms: SearchTerm[] }).terms;
    let peakRunning = 0;
    let peakWaiting = 0;
    let done = false;
    const sample = async () => {
      while (!done) {
        const now = bulkReadsOf(connection);
        peakRunning = Math.max(peakRunning, now.running);
        peakWaiting = Math.max(peakWaiting, now.waiting);
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const sampling = sample();
    const pages = await Promise.all(
      Array.from({ length: 6 }, () =>
        searchValues(connection, {
          prefix: PREFIX,
          terms,
          ranges: visibleRanges(PREFIX),
          limit: 10,
          budget: { ms: 60_000, keys: 1_000_000 },
          mayReveal: () => false,
        }),
      ),
    );
    done = true;
    await sampling;
    connection.client.close();
    expect(pages.map((page) => page.scanned)).toEqual(Array(6).fill(KEYS));
    expect(peakRunning).toBe(BULK_READS_PER_CLUSTER);
    expect(peakWaiting).toBeGreaterThan(0);
    expect(bulkReadsOf(connection)).toEqual({ running: 0, waiting: 0 });
  });
});
