"use client";

import { useRouter, useSearchParams } from "next/navigation";
import { createContext, useContext, useMemo, type ReactNode } from "react";
import { withCluster, type ClusterName } from "@/lib/queries/cluster";

// The cluster a page looks at is its URL's `cluster` parameter. It is read once here and handed
// down by context; components pass it to the query factories, which put it into every query key
// and API URL, so a switch renders the other cluster's cache entries from the first frame on.

const ClusterContext = createContext<ClusterName>(undefined);

export function ClusterProvider({ children }: { children: ReactNode }) {
  const name = useSearchParams().get("cluster") || undefined;
  return <ClusterContext.Provider value={name}>{children}</ClusterContext.Provider>;
}

/** The cluster the page's URL names; undefined means the default cluster. */
export function useClusterName(): ClusterName {
  return useContext(ClusterContext);
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
