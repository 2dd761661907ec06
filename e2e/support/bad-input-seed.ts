import type { Etcd3 } from "etcd3";

// Keys for the bad-input specs: two keys longer than a URL can carry (Node refuses a request line
// and headers over 16 KB), under a folder of their own.

export const LONG_KEY_FOLDER = "/bad-input/long/";
export const LONG_KEY_10K = `${LONG_KEY_FOLDER}k10-${"x".repeat(10 * 1024)}`;
export const LONG_KEY_20K = `${LONG_KEY_FOLDER}k20-${"y".repeat(20 * 1024)}`;

export async function seedBadInputKeys(writer: Etcd3): Promise<void> {
  await writer.put(LONG_KEY_10K).value("ten kilobytes of key").exec();
  await writer.put(LONG_KEY_20K).value("twenty kilobytes of key").exec();
  await writer.put(LONG_KEY_20K).value("twenty kilobytes of key, second version").exec();
}
