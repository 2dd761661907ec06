import { InsightsOverview } from "@/components/insights/insights-overview";

// /insights[?cluster=] — etcd's own figures and alarms, the busiest writers now and growth over
// the last day or week from the archive.
export default function InsightsPage() {
  return <InsightsOverview />;
}
