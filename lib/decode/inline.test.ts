// Inline (embedded Go struct) fields: printed flattened, in place, with the parent winning name clashes.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { PlanCompiler } from "./plan";
import { createDecodeContext, decodeMessage } from "./protobuf-decoder";
import { loadSchemaFrom } from "./schema";
import { WIRE_LENGTH_DELIMITED, WireWriter } from "./wire";

const optionsProto = readFileSync(path.join(process.cwd(), "proto/etcdlens/options.proto"), "utf8");

const testProto = `syntax = "proto2";
package example.v1;
import "etcdlens/options.proto";
message Source {
  optional string name = 1;
  optional string path = 2;
}
message Flat {
  optional string name = 1;
  optional Source source = 2 [(etcdlens.inline) = true];
  optional string after = 3;
}
message Clash {
  optional Source source = 1 [(etcdlens.inline) = true];
  optional string name = 2;
}`;

function planOf(name: string) {
  const dir = mkdtempSync(path.join(tmpdir(), "etcdlens-inline-"));
  for (const [file, source] of Object.entries({ "etcdlens/options.proto": optionsProto, "example/v1/types.proto": testProto })) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), source);
  }
  const schema = loadSchemaFrom(dir);
  rmSync(dir, { recursive: true, force: true });
  expect(schema.errors).toEqual([]);
  return new PlanCompiler(schema.errors).planOf(schema.root.lookupType(`example.v1.${name}`) as protobuf.Type);
}

function message(fields: [number, string | Uint8Array][]): Uint8Array {
  const writer = new WireWriter();
  for (const [number, value] of fields) {
    writer.tag(number, WIRE_LENGTH_DELIMITED);
    if (typeof value === "string") writer.string(value);
    else writer.bytes(value);
  }
  return writer.finish();
}

function decode(name: string, bytes: Uint8Array) {
  const ctx = createDecodeContext(() => null);
  const object = decodeMessage(planOf(name), bytes, 0, bytes.length, ctx, 0);
  expect(ctx.error).toBeUndefined();
  return object as Record<string, unknown>;
}

describe("inline fields", () => {
  it("print their fields in the parent, at the inline field's place, whatever the wire order", () => {
    const bytes = message([
      [3, "z"],
      [2, message([[2, "/data"]])],
      [1, "outer"],
    ]);
    const object = decode("Flat", bytes);
    expect(object).toEqual({ name: "outer", path: "/data", after: "z" });
    expect(Object.keys(object)).toEqual(["name", "path", "after"]);
  });

  it("lose a name clash to the parent's own field, declared before or after them, present or not", () => {
    const inner = message([
      [1, "inner"],
      [2, "/data"],
    ]);
    expect(
      decode(
        "Flat",
        message([
          [1, "outer"],
          [2, inner],
        ]),
      ),
    ).toEqual({ name: "outer", path: "/data" });
    expect(
      decode(
        "Clash",
        message([
          [1, inner],
          [2, "outer"],
        ]),
      ),
    ).toEqual({ name: "outer", path: "/data" });
    // Go hides the embedded name even when the parent's own one is empty and left out.
    expect(decode("Clash", message([[1, inner]]))).toEqual({ path: "/data" });
  });
});
