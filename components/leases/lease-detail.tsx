"use client";

import { Link } from "@/components/ui/link";
import { useInfiniteQuery } from "@tanstack/react-query";
import { base64ToBytes, keyHref } from "@/lib/keys";
import { leaseQueries } from "@/lib/queries/leases";
import { isApiError } from "@/lib/queries/fetch-json";
import { ErrorPanel, Loading, NoticePanel } from "@/components/ui/panels";
import { useClusterName } from "@/components/cluster/cluster-scope";

// One lease, like `etcdctl lease timetolive --keys`: its TTLs and the keys attached to it.
export function LeaseDetail({ id }: { id: string }) {
  const query = useInfiniteQuery(leaseQueries.detail(useClusterName(), id));
  const hex = BigInt(id).toString(16);
  if (query.isPending) return <Loading label="Reading the lease…" />;
  if (query.isError) {
    if (isApiError(query.error, "not_found")) {
      return <NoticePanel title={`Lease ${hex} is gone`}>{query.error.message}. Keys attached to it were deleted with it.</NoticePanel>;
    }
    return <ErrorPanel title="Could not read the lease">{query.error.message}</ErrorPanel>;
  }
  const first = query.data.pages[0];
  const keys = query.data.pages.flatMap((page) => page.keys);
  return (
    <div className="space-y-3 text-sm">
      <h1 className="text-base font-semibold">
        Lease <span className="font-mono">{hex}</span> <span className="text-xs font-normal text-slate-500">({id})</span>
      </h1>
      <dl className="grid max-w-md grid-cols-[auto_1fr] gap-x-4 gap-y-1">
        <dt className="text-slate-500">granted TTL</dt>
        <dd>{first.grantedTtl} s</dd>
        <dt className="text-slate-500">remaining TTL</dt>
        <dd data-testid="lease-remaining">{first.remainingTtl} s</dd>
        <dt className="text-slate-500">attached keys</dt>
        <dd>
          {first.totalKeys.toLocaleString()}
          {first.someHidden ? <span className="text-slate-500"> (and keys you may not see)</span> : null}
        </dd>
      </dl>
      <ul aria-label="Attached keys" className="space-y-0.5 font-mono text-[13px]">
        {keys.map((key) => (
          <li key={key.keyBase64}>
            <Link className="text-blue-800 hover:underline" href={keyHref(base64ToBytes(key.keyBase64))}>
              {key.key}
            </Link>
          </li>
        ))}
      </ul>
      {query.hasNextPage ? (
        <button type="button" className="text-xs font-medium text-blue-700 hover:underline" onClick={() => void query.fetchNextPage()}>
          Show more keys
        </button>
      ) : null}
    </div>
  );
}
