import "server-only";
import type { ChildStats, FolderFigures, LevelStats } from "@/lib/etcd/folder-index/level-stats";
import type { SizingStatus } from "@/lib/etcd/folder-index/folder-index";
import { bytesToBase64, bytesToBase64Url, keyToDisplay } from "@/lib/keys";
import type { FolderFiguresDto, SizingDto, StatsDto, StatsItemDto } from "./dto";

// The one place GET /api/stats answers are built.

/** Rates to two decimals: a folder written once in ten minutes is 0.1/min, not 0.1000000001. */
const rate = (value: number) => Math.round(value * 100) / 100;

function presentFigures(figures: FolderFigures): FolderFiguresDto {
  return {
    keys: figures.keys,
    bytes: figures.bytes,
    writesPerMinute: figures.writes.perMinute,
    writesPerMinute10: rate(figures.writes.perMinute10),
    writesPerMinute60: rate(figures.writes.perMinute60),
  };
}

function presentItem(item: ChildStats): StatsItemDto {
  return {
    name: keyToDisplay(item.name),
    key: keyToDisplay(item.key),
    keyBase64: bytesToBase64(item.key),
    isKey: item.isKey,
    isFolder: item.isFolder,
    keys: item.keys,
    bytes: item.bytes,
    writesPerMinute: item.writes ? item.writes.perMinute : null,
    writesPerMinute10: item.writes ? rate(item.writes.perMinute10) : null,
    writesPerMinute60: item.writes ? rate(item.writes.perMinute60) : null,
    ...(item.partial ? { partial: true as const } : {}),
  };
}

function presentSizing(sizing: SizingStatus): SizingDto {
  return { state: sizing.state, sized: sizing.sized, total: sizing.total, revision: sizing.revision, sizedInMs: sizing.sizedInMs };
}

export function presentStats(prefix: Uint8Array, stats: LevelStats): StatsDto {
  if (stats.kind === "indexing") {
    return {
      revision: 0,
      prefix: keyToDisplay(prefix),
      items: [],
      nextCursor: null,
      level: null,
      keyspace: null,
      sizing: { state: "waiting", sized: 0, total: 0, revision: 0, sizedInMs: 0 },
      indexing: { keysScanned: stats.keysScanned, startedAt: stats.startedAt },
    };
  }
  return {
    revision: stats.revision,
    prefix: keyToDisplay(prefix),
    items: stats.items.map(presentItem),
    nextCursor: stats.nextCursor ? bytesToBase64Url(stats.nextCursor) : null,
    level: stats.level ? presentFigures(stats.level) : null,
    keyspace: stats.keyspace ? presentFigures(stats.keyspace) : null,
    ...(stats.largestKeys
      ? {
          largestKeys: stats.largestKeys.map((entry) => {
            const key = Buffer.from(entry.key, "latin1");
            return { key: keyToDisplay(key), keyBase64: bytesToBase64(key), bytes: entry.size };
          }),
        }
      : {}),
    sizing: presentSizing(stats.sizing),
  };
}
