import { ClusterOverview } from "@/components/cluster/cluster-overview";

// /cluster — members, endpoint status, alarms and compaction, like `etcdctl member list` and
// `etcdctl endpoint status` together.
export default function ClusterPage() {
  return <ClusterOverview />;
}
