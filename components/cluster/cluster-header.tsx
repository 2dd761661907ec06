"use client";

import { Link } from "@/components/ui/link";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { clusterQueries, isQueryOf } from "@/lib/queries";
import { toSentence } from "@/lib/sentence";
import { JumpBox } from "@/components/jump-box/jump-box";
import { SignedInAs } from "@/components/auth/signed-in-as";
import { ThemeToggle } from "@/components/theme/theme-toggle";
import { ClusterSwitcher } from "./cluster-switcher";
import { useClusterName } from "./cluster-scope";

function hexId(decimal: string): string {
  return BigInt(decimal).toString(16);
}

// The header shows where the user is, as etcdctl's JSON header does, and turns into a banner
// when etcd stops answering. When it answers again every query is refetched, so the page
// recovers without a reload.
export function ClusterHeader() {
  const name = useClusterName();
  const cluster = useQuery(clusterQueries.header(name));
  const queryClient = useQueryClient();
  const wasDown = useRef(false);

  useEffect(() => {
    if (cluster.isError) wasDown.current = true;
    else if (cluster.isSuccess && wasDown.current) {
      wasDown.current = false;
      void queryClient.invalidateQueries({ predicate: (query) => isQueryOf(query.queryKey, name) && query.queryKey[1] !== "cluster" });
    }
  }, [cluster.isError, cluster.isSuccess, cluster.dataUpdatedAt, queryClient, name]);

  const header = cluster.data;
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="flex flex-wrap items-center gap-x-6 gap-y-1 px-4 py-2">
        <Link href="/keys" className="text-base font-bold tracking-tight text-slate-900">
          etcd<span className="text-blue-700">lens</span>
        </Link>
        <ClusterSwitcher />
        <JumpBox />
        <nav aria-label="Sections" className="flex gap-3 text-sm">
          <Link href="/keys" className="text-slate-700 hover:text-blue-700">
            Keys
          </Link>
          <Link href="/changes" className="text-slate-700 hover:text-blue-700">
            Changes
          </Link>
          <Link href="/search" className="text-slate-700 hover:text-blue-700">
            Search
          </Link>
          <Link href="/leases" className="text-slate-700 hover:text-blue-700">
            Leases
          </Link>
          <Link href="/cluster" className="text-slate-700 hover:text-blue-700">
            Cluster
          </Link>
          <Link href="/insights" className="text-slate-700 hover:text-blue-700">
            Insights
          </Link>
          <Link href="/audit" className="text-slate-700 hover:text-blue-700">
            Audit
          </Link>
        </nav>
        {header ? (
          <dl aria-label="Cluster" className="flex flex-wrap gap-x-5 gap-y-1 text-xs text-slate-600">
            <Item label="cluster ID" value={header.clusterId} title={`hex ${hexId(header.clusterId)}`} />
            <Item label="member ID" value={header.memberId} title={`hex ${hexId(header.memberId)}`} />
            <Item label="revision" value={String(header.revision)} />
            <Item label="raft term" value={String(header.raftTerm)} />
          </dl>
        ) : null}
        <div className="ml-auto flex items-center gap-4">
          <SignedInAs />
          <ThemeToggle />
        </div>
      </div>
      {cluster.isError ? (
        <div role="alert" className="border-t border-red-200 bg-red-50 px-4 py-2 text-sm text-red-900">
          <strong>etcd is unreachable.</strong> {toSentence(cluster.error.message)} Retrying every 5 seconds.
        </div>
      ) : null}
    </header>
  );
}

function Item({ label, value, title }: { label: string; value: string; title?: string }) {
  return (
    <div className="flex gap-1" title={title}>
      <dt className="text-slate-400">{label}</dt>
      <dd className="font-mono text-slate-800" data-testid={`cluster-${label.replace(/\s+/g, "-")}`}>
        {value}
      </dd>
    </div>
  );
}
