"use client";

import { Link } from "@/components/ui/link";
import { useQuery } from "@tanstack/react-query";
import type { KeyValueDto, RevisionTimeDto } from "@/lib/api/dto";
import { keyHref } from "@/lib/keys";
import { keyQueries, rawValueUrl } from "@/lib/queries";
import { isApiError } from "@/lib/queries/fetch-json";
import { ErrorPanel, Loading, NoticePanel } from "@/components/ui/panels";
import { ValueBody } from "./value-body";
import { useClusterName } from "@/components/cluster/cluster-scope";
import { ReadFromNote } from "@/components/archive/read-from-note";
import { RevisionTime } from "@/components/archive/revision-time";
import { ExportLinks } from "@/components/export/export-links";

// The selected key at the selected revision: etcdctl's `get -w json` fields, then the value.

export function ValuePane({ keyBytes, revision, missing }: { keyBytes: Uint8Array; revision?: number; missing: React.ReactNode }) {
  const cluster = useClusterName();
  const query = useQuery(keyQueries.value(cluster, keyBytes, revision));
  if (query.isPending) return <Loading label="Reading the key…" />;
  if (query.isError) {
    const error = query.error;
    if (isApiError(error, "not_found")) return <>{missing}</>;
    if (isApiError(error, "compacted")) {
      return (
        <NoticePanel title={`Revision ${revision} has been compacted`}>
          History before revision {error.compactRevision} is no longer kept.{" "}
          {error.compactRevision ? (
            <Link className="text-blue-700 underline" href={keyHref(keyBytes, { rev: error.compactRevision })}>
              Show the oldest revision still available ({error.compactRevision})
            </Link>
          ) : null}
        </NoticePanel>
      );
    }
    return <ErrorPanel title="Could not read this key">{error.message}</ErrorPanel>;
  }
  return (
    <div className="space-y-3">
      <KeyMetadata kv={query.data.kv} modRevisionTime={query.data.modRevisionTime} />
      <ReadFromNote readFrom={query.data.readFrom} className="-mt-2 px-1" />
      <ExportLinks scope={{ key: keyBytes }} revision={revision} />
      <ValueBody
        data={query.data}
        keyBytes={keyBytes}
        downloadUrl={rawValueUrl(cluster, keyBytes, revision ?? query.data.kv.modRevision)}
      />
    </div>
  );
}

function KeyMetadata({ kv, modRevisionTime }: { kv: KeyValueDto; modRevisionTime?: RevisionTimeDto }) {
  const fields: [string, React.ReactNode][] = [
    ["createRevision", String(kv.createRevision)],
    ["modRevision", String(kv.modRevision)],
    ["version", String(kv.version)],
    [
      "lease",
      kv.lease === "0" ? (
        "none"
      ) : (
        <Link className="text-blue-800 underline" href={`/leases/${kv.lease}`} title={`lease ${kv.lease}`}>
          {BigInt(kv.lease).toString(16)}
        </Link>
      ),
    ],
    ["size", `${kv.size.toLocaleString()} bytes`],
  ];
  // When modRevision happened, when the archive knows.
  if (modRevisionTime?.time) fields.splice(2, 0, ["written", <RevisionTime key="written" time={modRevisionTime} className="font-sans" />]);
  return (
    <dl aria-label="Key metadata" className="flex flex-wrap gap-x-6 gap-y-1 rounded border border-slate-200 bg-white px-3 py-2 text-sm">
      {fields.map(([label, value]) => (
        <div key={label} className="flex gap-1.5">
          <dt className="text-slate-500">{label}</dt>
          <dd className="font-mono" data-testid={`kv-${label}`}>
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}
