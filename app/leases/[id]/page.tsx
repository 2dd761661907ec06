import { LeaseDetail } from "@/components/leases/lease-detail";
import { ErrorPanel } from "@/components/ui/panels";
import { parseLeaseId } from "@/lib/params";

// /leases/<ID> — one lease and the keys attached to it; the ID in decimal or as etcdctl prints it
// (lib/params.ts parseLeaseId, the rule /api/leases?id= uses too).
export default async function LeasePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const parsed = parseLeaseId(id);
  return (
    <div className="overflow-auto p-4">
      {parsed.ok ? (
        <LeaseDetail id={parsed.value} />
      ) : (
        <ErrorPanel title="Not a lease ID">{`"${id}" is not a lease ID: ${parsed.message}.`}</ErrorPanel>
      )}
    </div>
  );
}
