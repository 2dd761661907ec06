import { expect, test } from "@playwright/test";
import { param } from "../support/api";

// Bad input through the production server over HTTP: links that cannot be decoded, and a level
// asked for without its trailing slash.

for (const path of ["/keys/%ZZ", "/keys/%", "/keys/registry/%E0%A4", "/changes/%ZZ"]) {
  test(`${path} answers 400 with a bad-link page, not a bare 500`, async ({ request }) => {
    const response = await request.get(path);
    expect(response.status()).toBe(400);
    expect(response.headers()["content-type"]).toContain("text/html");
    const text = await response.text();
    expect(text).toContain("<h1>Bad link</h1>");
    expect(text).toContain("Open the key tree");
  });
}

test("an API path that cannot be decoded answers the API's error shape", async ({ request }) => {
  const response = await request.get("/api/key%ZZ");
  expect(response.status()).toBe(400);
  expect((await response.json()).error.code).toBe("bad_request");
});

test("?prefix=/registry/pods lists the folder /registry/pods/ and says so", async ({ request }) => {
  const response = await request.get(`/api/keys?prefix=${param("/registry/pods")}`);
  expect(response.status()).toBe(200);
  const body = await response.json();
  expect(body.items.map((item: { name: string }) => item.name)).toContain("shop");
  expect(body.listed.prefix).toBe("/registry/pods/");
});
