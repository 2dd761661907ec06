import { describe, expect, it } from "vitest";
import { FolderTree } from "./folder-tree";
import { decodeFolderSnapshot, encodeFolderSnapshot } from "./snapshot";

describe("folder index snapshots", () => {
  it("give back the same folders, counts and gaps, byte keys and the root's own folders included", () => {
    const tree = new FolderTree();
    const keys = ["/registry/pods/ns/a", "/registry/pods/ns/b", "/registry/pods-x", "/registry/a", "top", "\xff\x00/k", "/", "/x/"];
    keys.forEach((key) => tree.addKey(key, true));
    tree.addKey("/registry/m/n");
    tree.removeKey("/registry/pods/ns/b");
    const loaded = decodeFolderSnapshot(encodeFolderSnapshot(tree, 42, "123456789012345678"));
    expect(loaded).toMatchObject({ revision: 42, clusterId: "123456789012345678" });
    const sorted = (entries: ReturnType<FolderTree["entries"]>) => entries.slice().sort((a, b) => (a[0] < b[0] ? -1 : 1));
    expect(sorted(loaded!.tree.entries())).toEqual(sorted(tree.entries()));
    expect(loaded!.tree.folder("/registry/")?.positions).toEqual(tree.folder("/registry/")?.positions);
    // It keeps working as a tree: a key removed after loading leaves the counts a fresh tree has.
    expect(loaded!.tree.removeKey("/registry/pods/ns/a")).toBe(true);
    expect(loaded!.tree.folder("/registry/pods/")).toBeUndefined();
  });

  it("is refused, not trusted, when it does not decode", () => {
    expect(decodeFolderSnapshot(Buffer.from("not a snapshot"))).toBeNull();
  });
});
