import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { apiVersionOfPackage, buildRegistry } from "./registry";
import { loadSchemaFrom } from "./schema";

const optionsProto = readFileSync(path.join(process.cwd(), "proto/etcdlens/options.proto"), "utf8");

/** Loads the files as a schema folder (written to a temporary one, removed once loaded). */
function loadFiles(files: Record<string, string>) {
  const dir = mkdtempSync(path.join(tmpdir(), "etcdlens-proto-"));
  try {
    for (const [name, source] of Object.entries({ "etcdlens/options.proto": optionsProto, ...files })) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), source);
    }
    return loadSchemaFrom(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const widgetProto = `syntax = "proto2";
package k8s.io.api.widgets.v1beta1;
import "etcdlens/options.proto";
message Widget {
  optional int32 replicas = 1 [(etcdlens.ptr) = true];
  repeated string tags = 2 [(etcdlens.keep) = true, json_name = "$tags"];
}`;

describe("schema loading", () => {
  it("lets protobufjs parse files that use the etcdlens options and exposes them", () => {
    const root = new protobuf.Root();
    protobuf.parse(optionsProto, root, { keepCase: true });
    protobuf.parse(widgetProto, root, { keepCase: true });
    const widget = root.lookupType("k8s.io.api.widgets.v1beta1.Widget");
    expect(widget.fields.replicas.options).toEqual({ "(etcdlens.ptr)": true });
    expect(widget.fields.tags.options).toEqual({ "(etcdlens.keep)": true, json_name: "$tags" });
    expect(root.lookup("etcdlens.inline")).not.toBeNull();
  });

  it("keeps loading the other files when one does not parse, and says which", () => {
    const schema = loadFiles({ "good/types.proto": widgetProto, "bad/types.proto": "syntax = proto2; message {" });
    expect(schema.errors.map((error) => error.file)).toEqual([path.join("bad", "types.proto")]);
    const registry = buildRegistry(schema);
    expect(registry.lookup("widgets.k8s.io/v1beta1", "Widget")?.name).toBe("Widget");
  });

  it("reports a type defined twice and keeps the first", () => {
    expect(loadFiles({ "a/types.proto": widgetProto, "b/types.proto": widgetProto }).errors[0].message).toMatch(/Widget is defined twice/);
  });
});

describe("apiVersion of a proto package", () => {
  it.each([
    ["k8s.io.api.core.v1", "v1"],
    ["k8s.io.api.apps.v1", "apps/v1"],
    ["k8s.io.api.batch.v1beta1", "batch/v1beta1"],
    ["k8s.io.api.rbac.v1alpha1", "rbac.authorization.k8s.io/v1alpha1"],
    ["k8s.io.api.flowcontrol.v1", "flowcontrol.apiserver.k8s.io/v1"],
    ["k8s.io.api.coordination.v1", "coordination.k8s.io/v1"],
    ["k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1", "apiextensions.k8s.io/v1"],
    ["k8s.io.kube_aggregator.pkg.apis.apiregistration.v1", "apiregistration.k8s.io/v1"],
    ["k8s.io.apimachinery.pkg.apis.meta.v1", undefined],
  ])("%s -> %s", (pkg, apiVersion) => {
    expect(apiVersionOfPackage(pkg)).toBe(apiVersion);
  });
});
