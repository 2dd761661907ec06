"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import type { WatchEventDto } from "@/lib/api/dto";
import { ancestorLevels, base64ToBytes, bytesEqual, bytesToBase64, parentLevel } from "@/lib/keys";
import { clusterQueries, isQueryOf, keyQueries } from "@/lib/queries";
import { useClusterName } from "@/components/cluster/cluster-scope";
import { useLivePreference } from "./live-preference";
import { useLiveUpdates, type LiveStatus } from "./use-live-updates";

// Live mode for the explorer: follows the level the selected key is listed in (its siblings in
// the tree, the key itself and anything below it) and refetches exactly what a change touched.

export function useExplorerLive(
  keyBytes: Uint8Array,
  pinnedRevision: number | undefined,
): {
  on: boolean;
  setOn: (on: boolean) => void;
  status: LiveStatus;
  disabledReason?: string;
} {
  const [preference, setOn] = useLivePreference();
  const queryClient = useQueryClient();
  const cluster = useClusterName();
  const header = useQuery(clusterQueries.header(cluster));
  const pinned = pinnedRevision !== undefined;
  const enabled = preference && !pinned;

  const onChanges = useCallback(
    (changes: WatchEventDto[]) => {
      let selectedTouched = false;
      const levels = new Set<string>();
      for (const change of changes) {
        const key = base64ToBytes(change.keyBase64);
        if (bytesEqual(key, keyBytes)) selectedTouched = true;
        // Creates and deletes change what a level lists; so does anything inside a folder.
        levels.add(bytesToBase64(parentLevel(key)));
        // They also change the key count every folder row above the key shows, each listed in the
        // level above it: all the way up to the root.
        const created = change.type === "PUT" && change.version === 1;
        if (created || change.type === "DELETE") for (const level of ancestorLevels(key)) levels.add(bytesToBase64(level));
      }
      if (selectedTouched) {
        void queryClient.invalidateQueries({ queryKey: keyQueries.value(cluster, keyBytes).queryKey });
        void queryClient.invalidateQueries({ queryKey: keyQueries.history(cluster, keyBytes).queryKey });
      }
      for (const level of levels) {
        void queryClient.invalidateQueries({ queryKey: keyQueries.children(cluster, base64ToBytes(level)).queryKey });
      }
      void queryClient.invalidateQueries({ queryKey: clusterQueries.header(cluster).queryKey });
    },
    [cluster, keyBytes, queryClient],
  );

  const onGap = useCallback(() => {
    void queryClient.invalidateQueries({ predicate: (query) => isQueryOf(query.queryKey, cluster) && query.queryKey[1] !== "diff" });
  }, [cluster, queryClient]);

  const status = useLiveUpdates({
    prefix: parentLevel(keyBytes),
    enabled,
    shownRevision: header.data?.revision,
    onChanges,
    onGap,
  });
  return { on: enabled, setOn, status, disabledReason: pinned ? "A view pinned to a revision is never live" : undefined };
}
