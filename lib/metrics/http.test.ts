import { describe, expect, it } from "vitest";
import { methodLabelOf, routePatternOf } from "./http";

describe("routePatternOf", () => {
  it("keeps an API route's path, which names no key (keys travel in the query)", () => {
    expect(routePatternOf("/api/key")).toBe("/api/key");
    expect(routePatternOf("/api/history/")).toBe("/api/history");
    expect(routePatternOf("/metrics")).toBe("/metrics");
  });

  it("says other for any path that could carry a key or grow without bound", () => {
    expect(routePatternOf("/keys/registry/pods/default/web-0")).toBe("other");
    expect(routePatternOf("/api/key/registry/secrets")).toBe("other");
    expect(routePatternOf("/api/%2Fregistry")).toBe("other");
    expect(routePatternOf(`/api/${"a".repeat(60)}`)).toBe("other");
    expect(routePatternOf("/")).toBe("other");
  });
});

describe("methodLabelOf", () => {
  it("keeps HTTP's methods and folds anything else", () => {
    expect(methodLabelOf("get")).toBe("GET");
    expect(methodLabelOf("POST")).toBe("POST");
    expect(methodLabelOf("BREW")).toBe("other");
  });
});
