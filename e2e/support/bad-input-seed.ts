import type { Etcd3 } from "etcd3";

// Keys for the bad-input specs: two keys longer than a URL can carry (Node refuses a request line
// and headers over 16 KB), and a value nested too deeply to display as a document.

export const LONG_KEY_FOLDER = "/bad-input/long/";
export const LONG_KEY_10K = `${LONG_KEY_FOLDER}k10-${"x".repeat(10 * 1024)}`;
export const LONG_KEY_20K = `${LONG_KEY_FOLDER}k20-${"y".repeat(20 * 1024)}`;

/** A JSON value nested 5,000 levels deep: far past what is displayed as a document. */
export const DEEP_JSON_KEY = "/bad-input/deep/json";
export const DEEP_JSON = `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`;

export async function seedBadInputKeys(writer: Etcd3): Promise<void> {
  await writer.put(DEEP_JSON_KEY).value(DEEP_JSON).exec();
  await writer.put(LONG_KEY_10K).value("ten kilobytes of key").exec();
  await writer.put(LONG_KEY_20K).value("twenty kilobytes of key").exec();
  await writer.put(LONG_KEY_20K).value("twenty kilobytes of key, second version").exec();
}
