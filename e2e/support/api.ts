import type { APIRequestContext } from "@playwright/test";
import type { ManagerChange } from "@/lib/diff/managers";
import { encodeKeyParam, keyHref } from "@/lib/keys";

// Looks things up through the public API so that tests never assume a revision number.

export function param(key: string | Buffer): string {
  return encodeKeyParam(typeof key === "string" ? Buffer.from(key) : key);
}

export function pageOf(key: string | Buffer, search?: Record<string, string | number | undefined>): string {
  return keyHref(typeof key === "string" ? Buffer.from(key) : key, search);
}

export type HistoryItem = {
  revision: number;
  type: "PUT" | "DELETE";
  version: number;
  createRevision: number;
  size: number;
  summary: string | null;
  managers?: ManagerChange[];
  time?: string;
  timeEstimated?: boolean;
};

export async function historyOf(request: APIRequestContext, key: string): Promise<HistoryItem[]> {
  const response = await request.get(`/api/history?key=${param(key)}`);
  if (!response.ok()) throw new Error(`history of ${key}: ${response.status()} ${await response.text()}`);
  return ((await response.json()) as { items: HistoryItem[] }).items;
}
