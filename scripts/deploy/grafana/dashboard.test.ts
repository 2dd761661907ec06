import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerCollectors } from "@/lib/metrics/collectors";
import { getMetrics } from "@/lib/metrics/registry";

// The Grafana dashboard in the repository cannot rot: it parses, and every PromQL expression in it
// (panels and template variables) names only metrics this server's registry exports; every
// etcdlens_* metric has a panel.

type Panel = { type: string; title: string; targets?: { expr: string }[] };
type Dashboard = { panels: Panel[]; templating: { list: { query: { query: string } }[] } };

const dashboard = JSON.parse(readFileSync(join(__dirname, "etcdlens-dashboard.json"), "utf8")) as Dashboard;

async function exportedNames(): Promise<Set<string>> {
  registerCollectors(() => null);
  const names = new Set<string>();
  for (const metric of await getMetrics().registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(metric.name + suffix);
  }
  return names;
}

// Metric names in an expression: identifiers that are not PromQL's functions, keywords or labels.
function metricNamesIn(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const withoutGroupings = withoutStrings.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "");
  const withoutMatchers = withoutGroupings.replace(/\{[^}]*\}/g, "{}").replace(/\[[^\]]*\]/g, "[]");
  return [...withoutMatchers.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)]
    .map((match) => match[1])
    .filter((name) => /_/.test(name) && !name.startsWith("$"));
}

const expressions = [
  ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: panel.title, expr: target.expr }))),
  ...dashboard.templating.list.map((variable) => ({
    where: "a variable",
    expr: variable.query.query.replace(/^label_values\((.*),\s*\w+\)$/, "$1"),
  })),
];

describe("the Grafana dashboard", () => {
  it("has panels with queries", () => {
    const charts = dashboard.panels.filter((panel) => panel.type !== "row");
    expect(charts.length).toBeGreaterThan(10);
    for (const panel of charts) expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
  });

  it("names only metrics the registry exports", async () => {
    const exported = await exportedNames();
    for (const { where, expr } of expressions) {
      const names = metricNamesIn(expr);
      expect(names.length, `${where}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) expect(exported.has(name), `${where}: ${name} in ${expr}`).toBe(true);
    }
  });

  it("shows every etcdlens metric somewhere", async () => {
    const used = new Set(expressions.flatMap(({ expr }) => metricNamesIn(expr)));
    const ours = [...(await exportedNames())].filter((name) => name.startsWith("etcdlens_") && !/_(sum|count)$/.test(name));
    const histograms = new Set(ours.filter((name) => name.endsWith("_bucket")).map((name) => name.slice(0, -"_bucket".length)));
    for (const name of ours.filter((name) => !histograms.has(name))) expect(used.has(name), name).toBe(true);
  });
});
