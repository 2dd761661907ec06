// Numbers as the Insights page prints them.

// Bytes as the tree and the folder view print them (decimal, as etcdctl prints etcd's sizes).
export { formatBytes } from "@/lib/text/figures";

/** A rate in a "writes/min" column: the number alone, with more digits for slow folders than the tree's "0.1/min". */
export function formatRate(perMinute: number): string {
  if (perMinute === 0) return "0";
  if (perMinute < 0.1) return perMinute.toFixed(3);
  if (perMinute < 10) return perMinute.toFixed(1);
  return Math.round(perMinute).toLocaleString("en-US");
}

export function formatCount(count: number): string {
  return count.toLocaleString("en-US");
}
