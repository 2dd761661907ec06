import { LeaseDetail } from "@/components/leases/lease-detail";
import { ErrorPanel } from "@/components/ui/panels";

// /leases/<decimal ID> — one lease and the keys attached to it.
export default async function LeasePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const valid = /^[0-9]{1,20}$/.test(id) && BigInt(id) < 2n ** 64n;
  return (
    <div className="overflow-auto p-4">
      {valid ? <LeaseDetail id={id} /> : <ErrorPanel title="Not a lease ID">{`"${id}" is not a decimal lease ID.`}</ErrorPanel>}
    </div>
  );
}
