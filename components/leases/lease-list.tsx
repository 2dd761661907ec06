"use client";

import { Link } from "@/components/ui/link";
import { useInfiniteQuery } from "@tanstack/react-query";
import { leaseQueries } from "@/lib/queries/leases";
import { ErrorPanel, Loading } from "@/components/ui/panels";
import { useClusterName } from "@/components/cluster/cluster-scope";

function hex(id: string): string {
  return BigInt(id).toString(16);
}

// Live leases, like `etcdctl lease list`, with their TTLs.
export function LeaseList() {
  const query = useInfiniteQuery(leaseQueries.list(useClusterName()));
  if (query.isPending) return <Loading label="Listing leases…" />;
  if (query.isError) return <ErrorPanel title="Could not list leases">{query.error.message}</ErrorPanel>;
  const items = query.data.pages.flatMap((page) => page.items);
  const total = query.data.pages[0]?.total ?? 0;
  return (
    <div className="space-y-3 text-sm">
      <h1 className="text-base font-semibold">Leases</h1>
      <p className="text-slate-600">{total.toLocaleString()} live leases.</p>
      {items.length > 0 ? (
        <table className="min-w-[32rem] border border-slate-200 bg-white">
          <thead className="bg-slate-50 text-left text-xs text-slate-500">
            <tr>
              <th className="px-2 py-1">lease ID (hex)</th>
              <th className="px-2 py-1">granted TTL</th>
              <th className="px-2 py-1">remaining TTL</th>
            </tr>
          </thead>
          <tbody>
            {items.map((lease) => (
              <tr key={lease.id} className="border-t border-slate-100">
                <td className="px-2 py-1 font-mono">
                  <Link className="text-blue-800 hover:underline" href={`/leases/${lease.id}`}>
                    {hex(lease.id)}
                  </Link>
                </td>
                <td className="px-2 py-1">{lease.grantedTtl} s</td>
                <td className="px-2 py-1">{lease.remainingTtl} s</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {query.hasNextPage ? (
        <button type="button" className="text-xs font-medium text-blue-700 hover:underline" onClick={() => void query.fetchNextPage()}>
          Show more
        </button>
      ) : null}
    </div>
  );
}
