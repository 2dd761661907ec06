"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useRef } from "react";
import { setActiveCluster, withCluster } from "@/lib/queries/active-cluster";

/** The cluster the page's URL names; undefined means the default cluster. */
export function useClusterName(): string | undefined {
  return useSearchParams().get("cluster") || undefined;
}

// Keeps the browser's API calls on the cluster the URL names. Set during render, so the queries
// of this very render already ask the right cluster; cached answers of another cluster are
// dropped when the cluster changes.
export function ClusterScope() {
  const name = useClusterName();
  setActiveCluster(name);
  const queryClient = useQueryClient();
  const previous = useRef(name);
  useEffect(() => {
    if (previous.current === name) return;
    previous.current = name;
    void queryClient.resetQueries();
  }, [name, queryClient]);
  return null;
}

/** Next's router, keeping the page's `cluster` parameter on every push and replace. */
export function useClusterRouter() {
  const router = useRouter();
  const name = useClusterName();
  return useMemo(
    () => ({
      ...router,
      push: (href: string, options?: Parameters<typeof router.push>[1]) => router.push(withCluster(href, name), options),
      replace: (href: string, options?: Parameters<typeof router.replace>[1]) => router.replace(withCluster(href, name), options),
    }),
    [router, name],
  );
}
