// The decoders' fast paths must not show: what they build is what plain JSON would be.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decodeValue, encodeKubernetesObject, type KubernetesValue } from "./index";

const fixturesDir = process.env.ETCDLENS_FIXTURES_DIR || path.resolve(process.cwd(), "../shared/fixtures/k8s-api/HEAD");
const fixturePod = path.join(fixturesDir, "core.v1.Pod.pb");

/** Every object and array in value, the root included. */
function containers(value: unknown, out: object[] = []): object[] {
  if (value !== null && typeof value === "object") {
    out.push(value);
    for (const child of Object.values(value)) containers(child, out);
  }
  return out;
}

describe("objects the generated decoders build", () => {
  it("are plain objects and arrays, as JSON.parse makes them", () => {
    const samples = [
      encodeKubernetesObject({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "web", labels: { app: "web" }, annotations: { b: "2", a: "1" } },
        spec: { containers: [{ name: "web", image: "nginx", ports: [{ containerPort: 80 }] }] },
      }),
      ...(existsSync(fixturePod) ? [new Uint8Array(readFileSync(fixturePod))] : []),
    ];
    for (const bytes of samples) {
      const decoded = decodeValue(bytes) as KubernetesValue;
      const all = containers(decoded.object);
      expect(all.length).toBeGreaterThan(5);
      for (const value of all) {
        const plain = Array.isArray(value) ? Array : Object;
        expect(Object.getPrototypeOf(value)).toBe(plain.prototype);
        expect(value.constructor).toBe(plain);
        if (!Array.isArray(value)) expect(Reflect.ownKeys(value)).toEqual(Object.keys(value));
      }
      expect(decoded.object).toStrictEqual(JSON.parse(JSON.stringify(decoded.object)));
    }
  });
});
