import { expect, test } from "@playwright/test";
import { param } from "../support/api";
import { DEEP_JSON, DEEP_JSON_KEY, LONG_KEY_20K } from "../support/bad-input-seed";

// Bad input through the production server over HTTP: links that cannot be decoded, a level asked
// for without its trailing slash, a key too long for a URL.

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

test("a 20 KB key is read through POST, which carries the query in its body", async ({ request }) => {
  const form = { headers: { "content-type": "application/x-www-form-urlencoded" } };
  const key = await request.post("/api/key", { ...form, data: `key=${param(LONG_KEY_20K)}` });
  expect(key.status()).toBe(200);
  const body = await key.json();
  expect(body.kv.key).toBe(LONG_KEY_20K);
  expect(body.value).toEqual({ format: "text", text: "twenty kilobytes of key, second version" });
  const history = await request.post("/api/history", { ...form, data: `key=${param(LONG_KEY_20K)}` });
  expect((await history.json()).items).toHaveLength(2);
  const [newer, older] = (await history.json()).items;
  const diff = await request.post("/api/diff", { ...form, data: `key=${param(LONG_KEY_20K)}&from=${older.revision}&to=${newer.revision}` });
  expect((await diff.json()).to.value.text).toBe("twenty kilobytes of key, second version");
});

test("a JSON value nested 5,000 levels deep is answered as text, not a 500", async ({ request }) => {
  const response = await request.get(`/api/key?key=${param(DEEP_JSON_KEY)}`);
  expect(response.status()).toBe(200);
  expect((await response.json()).value).toEqual({ format: "text", text: DEEP_JSON });
  expect((await request.get(`/api/history?key=${param(DEEP_JSON_KEY)}`)).status()).toBe(200);
});
