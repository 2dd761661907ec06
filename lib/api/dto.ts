// Wire types of the JSON API, shared by the route handlers and the browser. Keys travel twice:
// `key` is display text (UTF-8 where valid, escapes elsewhere), `keyBase64` the exact bytes.
// Revisions are JSON numbers; cluster, member and lease IDs are decimal strings (uint64).

import type { DecodedValue } from "@/lib/decode/types";

export type ChildDto = {
  name: string;
  key: string;
  keyBase64: string;
  isKey: boolean;
  hasChildren: boolean;
};

export type ChildrenDto = { revision: number; items: ChildDto[]; nextCursor: string | null };

export type KeyValueDto = {
  key: string;
  keyBase64: string;
  createRevision: number;
  modRevision: number;
  version: number;
  lease: string;
  size: number;
};

export type RawPreviewDto = {
  /** The first bytes of the value, base64; all of it when `truncated` is false. */
  base64: string;
  truncated: boolean;
};

export type KeyDto = {
  revision: number;
  kv: KeyValueDto;
  value: DecodedValue;
  raw: RawPreviewDto;
};

export type HistoryItemDto = {
  revision: number;
  type: "PUT" | "DELETE";
  version: number;
  createRevision: number;
  size: number;
  lease: string;
};

export type HistoryDto = {
  revision: number;
  items: HistoryItemDto[];
  next: number | null;
  compactRevision?: number;
};

export type ClusterDto = {
  clusterId: string;
  memberId: string;
  revision: number;
  raftTerm: number;
  endpoints: string[];
};

export type HealthDto = { ok: true; etcd: { reachable: boolean; error?: string; revision?: number } };
