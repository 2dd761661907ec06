"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { bytesFromText, keyHref } from "@/lib/keys";
import { withCluster } from "@/lib/queries/cluster";
import { clusterListQuery } from "@/lib/queries";
import { useClusterName } from "./cluster-scope";

// Shown when the operator configured several clusters: picks which one every view reads. The
// choice lives in the URL, so a shared link opens the same cluster.
export function ClusterSwitcher() {
  const router = useRouter();
  const current = useClusterName();
  const clusters = useQuery(clusterListQuery());
  const list = clusters.data?.clusters ?? [];
  if (list.length < 2) return null;
  const selected = current ?? list[0].name;

  const open = (name: string) => {
    const target = list.find((cluster) => cluster.name === name);
    const start = target?.defaultPrefix?.replace(/\/+$/, "");
    const path = start ? keyHref(bytesFromText(start)) : "/keys";
    router.push(withCluster(path, name === list[0].name ? undefined : name));
  };

  return (
    <label className="flex items-center gap-1 text-xs text-slate-500">
      cluster
      <select
        aria-label="Cluster"
        value={selected}
        onChange={(event) => open(event.target.value)}
        className="rounded border border-slate-300 bg-white px-1 py-0.5 font-mono text-xs text-slate-900"
      >
        {list.map((cluster) => (
          <option key={cluster.name} value={cluster.name}>
            {cluster.name}
          </option>
        ))}
      </select>
    </label>
  );
}
