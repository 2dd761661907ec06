// Every protobuf fixture must decode to exactly the JSON Kubernetes printed for it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decodeValue, encodeKubernetesObject, type KubernetesValue } from "./index";
import { listJsonDifferences } from "./json-differences";
import { toYaml } from "./yaml";

const fixturesDir = process.env.ETCDLENS_FIXTURES_DIR || path.resolve(process.cwd(), "../shared/fixtures/k8s-api/HEAD");
const present = existsSync(fixturesDir);
if (!present) console.warn(`Kubernetes fixture tests did NOT run: ${fixturesDir} does not exist`);

const fixtures = present
  ? readdirSync(fixturesDir)
      .filter((name) => name.endsWith(".pb"))
      .sort()
  : [];

/** "coordination.k8s.io.v1.Lease.pb" -> apiVersion "coordination.k8s.io/v1", kind "Lease"; "core" is the legacy group. */
export function typeOfFixture(fileName: string): { apiVersion: string; kind: string } {
  const parts = fileName.replace(/\.pb$/, "").split(".");
  const kind = parts.pop()!;
  const version = parts.pop()!;
  const group = parts.join(".");
  return { apiVersion: group === "core" ? version : `${group}/${version}`, kind };
}

function decodeFixture(name: string): KubernetesValue {
  const bytes = new Uint8Array(readFileSync(path.join(fixturesDir, name)));
  const decoded = decodeValue(bytes, { typeHint: typeOfFixture(name), revealSecrets: true });
  expect(decoded.format).toBe("kubernetes");
  return decoded as KubernetesValue;
}

describe.skipIf(!present)(`Kubernetes protobuf fixtures in ${fixturesDir}`, () => {
  it("has fixtures to check", () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  it.each(fixtures)("%s decodes to the JSON beside it", (name) => {
    const expected: unknown = JSON.parse(readFileSync(path.join(fixturesDir, name.replace(/\.pb$/, ".json")), "utf8"));
    const decoded = decodeFixture(name);
    expect(decoded.error).toBeUndefined();
    expect(decoded.known).toBe(true);
    expect(listJsonDifferences(decoded.object, expected)).toEqual([]);
    expect(decoded.object).toEqual(expected);
  });

  it.each(fixtures)("%s prints the YAML beside it (keys sorted, as kubectl's converter does)", (name) => {
    const expected = readFileSync(path.join(fixturesDir, name.replace(/\.pb$/, ".yaml")), "utf8");
    expect(toYaml(decodeFixture(name).object, { sortKeys: true })).toBe(expected);
  });

  it.each(fixtures)("%s survives encode then decode unchanged", (name) => {
    const decoded = decodeFixture(name);
    const type = typeOfFixture(name);
    const object = { apiVersion: type.apiVersion, kind: type.kind, ...decoded.object };
    const again = decodeValue(encodeKubernetesObject(object), { revealSecrets: true });
    expect(again).toMatchObject({ format: "kubernetes", known: true });
    expect((again as KubernetesValue).object).toEqual(object);
  });
});
