import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { archiveExclusion, isKeyArchived, keyFilterMatcher, type ArchiveKeyFilter } from "./key-filter";

const key = (text: string) => Buffer.from(text);

describe("archive key filter", () => {
  const filter: ArchiveKeyFilter = { include: ["/registry/"], exclude: ["/registry/events/", "/registry/leases/kube-node-lease/"] };

  it("archives included keys and leaves excluded ones out, exclusion first", () => {
    expect(isKeyArchived(filter, key("/registry/pods/shop/web-1"))).toBe(true);
    expect(isKeyArchived(filter, key("/registry/events/shop/web-1.17a"))).toBe(false);
    expect(isKeyArchived(filter, key("/registry/leases/kube-node-lease/node-1"))).toBe(false);
    expect(isKeyArchived(filter, key("/other/key"))).toBe(false);
    // A prefix is bytes, not a folder: "/registry/events" without its slash is another key.
    expect(isKeyArchived(filter, key("/registry/events"))).toBe(true);
  });

  it("says why a key is not archived", () => {
    expect(archiveExclusion(filter, key("/registry/events/a"))).toBe("excluded by configuration (/registry/events/)");
    expect(archiveExclusion(filter, key("/other"))).toBe("not under an included prefix (/registry/)");
    expect(archiveExclusion(filter, key("/registry/pods/a"))).toBeNull();
    expect(archiveExclusion({ include: [], exclude: [] }, key("\u0000anything"))).toBeNull();
  });

  it("matches bytes that are not UTF-8 and agrees with the matcher the recorder uses", () => {
    const prefixes = fc.array(fc.constantFrom("/a/", "/a/b/", "/b", "é/", ""), { maxLength: 3 });
    fc.assert(
      fc.property(
        prefixes,
        prefixes,
        fc.uint8Array({ maxLength: 8 }),
        fc.constantFrom("/a/", "/a/b/", "/b", "é/", "/c"),
        (include, exclude, tail, head) => {
          const filter = { include, exclude };
          const bytes = Buffer.concat([Buffer.from(head), Buffer.from(tail)]);
          expect(keyFilterMatcher(filter)(bytes)).toBe(isKeyArchived(filter, bytes));
        },
      ),
    );
  });
});
