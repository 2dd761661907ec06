import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// Wire objects are built by the presenters in lib/api/present-*.ts only. A route handler that
// writes key bytes for the wire itself (bytesToBase64, a keyBase64 field) is building one inline.

const apiDir = join(process.cwd(), "app", "api");

function routeSources(): { file: string; source: string }[] {
  return readdirSync(apiDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) =>
      readdirSync(join(apiDir, entry.name))
        .filter((name) => name.endsWith(".ts"))
        .map((name) => ({ file: `app/api/${entry.name}/${name}`, source: readFileSync(join(apiDir, entry.name, name), "utf8") })),
    );
}

describe("route handlers", () => {
  it("leave building wire objects to the presenters", () => {
    const sources = routeSources();
    expect(sources.length).toBeGreaterThan(10);
    const inline = sources.filter(({ source }) => /bytesToBase64|keyBase64\s*:/.test(source)).map(({ file }) => file);
    expect(inline).toEqual([]);
  });
});
