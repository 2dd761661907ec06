import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { archiveScope, isArchived, whyNotArchived } from "@/lib/archive/scope";
import { ConfigurationError, parseArchiveSettings, parseServerSettings } from "@/lib/env";

// The archive's two per-deployment choices as an operator writes them: which keys of each cluster
// the archive records (ETCDLENS_CONFIG clusters[].archive) and how long or how much it keeps
// (ETCDLENS_ARCHIVE_RETENTION); a mistake is a ConfigurationError naming the setting.

const dir = mkdtempSync(join(tmpdir(), "etcdlens-archive-settings-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join("\n"));
  return path;
}

describe("archive settings", () => {
  it("reads include/exclude prefixes per cluster; a cluster without them archives every key", () => {
    const path = configFile("scoped.yaml", [
      "clusters:",
      "  - name: prod",
      "    endpoints: [127.0.0.1:2379]",
      "    archive:",
      "      include: [/registry/]",
      "      exclude: [/registry/events/, /registry/leases/kube-node-lease/]",
      "  - name: lab",
      "    endpoints: 127.0.0.1:2380",
    ]);
    const { clusters } = parseServerSettings({ ETCDLENS_CONFIG: path });
    expect(clusters.map((cluster) => [cluster.name, cluster.archive])).toEqual([
      ["prod", { include: ["/registry/"], exclude: ["/registry/events/", "/registry/leases/kube-node-lease/"] }],
      ["lab", { include: [], exclude: [] }],
    ]);
  });

  it("tells the views which keys of a configured cluster the archive holds (lib/archive/scope.ts)", () => {
    const path = configFile("views.yaml", [
      "clusters:",
      "  - name: prod",
      "    endpoints: [127.0.0.1:2379]",
      "    archive:",
      "      exclude: [/registry/events/]",
      "  - name: lab",
      "    endpoints: 127.0.0.1:2380",
    ]);
    const saved = process.env.ETCDLENS_CONFIG;
    process.env.ETCDLENS_CONFIG = path;
    try {
      expect(archiveScope("prod")).toEqual({ include: [], exclude: ["/registry/events/"] });
      expect(isArchived("prod", Buffer.from("/registry/pods/shop/web"))).toBe(true);
      expect(isArchived("prod", Buffer.from("/registry/events/shop/web.1"))).toBe(false);
      expect(whyNotArchived("prod", Buffer.from("/registry/events/shop/web.1"))).toBe("excluded by configuration (/registry/events/)");
      expect(isArchived("lab", Buffer.from("/registry/events/shop/web.1"))).toBe(true);
      expect(whyNotArchived("lab", Buffer.from("/registry/events/shop/web.1"))).toBeNull();
    } finally {
      if (saved === undefined) delete process.env.ETCDLENS_CONFIG;
      else process.env.ETCDLENS_CONFIG = saved;
    }
  });

  it("refuses a prefix list that is not one, an empty prefix and an unknown field, naming where", () => {
    const refused = (lines: string[]) => {
      try {
        parseServerSettings({
          ETCDLENS_CONFIG: configFile("bad.yaml", ["clusters:", "  - name: prod", "    endpoints: [127.0.0.1:2379]", ...lines]),
        });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError);
        return (error as Error).message;
      }
      throw new Error("accepted");
    };
    expect(refused(["    archive:", "      exclude: /registry/events/"])).toMatch(/^ETCDLENS_CONFIG: clusters\.0\.archive\.exclude: /);
    expect(refused(["    archive:", '      include: [""]'])).toBe("ETCDLENS_CONFIG: clusters.0.archive.include.0: a prefix is not empty");
    expect(refused(["    archive:", "      exclude_prefixes: [/registry/events/]"])).toMatch(/^ETCDLENS_CONFIG: clusters\.0\.archive: /);
  });

  it("reads ETCDLENS_ARCHIVE_RETENTION, and says what is wrong with it", () => {
    expect(parseArchiveSettings({}).retention).toEqual({});
    expect(parseArchiveSettings({ ETCDLENS_ARCHIVE_RETENTION: "14d,20GB" }).retention).toEqual({
      maxAgeMs: 14 * 86_400_000,
      maxBytes: 20e9,
    });
    expect(() => parseArchiveSettings({ ETCDLENS_ARCHIVE_RETENTION: "20XB" })).toThrow(
      new ConfigurationError(
        'invalid ETCDLENS_ARCHIVE_RETENTION: "XB" in "20XB" is not a unit: ages take m, h, d or w; sizes B, KB, MB, GB, TB (or KiB, MiB, GiB, TiB)',
      ),
    );
  });
});
