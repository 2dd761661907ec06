"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { isApiError } from "@/lib/queries/fetch-json";
import { ClusterProvider } from "@/components/cluster/cluster-scope";

// One QueryClient per browser tab. Answers that cannot change by retrying (bad input, not found,
// compacted) are not retried; an unreachable etcd is retried a little.
function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 2_000,
        refetchOnWindowFocus: false,
        retry: (failures, error) => {
          if (isApiError(error) && ["bad_request", "not_found", "compacted", "future_revision", "forbidden"].includes(error.code)) {
            return false;
          }
          return failures < 2;
        },
      },
    },
  });
}

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(makeQueryClient);
  return (
    <QueryClientProvider client={client}>
      <ClusterProvider>{children}</ClusterProvider>
    </QueryClientProvider>
  );
}
