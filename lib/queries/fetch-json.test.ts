import { describe, expect, it } from "vitest";
import { MAX_GET_URL_CHARS, requestFor } from "./fetch-json";

describe("requestFor", () => {
  it("sends a short API URL as a GET and a long one as a POST of its query", () => {
    expect(requestFor("/api/key?key=/a").init.method).toBeUndefined();
    const long = `/api/key?key=/${"x".repeat(MAX_GET_URL_CHARS)}&rev=3`;
    const request = requestFor(long);
    expect(request.url).toBe("/api/key");
    expect(request.init).toMatchObject({ method: "POST", body: `key=/${"x".repeat(MAX_GET_URL_CHARS)}&rev=3` });
  });
});
