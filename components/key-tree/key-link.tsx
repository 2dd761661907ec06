"use client";

import type { ComponentProps } from "react";
import { Link } from "@/components/ui/link";
import { useClusterName } from "@/components/cluster/cluster-scope";
import { isFragmentKeyHref } from "@/lib/keys";
import { withCluster } from "@/lib/queries/cluster";

// A link to a key's page. A key too long for a URL path is named in the fragment (see keyHref);
// Next's Link treats a change of fragment alone as a scroll, so such links are plain anchors,
// whose fragment change the explorer hears as a hashchange.
export function KeyLink({ href, ...props }: ComponentProps<"a"> & { href: string }) {
  const cluster = useClusterName();
  if (isFragmentKeyHref(href)) return <a {...props} href={withCluster(href, cluster)} />;
  return <Link {...props} href={href} />;
}
