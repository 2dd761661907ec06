"use client";

import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { clusterListQuery } from "@/lib/queries";
import { useClusterName } from "@/components/cluster/cluster-scope";
import { bytesFromText } from "@/lib/keys";
import { EtcdFigures } from "./etcd-figures";
import { SpaceSection } from "./space-section";
import { BusiestWriters } from "./busiest-writers";
import { GrowthSection } from "./growth-section";

// The Insights page of one cluster: etcd's own figures and alarms, where the space goes (the
// largest folders and keys, from the folder index), who writes now, and how the writes grew over the last day or week.
export function InsightsOverview() {
  const cluster = useClusterName();
  const clusters = useQuery(clusterListQuery());
  const configured = clusters.data?.clusters.find((entry) => entry.name === cluster) ?? clusters.data?.clusters[0];
  return (
    <div className="space-y-8 overflow-auto p-4 text-sm">
      <h1 className="text-base font-semibold">Insights</h1>
      <Section id="etcd" title="etcd's own figures">
        <EtcdFigures />
      </Section>
      {clusters.isPending ? null : <SpaceSection cluster={cluster} prefix={bytesFromText(configured?.defaultPrefix ?? "")} />}
      <Section id="writers" title="Busiest writers">
        <BusiestWriters />
      </Section>
      <Section id="growth" title="Growth over time">
        {clusters.isPending ? null : <GrowthSection defaultPrefix={configured?.defaultPrefix ?? "/"} />}
      </Section>
    </div>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="mb-2 font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}
