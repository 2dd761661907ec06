import { describe, expect, it } from "vitest";
import { decodeTarSegment, keyToTarPath } from "./tar-path";

const bytes = (text: string) => new TextEncoder().encode(text);
const pathOf = (key: string | Uint8Array) => keyToTarPath(typeof key === "string" ? bytes(key) : key, ".yaml");

describe("keyToTarPath", () => {
  it("keeps a usual key readable, relative to the archive", () => {
    expect(pathOf("/registry/pods/default/web-1")).toBe("registry/pods/default/web-1.yaml");
    expect(pathOf("/registry/clusterroles/system:aggregate-to-admin")).toBe("registry/clusterroles/system%3Aaggregate-to-admin.yaml");
    expect(pathOf("/café/ü")).toBe("café/ü.yaml");
  });

  it("never leaves the directory tar extracts into", () => {
    for (const key of ["/../../etc/passwd", "../x", "/a/./b", "/a/..", "//etc/passwd", "/a\\..\\b", "\0/..", "C:/x"]) {
      const path = pathOf(key);
      expect(path.startsWith("/")).toBe(false);
      for (const segment of path.split("/")) {
        expect(segment).not.toBe("..");
        expect(segment).not.toBe(".");
        expect(segment).not.toBe("");
        expect(segment).not.toMatch(/[\\\0:]/);
      }
    }
    expect(pathOf("/../../etc/passwd")).toBe("%2E%2E/%2E%2E/etc/passwd.yaml");
    expect(pathOf("//x")).toBe("%/x.yaml");
  });

  it("encodes odd bytes so that each segment decodes to the key's bytes", () => {
    const key = Uint8Array.of(0x2f, 0x61, 0xff, 0x00, 0x0a, 0x25, 0x2f, 0xc3, 0xa9, 0xe2, 0x80, 0xa8);
    const path = pathOf(key);
    expect(path).toBe("a%FF%00%0A%25/é%E2%80%A8.yaml");
    const segments = path.slice(0, -".yaml".length).split("/").map(decodeTarSegment);
    expect(Buffer.concat(segments.flatMap((segment) => [Buffer.of(0x2f), Buffer.from(segment)]))).toEqual(Buffer.from(key));
  });

  it("gives distinct keys distinct paths, a key that is also a folder included", () => {
    const keys = ["/a", "a", "/a/b", "/a.yaml/b", "/a.yaml", "//a", "/a/", "/A", "/a%2Eyaml/b", "", "/"];
    const paths = keys.map(pathOf);
    expect(new Set(paths).size).toBe(keys.length);
    // No file is a prefix folder of another file.
    for (const path of paths) for (const other of paths) expect(other.startsWith(`${path}/`)).toBe(false);
    expect(pathOf("/a.yaml/b")).toBe("a%2Eyaml/b.yaml");
    expect(pathOf("a")).toBe("%%/a.yaml");
  });
});
