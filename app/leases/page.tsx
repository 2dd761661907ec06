import { LeaseList } from "@/components/leases/lease-list";

// /leases — live leases and their TTLs.
export default function LeasesPage() {
  return (
    <div className="overflow-auto p-4">
      <LeaseList />
    </div>
  );
}
