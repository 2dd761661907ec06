"use client";

import NextLink from "next/link";
import type { ComponentProps } from "react";
import { withCluster } from "@/lib/queries/cluster";
import { useClusterName } from "@/components/cluster/cluster-scope";

// Next's Link that keeps the page's `cluster` parameter, so every link stays on the cluster being
// looked at and a copied URL opens the same view of the same cluster.
export function Link({ href, ...props }: ComponentProps<typeof NextLink> & { href: string }) {
  const cluster = useClusterName();
  return <NextLink {...props} href={withCluster(href, cluster)} />;
}
